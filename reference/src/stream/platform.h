// Sections of the machine's own devices (not virtio): the reference does
// not model them, it steps over them using the stream's vmdesc sizes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "migcheck/profile/destination.h"

namespace migcheck::stream {

// Would a -nodefaults machine of this family register a section with this
// idstr? (From the sections real pc-i440fx and pc-q35 streams carry.)
bool is_platform_section(MachineFamily family, std::string_view idstr);

// Without a vmdesc: the distance from `body` to the first footer
// "7e be32(section_id)" after which the bytes continue as a valid record
// (or end). nullopt if there is none.
std::optional<std::uint64_t> footer_distance(std::span<const std::uint8_t> bytes, std::size_t body,
                                             std::uint32_t section_id);

}  // namespace migcheck::stream
