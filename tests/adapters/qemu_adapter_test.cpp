// The real QEMU as an adapter: agreement with the reference on every
// capture (as streams and as wrapped section records) and on the negative
// cases, and the known QEMU 7.2 defects reproduced as regression cases
// (corpora/regression/qemu-defects). Skips without qemu-system-x86_64.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "../support/captures.h"
#include "migcheck/harness/adapters.h"
#include "migcheck/harness/oracle.h"
#include "test_util.h"
#include "../../harness/src/qemu/qemu_adapter.h"

namespace mt = migcheck::test;
namespace h = migcheck::harness;

namespace {

std::unique_ptr<h::Adapter> qemu_or_skip(std::string* why) {
  if (std::string missing = h::qemu_unavailable("qemu-system-x86_64"); !missing.empty()) {
    *why = "real-QEMU tests skipped: " + missing;
    return nullptr;
  }
  std::string error;
  auto a = h::open_adapter("qemu", &error);
  if (!a) *why = error;
  return a;
}

#define QEMU_OR_SKIP(var)                 \
  std::string why_skip;                   \
  auto var = qemu_or_skip(&why_skip);     \
  if (!var) GTEST_SKIP() << why_skip;

class Limits : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = h::adapter_limits(); }
  void TearDown() override { h::adapter_limits() = saved_; }
  h::AdapterLimits saved_;
};

std::string regression_dir() { return std::string(MIGCHECK_SOURCE_DIR) + "/corpora/regression/qemu-defects"; }

}  // namespace

TEST(QemuAdapter, HaltingBiosIsZeroExceptTheResetVector) {
  const auto bios = h::halting_bios();
  ASSERT_EQ(bios.size(), 65536u);
  EXPECT_EQ(bios[0xfff0], 0xfa);  // cli
  EXPECT_EQ(bios[0xfff1], 0xf4);  // hlt
  EXPECT_EQ(bios[0xfff2], 0xeb);  // jmp $-3
  EXPECT_EQ(bios[0xfff3], 0xfd);
  std::size_t nonzero = 0;
  for (auto b : bios) nonzero += b != 0;
  EXPECT_EQ(nonzero, 4u);
}

TEST(QemuAdapter, CommandLineNamesEveryVirtioDeviceAndGivesBackends) {
  std::string error;
  const std::vector<std::string> devices = {"virtio-blk-pci,disable-modern=on", "virtio-serial-pci",
                                            "virtconsole,chardev=c0"};
  auto dest = migcheck::make_destination("pc", devices, migcheck::profile_7_2(), &error);
  ASSERT_TRUE(dest) << error;
  std::vector<std::string> ids;
  const std::string work = mt::temp_dir("qemu-args");  // the blk backend image is created there
  const auto args = h::qemu_arguments(*dest, work, &ids, &error);
  ASSERT_FALSE(args.empty()) << error;
  std::string joined;
  for (const auto& a : args) joined += a + " ";
  EXPECT_NE(joined.find("-machine pc-i440fx-7.2 -nodefaults -no-user-config -display none -S -accel tcg -m 2 -bios " +
                        work + "/bios.bin"),
            std::string::npos)
      << joined;
  EXPECT_NE(joined.find("-drive if=none,id=migcheck-drive0,format=raw,file=" + work + "/migcheck-drive0.img"),
            std::string::npos)
      << joined;
  EXPECT_NE(joined.find("-chardev null,id=c0"), std::string::npos) << joined;
  EXPECT_EQ(ids, (std::vector<std::string>{"migcheck-dev0", "migcheck-dev1"}));
  const std::vector<std::string> mq_devices = {"virtio-net-pci,mq=on,queues=2"};
  auto mq = migcheck::make_destination("pc", mq_devices, migcheck::profile_7_2(), &error);
  ASSERT_TRUE(mq) << error;
  EXPECT_TRUE(h::qemu_arguments(*mq, work, &ids, &error).empty()) << "queues= needs a tap backend";
  std::filesystem::remove_all(work);
}

TEST(QemuAdapter, AgreesWithTheReferenceOnEveryCapture) {
  QEMU_OR_SKIP(qemu);
  for (const std::string& path : mt::stream_paths()) {
    const auto bytes = mt::read_bytes(path);
    const h::DiffResult r = h::run_differential(*qemu, bytes, mt::inferred(bytes));
    EXPECT_EQ(r.classification, h::Classification::Agree) << path << ": " << r.detail << "\n" << r.adapter.log;
    EXPECT_GT(r.fields_compared, 25u) << path;  // one-queue devices (blk, rng) report 28 QMP fields
  }
}

TEST(QemuAdapter, AgreesOnEverySectionRecordWrappedIntoAMinimalStream) {
  QEMU_OR_SKIP(qemu);
  for (const std::string& path : mt::section_paths()) {
    const auto bytes = mt::read_bytes(path);
    const h::DiffResult r = h::run_differential(*qemu, bytes, mt::inferred(bytes));
    EXPECT_TRUE(r.wrapped);
    EXPECT_EQ(r.classification, h::Classification::Agree) << path << ": " << r.detail << "\n" << r.adapter.log;
  }
}

TEST(QemuAdapter, RejectsWhereQemuRejectedInTheNegativeCaptures) {
  QEMU_OR_SKIP(qemu);
  const nlohmann::json cases = mt::read_json(mt::corpus_dir() + "/negative/results.json");
  for (const auto& [name, c] : cases.items()) {
    if (c["exit_code"].get<int>() != 1) continue;  // the hangs and crashes: below
    const auto bytes = mt::read_bytes(mt::corpus_dir() + "/negative/" + c["file"].get<std::string>());
    const mt::CommandLine cl = mt::destination_of(c["dest_cmdline"]);
    std::string error;
    auto dest = migcheck::make_destination(cl.machine, cl.devices, migcheck::profile_7_2(), &error);
    ASSERT_TRUE(dest) << error;
    const h::DiffResult r = h::run_differential(*qemu, bytes, *dest);
    EXPECT_EQ(r.adapter.outcome, h::AdapterOutcome::Rejected) << name << ": " << r.adapter.reason;
    EXPECT_EQ(r.classification, h::Classification::Agree) << name << ": " << r.detail;
    EXPECT_EQ(r.adapter.reason, mt::error_lines(c["stderr"].get<std::string>()).front()) << name;
  }
}

// corpora/regression/qemu-defects/cases.json: inputs on which QEMU 7.2.22
// hangs or crashes, with what it does; the reference flags each.
TEST_F(Limits, KnownQemuDefectsAreReproducedAndExpected) {
  QEMU_OR_SKIP(unused);
  const nlohmann::json cases = mt::read_json(regression_dir() + "/cases.json");
  ASSERT_GE(cases["cases"].size(), 3u);
  h::adapter_limits().timeout_seconds = cases.value("timeout_seconds", 10.0);
  std::string error;
  auto qemu = h::open_adapter("qemu", &error);
  ASSERT_TRUE(qemu) << error;
  for (const auto& c : cases["cases"]) {
    const std::string name = c["name"];
    const auto bytes = mt::read_bytes(regression_dir() + "/" + c["input"].get<std::string>());
    std::vector<std::string> devices = c["devices"];
    auto dest = migcheck::make_destination(c["machine"].get<std::string>(), devices, migcheck::profile_7_2(), &error);
    ASSERT_TRUE(dest) << name << ": " << error;
    const auto start = std::chrono::steady_clock::now();
    const h::DiffResult r = h::run_differential(*qemu, bytes, *dest);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.classification, h::Classification::KnownQemuDefect) << name << ": " << r.detail;
    EXPECT_EQ(r.reference_rule, c["reference_rule"].get<std::string>()) << name;
    EXPECT_EQ(r.qemu_fate, c["reference_qemu_fate"].get<std::string>()) << name;
    const std::string qemu_does = c["qemu"];
    if (qemu_does == "crash") {
      EXPECT_EQ(r.adapter.outcome, h::AdapterOutcome::Crash) << name;
      EXPECT_NE(r.adapter.reason.find("signal " + std::to_string(c["signal"].get<int>())), std::string::npos)
          << name << ": " << r.adapter.reason;
    } else {
      EXPECT_EQ(r.adapter.outcome, h::AdapterOutcome::Timeout) << name;
      EXPECT_LT(seconds, h::adapter_limits().timeout_seconds + 5) << name << ": killed at the timeout";
    }
  }
}
