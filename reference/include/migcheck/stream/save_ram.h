// Writing a full stream whose RAM section carries the guest memory the
// loader reads: ring indices (avail->idx, used->idx) and the RAM blocks that
// in-flight request buffers must map to. save_stream() writes none, so ring
// checks never run on its output; property tests and fuzz seeds need them.
//
// The RAM section is written as QEMU's ram_save_* do: START (block list,
// EOS), PART (pages, EOS), END (EOS), each with a footer when the machine
// sends them, before the device sections (precopy completion order).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "migcheck/memory/guest_memory.h"
#include "migcheck/profile/destination.h"
#include "migcheck/virtio/device.h"

namespace migcheck {

// The "pc.ram" block: `size` bytes mapped from guest-physical 0 (the machine
// family's low-memory limit splits it like pc_memory_init), and the pages
// that are not zero, keyed by guest-physical page address.
struct RamImage {
  std::uint64_t size = 0;  // a multiple of kPageSize; 0 = no RAM section
  std::map<std::uint64_t, std::array<std::uint8_t, kPageSize>> pages;

  // Stores a 16-bit value (little- or big-endian) at a guest-physical address.
  void store16(std::uint64_t gpa, std::uint16_t value, bool big_endian);
  void store8(std::uint64_t gpa, std::uint8_t value);
};

// One section of the stream: destination device `spec` in `state`.
struct SectionState {
  std::size_t spec = 0;  // index into Destination::devices
  const virtio::VirtioDevice* state = nullptr;
};

// magic, version, [configuration], [RAM section], the virtio sections in the
// given order (section ids spec + 2, as save_stream), EOF.
std::vector<std::uint8_t> save_stream(const Destination& dest, std::span<const SectionState> sections,
                                      const RamImage& ram);

// The pages of a loaded stream's guest memory that cover the given
// guest-physical byte ranges, with the size of its "pc.ram" block(s): what
// a re-saved stream needs for its loader to read the same ring indices.
RamImage ram_image(const GuestMemory& memory,
                   std::span<const std::pair<std::uint64_t, std::uint64_t>> ranges);

}  // namespace migcheck
