// load_only: the reference loader alone under libFuzzer, for
// ci/bench-fuzz.sh. No property checks, no structured mutator, the
// destination fixed (MIGCHECK_FUZZ_DESTINATION): the fastest any fuzz_load
// over this loader can run, so the bench shows how much of fuzz_load's cost
// is the checks and the mutator and how much is the load itself. Not a
// fuzz target: it asserts nothing, and has no corpus.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "common/destination_cache.h"
#include "migcheck/stream/loader.h"

namespace {
const migcheck::Destination* g_dest = nullptr;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_dest = migcheck::fuzz::fixed_destination();
  if (!g_dest) {
    std::fputs("load_only: set MIGCHECK_FUZZ_DESTINATION=\"MACHINE DEVICE...\"\n", stderr);
    std::exit(2);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)migcheck::load_any(std::span<const std::uint8_t>(data, size), *g_dest);
  return 0;
}
