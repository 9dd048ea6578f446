// P4, sanitization: a named rule rejects the input, or every invariant holds
// on what was loaded and re-saving it (with the same guest memory) loads
// back to the same state.
#include <algorithm>

#include "detail.h"
#include "migcheck/devices/net_rules.h"
#include "migcheck/harness/state_rules.h"
#include "migcheck/stream/save.h"
#include "migcheck/virtio/features.h"
#include "migcheck/virtio/rules.h"

namespace migcheck::harness {

namespace {

bool applied(const LoadResult& r, const LoadRule& rule) {
  for (const vmstate::RuleHit& h : r.diag.applied)
    if (h.rule == &rule) return true;
  return false;
}

// Documented QEMU 7.2 behaviours where a loaded state leaves an invariant
// and a named rule (or the subsection that did it) says so
// (docs/properties.md, "sanitization"). Returns the exception's name, or "".
std::string_view excuse(const std::string& violation, const virtio::VirtioDevice& d, const LoadResult& r) {
  const bool packed_host = d.host_has(virtio::kFRingPacked);
  // virtio_is_big_endian treats any value but 2 as little; the value is not validated.
  if (violation.starts_with("device-endian:") && d.device_endian > virtio::kEndianBig &&
      applied(r, virtio::rules::kEndianUnrecognised))
    return "endian-unvalidated";
  // virtio/packed_virtqueues sets last_avail_idx after the desc == 0 check (L8a).
  if (violation.starts_with("vq-desc-zero:") && packed_host && (d.wire_subsections & sub_bit(VirtioSub::PackedVirtqueues)))
    return "packed-overrides-last-avail";
  // Packed rings: indices and inuse are taken from the stream unchecked (L16a).
  if (violation.starts_with("vq-inuse:") && packed_host && (d.wire_subsections & sub_bit(VirtioSub::PackedVirtqueues)))
    return "packed-rings-unchecked";
  return {};
}

// The guest memory a re-saved stream needs: the pages holding every set-up
// ring's avail->idx and used->idx, and the same RAM size.
RamImage memory_for(const LoadResult& r) {
  if (!r.has_ram) return {};
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const LoadedDevice& dev : r.devices) {
    const std::size_t n = dev.state.vq.count_leading(dev.state.queue_max);
    for (std::size_t i = 0; i < n; ++i) {
      const virtio::VRing& ring = dev.state.vq.get(i).vring;
      if (!ring.desc) continue;
      ranges.emplace_back(ring.avail + 2, 2);
      ranges.emplace_back(ring.used + 2, 2);
    }
  }
  return ram_image(r.memory, ranges);
}

// Re-saves what `r` loaded, as a stream or as the lone section record the
// input was; false (with `error`) when it cannot be.
bool resave(bool full_stream, const Destination& dest, const LoadResult& r, std::vector<std::uint8_t>* resaved,
            std::string* error) {
  if (full_stream) {
    const RamImage ram = memory_for(r);
    if (r.has_ram && !ram.size) {
      *error = "the stream's RAM has no pc.ram block to re-save";
      return false;
    }
    std::vector<SectionState> sections;
    for (const LoadedDevice& dev : r.devices) sections.push_back({dev.spec, &dev.state});
    *resaved = save_stream(dest, sections, ram);
    return true;
  }
  const LoadedDevice& dev = r.devices.front();
  *resaved = save_section(dev.state, {.section_id = dev.section_id,
                                      .idstr = dev.idstr,
                                      .instance_id = dev.instance_id,
                                      .footer = dest.machine.send_section_footer});
  return true;
}

LoadResult load_resaved(bool full_stream, std::span<const std::uint8_t> resaved, const Destination& dest) {
  return full_stream ? load_stream(resaved, dest) : load_section_record(resaved, dest);
}

// Every device of `first` loaded identically in `second`.
bool fixed(const LoadResult& first, const LoadResult& second) {
  return std::all_of(first.devices.begin(), first.devices.end(), [&](const LoadedDevice& dev) {
    const LoadedDevice* twice = detail::loaded(second, dev.spec);
    return twice && twice->state == dev.state;
  });
}

// The first device of `first` not loaded identically in `second`, as a
// failure (spelt out only when it is one: the field walk is not cheap).
std::string difference(const LoadResult& first, const LoadResult& second, const std::string& what) {
  for (const LoadedDevice& dev : first.devices) {
    const LoadedDevice* twice = detail::loaded(second, dev.spec);
    if (!twice) return dev.idstr + ": not loaded again";
    if (!(twice->state == dev.state))
      return dev.idstr + ": not a fixed point: " + detail::first_difference(dev.state, twice->state) + " (" + what +
             ")";
  }
  return {};
}

// QEMU refuses its own re-save of a state whose virtio/packed_virtqueues
// left an index on an unset ring (after a first re-save too: that one may
// truncate the queue count and carry such a queue into the subsection).
bool refuses_own_resave(const LoadResult& loaded, const LoadResult& reloaded) {
  return std::any_of(loaded.devices.begin(), loaded.devices.end(),
                     [&](const LoadedDevice& dev) { return detail::refused_packed_resave(reloaded, dev.state); });
}

// unneeded-subsection-dropped: the input sent a subsection whose needed()
// is false on the loaded state (virtio-net-device/rss with enabled = false,
// found by fuzz_load); the re-save leaves it out, so its fields take the
// destination's values. Costs a second load, so only asked on a mismatch.
bool sent_unneeded_subsection(std::span<const std::uint8_t> bytes, const Destination& dest) {
  if (!dest.profile) return false;
  detail::SubsectionRecorder sent;
  LoadOptions options;
  options.observer = &sent;
  const LoadResult r = load_any(bytes, dest, options);
  for (const LoadedDevice& dev : r.devices) {
    const std::vector<std::string_view> needed = detail::needed_subsection_names(dev.state, *dest.profile);
    for (const std::string_view s : sent.between(dev.body_begin, dev.body_end))
      if (std::find(needed.begin(), needed.end(), s) == needed.end()) return true;
  }
  return false;
}

// net-queue-layout-not-resavable: a loaded virtio-net whose queue count is
// one virtio_net_change_num_queues cannot resize to (even, or more than
// 2 * max_queue_pairs + 1; left by a load whose layout changed under a
// zero-size queue). QEMU accepts the input and re-saves that count, and its
// own load of it fails in virtio_net_change_num_queues: 7.2.22's
// pre_load_queues writes past n->vqs, SIGSEGV, verified
// (corpora/regression/qemu-defects/net_mq_relayout_resave.mig), or its
// assertion from set_features. The older profiles lay the queues out again
// whatever the count (virtio_net_set_multiqueue) and reach neither.
bool net_layout_not_resavable(const LoadResult& loaded, const LoadResult& reloaded) {
  const RuleRef rule = reloaded.diag.reject.rule;
  if (rule != &devices::rules::kPreLoadQueues && rule != &devices::rules::kQueueLayoutAssert) return false;
  return std::any_of(loaded.devices.begin(), loaded.devices.end(), [](const LoadedDevice& dev) {
    const virtio::VirtioDevice& d = dev.state;
    const std::size_t n = saved_queue_count(d);
    return d.kind == DeviceKind::Net && (n % 2 == 0 || n > 2u * d.net.max_queue_pairs + 1);
  });
}

Verdict excused(std::string name) {
  Verdict v;  // no fixed point to check
  v.applied.push_back(std::move(name));
  return v;
}

Verdict fixed_point(std::span<const std::uint8_t> bytes, const Destination& dest, const LoadResult& r) {
  const bool full = is_full_stream(bytes);
  // A record of a section the destination does not model (e.g. a mutated
  // idstr) is accepted and loads nothing: nothing to re-save (fuzz_load finding).
  if (!full && r.devices.empty()) return Verdict::ok();
  if (!full && r.devices.size() != 1) return Verdict::fail("a section record loaded more than one device");
  std::vector<std::uint8_t> resaved;
  std::string error;
  if (!resave(full, dest, r, &resaved, &error)) return Verdict::skip(error);
  // A re-save that is the input itself re-loads as the load just done (a
  // load is a function of its bytes and destination): the fixed point holds
  // without loading it again. The blk, rng, balloon and net-legacy-nosub
  // captures re-save to themselves; a VLAN filter that set_features resets
  // (net-legacy-msix-driven) does not.
  if (std::equal(resaved.begin(), resaved.end(), bytes.begin(), bytes.end())) return Verdict::ok();
  const LoadResult again = load_resaved(full, resaved, dest);
  if (detail::subsection_peek_past_end(resaved, again))
    return Verdict::skip("subsection-peek-past-end (the re-saved stream)");
  if (refuses_own_resave(r, again)) return excused("packed-overrides-last-avail");
  if (net_layout_not_resavable(r, again)) return excused("net-queue-layout-not-resavable");
  if (again.verdict != migcheck::Verdict::Accepted)
    return Verdict::fail("re-saved sanitized state is " + detail::describe_result(again));
  if (fixed(r, again)) return Verdict::ok();
  // What the first re-save legitimately changes: queue entries virtio_save
  // does not write again (beyond the wire's count, or the destination's
  // slots after a zero-size one), state derived from a superseded feature
  // word, and fields of a subsection sent though not needed.
  // The state the next migration keeps is then the fixed point.
  std::vector<std::string> why;
  for (const LoadedDevice& dev : r.devices) {
    if (detail::drops_queues(dev.state)) why.emplace_back("queue-count-truncated");
    if (dev.spec < dest.devices.size() && detail::saves_fewer_queues_than(dev.state, dest.devices[dev.spec].reset))
      why.emplace_back("queue-count-from-destination");
    if (detail::features_low_word_superseded(dev.state)) why.emplace_back("features-low-word-superseded");
  }
  if (why.empty() && sent_unneeded_subsection(bytes, dest)) why.emplace_back("unneeded-subsection-dropped");
  if (why.empty()) return Verdict::fail(difference(r, again, "loaded vs re-loaded"));
  std::vector<std::uint8_t> twice;
  if (!resave(full, dest, again, &twice, &error)) return Verdict::skip(error);
  const LoadResult third = load_resaved(full, twice, dest);
  if (refuses_own_resave(again, third)) return excused("packed-overrides-last-avail");
  if (third.verdict != migcheck::Verdict::Accepted)
    return Verdict::fail("re-saved twice, the state is " + detail::describe_result(third));
  if (!fixed(again, third))
    return Verdict::fail(difference(again, third, "re-loaded vs re-loaded twice, after " + why.front()));
  Verdict v;
  v.applied = std::move(why);
  return v;
}

}  // namespace

Verdict sanitization(std::span<const std::uint8_t> bytes, const Destination& dest) {
  return detail::sanitization_of(bytes, dest, load_any(bytes, dest));
}

Verdict detail::sanitization_of(std::span<const std::uint8_t> bytes, const Destination& dest, const LoadResult& r) {
  switch (r.verdict) {
    case migcheck::Verdict::Rejected:
      if (!r.diag.reject.rule) return Verdict::fail("rejected without a named rule: " + detail::describe_result(r));
      return Verdict::ok();
    case migcheck::Verdict::Unsupported: return Verdict::skip("unsupported input");
    case migcheck::Verdict::Accepted: break;
  }
  Verdict v;
  for (const LoadedDevice& dev : r.devices) {
    for (const std::string& violation : invariant_violations(dev.state, dest, r.has_ram ? &r.memory : nullptr)) {
      const std::string_view why = excuse(violation, dev.state, r);
      if (why.empty()) return Verdict::fail(dev.idstr + ": " + violation);
      if (std::find(v.applied.begin(), v.applied.end(), why) == v.applied.end()) v.applied.emplace_back(why);
    }
  }
  Verdict fixed = fixed_point(bytes, dest, r);
  if (!fixed.holds || fixed.vacuous) return fixed;
  for (std::string& a : fixed.applied) v.applied.push_back(std::move(a));
  return v;
}

}  // namespace migcheck::harness
