// VirtIOMMIOProxy as migrated (hw/virtio/virtio-mmio.c, include/hw/virtio/virtio-mmio.h).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

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
  // The 1024 queue slots, materialised on demand: a slot past the end reads
  // as reset (virtio_mmio_reset zeroes them).
  std::vector<QueueState> vqs;

  QueueState& queue(std::size_t i) {
    if (i >= vqs.size()) vqs.resize(i + 1);
    return vqs[i];
  }
  const QueueState& queue(std::size_t i) const {
    static const QueueState kReset{};
    return i < vqs.size() ? vqs[i] : kReset;
  }
  // Slots compare by value, whether materialised or not.
  bool operator==(const Proxy& o) const {
    const std::size_t n = vqs.size() > o.vqs.size() ? vqs.size() : o.vqs.size();
    for (std::size_t i = 0; i < n; ++i)
      if (!(queue(i) == o.queue(i))) return false;
    return legacy == o.legacy && host_features_sel == o.host_features_sel &&
           guest_features_sel == o.guest_features_sel && guest_page_shift == o.guest_page_shift &&
           guest_features == o.guest_features;
  }
};

}  // namespace migcheck::mmio
