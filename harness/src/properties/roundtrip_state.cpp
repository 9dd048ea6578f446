// P1, roundtrip-state: load_w(save_w(s)) == s, up to QEMU's normalisations.
#include <algorithm>

#include "detail.h"

namespace migcheck::harness {

Verdict roundtrip_state(const Scenario& scenario) {
  const Destination& dest = scenario.writer;
  if (!dest.profile) return Verdict::fail("scenario without a writer profile");
  // A full stream without RAM leaves every ring unmappable: the reference
  // then marks set-up rings broken (its RAM is what the stream carries).
  if (scenario.ram_bytes < kPageSize)
    for (const virtio::VirtioDevice& d : scenario.states)
      for (std::size_t i = 0; i < d.vq.count_leading(d.queue_max); ++i)
        if (d.vq.get(i).vring.desc) return Verdict::skip("rings are set up but the scenario has no RAM");
  const std::vector<std::uint8_t> bytes = save_scenario(scenario);
  const LoadResult r = load_stream(bytes, dest);
  if (detail::subsection_peek_past_end(bytes, r))
    return Verdict::skip("subsection-peek-past-end: " + detail::describe_result(r));
  if (r.verdict != migcheck::Verdict::Accepted)
    return Verdict::fail("the writer's own stream is " + detail::describe_result(r));
  const bool has_ram = scenario.ram_bytes >= kPageSize;
  Verdict v;
  for (std::size_t i = 0; i < scenario.states.size() && i < dest.devices.size(); ++i) {
    const LoadedDevice* dev = detail::loaded(r, i);
    if (!dev) return Verdict::fail(dest.devices[i].idstr + ": not loaded");
    std::vector<std::string> applied;
    virtio::VirtioDevice saved = scenario.states[i];
    saved.profile = dest.profile;
    const virtio::VirtioDevice expected =
        detail::expected_after_load(saved, dest.devices[i], *dest.profile, has_ram, &applied);
    if (!(dev->state == expected)) {
      std::string names;
      for (const std::string& a : applied) names += (names.empty() ? "" : ", ") + a;
      return Verdict::fail(dest.devices[i].idstr + ": " + detail::first_difference(expected, dev->state) +
                           " (expected vs loaded; normalisations applied: " + (names.empty() ? "none" : names) + ")");
    }
    for (std::string& a : applied)
      if (std::find(v.applied.begin(), v.applied.end(), a) == v.applied.end()) v.applied.push_back(std::move(a));
  }
  return v;
}

}  // namespace migcheck::harness
