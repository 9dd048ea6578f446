// Subprocess adapters: `migcheck check --json` is itself a conforming one
// and agrees with the reference on every capture; commands that crash,
// hang (with children), flood stdout or print garbage are classified.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

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

class Limits : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = h::adapter_limits(); }
  void TearDown() override { h::adapter_limits() = saved_; }
  h::AdapterLimits saved_;
};

struct Input {
  std::vector<std::uint8_t> bytes = mt::read_bytes(mt::corpus_dir() + "/streams/net-legacy-nosub.mig");
  migcheck::Destination dest = mt::inferred(bytes);
};

}  // namespace

TEST_F(Limits, MigcheckCheckJsonAgreesWithTheReferenceOnEveryCaptureAndSection) {
  h::adapter_limits().timeout_seconds = 60;
  auto a = open(std::string("cmd:") + MIGCHECK_CLI + " check --json {} {dest}");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->info().name, "migcheck");
  std::vector<std::string> inputs = mt::stream_paths();
  for (const std::string& s : mt::section_paths()) inputs.push_back(s);
  for (const std::string& path : inputs) {
    const auto bytes = mt::read_bytes(path);
    const h::DiffResult r = h::run_differential(*a, bytes, mt::inferred(bytes));
    EXPECT_EQ(r.classification, h::Classification::Agree) << path << ": " << r.detail << "\n" << r.adapter.log;
    EXPECT_GT(r.fields_compared, 20u) << path;
  }
}

TEST_F(Limits, RejectionsAgreeToo) {
  auto a = open(std::string("cmd:") + MIGCHECK_CLI + " check --json {} {dest}");
  const nlohmann::json cases = mt::read_json(mt::corpus_dir() + "/negative/results.json");
  for (const auto& [name, c] : cases.items()) {
    const auto bytes = mt::read_bytes(mt::corpus_dir() + "/negative/" + c["file"].get<std::string>());
    const mt::CommandLine cl = mt::destination_of(c["dest_cmdline"]);
    std::string error;
    auto dest = migcheck::make_destination(cl.machine, cl.devices, migcheck::profile_7_2(), &error);
    ASSERT_TRUE(dest) << error;
    const h::DiffResult r = h::run_differential(*a, bytes, *dest);
    EXPECT_EQ(r.classification, h::Classification::Agree) << name << ": " << r.detail;
  }
}

TEST_F(Limits, TheDestinationReachesTheCommand) {
  // {dest}, {machine} and the environment carry the same destination.
  const Input in;
  auto a = open("cmd:sh -c 'echo \"{\\\"outcome\\\":\\\"unsupported\\\",\\\"reason\\\":\\\"$0 $MIGCHECK_DEST_MACHINE "
                "$MIGCHECK_DEST_DEVICES\\\"}\"' {machine}");
  const h::AdapterResult r = a->load(in.bytes, in.dest);
  ASSERT_EQ(r.outcome, h::AdapterOutcome::Unsupported) << r.reason;
  EXPECT_NE(r.reason.find("pc-i440fx-7.2 pc-i440fx-7.2 virtio-net-pci"), std::string::npos) << r.reason;
}

TEST_F(Limits, CrashingCommandsAreCrashes) {
  const Input in;
  auto direct = open("cmd:sh -c 'kill -SEGV $$' {}");
  EXPECT_EQ(direct->load(in.bytes, in.dest).outcome, h::AdapterOutcome::Crash);
  auto via_shell = open("cmd:true {} && kill -ABRT $$");
  const h::AdapterResult r = via_shell->load(in.bytes, in.dest);
  EXPECT_EQ(r.outcome, h::AdapterOutcome::Crash) << r.reason;
}

TEST_F(Limits, AHangingCommandAndItsChildrenAreKilledAtTheTimeout) {
  h::adapter_limits().timeout_seconds = 1;
  const Input in;
  const std::string dir = mt::temp_dir("hang");
  auto a = open("cmd:sleep 300 & echo $! > " + dir + "/child.pid; sleep 300; true {}");
  const auto start = std::chrono::steady_clock::now();
  const h::AdapterResult r = a->load(in.bytes, in.dest);
  EXPECT_EQ(r.outcome, h::AdapterOutcome::Timeout);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5);
  std::ifstream pidfile(dir + "/child.pid");
  int child = 0;
  pidfile >> child;
  ASSERT_GT(child, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Killed: gone, or a zombie waiting for an init that may reap slowly.
  std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
  std::string pid, comm, state;
  stat >> pid >> comm >> state;
  EXPECT_TRUE(!stat || state == "Z") << "the background child was killed with the group (state " << state << ")";
  std::filesystem::remove_all(dir);
}

TEST_F(Limits, GarbageFloodsAndBadShapesAreMalformed) {
  h::adapter_limits().output_bytes = 1u << 20;
  const Input in;
  struct Case {
    std::string command;
    std::string why;
  };
  const std::vector<Case> cases = {
      {"echo garbage {}", "not a JSON object"},
      {"head -c 100000000 /dev/zero {}", "output"},
      {"echo '{\"outcome\":\"maybe\"}'; : {}", "is not accepted"},
      {"echo '{\"outcome\":\"accepted\"}'; : {}", "without \"devices\""},
      {"echo '{\"outcome\":\"accepted\",\"devices\":[{\"num-vqs\":\"3\"}]}'; : {}", "devices[0].num-vqs"},
      {"echo '{\"outcome\":\"accepted\",\"devices\":[{\"queues\":[{\"inuse\":-1}]}]}'; : {}", "queues[0].inuse"},
      {"printf '\\377\\376' {}", "not a JSON object"},
  };
  for (const Case& c : cases) {
    auto a = open("cmd:" + c.command);
    const h::AdapterResult r = a->load(in.bytes, in.dest);
    EXPECT_EQ(r.outcome, h::AdapterOutcome::Malformed) << c.command << ": " << r.reason;
    EXPECT_NE(r.reason.find(c.why), std::string::npos) << c.command << ": " << r.reason;
  }
}

TEST_F(Limits, MissingProgramsAreRefusedAtOpen) {
  std::string error;
  EXPECT_FALSE(h::open_adapter("cmd:/nonexistent/loader {}", &error));
  EXPECT_NE(error.find("not an executable"), std::string::npos) << error;
  EXPECT_FALSE(h::open_adapter("cmd:", &error));
}

TEST(AdaptersCommand, ListsTheBuiltinsAndDescribesASpec) {
  const mt::Cli list = mt::run_cli({"adapters", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto j = nlohmann::json::parse(list.out);
  std::set<std::string> specs;
  for (const auto& a : j) specs.insert(a["spec"].get<std::string>());
  EXPECT_TRUE(specs.count("reference"));
  EXPECT_TRUE(specs.count("qemu"));
  EXPECT_TRUE(specs.count("seeded:mac-in-use-signed"));
  const mt::Cli one = mt::run_cli({"adapters", std::string("lib:") + MIGCHECK_EXAMPLE_ADAPTER});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("devices: virtio-net,virtio-blk,virtio-rng"), std::string::npos) << one.out;
  EXPECT_EQ(mt::run_cli({"adapters", "nonsense"}).exit_code, 2);
}

TEST(DiffCommand, ExampleAdapterAgreesWhereItCanAndIsUnsupportedElsewhere) {
  const mt::Cli r = mt::run_cli({"diff", "--json", "--no-reproducers", "--adapter",
                                 std::string("lib:") + MIGCHECK_EXAMPLE_ADAPTER + ",fork",
                                 mt::corpus_dir() + "/streams"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& counts = j["summary"][0]["counts"];
  EXPECT_GT(counts.value("agree", 0), 5);
  EXPECT_GT(counts.value("unsupported", 0), 0);
  EXPECT_EQ(counts.size(), 2u) << counts.dump();
}
