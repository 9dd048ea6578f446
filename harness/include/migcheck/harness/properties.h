// The mission's promises as plain functions (input -> verdict), written once
// and run both by RapidCheck (tests/harness, `migcheck prop`) and by the
// coverage-guided fuzzers (fuzzers/), like FuzzTest's property functions.
//
// None of these throws or aborts, reads files or keeps state between calls:
// a property that does not hold returns a Verdict saying why; the caller
// decides whether that is a test failure, a fuzzer crash or a regression
// file. docs/properties.md lists every named normalisation, canonicalisation
// and exception they apply.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "migcheck/memory/guest_memory.h"
#include "migcheck/profile/destination.h"
#include "migcheck/virtio/device.h"

namespace migcheck::harness {

enum class Property : std::uint8_t {
  RoundTripState,  // load_w(save_w(s)) == s
  RoundTripBytes,  // save(load(b)) == b for every accepted b
  OldReader,       // load_r(save_w(s)) rejected iff w wrote what r does not know
  Sanitization,    // rejected by a named rule, or every invariant holds (+ fixed point)
  Totality,        // accept or a named rejection, bounded, never a crash
};
std::span<const Property> all_properties();
std::string_view name(Property);  // "roundtrip-state", "roundtrip-bytes", "old-reader", "sanitization", "totality"
std::optional<Property> parse_property(std::string_view);

struct Verdict {
  bool holds = true;
  // The input is outside the property's domain (e.g. bytes the reference
  // rejects, for roundtrip-bytes): it holds vacuously. Callers count these.
  bool vacuous = false;
  std::string detail;  // what failed: first differing field, violated invariant, unexpected message...
  // The named normalisations / canonicalisations / exceptions that were
  // needed for the property to hold on this input (docs/properties.md).
  std::vector<std::string> applied;
  static Verdict ok() { return {}; }
  static Verdict fail(std::string why) { return {false, false, std::move(why), {}}; }
  static Verdict skip(std::string why) { return {true, true, std::move(why), {}}; }
};

// What a writer saves: a destination (machine, devices, profile) and the
// state of each of its virtio devices, in Destination::devices order.
struct Scenario {
  Destination writer;
  std::vector<virtio::VirtioDevice> states;
  // Size of the guest RAM the stream carries (0: no RAM section, ring
  // indices are then not read). Its non-zero pages are each split ring's
  // avail->idx = shadow_avail_idx and used->idx = used_idx, in the device's
  // byte order: the ring a state with those indices has in guest memory.
  std::uint64_t ram_bytes = 0;
};

// The stream the writer's destination (and profile) writes for the scenario:
// header, configuration, RAM section (if ram_bytes), one section per state.
std::vector<std::uint8_t> save_scenario(const Scenario& scenario);

// P1. Save with the writer's profile, load into the same destination, and
// compare the full state with the saved one after the named QEMU-mandated
// normalisations (legacy avail/used recomputed from desc, the VLAN filter
// reset by set_features, fields the writer does not send keeping their
// reset value, ...), listed in Verdict::applied when they changed anything.
Verdict roundtrip_state(const Scenario& scenario);

// P2. For bytes the reference accepts, re-encoding every virtio section is
// byte-identical, or the difference is a documented canonicalisation; the
// re-encoded subsections are exactly the needed ones, in QEMU's list order.
Verdict roundtrip_bytes(std::span<const std::uint8_t> bytes, const Destination& dest);

// P3. The writer's stream loaded by an older reader profile (the writer's
// machine and -device arguments, the reader's loader): rejected iff the
// writer emitted a section or subsection the reader does not know, with
// that reader's messages; otherwise accepted with equal state on every
// field the reader knows. Both directions of the "iff" are checked, and
// what the writer emitted is checked against QEMU's needed() rules.
Verdict old_reader(const Scenario& scenario, const Profile& reader);

// P4. Either a named rule rejects the input, or the loaded state satisfies
// every invariant (invariant_violations) and re-save then re-load (with the
// same guest memory) is a fixed point.
Verdict sanitization(std::span<const std::uint8_t> bytes, const Destination& dest);

// P5. The load ends in accept, in a rejection that names a rule of
// all_rules() with QEMU's final message, or in "unsupported" with a reason;
// it reads no further than the input and finishes within a time bound
// (generous: the callers run it under ASan/UBSan and their own limits).
Verdict totality(std::span<const std::uint8_t> bytes, const Destination& dest);

// P5 and, when asked, P4 and P2 over one load of `bytes`: the verdicts the
// three functions above give, for the price of one load (fuzz_load's check).
// Given an older `reader`, an accepted load is also P3's writer: the loaded
// states, as `dest`'s profile saves them, through old_reader(scenario,
// *reader) (a reader that refuses them must do so for QEMU's reason).
// A property not asked for is reported as holding vacuously.
struct LoadChecks {
  bool sanitization = true;
  bool roundtrip_bytes = true;
  bool old_reader = true;
};
struct LoadVerdicts {
  Verdict totality, sanitization, roundtrip_bytes, old_reader;
};
LoadVerdicts load_properties(std::span<const std::uint8_t> bytes, const Destination& dest, LoadChecks checks,
                             const Profile* reader = nullptr);

// The invariants of a loaded device (P4), each violation as
// "<invariant id>: <what>": device-endian in {little, big}; guest features
// within the destination's host features; num-vqs <= QMAX; queue_sel < QMAX;
// per queue desc == 0 => last_avail_idx == 0, and for a set-up split ring of
// a device that is not broken (avail_idx - last_avail_idx) mod 2^16 <=
// vring.num (avail_idx read from `memory`, when given) and inuse <=
// vring.num; MAC table in_use <= 64; curr_queue_pairs <= max_queue_pairs.
// Empty when all hold. No exceptions are applied here (see sanitization).
std::vector<std::string> invariant_violations(const virtio::VirtioDevice& device, const Destination& dest,
                                              const GuestMemory* memory = nullptr);

}  // namespace migcheck::harness
