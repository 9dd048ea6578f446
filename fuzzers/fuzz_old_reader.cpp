// fuzz_old_reader: the bytes choose an older reader release, a newer writer,
// a destination both know and the writer's device states; the property
// old_reader says the reader rejects the stream iff the writer sent what it
// does not know, and otherwise loads the same state.
#include <cstdint>
#include <vector>

#include "common/fdp_state.h"
#include "common/report.h"
#include "migcheck/profile/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > migcheck::fuzz::kMaxInput) return 0;
  FuzzedDataProvider fdp(data, size);
  // Readers: every release but the newest; writers: any newer one.
  std::vector<const migcheck::Profile*> readers, writers;
  for (const migcheck::Profile& p : migcheck::all_profiles())
    if (p.release < migcheck::newest_profile().release) readers.push_back(&p);
  if (readers.empty()) return 0;
  const migcheck::Profile* reader = readers[fdp.ConsumeIntegralInRange<std::size_t>(0, readers.size() - 1)];
  for (const migcheck::Profile& p : migcheck::all_profiles())
    if (p.release > reader->release) writers.push_back(&p);
  const migcheck::Profile* writer = writers[fdp.ConsumeIntegralInRange<std::size_t>(0, writers.size() - 1)];
  const auto scenario = migcheck::fuzz::scenario_from_bytes(fdp, *writer, reader);
  if (!scenario) return 0;
  migcheck::fuzz::require("fuzz_old_reader", migcheck::harness::Property::OldReader,
                          migcheck::harness::old_reader(*scenario, *reader), {data, size}, &scenario->writer);
  return 0;
}
