// Shared by the property tests: how many cases CI runs, where regression
// files go, and running one property with the capture seeds.
#pragma once

#include <optional>
#include <string>

#include "migcheck/generators/runner.h"

namespace migcheck::test {

// Cases per property: MIGCHECK_PROP_CASES if set (soak runs from ctest),
// else 1000 — CI's promise, the same in the default and asan presets.
int property_cases();

// corpora/regression under the source tree: where shrunk counterexamples go.
std::string regression_dir();

// The real captures, loaded once (near-valid streams start from them).
const std::vector<gen::Seed>& seeds();

// Runs `p` with RapidCheck; on failure prints RapidCheck's reproduce line and
// the regression file it wrote. Returns the result for the test to assert on.
// `seed`: RapidCheck's seed (default: RC_PARAMS' or a random one).
gen::RunResult check(harness::Property p, int cases, const std::string& regression,
                     std::optional<std::uint64_t> seed = std::nullopt);

}  // namespace migcheck::test
