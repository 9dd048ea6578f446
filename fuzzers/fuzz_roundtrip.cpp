// fuzz_roundtrip: the bytes choose a writer release, a destination and every
// schema field of its devices' states (common/fdp_state.h); the property
// roundtrip_state says load(save(state)) == state up to QEMU's named
// normalisations.
#include <cstdint>

#include "common/fdp_state.h"
#include "common/report.h"
#include "migcheck/profile/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > migcheck::fuzz::kMaxInput) return 0;
  FuzzedDataProvider fdp(data, size);
  const auto profiles = migcheck::all_profiles();
  const migcheck::Profile& writer = profiles[fdp.ConsumeIntegralInRange<std::size_t>(0, profiles.size() - 1)];
  const auto scenario = migcheck::fuzz::scenario_from_bytes(fdp, writer);
  if (!scenario) return 0;
  migcheck::fuzz::require("fuzz_roundtrip", migcheck::harness::Property::RoundTripState,
                          migcheck::harness::roundtrip_state(*scenario), {data, size}, &scenario->writer);
  return 0;
}
