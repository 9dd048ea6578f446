// GuestMemory: the sparse store of the stream's RAM and QEMU's mapping
// lengths over it.
#include <gtest/gtest.h>

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

}  // namespace
