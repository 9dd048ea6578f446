// Replays every case under corpora/regression/<property>/ (the shrunk
// counterexamples property failures left there) through the property's plain
// function: once a property failed on an input, it must hold on it forever.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "migcheck/harness/cases.h"

namespace migcheck::test {
namespace {

namespace fs = std::filesystem;

const std::string kDir = std::string(MIGCHECK_SOURCE_DIR) + "/corpora/regression";

std::vector<std::string> cases_of(harness::Property p) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(kDir) / std::string(harness::name(p)), ec))
    if (e.path().extension() == ".json") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

class Regression : public ::testing::TestWithParam<harness::Property> {};

TEST_P(Regression, EveryCaseHolds) {
  const std::vector<std::string> files = cases_of(GetParam());
  for (const std::string& f : files) {
    std::string error;
    const auto c = harness::read_case(f, &error);
    ASSERT_TRUE(c.has_value()) << f << ": " << error;
    EXPECT_EQ(c->property, GetParam()) << f;
    const harness::Verdict v = harness::run_case(*c);
    EXPECT_TRUE(v.holds) << f << " (found as: " << c->note << "): " << v.detail;
  }
  std::cout << files.size() << " case(s) replayed\n";
}

INSTANTIATE_TEST_SUITE_P(Properties, Regression, ::testing::ValuesIn(harness::all_properties().begin(),
                                                                     harness::all_properties().end()),
                         [](const auto& info) {
                           std::string n(harness::name(info.param));
                           std::erase(n, '-');
                           return n;
                         });

}  // namespace
}  // namespace migcheck::test
