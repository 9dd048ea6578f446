// RapidCheck generators derived from the schema: destinations from QEMU
// -machine/-device arguments, device states by visiting every field of a
// destination's reset state (then the named constraints of constraints.h),
// and near-valid streams (a valid stream + a named structured corruption).
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "migcheck/harness/cases.h"
#include "migcheck/harness/properties.h"

namespace migcheck::gen {

// ---- destinations ------------------------------------------------------------------

// What a destination must fit: the writer's release (machine types and
// -device properties it had), optionally an older reader's release too.
struct DestinationLimits {
  const Profile* writer = nullptr;  // nullptr: any release
  const Profile* reader = nullptr;  // old-reader cases: properties and machines both know
};
rc::Gen<harness::DestinationSpec> destination_spec(DestinationLimits limits);

// ---- states and scenarios ----------------------------------------------------------

// A scenario with the spec it was built from (for regression files).
struct ScenarioCase {
  harness::DestinationSpec spec;
  harness::Scenario scenario;
};
// Device states for every device of a generated destination, valid for the
// writer (and reader) release.
rc::Gen<ScenarioCase> scenario(DestinationLimits limits = {});

// The states alone, for a given destination (one per device).
rc::Gen<std::vector<virtio::VirtioDevice>> device_states(const Destination& dest, const Profile* reader,
                                                         std::uint64_t ram_bytes);

struct OldReaderCase {
  ScenarioCase writer;
  const Profile* reader = nullptr;
};
// A reader release older than the writer's, a machine type and -device
// properties both know, and states for the writer.
rc::Gen<OldReaderCase> old_reader_case();

// ---- streams -------------------------------------------------------------------------

// A valid stream to start from: a real capture (with the destination
// inferred from it) or one the generators write.
struct Seed {
  std::string name;
  harness::DestinationSpec spec;
  std::vector<std::uint8_t> bytes;
};
// The streams/*.mig of a capture directory (corpora/qemu-7.2), each with its
// inferred destination; empty if the directory has none.
std::vector<Seed> capture_seeds(const std::string& capture_dir);

struct StreamCase {
  harness::DestinationSpec spec;
  std::string base;                    // "generated", "capture:<name>", "section"
  std::vector<std::string> mutations;  // named corruptions applied, in order
  std::vector<std::uint8_t> bytes;
};
// A valid stream (generated scenario, its lone section record, or a seed)
// with 0..2 named structured corruptions (mutations.h). `seeds` must outlive
// the generator (RapidCheck keeps it to shrink a failing case).
rc::Gen<StreamCase> near_valid_stream(std::span<const Seed> seeds);

void showValue(const ScenarioCase& c, std::ostream& os);
void showValue(const OldReaderCase& c, std::ostream& os);
void showValue(const StreamCase& c, std::ostream& os);

}  // namespace migcheck::gen
