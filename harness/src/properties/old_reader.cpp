// P3, old-reader: a newer writer's stream in an older reader. Rejected iff
// the writer sent a subsection (or section) the reader does not know, with
// the reader's messages; otherwise accepted with the same state on every
// field the reader knows.
#include <algorithm>
#include <optional>

#include "detail.h"
#include "migcheck/harness/cases.h"
#include "migcheck/harness/state_rules.h"
#include "migcheck/stream/rules.h"
#include "migcheck/virtio/features.h"
#include "migcheck/virtio/rules.h"
#include "migcheck/vmstate/format.h"
#include "migcheck/vmstate/vmsd.h"

namespace migcheck::harness {

namespace {

using vmstate::qemu_format;

// What the reader must do with the writer's stream.
struct Expectation {
  bool reject = false;
  std::string why;                    // for failure messages
  std::string rule;                   // rule id of the rejection
  std::vector<std::string> messages;  // lines that must appear (exactly)
  std::string final_message;          // "load of migration failed: ..."
};

// The first thing, in stream order, that the reader cannot take.
Expectation expect(const Scenario& s, const Destination& rdest, const Profile& reader) {
  const Profile& writer = *s.writer.profile;
  for (std::size_t i = 0; i < s.states.size() && i < s.writer.devices.size(); ++i) {
    const virtio::VirtioDevice& d = s.states[i];
    const std::string& idstr = s.writer.devices[i].idstr;
    // 2014's savevm.c printed it as a warning, with fprintf (spec §1.7).
    const std::string section_failed =
        qemu_format(reader.release < 204 ? "qemu: warning: error while loading state for instance 0x%x of device '%s'"
                                         : "error while loading state for instance 0x%x of device '%s'",
                    s.writer.devices[i].instance_id, idstr);
    // Values beyond the reader's VIRTIO_QUEUE_MAX ("reader-qmax"): the
    // common part is read before any subsection.
    if (d.queue_sel >= reader.queue_max)
      return {true, qemu_format("%s: queue_sel %u >= the reader's QMAX %u", idstr, d.queue_sel, reader.queue_max),
              std::string(virtio::rules::kQueueSel.id), {section_failed}, "load of migration failed: Operation not permitted"};
    const std::size_t nvq = d.vq.count_leading(d.queue_max);
    if (nvq > reader.queue_max)
      return {true, qemu_format("%s: %zu queues > the reader's QMAX %u", idstr, nvq, reader.queue_max),
              std::string(virtio::rules::kNumQueues.id), {section_failed}, "load of migration failed: Operation not permitted"};
    for (const detail::SubsectionUse& sub : detail::needed_subsections(d, writer)) {
      if (detail::reader_knows(reader, sub)) continue;
      const std::string why = idstr + ": the writer sends " + std::string(sub.name) + ", unknown to " + std::string(reader.name);
      // A reader with vmstate_virtio peeks with the prefix "virtio", which
      // every virtio subsection name has: lookup fails with -ENOENT.
      if (reader.virtio_vmstate && sub.name.starts_with("virtio"))
        return {true, why, std::string(vmstate::rules::kSubsectionUnknown.id), {section_failed},
                "load of migration failed: No such file or directory"};
      // Otherwise the bytes are left after the section body: the footer
      // check, or (no footers) the top-level loop, meets 0x05.
      if (rdest.machine.send_section_footer)
        return {true, why, std::string(stream::rules::kFooterMissing.id), {"Missing section footer for " + idstr},
                "load of migration failed: Invalid argument"};
      return {true, why, std::string(stream::rules::kUnknownSectionType.id), {"Unknown savevm section type 5"},
              "load of migration failed: Invalid argument"};
    }
  }
  return {};
}

// Where P3 has nothing to say (or no writer), decided from the destinations
// alone, before anything is saved or loaded.
std::optional<Verdict> outside_domain(const Destination& wdest, const Profile& reader) {
  if (!wdest.profile) return Verdict::fail("scenario without a writer profile");
  if (reader.release >= wdest.profile->release) return Verdict::skip("the reader is not older than the writer");
  if (wdest.machine.version > reader.release)
    return Verdict::skip("machine type " + wdest.machine.name + " is newer than " + std::string(reader.name));
  return std::nullopt;
}

}  // namespace

Verdict old_reader(const Scenario& s, const Profile& reader) {
  if (std::optional<Verdict> v = outside_domain(s.writer, reader)) return *v;
  const Profile* writer = s.writer.profile;
  std::string error;
  const std::optional<Destination> rdest = with_profile(s.writer, reader, &error);
  if (!rdest) return Verdict::skip("the reader cannot realize the writer's devices: " + error);

  const std::vector<std::uint8_t> bytes = save_scenario(s);
  // What the writer sent, observed on its own load, against QEMU's needed().
  detail::SubsectionRecorder seen;
  LoadOptions observe;
  observe.observer = &seen;
  const LoadResult w = load_stream(bytes, s.writer, observe);
  if (detail::subsection_peek_past_end(bytes, w)) return Verdict::skip("subsection-peek-past-end (the writer's own load)");
  if (w.verdict != migcheck::Verdict::Accepted)
    return Verdict::skip("the writer's own stream is " + detail::describe_result(w) + " (roundtrip-state's domain)");
  // 7.2 keeps a device whose ring indices contradict the guest's, marking
  // it broken, where the older releases refuse the migration
  // (Profile::nheads): not a difference in what the writer sent. (A state
  // saved broken sends virtio/broken, which old readers do not know.)
  for (const LoadedDevice& dev : w.devices)
    if (dev.state.broken && dev.spec < s.states.size() && !s.states[dev.spec].broken)
      return Verdict::skip(dev.idstr + ": broken by the writer's own load");
  for (const LoadedDevice& dev : w.devices) {
    if (dev.spec >= s.states.size()) continue;
    const std::vector<std::string_view> needed = detail::needed_subsection_names(s.states[dev.spec], *writer);
    const std::vector<std::string_view> sent = seen.between(dev.body_begin, dev.body_end);
    if (sent != needed) {
      std::string a, b;
      for (const auto& x : sent) a += " " + std::string(x);
      for (const auto& x : needed) b += " " + std::string(x);
      return Verdict::fail(dev.idstr + ": " + std::string(writer->name) + " sent subsections [" + a +
                           " ], but QEMU's needed() in list order gives [" + b + " ]");
    }
  }

  const Expectation e = expect(s, *rdest, reader);
  const LoadResult r = load_stream(bytes, *rdest);
  if (detail::subsection_peek_past_end(bytes, r)) return Verdict::skip("subsection-peek-past-end (the reader's load)");
  Verdict v;
  if (e.reject) {
    v.applied.push_back("rejected:" + e.rule);
    if (r.verdict != migcheck::Verdict::Rejected)
      return Verdict::fail(e.why + ", but " + std::string(reader.name) + " gives " + detail::describe_result(r));
    if (!r.diag.reject.rule || r.diag.reject.rule->id != e.rule)
      return Verdict::fail(e.why + ": expected rule " + e.rule + ", got " + detail::describe_result(r));
    for (const std::string& m : e.messages)
      if (!detail::has_message(r, m)) return Verdict::fail(e.why + ": no line '" + m + "' in " + detail::describe_result(r));
    if (r.diag.messages.empty() || r.diag.messages.back() != e.final_message)
      return Verdict::fail(e.why + ": expected final line '" + e.final_message + "', got " + detail::describe_result(r));
    return v;
  }
  if (r.verdict != migcheck::Verdict::Accepted)
    return Verdict::fail("the writer sent nothing " + std::string(reader.name) + " lacks, but it gives " +
                         detail::describe_result(r));
  for (std::size_t i = 0; i < s.states.size() && i < rdest->devices.size(); ++i) {
    const LoadedDevice* got = detail::loaded(r, i);
    const LoadedDevice* own = detail::loaded(w, i);
    if (!got || !own) return Verdict::fail(rdest->devices[i].idstr + ": not loaded");
    const virtio::VirtioDevice& reset = rdest->devices[i].reset;
    // "net-set-multiqueue-relayout": from 2.4 until f9d6dbf0bf set_features
    // lays virtio-net's queues out again after the queue loop, so slots 2 and
    // up take the layout's num and align, and the extra pairs' tx_waiting is
    // cleared; the other releases keep what they loaded there. When writer
    // and reader differ in this, the other load with that layout applied
    // (legacy rings recomputed for the slots it changed, before projecting
    // to the reader's fields) must be the one.
    // Only the relaid load is copied; the other is projected as loaded.
    const virtio::VirtioDevice* own_state = &own->state;
    const virtio::VirtioDevice* got_state = &got->state;
    std::optional<virtio::VirtioDevice> relaid;
    const bool reader_relays = net_relays_queues_after_load(reader);
    if (own->state.kind == DeviceKind::Net && reader_relays != net_relays_queues_after_load(*writer)) {
      const virtio::VirtioDevice*& other = reader_relays ? own_state : got_state;
      relaid.emplace(*other);
      net_set_multiqueue_2014(*relaid);
      const std::size_t nvq = saved_queue_count(s.states[i]);
      for (std::size_t q = 0; q < nvq && !relaid->has_feature(virtio::kFVersion1); ++q) {
        virtio::VRing& ring = relaid->vq[q].vring;
        if (ring != other->vq.get(q).vring) legacy_ring_addresses(ring, &ring.avail, &ring.used);
      }
      if (!(*relaid == *other)) v.applied.push_back("net-set-multiqueue-relayout");
      other = &*relaid;
    }
    virtio::VirtioDevice a = detail::project_to_reader(*own_state, reset, reader);
    const virtio::VirtioDevice b = detail::project_to_reader(*got_state, reset, reader);
    // "net-vlans-set-features-order": before 2.4 set_features (which resets
    // the VLAN filter) ran before the device part, so the reader keeps the
    // filter the stream carries, where the writer's own load reset it.
    if (a.kind == DeviceKind::Net && reader.features_check_early && !writer->features_check_early) {
      if (b.net.vlans != s.states[i].net.vlans)
        return Verdict::fail(rdest->devices[i].idstr + ": " + std::string(reader.name) +
                             " sets features before the device part, but its VLAN filter is not the stream's");
      if (a.net.vlans != b.net.vlans) v.applied.push_back("net-vlans-set-features-order");
      a.net.vlans = b.net.vlans;
    }
    if (!(a == b))
      return Verdict::fail(rdest->devices[i].idstr + ": on the fields " + std::string(reader.name) +
                           " knows, the writer's own load and the reader's differ: " +
                           detail::first_difference(a, b, &reader));
  }
  v.applied.push_back("accepted");
  return v;
}

namespace detail {

Verdict old_reader_of(const Destination& dest, const LoadResult& r, const Profile& reader) {
  if (r.verdict != migcheck::Verdict::Accepted) return Verdict::skip("the writer's load is not accepted");
  // Most fuzz inputs end here: no copy of the destination and states for them.
  if (std::optional<Verdict> v = outside_domain(dest, reader)) return *v;
  Scenario s{.writer = dest};
  for (std::size_t i = 0; i < dest.devices.size(); ++i) {
    const LoadedDevice* d = loaded(r, i);
    if (!d) return Verdict::skip(dest.devices[i].idstr + ": not in the input");
    s.states.push_back(d->state);
  }
  return old_reader(s, reader);
}

}  // namespace detail

}  // namespace migcheck::harness
