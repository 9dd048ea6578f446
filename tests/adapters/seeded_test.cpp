// The seeded-bug adapters as a yardstick: each reproduces one real loader
// bug class, and differential testing against the reference must find every
// one (through `migcheck seeded`, the command users run), while the same
// search over the reference adapter itself finds nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "migcheck/defects/defects.h"
#include "migcheck/harness/adapters.h"
#include "migcheck/harness/oracle.h"
#include "migcheck/harness/seeded.h"
#include "../support/captures.h"
#include "test_util.h"

namespace h = migcheck::harness;
namespace mt = migcheck::test;

namespace {

class SeededBug : public ::testing::TestWithParam<std::string> {};

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& c : n)
    if (c == '-') c = '_';
  return n;
}

std::vector<std::string> bug_names() {
  std::vector<std::string> out;
  for (const h::SeededBug& b : h::seeded_bugs()) out.emplace_back(b.name);
  return out;
}

}  // namespace

TEST(Seeded, AtLeastEightBugClassesEachSwitchingOnAKnownDefect) {
  EXPECT_GE(h::seeded_bugs().size(), 8u);
  for (const h::SeededBug& b : h::seeded_bugs()) {
    EXPECT_TRUE(migcheck::defects::parse(b.defect)) << b.name << ": unknown defect " << b.defect;
    std::string error;
    EXPECT_FALSE(h::seeded_library(b, &error).empty()) << b.name << ": " << error;
  }
}

// The RapidCheck engine of `migcheck seeded`: mutants of the captures through
// the seeded adapter and the reference until the first finding.
TEST_P(SeededBug, DifferentialTestingFindsItWithinAMinute) {
  const std::string dir = mt::temp_dir("seeded");
  const mt::Cli r = mt::run_cli({"seeded", "--engine", "properties", "--bug", GetParam(), "--time", "60", "--runs",
                                 "1", "--work", dir, "--report", dir + "/report.json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto report = nlohmann::json::parse(std::ifstream(dir + "/report.json"), nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out << r.err;
  ASSERT_EQ(report["results"].size(), 1u);
  const auto& res = report["results"][0];
  EXPECT_EQ(res["found"], 1) << res.dump();
  EXPECT_LT(res.value("median_seconds", 1e9), 60.0);
  EXPECT_NE(res.value("title", std::string()).find("seeded-" + GetParam()), std::string::npos) << res.dump();
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Adapters, SeededBug, ::testing::ValuesIn(bug_names()), param_name);

// The control: the same mutants never make the reference disagree with itself.
TEST(Seeded, TheReferenceAdapterHasNoFindingsOnTheSameMutants) {
  std::string error;
  auto reference = h::open_adapter("reference", &error);
  ASSERT_TRUE(reference) << error;
  int checked = 0;
  for (const std::string& path : mt::section_paths()) {
    const auto record = mt::read_bytes(path);
    const auto dest = mt::inferred(record);
    const auto stream = h::wrap_section_record(record, dest);
    const auto fields = h::field_spans(stream, dest);
    for (std::uint64_t seed = 0; seed < 40; ++seed, ++checked) {
      const auto mutant = h::mutate(stream, fields, seed);
      const h::DiffResult d = h::run_differential(*reference, mutant, dest);
      ASSERT_FALSE(h::is_finding(d.classification)) << path << " seed " << seed << ": " << d.detail;
    }
  }
  EXPECT_GT(checked, 500);
}
