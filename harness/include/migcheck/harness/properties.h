// The mission's promises as plain functions (input -> verdict), written once
// and run both by RapidCheck (tests/harness, `migcheck prop`) and by the
// coverage-guided fuzzers (fuzzers/), like FuzzTest's property functions.
//
// None of these throws or aborts: a property that does not hold returns a
// Verdict saying why; the caller decides whether that is a test failure, a
// fuzzer crash or a regression file.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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
  std::string detail;  // what failed: first differing field, violated invariant, unexpected message...
  static Verdict ok() { return {}; }
  static Verdict fail(std::string why) { return {false, std::move(why)}; }
};

// What a writer saves: a destination (machine, devices, profile) and the
// state of each of its virtio devices, in Destination::devices order.
struct Scenario {
  Destination writer;
  std::vector<virtio::VirtioDevice> states;
};

// P1. Save with the writer's profile, load into the same destination, and
// compare the full state; QEMU-mandated normalisations (legacy avail/used
// recomputed from desc, the VLAN filter reset by set_features, ...) are
// named exceptions listed in the verdict's detail when they apply.
Verdict roundtrip_state(const Scenario& scenario);

// P2. For bytes the reference accepts, re-encoding every virtio section is
// byte-identical, or the difference is a documented canonicalisation.
Verdict roundtrip_bytes(std::span<const std::uint8_t> bytes, const Destination& dest);

// P3. The writer's stream loaded by an older reader profile: rejected iff
// the writer emitted a section or subsection the reader does not know, with
// that reader's message; otherwise accepted with equal state on every field
// the reader knows. Both directions of the "iff" are checked.
Verdict old_reader(const Scenario& scenario, const Profile& reader);

// P4. Either a named rule rejects the input, or the loaded state satisfies
// every invariant (invariant_violations) and re-save then re-load is a
// fixed point.
Verdict sanitization(std::span<const std::uint8_t> bytes, const Destination& dest);

// P5. The load ends in accept or in a rejection that names a rule; run
// under ASan/UBSan and a time limit by the callers.
Verdict totality(std::span<const std::uint8_t> bytes, const Destination& dest);

// The invariants of a loaded device (P4): device-endian in {little, big};
// guest features within the destination's host features; num-vqs <= QMAX;
// per queue desc == 0 => last_avail_idx == 0, (avail_idx - last_avail_idx)
// mod 2^16 <= vring.num unless broken, inuse <= vring.num; MAC table
// in_use <= 64; curr_queue_pairs <= max_queue_pairs; queue_sel < QMAX.
// Empty when all hold.
std::vector<std::string> invariant_violations(const virtio::VirtioDevice& device, const Destination& dest);

}  // namespace migcheck::harness
