// The mutation check: the properties have teeth. Linked to the loader built
// with its deliberate defects (migcheck::reference_defects); for each of the
// issue's eight, switch it on, run every property until one fails, and check
// that RapidCheck shrank the counterexample to a small case. Shrunk cases go
// to a scratch directory, never to corpora/regression (the product holds
// on them).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <gtest/gtest.h>

#include "migcheck/defects/defects.h"
#include "migcheck/harness/properties.h"
#include "migcheck/stream/infer.h"
#include "prop_support.h"

namespace migcheck::test {
namespace {

using defects::Defect;
using harness::Property;

constexpr Defect kDefects[] = {Defect::DropFeaturesCheck,      Defect::SignedMacInUse,
                               Defect::QueueMaxOffByOne,       Defect::EndianNotDefaulted,
                               Defect::UnknownSubsectionSkipped, Defect::IndexDeltaNoWrap,
                               Defect::SubsectionOrderReversed, Defect::NeededAlwaysTrue};

// Enough cases that each defect is met; a property stops at its first failure.
constexpr int kCases = 1000;
constexpr std::uint64_t kSeed = 20261124;
// "Small": what a human reads in a minute (the writer's stream of a one-device
// scenario, or one near-valid stream, is tens of KiB because of the PCI config
// space and RAM pages; the states and mutations that matter are a handful).
constexpr std::size_t kSmallStates = 2;
constexpr std::size_t kSmallBytes = 256 * 1024;

class Mutation : public ::testing::TestWithParam<Defect> {
 protected:
  void SetUp() override { defects::set(GetParam()); }
  void TearDown() override { defects::set(Defect::None); }
};

TEST_P(Mutation, SomePropertyFailsAndShrinks) {
  const std::string scratch =
      (std::filesystem::temp_directory_path() / ("migcheck-mutation-" + std::string(defects::name(GetParam()))))
          .string();
  for (Property p : harness::all_properties()) {
    // A fixed seed: whether a defect is met within kCases must not vary
    // from run to run (the shrunk case is printed either way).
    const gen::RunResult r = check(p, kCases, scratch, kSeed);
    if (r.holds) continue;
    ASSERT_TRUE(r.shrunk.has_value()) << harness::name(p) << ": no counterexample remembered";
    const harness::Case& c = *r.shrunk;
    std::cout << "CAUGHT " << defects::name(GetParam()) << " by " << harness::name(p) << " after " << r.successes
              << " successes: " << c.states.size() << " state(s), " << c.bytes.size() << " byte(s), "
              << c.destination.devices.size() << " -device arg(s); " << c.note << "\n";
    // The defect's doing: the product holds on the shrunk case.
    defects::set(Defect::None);
    const harness::Verdict product = harness::run_case(c);
    defects::set(GetParam());
    EXPECT_TRUE(product.holds) << "the product fails too (a bug, not the defect): " << product.detail;
    EXPECT_LE(c.states.size(), kSmallStates);
    EXPECT_LE(c.bytes.size(), kSmallBytes);
    EXPECT_LE(c.destination.devices.size(), 2u);
    std::error_code ec;
    if (product.holds) std::filesystem::remove_all(scratch, ec);  // else kept for the bug report
    return;
  }
  FAIL() << "no property failed with " << defects::name(GetParam()) << " on";
}

INSTANTIATE_TEST_SUITE_P(Defects, Mutation, ::testing::ValuesIn(kDefects),
                         [](const auto& info) {
                           std::string n(defects::name(info.param));
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// fuzz_load's old-reader check (load_properties with a reader) over the real
// captures, each loaded by qemu-7.2 and given to every older reader: the
// product holds, refusing some for an unknown subsection; with
// unknown-subsection-skipped a refusal gives the wrong reason, and the check
// names it. The fuzzer finds that defect only through this check.
TEST(LoadPropertiesOldReader, CatchesAWrongReasonForAnUnknownSubsection) {
  const std::filesystem::path dir = std::filesystem::path(MIGCHECK_SOURCE_DIR) / "corpora/qemu-7.2/sections";
  int refused_unknown = 0, caught = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const std::optional<Destination> dest = infer_destination(bytes, profile_7_2(), nullptr);
    ASSERT_TRUE(dest) << entry.path();
    for (const Profile& reader : all_profiles()) {
      if (&reader == &profile_7_2()) continue;
      const harness::LoadChecks only_old_reader{.sanitization = false, .roundtrip_bytes = false};
      defects::set(Defect::None);
      const harness::Verdict product = harness::load_properties(bytes, *dest, only_old_reader, &reader).old_reader;
      EXPECT_TRUE(product.holds) << entry.path() << " into " << reader.name << ": " << product.detail;
      if (std::find(product.applied.begin(), product.applied.end(), "rejected:vmstate.subsection_unknown") !=
          product.applied.end())
        ++refused_unknown;
      defects::set(Defect::UnknownSubsectionSkipped);
      const harness::Verdict defective = harness::load_properties(bytes, *dest, only_old_reader, &reader).old_reader;
      defects::set(Defect::None);
      if (!defective.holds) {
        ++caught;
        EXPECT_NE(defective.detail.find("expected rule vmstate.subsection_unknown"), std::string::npos)
            << defective.detail;
      }
    }
  }
  std::cout << refused_unknown << " refusals for an unknown subsection, " << caught << " caught\n";
  EXPECT_GT(refused_unknown, 0);
  EXPECT_EQ(caught, refused_unknown);
}

}  // namespace
}  // namespace migcheck::test
