// Writing what QEMU writes: a virtio device's section record (whole
// streams, with RAM: migcheck/stream/save_ram.h).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "migcheck/profile/destination.h"
#include "migcheck/virtio/device.h"
#include "migcheck/wire/writer.h"

namespace migcheck {

struct SectionHeader {
  std::uint32_t section_id = 0;
  std::string_view idstr;
  std::uint32_t instance_id = 0;
  std::uint32_t version_id = 0;  // 0: the device's own section version
  bool footer = true;
};

// 0x04 | header | virtio_save() body | [0x7e be32 section_id]
std::vector<std::uint8_t> save_section(const virtio::VirtioDevice& device, const SectionHeader& header);
// The same, appended to `out` (reuse one writer on hot paths).
void save_section(const virtio::VirtioDevice& device, const SectionHeader& header, wire::Writer& out);

}  // namespace migcheck
