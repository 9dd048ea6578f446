#include "migcheck/stream/save_ram.h"

#include <algorithm>

#include "configuration.h"
#include "migcheck/stream/save.h"
#include "migcheck/wire/writer.h"

namespace migcheck {

namespace {

constexpr std::uint64_t kFlagMemSize = 0x04;  // RAM_SAVE_FLAG_MEM_SIZE
constexpr std::uint64_t kFlagPage = 0x08;     // RAM_SAVE_FLAG_PAGE
constexpr std::uint64_t kFlagEos = 0x10;      // RAM_SAVE_FLAG_EOS
constexpr std::uint64_t kFlagContinue = 0x20; // RAM_SAVE_FLAG_CONTINUE
constexpr std::uint64_t k4G = 0x100000000ull;
constexpr std::string_view kBlock = "pc.ram";
constexpr std::uint32_t kRamSectionId = 1;

// pc_memory_init's split (see stream/ram.cpp): RAM above the PCI hole is
// mapped at 4 GiB.
std::uint64_t lowmem(MachineFamily family) { return family == MachineFamily::Q35 ? 0x80000000ull : 0xe0000000ull; }

void footer(wire::Writer& w, const Destination& dest, std::uint32_t id) {
  if (!dest.machine.send_section_footer) return;
  w.u8(0x7e);
  w.be32(id);
}

void ram_section(wire::Writer& w, const Destination& dest, const RamImage& ram) {
  const std::uint64_t below = std::min(ram.size, lowmem(dest.machine.family));
  // START: the block list.
  w.u8(0x01);
  w.be32(kRamSectionId);
  w.u8(3);
  w.chars("ram");
  w.be32(0);  // instance
  w.be32(4);  // ram_load version
  w.be64(ram.size | kFlagMemSize);
  w.u8(static_cast<std::uint8_t>(kBlock.size()));
  w.chars(kBlock);
  w.be64(ram.size);
  w.be64(kFlagEos);
  footer(w, dest, kRamSectionId);
  // PART: the pages, block named once then CONTINUE.
  w.u8(0x02);
  w.be32(kRamSectionId);
  bool first = true;
  for (const auto& [gpa, page] : ram.pages) {
    const std::uint64_t offset = gpa < k4G ? gpa : gpa - k4G + below;
    if (offset >= ram.size) continue;
    w.be64(offset | kFlagPage | (first ? 0 : kFlagContinue));
    if (first) {
      w.u8(static_cast<std::uint8_t>(kBlock.size()));
      w.chars(kBlock);
    }
    first = false;
    w.bytes(page);
  }
  w.be64(kFlagEos);
  footer(w, dest, kRamSectionId);
  // END: nothing left to send.
  w.u8(0x03);
  w.be32(kRamSectionId);
  w.be64(kFlagEos);
  footer(w, dest, kRamSectionId);
}

}  // namespace

void RamImage::store8(std::uint64_t gpa, std::uint8_t value) {
  auto [it, added] = pages.try_emplace(gpa / kPageSize * kPageSize);
  if (added) it->second.fill(0);
  it->second[gpa % kPageSize] = value;
}

void RamImage::store16(std::uint64_t gpa, std::uint16_t value, bool big_endian) {
  const auto hi = static_cast<std::uint8_t>(value >> 8), lo = static_cast<std::uint8_t>(value);
  store8(gpa, big_endian ? hi : lo);
  store8(gpa + 1, big_endian ? lo : hi);
}

std::vector<std::uint8_t> save_stream(const Destination& dest, std::span<const SectionState> sections,
                                      const RamImage& ram) {
  wire::Writer w(65536);
  w.be32(0x5145564d);  // QEVM
  w.be32(3);
  if (dest.machine.send_configuration) {
    vmstate::SaveContext ctx{w};
    stream::save_configuration(ctx, dest.machine.name);
  }
  if (ram.size) ram_section(w, dest, ram);
  for (const SectionState& s : sections) {
    if (s.spec >= dest.devices.size() || !s.state) continue;
    const VirtioDeviceSpec& spec = dest.devices[s.spec];
    save_section(*s.state,
                 {.section_id = static_cast<std::uint32_t>(s.spec + 2), .idstr = spec.idstr,
                  .instance_id = spec.instance_id, .footer = dest.machine.send_section_footer},
                 w);
  }
  w.u8(0x00);  // QEMU_VM_EOF
  return w.take();
}

RamImage ram_image(const GuestMemory& memory,
                   std::span<const std::pair<std::uint64_t, std::uint64_t>> ranges) {
  RamImage image;
  for (const GuestMemory::Region& r : memory.regions())
    if (r.name == kBlock || r.name == std::string(kBlock) + "@4G") image.size += r.size;
  for (const auto& [gpa, len] : ranges) {
    const std::uint64_t first = gpa / kPageSize, last = (gpa + (len ? len - 1 : 0)) / kPageSize;
    for (std::uint64_t p = first; p <= last && p - first < 16; ++p) {
      const std::uint64_t base = p * kPageSize;
      if (image.pages.count(base) || !memory.mappable(base, kPageSize)) continue;
      std::array<std::uint8_t, kPageSize> page{};
      bool any = false;
      for (std::uint64_t i = 0; i < kPageSize; ++i) any |= (page[i] = memory.load8(base + i)) != 0;
      if (any) image.pages.emplace(base, page);
    }
  }
  return image;
}

}  // namespace migcheck
