// The fuzz targets of fuzzers/, as data for `migcheck fuzz` and `corpus`.
#include <array>
#include <string>

#include "migcheck/harness/fuzz.h"

namespace migcheck::harness {

namespace {
constexpr std::array<FuzzTarget, 7> kTargets = {{
    {"fuzz_load", "fuzz_load", "load", 256 * 1024, "section records / streams: totality + sanitization"},
    {"fuzz_stream", "fuzz_stream", "stream", 1024 * 1024, "full streams: totality + roundtrip-bytes"},
    {"fuzz_roundtrip", "fuzz_roundtrip", "", 4096, "generated states: roundtrip-state"},
    {"fuzz_old_reader", "fuzz_old_reader", "", 4096, "generated states, older reader: old-reader"},
    {"fuzz_destination", "fuzz_destination", "load", 256 * 1024,
     "destination line + section/stream: destination errors, totality + sanitization"},
    {"fuzz_load_defects", "fuzz_load", "load", 256 * 1024, "fuzz_load over the defects loader (MIGCHECK_DEFECT)"},
    {"fuzz_diff", "fuzz_load", "load", 256 * 1024, "differential: an adapter vs the reference"},
}};
}  // namespace

std::span<const FuzzTarget> fuzz_targets() { return kTargets; }

const FuzzTarget* find_fuzz_target(std::string_view name) {
  for (const FuzzTarget& t : kTargets)
    if (t.name == name) return &t;
  return nullptr;
}

std::string fuzz_options(const FuzzTarget& t) {
  std::string s = "[libfuzzer]\n";
  if (!t.dict.empty()) s += "dict = " + std::string(t.name) + ".dict\n";
  s += "max_len = " + std::to_string(t.max_len) + "\n";
  return s;
}

}  // namespace migcheck::harness
