// The writer's side of a scenario: its guest memory and its stream.
#include "detail.h"
#include "migcheck/harness/state_rules.h"
#include "migcheck/virtio/features.h"

namespace migcheck::harness {

namespace detail {

RamImage ram_of(const Scenario& scenario) {
  RamImage ram;
  ram.size = scenario.ram_bytes / kPageSize * kPageSize;
  if (!ram.size) return ram;
  auto fits = [&](std::uint64_t gpa) { return gpa + 2 <= ram.size; };
  for (const virtio::VirtioDevice& d : scenario.states) {
    if (d.has_feature(virtio::kFRingPacked)) continue;  // packed rings carry their indices in the stream
    const bool modern = d.has_feature(virtio::kFVersion1);
    const bool be = harness::ring_big_endian(d);
    const std::size_t n = d.vq.count_leading(d.queue_max);
    for (std::size_t i = 0; i < n; ++i) {
      const virtio::VirtQueue& q = d.vq.get(i);
      const virtio::VRing& r = q.vring;
      if (!r.desc) continue;
      std::uint64_t avail = r.avail, used = r.used;
      if (!modern) {  // where virtio_queue_update_rings will look
        if (!r.align) continue;
        avail = r.desc + 16ull * r.num;
        used = (avail + 4 + 2ull * r.num + r.align - 1) / r.align * r.align;
      }
      if (fits(avail + 2)) ram.store16(avail + 2, q.shadow_avail_idx, be);
      if (fits(used + 2)) ram.store16(used + 2, q.used_idx, be);
    }
  }
  return ram;
}

}  // namespace detail

std::vector<std::uint8_t> save_scenario(const Scenario& scenario) {
  const Destination& dest = scenario.writer;
  std::vector<virtio::VirtioDevice> states = scenario.states;
  std::vector<SectionState> sections;
  for (std::size_t i = 0; i < states.size() && i < dest.devices.size(); ++i) {
    states[i].profile = dest.profile;  // the writer's release decides what it sends
    sections.push_back({i, &states[i]});
  }
  return save_stream(dest, sections, detail::ram_of(scenario));
}

}  // namespace migcheck::harness
