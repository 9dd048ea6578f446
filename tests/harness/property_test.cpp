// The five properties under RapidCheck, property_cases() cases each (1000 in
// CI, both presets). A failure prints RapidCheck's reproduce line and leaves
// the shrunk input under corpora/regression/<property>/, which
// regression_test replays from then on.
#include <gtest/gtest.h>

#include "prop_support.h"

namespace migcheck::test {
namespace {

using harness::Property;

void expect_holds(Property p) {
  const gen::RunResult r = check(p, property_cases(), regression_dir());
  EXPECT_TRUE(r.holds) << r.description;
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_GE(r.successes, property_cases());
  // Most inputs must be inside the property's domain, or it proves little.
  EXPECT_LT(r.tally.vacuous * 2, r.tally.cases) << "mostly vacuous";
}

TEST(Properties, RoundTripState) { expect_holds(Property::RoundTripState); }
TEST(Properties, RoundTripBytes) { expect_holds(Property::RoundTripBytes); }
TEST(Properties, OldReader) { expect_holds(Property::OldReader); }
TEST(Properties, Sanitization) { expect_holds(Property::Sanitization); }
TEST(Properties, Totality) { expect_holds(Property::Totality); }

}  // namespace
}  // namespace migcheck::test
