// C ABI adapters that crash, abort, hang, print garbage, leak or eat memory:
// each is classified, the run goes on, and the harness stays sound.
#include <gtest/gtest.h>

#include <fstream>

#include "../support/captures.h"
#include "migcheck/harness/adapters.h"
#include "migcheck/harness/oracle.h"
#include "test_util.h"

namespace mt = migcheck::test;
namespace h = migcheck::harness;

namespace {

std::unique_ptr<h::Adapter> open(const std::string& spec) {
  std::string error;
  auto a = h::open_adapter(spec, &error);
  EXPECT_TRUE(a) << spec << ": " << error;
  return a;
}

struct Input {
  std::vector<std::uint8_t> bytes = mt::read_bytes(mt::corpus_dir() + "/streams/net-legacy-nosub.mig");
  migcheck::Destination dest = mt::inferred(bytes);
};

// Resident set of this process, in bytes.
std::size_t rss() {
  std::ifstream in("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * 4096;
}

class Limits : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = h::adapter_limits(); }
  void TearDown() override { h::adapter_limits() = saved_; }
  h::AdapterLimits saved_;
};

}  // namespace

TEST_F(Limits, EveryMisbehaviourIsClassifiedAndTheRunGoesOn) {
  h::adapter_limits().timeout_seconds = 2;
  const Input in;
  struct Case {
    const char* lib;
    h::Classification expected;
  };
  const std::vector<Case> cases = {
      {MIGCHECK_FIXTURE_CRASH, h::Classification::AdapterCrash},
      {MIGCHECK_FIXTURE_ABORT, h::Classification::AdapterCrash},
      {MIGCHECK_FIXTURE_HANG, h::Classification::AdapterTimeout},
      {MIGCHECK_FIXTURE_GARBAGE, h::Classification::AdapterMalformed},
      {MIGCHECK_FIXTURE_BAD_OUTCOME, h::Classification::AdapterMalformed},
      {MIGCHECK_FIXTURE_REJECT_ALL, h::Classification::AcceptRejectMismatch},
  };
  auto good = open("reference");
  for (const Case& c : cases) {
    auto a = open(std::string("lib:") + c.lib + ",fork");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->info().isolated);
    const auto start = std::chrono::steady_clock::now();
    const h::DiffResult r = h::run_differential(*a, in.bytes, in.dest);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.classification, c.expected) << c.lib << ": " << r.detail;
    EXPECT_LT(seconds, 10) << c.lib;
    // The harness is still fine: the next check still works.
    EXPECT_EQ(h::run_differential(*good, in.bytes, in.dest).classification, h::Classification::Agree);
  }
}

TEST_F(Limits, CrashReasonSaysWhichSignal) {
  const Input in;
  auto a = open(std::string("lib:") + MIGCHECK_FIXTURE_CRASH + ",fork");
  const h::AdapterResult r = a->load(in.bytes, in.dest);
  EXPECT_EQ(r.outcome, h::AdapterOutcome::Crash);
  EXPECT_NE(r.reason.find("signal 11"), std::string::npos) << r.reason;
}

TEST_F(Limits, GarbageOnStdoutNeverReachesOursAndTheStateErrorIsNamed) {
  const Input in;
  auto a = open(std::string("lib:") + MIGCHECK_FIXTURE_GARBAGE + ",fork");
  const h::AdapterResult r = a->load(in.bytes, in.dest);
  EXPECT_EQ(r.outcome, h::AdapterOutcome::Malformed);
  EXPECT_NE(r.reason.find("not JSON"), std::string::npos) << r.reason;
  EXPECT_NE(r.log.find("garbage"), std::string::npos) << "the worker's stdout goes to its log";
  // The same in-process (no fork) is still classified: only the printing escapes.
  auto here = open(std::string("lib:") + MIGCHECK_FIXTURE_BAD_OUTCOME);
  EXPECT_EQ(here->load(in.bytes, in.dest).outcome, h::AdapterOutcome::Malformed);
}

TEST_F(Limits, LeaksDieWithTheWorker) {
  const Input in;
  auto a = open(std::string("lib:") + MIGCHECK_FIXTURE_LEAK + ",fork");
  const std::size_t before = rss();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(a->load(in.bytes, in.dest).outcome, h::AdapterOutcome::Rejected);
  EXPECT_LT(rss(), before + (64u << 20)) << "20 x 32 MiB leaked in workers must not show here";
}

TEST_F(Limits, MemoryLimitStopsAHog) {
  // The default is no limit in a sanitized build (its shadow memory needs terabytes).
  if (h::adapter_limits().memory_bytes == 0) GTEST_SKIP() << "no address-space limit under a sanitizer";
  h::adapter_limits().memory_bytes = std::uint64_t{1} << 30;
  const Input in;
  auto a = open(std::string("lib:") + MIGCHECK_FIXTURE_HOG + ",fork");
  const h::AdapterResult r = a->load(in.bytes, in.dest);
  EXPECT_EQ(r.outcome, h::AdapterOutcome::Crash) << r.reason;
}

TEST_F(Limits, BadLibrariesAreRefusedAtOpenNotAtLoad) {
  std::string error;
  EXPECT_FALSE(h::open_adapter(std::string("lib:") + MIGCHECK_FIXTURE_BAD_ABI, &error));
  EXPECT_NE(error.find("ABI version 99"), std::string::npos) << error;
  EXPECT_FALSE(h::open_adapter("lib:/nonexistent/libnothing.so", &error));
  EXPECT_NE(error.find("cannot load"), std::string::npos) << error;
  // A constructor that crashes at dlopen: found in the trial worker.
  EXPECT_FALSE(h::open_adapter(std::string("lib:") + MIGCHECK_FIXTURE_CTOR_CRASH + ",fork", &error));
  EXPECT_NE(error.find("signal 11"), std::string::npos) << error;
}

TEST_F(Limits, CapabilitiesAndIdentityComeFromTheDescriptor) {
  auto a = open(std::string("lib:") + MIGCHECK_FIXTURE_REJECT_ALL);
  EXPECT_EQ(a->info().name, "fixture-reject_all");
  EXPECT_TRUE(a->info().section_records);
  EXPECT_FALSE(a->info().can_save);
  const Input in;
  const h::AdapterResult r = a->load(in.bytes, in.dest);
  EXPECT_EQ(r.outcome, h::AdapterOutcome::Rejected);
  EXPECT_EQ(r.rule, "fixture.reject_all");
}

TEST_F(Limits, ReferenceInAForkedWorkerAgreesAndCanSave) {
  const Input in;
  auto a = open("reference,fork");
  EXPECT_TRUE(a->info().isolated);
  const h::DiffResult r = h::run_differential(*a, in.bytes, in.dest);
  EXPECT_EQ(r.classification, h::Classification::Agree) << r.detail;
  std::string error;
  auto saved = a->save(in.bytes, in.dest, &error);
  ASSERT_TRUE(saved) << error;
  EXPECT_EQ(h::reference_load(*saved, in.dest).verdict, migcheck::Verdict::Accepted);
}

TEST(DiffCommand, ABatchWithCrashingHangingAndGarbageAdaptersCompletesAndReportsEach) {
  const std::string dir = mt::temp_dir("diff-batch");
  const mt::Cli r = mt::run_cli({"diff", "--json", "--timeout", "2", "--reproducers", dir + "/findings", "--report",
                                 dir + "/report.json", "--adapter", std::string("lib:") + MIGCHECK_FIXTURE_CRASH + ",fork",
                                 "--adapter", std::string("lib:") + MIGCHECK_FIXTURE_HANG + ",fork", "--adapter",
                                 std::string("lib:") + MIGCHECK_FIXTURE_GARBAGE + ",fork", "--adapter", "reference",
                                 mt::corpus_dir() + "/streams/net-legacy-nosub.mig",
                                 mt::corpus_dir() + "/sections/rng-legacy.0000_00_02.0_virtio-rng.section.bin"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto report = nlohmann::json::parse(r.out);  // stdout is exactly the JSON report
  EXPECT_EQ(report, mt::read_json(dir + "/report.json"));
  std::map<std::string, int> seen;
  for (const auto& res : report["results"]) ++seen[res["adapter"].get<std::string>() + " " +
                                                  res["classification"].get<std::string>()];
  EXPECT_EQ(seen["fixture-crash adapter crash"], 2);
  EXPECT_EQ(seen["fixture-hang adapter timeout"], 2);
  EXPECT_EQ(seen["fixture-garbage adapter malformed"], 2);
  EXPECT_EQ(seen["reference agree"], 2);
  int reproducers = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/findings")) reproducers += e.path().extension() == ".mig";
  EXPECT_EQ(reproducers, 6);
  std::filesystem::remove_all(dir);
}
