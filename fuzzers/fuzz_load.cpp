// fuzz_load: bytes (a section record or a full stream) loaded as a QEMU
// destination would, under the reader profiles, through the sanitization
// and totality properties (harness/include/migcheck/harness/properties.h):
// every input ends in a named rejection, or in a state that keeps every
// invariant and is a fixed point of re-save + re-load; under qemu-7.2 also
// roundtrip-bytes (an accepted input re-encodes to its own bytes) and
// old-reader (the accepted state, saved by 7.2, in the older reader picked
// below: refused only for what that reader lacks, with QEMU's reason).
//
// Speed matters more than breadth per input: each run loads under qemu-7.2
// (the product) and under one older reader picked by a hash of the input,
// so the corpus as a whole covers every reader while one run costs two
// loads. MIGCHECK_FUZZ_ALL_PROFILES=1 loads under every reader each run.
//
// The destination is inferred from each input (the corpus spans devices);
// MIGCHECK_FUZZ_DESTINATION="MACHINE DEVICE..." (e.g. "pc-i440fx-7.2
// virtio-net-pci,disable-modern=on") fixes it instead, under qemu-7.2 only:
// no inference per run, for long runs on one device and for benchmarks.
//
// MIGCHECK_FUZZ_PROPERTIES=totality (or "totality,sanitization") runs fewer
// checks per input: a crash, hang or unnamed rejection hunt at a multiple of
// the exec/s (load_checks() in common/report.h).
//
// Built twice: fuzz_load (the reference) and fuzz_load_defects (the
// deliberate-defects loader, MIGCHECK_DEFECT=<name>) for time-to-find.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "common/destination_cache.h"
#include "common/report.h"
#include "migcheck/harness/properties.h"
#include "migcheck/profile/profile.h"

namespace {

migcheck::fuzz::DestinationCache g_cache;
bool g_all_profiles = false;
const migcheck::Destination* g_fixed = nullptr;
migcheck::harness::LoadChecks g_checks;

void check(std::span<const std::uint8_t> input, const migcheck::Profile& profile,
           const migcheck::Profile* reader = nullptr) {
  const migcheck::Destination* dest = g_fixed ? g_fixed : g_cache.infer(input, profile);
  if (!dest) return;
  // One load shared by the properties; under qemu-7.2 (the writer side) also
  // roundtrip-bytes, where save-path defects show, and with an older
  // `reader` old-reader, where a wrong reason for a refusal shows.
  migcheck::fuzz::require_load("fuzz_load", input, input, *dest, g_checks, reader);
}

// FNV-1a over a few bytes: cheap, and stable for a given input.
std::size_t pick(std::span<const std::uint8_t> input, std::size_t n) {
  std::uint32_t h = 2166136261u ^ static_cast<std::uint32_t>(input.size());
  for (std::size_t i = 0; i < input.size(); i += 1 + input.size() / 16) h = (h ^ input[i]) * 16777619u;
  return h % n;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* all = std::getenv("MIGCHECK_FUZZ_ALL_PROFILES");
  g_all_profiles = all && *all && *all != '0';
  g_fixed = migcheck::fuzz::fixed_destination();
  g_checks = migcheck::fuzz::load_checks();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > migcheck::fuzz::kMaxInput) return 0;
  const std::span<const std::uint8_t> input(data, size);
  const auto profiles = migcheck::all_profiles();
  const migcheck::Profile& product = migcheck::profile_7_2();
  const migcheck::Profile& older = profiles[pick(input, profiles.size())];
  if (g_fixed) {
    check(input, product);
    return 0;
  }
  check(input, product, &older != &product ? &older : nullptr);
  if (g_all_profiles) {
    for (const migcheck::Profile& p : profiles)
      if (&p != &product) check(input, p);
    return 0;
  }
  if (&older != &product) check(input, older);
  return 0;
}
