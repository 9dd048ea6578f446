// The vmdesc JSON trailer: where it is, and the body size it gives each
// section (the only way to step over a section the reference doesn't model).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace migcheck::stream {

struct Vmdesc {
  std::uint64_t offset = 0;  // the 0x06 byte
  std::map<std::pair<std::string, std::uint32_t>, std::uint64_t> body_sizes;  // (idstr, instance)
};

// Finds `0x00 0x06 be32(len) {json}` ending exactly at the end of the input
// and parses it; nullopt if there is none or it does not parse.
std::optional<Vmdesc> find_vmdesc(std::span<const std::uint8_t> bytes);

}  // namespace migcheck::stream
