// GuestMemory: the sparse store of the stream's RAM and QEMU's mapping
// lengths over it.
#include <gtest/gtest.h>

#include <vector>

#include "migcheck/memory/guest_memory.h"

namespace {

using migcheck::GuestMemory;

// address_space_cache_init's length, as virtio_init_region_cache checks it.
TEST(GuestMemory, RingMappingIsShortOnlyPastARamBlockOrPast2To64) {
  GuestMemory m;
  m.add_region("pc.ram", 0, 2u << 20);
  EXPECT_TRUE(m.mappable(0x1000, 4096));
  EXPECT_TRUE(m.mappable((2u << 20) - 4096, 4096));
  // Straddles the end of RAM (QEMU 7.2.22: "Cannot map desc", vector i_virtio_vq_cannot_map_desc_legacy).
  EXPECT_FALSE(m.mappable(0x1fff00, 4096));
  // Wholly unassigned: QEMU 7.2.22 maps it and reads zeros (ci/differential.sh finding).
  EXPECT_TRUE(m.mappable(2u << 20, 4096));
  EXPECT_TRUE(m.mappable(0x7fffffffffffffffull, 1024));
  EXPECT_EQ(m.load16(0x7fffffffffffffffull + 16, false), 0);
  // The unassigned section ends at 2^64.
  EXPECT_TRUE(m.mappable(~0ull - 255, 256));
  EXPECT_FALSE(m.mappable(~0ull - 255, 257));
}

// A fill page (RAM_SAVE_FLAG_ZERO with a non-zero byte) reads as its byte
// throughout, and a later whole page or zero fill replaces it.
TEST(GuestMemory, FillPageReadsAsItsByteUntilReplaced) {
  GuestMemory m;
  m.add_region("pc.ram", 0, 1u << 20);
  ASSERT_TRUE(m.fill_page("pc.ram", 0x3000, 0xab));
  EXPECT_EQ(m.load8(0x3000), 0xab);
  EXPECT_EQ(m.load8(0x3fff), 0xab);
  EXPECT_EQ(m.load16(0x3ffe, false), 0xabab);
  EXPECT_EQ(m.load8(0x4000), 0);
  std::vector<std::uint8_t> page(migcheck::kPageSize, 0);
  page[5] = 7;
  ASSERT_TRUE(m.write_page("pc.ram", 0x3000, page));
  EXPECT_EQ(m.load8(0x3005), 7);
  EXPECT_EQ(m.load8(0x3006), 0);
  ASSERT_TRUE(m.fill_page("pc.ram", 0x3000, 0));
  EXPECT_EQ(m.load8(0x3005), 0);
  EXPECT_EQ(m.pages_stored(), 0u);
  EXPECT_FALSE(m.fill_page("pc.ram", 1u << 20, 1));  // past the block
}

}  // namespace
