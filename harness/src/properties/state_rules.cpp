#include "migcheck/harness/state_rules.h"

#include <algorithm>

#include "migcheck/virtio/features.h"

namespace migcheck::harness {

namespace {
constexpr unsigned kNetMq = 22;   // VIRTIO_NET_F_MQ
constexpr unsigned kNetRss = 60;  // VIRTIO_NET_F_RSS
constexpr std::uint32_t kCtrlQueueSize = 64;
}  // namespace

unsigned net_layout_pairs(const virtio::VirtioDevice& d) {
  const bool mq = d.has_feature(kNetMq) || d.has_feature(kNetRss);
  return mq ? std::max<unsigned>(d.net.max_queue_pairs, 1) : 1;
}

void net_queue_layout(virtio::VirtioDevice& d, unsigned pairs) {
  const std::size_t before = d.vq.count_leading(d.queue_max);
  const std::size_t count = std::min<std::size_t>(2ull * pairs + 1, d.queue_max);
  for (std::size_t i = 0; i < count; ++i) {
    virtio::VRing& r = d.vq[i].vring;
    const std::uint32_t size = i + 1 == count ? kCtrlQueueSize : i % 2 == 0 ? d.net.rx_queue_size : d.net.tx_queue_size;
    r.num = r.num_default = size;
    r.align = virtio::kVringAlign;
  }
  for (std::size_t i = count; i < before; ++i) d.vq[i].vring.num = d.vq[i].vring.num_default = 0;
}

void net_set_multiqueue_2014(virtio::VirtioDevice& d) {
  auto put = [&](std::size_t i, std::uint32_t num, std::uint32_t align) {
    virtio::VRing& r = d.vq[i].vring;
    r.num = r.num_default = num;
    r.align = align;
  };
  const std::size_t last = std::min<std::size_t>(2ull * d.net.max_queue_pairs + 1, d.queue_max - 1);
  for (std::size_t i = 2; i <= last; ++i)
    if (d.vq.get(i).vring.num || d.vq.get(i).vring.num_default) put(i, 0, d.vq.get(i).vring.align);
  auto add = [&](std::uint32_t size) {
    for (std::size_t i = 0; i < d.queue_max; ++i)
      if (d.vq.get(i).vring.num == 0) return put(i, size, virtio::kVringAlign);
  };
  const std::size_t pairs = std::min<std::size_t>(net_layout_pairs(d), d.net.vqs.size());
  for (std::size_t pair = 1; pair < pairs; ++pair) {
    add(d.net.rx_queue_size);
    add(d.net.tx_queue_size);
    d.net.vqs[pair].tx_waiting = 0;
  }
  add(kCtrlQueueSize);
}

bool legacy_ring_addresses(const virtio::VRing& r, std::uint64_t* avail, std::uint64_t* used, bool skip_unaligned) {
  if (!r.num || !r.desc || (!r.align && skip_unaligned)) return false;
  *avail = r.desc + 16ull * r.num;
  const std::uint64_t end = *avail + 4 + 2ull * r.num;
  *used = r.align ? (end + r.align - 1) / r.align * r.align : 0;
  return true;
}

}  // namespace migcheck::harness
