// virtio-blk device state as migrated (VirtIOBlock, hw/block/virtio-blk.c).
#pragma once

#include <cstdint>
#include <vector>

#include "migcheck/devices/blk_element.h"

namespace migcheck::devices {

// One VirtIOBlockReq of the in-flight list: its queue and its element.
struct BlkRequest {
  std::uint32_t vq_index = 0;  // on the wire only when num_queues > 1
  VirtQueueElement elem;
  bool operator==(const BlkRequest&) const = default;
};

struct Blk {
  // --- destination configuration (filled by the device model) ---
  std::uint16_t num_queues = 1;    // conf.num_queues ("num-queues")
  std::uint16_t queue_size = 256;  // conf.queue_size ("queue-size")

  // --- wire: the in-flight request list of virtio_blk_save_device ---
  // (defined with the device part; see src/devices/blk.cpp)
  // In stream order. QEMU prepends each loaded request to s->rq, so its list
  // (and its next save) is in reverse order; keeping stream order makes
  // save(load(x)) == x.
  std::vector<BlkRequest> rq;

  bool operator==(const Blk&) const = default;
};

}  // namespace migcheck::devices
