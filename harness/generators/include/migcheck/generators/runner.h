// The five properties under RapidCheck: each draws its input from the
// generators and checks it with the plain property function of
// harness/properties.h. Shared by the RC_GTEST_PROPs (tests/harness), the
// mutation check and `migcheck prop`.
//
// Every failing case is remembered per property; since RapidCheck shrinks
// greedily, the last one remembered when a check ends is the shrunk
// counterexample, which becomes a regression file.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "migcheck/generators/generators.h"
#include "migcheck/harness/cases.h"

namespace migcheck::gen {

// One case of property `p` (call inside a RapidCheck property): draws the
// input, runs the property, RC_FAILs with the verdict's detail if it does
// not hold (after remembering the input).
void property_case(harness::Property p, std::span<const Seed> seeds);

// The last failing input of `p` (the shrunk counterexample once a check has
// ended), and forgetting it.
std::optional<harness::Case> last_failure(harness::Property p);
void clear_failures();

// Counts of what property_case saw since the last reset (per property):
// cases run, vacuous ones, and the named normalisations/exceptions applied.
struct Tally {
  std::uint64_t cases = 0, vacuous = 0, failures = 0;
  std::map<std::string, std::uint64_t> applied;
};
Tally tally(harness::Property p);
void reset_tallies();

struct RunOptions {
  int cases = 100;                     // RapidCheck's max_success
  std::optional<std::uint64_t> seed;   // else RC_PARAMS' or a random one
  int max_size = 100;
  std::vector<Seed> seeds;             // capture streams for the near-valid generator
  std::string regression_dir;          // write the shrunk counterexample here ("" = don't)
  // Shrink steps tried before the counterexample is taken as it is: a
  // near-valid stream has thousands of shrink candidates, each a full load.
  std::uint64_t max_shrinks = 1000;
  // Called after each case and shrink step (cases done, failures so far).
  std::function<void(std::uint64_t cases, bool shrinking)> progress;
};

struct RunResult {
  bool holds = true;
  int successes = 0;
  std::string description;      // RapidCheck's failure description
  std::string counterexample;   // RapidCheck's rendering of the shrunk input
  std::string reproduce;        // the value of RC_PARAMS="reproduce=..."
  std::optional<harness::Case> shrunk;
  std::string regression_file;  // where it was written
  std::string error;            // writing it failed / RapidCheck gave up
  double seconds = 0;
  Tally tally;
};

// Checks one property with RapidCheck (honouring RC_PARAMS' reproduce).
RunResult run_property(harness::Property p, const RunOptions& options);

}  // namespace migcheck::gen
