// VirtIOMMIOProxy as migrated (hw/virtio/virtio-mmio.c, include/hw/virtio/virtio-mmio.h).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "migcheck/vmstate/sparse_slots.h"

namespace migcheck::mmio {

constexpr std::size_t kQueueMax = 1024;  // VIRTIO_QUEUE_MAX: vqs[] of the proxy

// VirtIOMMIOQueue: the register view of one queue (non-legacy only).
struct QueueState {
  std::uint16_t num = 0;
  bool enabled = false;
  std::array<std::uint32_t, 2> desc{}, avail{}, used{};
  bool operator==(const QueueState&) const = default;
};

struct Proxy {
  // --- destination property (not on the wire) ---
  bool legacy = true;  // "force-legacy", default on: no extra state is saved

  // --- save_config / load_config (virtio_mmio_save_config) ---
  std::uint32_t host_features_sel = 0;
  std::uint32_t guest_features_sel = 0;
  std::uint32_t guest_page_shift = 0;

  // --- extra state, subsection "virtio_mmio/state" ---
  std::array<std::uint32_t, 2> guest_features{};
  // The 1024 queue slots (virtio_mmio_reset zeroes them), stored once written.
  vmstate::SparseSlots<QueueState> vqs;

  bool operator==(const Proxy&) const = default;
};

}  // namespace migcheck::mmio
