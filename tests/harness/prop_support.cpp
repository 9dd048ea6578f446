#include "prop_support.h"

#include <cstdlib>
#include <iostream>

namespace migcheck::test {

int property_cases() {
  if (const char* env = std::getenv("MIGCHECK_PROP_CASES")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  return 1000;
}

std::string regression_dir() { return std::string(MIGCHECK_SOURCE_DIR) + "/corpora/regression"; }

const std::vector<gen::Seed>& seeds() {
  static const std::vector<gen::Seed> s = gen::capture_seeds(std::string(MIGCHECK_SOURCE_DIR) + "/corpora/qemu-7.2");
  return s;
}

gen::RunResult check(harness::Property p, int cases, const std::string& regression, std::optional<std::uint64_t> seed) {
  gen::RunOptions o;
  o.cases = cases;
  o.seed = seed;
  o.seeds = seeds();
  o.regression_dir = regression;
  gen::RunResult r = gen::run_property(p, o);
  std::cout << harness::name(p) << ": " << r.successes << " cases in " << r.seconds << " s, " << r.tally.vacuous
            << " vacuous\n";
  for (const auto& [what, n] : r.tally.applied) std::cout << "  applied " << what << ": " << n << "\n";
  if (!r.holds) {
    std::cout << "Falsifiable: " << r.description << "\n" << r.counterexample;
    if (!r.reproduce.empty()) std::cout << "Reproduce with: RC_PARAMS=\"reproduce=" << r.reproduce << "\"\n";
    if (!r.regression_file.empty()) std::cout << "Shrunk case written to " << r.regression_file << "\n";
    if (!r.error.empty()) std::cout << "Error: " << r.error << "\n";
  }
  return r;
}

}  // namespace migcheck::test
