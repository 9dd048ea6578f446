// virtio-blk device state as migrated (VirtIOBlock, hw/block/virtio-blk.c).
#pragma once

#include <cstdint>
#include <vector>

namespace migcheck::devices {

struct Blk {
  // --- destination configuration (filled by the device model) ---
  std::uint16_t num_queues = 1;    // conf.num_queues ("num-queues")
  std::uint16_t queue_size = 256;  // conf.queue_size ("queue-size")

  // --- wire: the in-flight request list of virtio_blk_save_device ---
  // (defined with the device part; see src/devices/blk.cpp)

  bool operator==(const Blk&) const = default;
};

}  // namespace migcheck::devices
