// The invariants every loaded device satisfies (P4), checked on the state
// as QMP would show it, independent of the rules that enforce them.
#include <algorithm>

#include "detail.h"
#include "migcheck/harness/state_rules.h"
#include "migcheck/virtio/features.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::harness {

std::vector<std::string> invariant_violations(const virtio::VirtioDevice& d, const Destination&,
                                              const GuestMemory* memory) {
  using vmstate::qemu_format;
  std::vector<std::string> out;
  auto add = [&](std::string_view id, std::string what) { out.push_back(std::string(id) + ": " + what); };

  if (d.device_endian != virtio::kEndianLittle && d.device_endian != virtio::kEndianBig)
    add("device-endian", qemu_format("device_endian %u is neither little (1) nor big (2)", d.device_endian));
  if (const std::uint64_t extra = d.guest_features & ~d.host_features)
    add("features-within-host", qemu_format("guest features 0x%lx have 0x%lx outside host features 0x%lx",
                                            d.guest_features, extra, d.host_features));
  const std::size_t n = d.vq.count_leading(std::max<std::size_t>(d.vq.materialised(), d.queue_max));
  if (n > d.queue_max) add("num-vqs", qemu_format("%zu queues > QMAX %u", n, d.queue_max));
  if (d.queue_sel >= d.queue_max) add("queue-sel", qemu_format("queue_sel %u >= QMAX %u", d.queue_sel, d.queue_max));

  const bool packed = d.has_feature(virtio::kFRingPacked);
  const bool be = harness::ring_big_endian(d);
  for (std::size_t i = 0; i < n; ++i) {
    const virtio::VirtQueue& q = d.vq.get(i);
    if (!q.vring.desc && q.last_avail_idx)
      add("vq-desc-zero", qemu_format("queue %zu: desc 0 with last_avail_idx 0x%x", i, q.last_avail_idx));
    if (!q.vring.desc) continue;
    if (q.inuse > q.vring.num)
      add("vq-inuse", qemu_format("queue %zu: inuse %u > num %u", i, q.inuse, q.vring.num));
    if (packed || d.broken || !memory) continue;
    // What the device will read as avail->idx (0 where the ring is not in RAM).
    const std::uint16_t avail_idx = memory->mappable(q.vring.avail + 2, 2) ? memory->load16(q.vring.avail + 2, be) : 0;
    const auto nheads = static_cast<std::uint16_t>(avail_idx - q.last_avail_idx);
    if (nheads > q.vring.num)
      add("vq-index-delta", qemu_format("queue %zu: avail_idx 0x%x - last_avail_idx 0x%x = 0x%x > num %u", i,
                                        avail_idx, q.last_avail_idx, nheads, q.vring.num));
  }
  if (d.kind == DeviceKind::Net) {
    if (d.net.mac_table.in_use > 64) add("mac-table-in-use", qemu_format("in_use %u > 64", d.net.mac_table.in_use));
    if (d.net.curr_queue_pairs > d.net.max_queue_pairs)
      add("curr-queue-pairs", qemu_format("curr_queue_pairs %u > max_queue_pairs %u", d.net.curr_queue_pairs,
                                          d.net.max_queue_pairs));
  }
  return out;
}

}  // namespace migcheck::harness
