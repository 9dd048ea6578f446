// Guest RAM as carried by the stream's RAM section: a sparse page store.
//
// virtio_load reads avail->idx and used->idx from guest memory; the RAM
// section comes first in the stream, so by the time the virtio section loads
// the pages are here. Pages the stream never sent (or sent as zero pages)
// read as zeros, as they would on a fresh destination.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace migcheck {

constexpr std::uint64_t kPageSize = 4096;

class GuestMemory {
 public:
  // A RAM block mapped at guest-physical `gpa` (pc.ram: 0).
  void add_region(std::string name, std::uint64_t gpa, std::uint64_t size);
  // Writes a whole page at a block-relative offset; a fill byte page stores
  // nothing unless the byte is non-zero.
  bool write_page(std::string_view block, std::uint64_t offset, std::span<const std::uint8_t> page);
  bool fill_page(std::string_view block, std::uint64_t offset, std::uint8_t byte);

  // address_space_cache_init gets the whole length: false for a range that
  // starts in a RAM region and runs past its end, or wraps past 2^64.
  // (Other sections, ROM and MMIO, are not modelled: their ranges count as
  // unassigned.)
  bool mappable(std::uint64_t gpa, std::uint64_t len) const;
  // Little-endian or big-endian 16-bit load; unmapped reads return 0.
  std::uint16_t load16(std::uint64_t gpa, bool big_endian) const;
  std::uint8_t load8(std::uint64_t gpa) const;

  std::size_t pages_stored() const { return pages_.size(); }
  struct Region {
    std::string name;
    std::uint64_t gpa, size;
  };
  const std::vector<Region>& regions() const { return regions_; }

 private:
  const Region* region_of(std::string_view block) const;
  std::vector<Region> regions_;
  // key: gpa page number; a page is its 4096 bytes, or one byte for a page
  // filled with it (a 9-byte RAM record must not cost 4 KiB: memory stays
  // proportional to the input).
  std::unordered_map<std::uint64_t, std::vector<std::uint8_t>> pages_;
};

}  // namespace migcheck
