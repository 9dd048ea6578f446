// The vmdesc JSON trailer: where it is, and the body size it gives each
// section (the only way to step over a section the reference doesn't model).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>

namespace migcheck::stream {

struct Vmdesc {
  std::uint64_t offset = 0;  // the 0x06 byte
  std::map<std::pair<std::string, std::uint32_t>, std::uint64_t> body_sizes;  // (idstr, instance)
};

// Finds `0x00 0x06 be32(len) {json}` ending exactly at the end of the input
// and parses it; nullptr if there is none or it does not parse. Shared:
// the same text met again on this thread is not parsed again.
std::shared_ptr<const Vmdesc> find_vmdesc(std::span<const std::uint8_t> bytes);

}  // namespace migcheck::stream
