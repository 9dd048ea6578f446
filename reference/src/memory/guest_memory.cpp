#include "migcheck/memory/guest_memory.h"

namespace migcheck {

void GuestMemory::add_region(std::string name, std::uint64_t gpa, std::uint64_t size) {
  regions_.push_back({std::move(name), gpa, size});
}

const GuestMemory::Region* GuestMemory::region_of(std::string_view block) const {
  for (const Region& r : regions_)
    if (r.name == block) return &r;
  return nullptr;
}

bool GuestMemory::write_page(std::string_view block, std::uint64_t offset,
                             std::span<const std::uint8_t> page) {
  const Region* r = region_of(block);
  if (!r || offset >= r->size || page.size() != kPageSize) return false;
  auto& stored = pages_[(r->gpa + offset) / kPageSize];
  stored.assign(page.begin(), page.end());
  return true;
}

bool GuestMemory::fill_page(std::string_view block, std::uint64_t offset, std::uint8_t byte) {
  const Region* r = region_of(block);
  if (!r || offset >= r->size) return false;
  const std::uint64_t key = (r->gpa + offset) / kPageSize;
  if (byte == 0) {
    pages_.erase(key);
  } else {
    pages_[key].assign(1, byte);  // a fill page: its one byte, not 4 KiB (see load8)
  }
  return true;
}

bool GuestMemory::mappable(std::uint64_t gpa, std::uint64_t len) const {
  // address_space_translate_internal limits the length to the end of the
  // section holding `gpa`. In RAM that is the RAM block's end; outside every
  // region it is the unassigned section, which spans the whole 2^64 address
  // space from 0, so only a wrap past 2^64 is short there (reads then
  // return 0). Seen on QEMU 7.2.22: a legacy ring at 0x7fffffffffffffff
  // loads without "Cannot map desc" (ci/differential.sh, seed 1).
  for (const Region& r : regions_)
    if (gpa >= r.gpa && gpa - r.gpa < r.size) return len <= r.size - (gpa - r.gpa);
  return gpa == 0 || len <= 0 - gpa;
}

std::uint8_t GuestMemory::load8(std::uint64_t gpa) const {
  auto it = pages_.find(gpa / kPageSize);
  if (it == pages_.end()) return 0;
  return it->second.size() == 1 ? it->second[0] : it->second[gpa % kPageSize];
}

std::uint16_t GuestMemory::load16(std::uint64_t gpa, bool big_endian) const {
  const std::uint8_t a = load8(gpa), b = load8(gpa + 1);
  return big_endian ? static_cast<std::uint16_t>(a << 8 | b) : static_cast<std::uint16_t>(b << 8 | a);
}

}  // namespace migcheck
