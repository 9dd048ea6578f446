// struct VirtQueue as migration sees it (hw/virtio/virtio.c).
#pragma once

#include <cstdint>
#include <vector>

#include "migcheck/vmstate/sparse_slots.h"

namespace migcheck::virtio {

constexpr std::uint16_t kNoVector = 0xffff;    // VIRTIO_NO_VECTOR
constexpr std::uint32_t kVringAlign = 4096;    // VIRTIO_PCI_VRING_ALIGN
constexpr std::uint32_t kQueueMaxSize = 1024;  // VIRTQUEUE_MAX_SIZE

struct VRing {
  std::uint32_t num = 0;
  std::uint32_t num_default = 0;
  std::uint32_t align = 0;
  std::uint64_t desc = 0;
  std::uint64_t avail = 0;
  std::uint64_t used = 0;
  bool operator==(const VRing&) const = default;
};

struct VirtQueue {
  VRing vring;
  std::uint16_t last_avail_idx = 0;
  bool last_avail_wrap_counter = true;  // __virtio_queue_reset sets them true
  std::uint16_t shadow_avail_idx = 0;
  bool shadow_avail_wrap_counter = true;
  std::uint16_t used_idx = 0;
  bool used_wrap_counter = true;
  std::uint32_t inuse = 0;
  std::uint16_t vector = kNoVector;
  bool signalled_used_valid = false;
  bool notification = true;
  bool operator==(const VirtQueue&) const = default;
};

// The 1024 (or 64) queue slots of a VirtIODevice. QEMU keeps all of them;
// most devices use a handful, so slots are stored only once written and the
// rest read as a reset, never-added queue.
class QueueArray : public vmstate::SparseSlots<VirtQueue> {
 public:
  static const VirtQueue& absent() { return reset(); }
  // Queues a device really has: leading slots with vring.num != 0
  // (virtio_get_num_queues).
  std::size_t count_leading(std::size_t max) const {
    // Slots past the stored ones read as reset (num 0): no need to look.
    const std::size_t bound = max < materialised() ? max : materialised();
    std::size_t n = 0;
    while (n < bound && get(n).vring.num != 0) ++n;
    return n;
  }
};

}  // namespace migcheck::virtio
