// The real QEMU as an adapter: agreement with the reference on every
// capture (as streams and as wrapped section records) and on the negative
// cases, and the known QEMU 7.2 defects reproduced as regression cases
// (corpora/regression/qemu-defects). Skips without qemu-system-x86_64.
#include <gtest/gtest.h>

#include <chrono>
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "../support/captures.h"
#include "migcheck/harness/adapters.h"
#include "migcheck/harness/oracle.h"
#include "migcheck/stream/loader.h"
#include "migcheck/stream/save.h"
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

// QEMU could not open a tap device (no /dev/net/tun, or no CAP_NET_ADMIN):
// the case needs what this machine lacks, which is not a disagreement.
bool tap_unavailable(const h::DiffResult& r) {
  return r.adapter.outcome == h::AdapterOutcome::Unsupported && r.adapter.reason.find("tun") != std::string::npos;
}

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
  joined.clear();
  for (const auto& a : h::qemu_arguments(*mq, work, &ids, &error)) joined += a + " ";
  // queues=2 is the peer's queue count: a multiqueue tap, without vnet header as the reference models it.
  EXPECT_NE(joined.find("-netdev tap,id=migcheck-net0,queues=2,vnet_hdr=off,vhost=off,script=no,downscript=no "),
            std::string::npos)
      << joined;
  EXPECT_NE(joined.find("-device virtio-net-pci,mq=on,netdev=migcheck-net0,id=migcheck-dev0"), std::string::npos)
      << joined;
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
    if (c.value("needs", "") == "tap" && tap_unavailable(r)) {
      std::cout << name << ": skipped, no multiqueue tap here: " << r.adapter.reason << "\n";
      continue;
    }
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

// The fuzz_load finding behind net_mq_relayout_resave: a multiqueue virtio-net
// record whose tx1 has size 0 (its first 962 bytes: the fuzzer left the
// footer of another machine type after the body). QEMU 7.2.22 accepts it
// with the 6 queues the reference lays out.
namespace {
const std::string kRelayout = std::string(MIGCHECK_SOURCE_DIR) +
                              "/corpora/regression/fuzz_load/sanitization-net-mq-relayout-six-queues.bin";
const std::vector<std::string> kRelayoutDevices = {"virtio-net-pci,addr=2.0,disable-modern=on,vectors=0,mq=on,queues=2"};
}  // namespace

TEST(QemuAdapter, AcceptsTheMultiqueueRelayoutWithSixQueues) {
  QEMU_OR_SKIP(qemu);
  auto bytes = mt::read_bytes(kRelayout);
  ASSERT_GT(bytes.size(), 962u);
  bytes.resize(962);
  std::string error;
  auto dest = migcheck::make_destination("pc-i440fx-2.3", kRelayoutDevices, migcheck::profile_7_2(), &error);
  ASSERT_TRUE(dest) << error;
  const h::DiffResult r = h::run_differential(*qemu, bytes, *dest);
  if (tap_unavailable(r)) GTEST_SKIP() << "no multiqueue tap here: " << r.adapter.reason;
  EXPECT_EQ(r.classification, h::Classification::Agree) << r.detail << "\n" << r.adapter.log;
  EXPECT_EQ(r.adapter.outcome, h::AdapterOutcome::Accepted) << r.adapter.reason;
  ASSERT_EQ(r.adapter.devices.size(), 1u);
  EXPECT_EQ(r.adapter.devices[0]["queues"].size(), 6u) << r.adapter.devices[0].dump();
}

// No QEMU needed: what the reference re-saves of the record above is, byte
// for byte, the virtio-net section QEMU 7.2.22 wrote when it re-saved the
// same device (section id 39 in a pc-i440fx-2.3 stream).
TEST(QemuDefects, ReferenceResavesTheMultiqueueRelayoutAsQemuDid) {
  const auto bytes = mt::read_bytes(kRelayout);
  const auto qemu_resave = mt::read_bytes(regression_dir() + "/net_mq_relayout_resave.mig");
  std::string error;
  auto dest = migcheck::make_destination("pc-i440fx-2.3", kRelayoutDevices, migcheck::profile_7_2(), &error);
  ASSERT_TRUE(dest) << error;
  const migcheck::LoadResult r = migcheck::load_section_record(bytes, *dest);
  ASSERT_EQ(r.verdict, migcheck::Verdict::Accepted);
  ASSERT_EQ(r.devices.size(), 1u);
  const migcheck::LoadedDevice& d = r.devices[0];
  EXPECT_EQ(d.state.vq.count_leading(d.state.queue_max), 6u);
  const auto ours = migcheck::save_section(d.state, {.section_id = 39, .idstr = d.idstr, .instance_id = 0,
                                                     .footer = false});
  ASSERT_GT(ours.size(), 300u);
  EXPECT_NE(std::search(qemu_resave.begin(), qemu_resave.end(), ours.begin(), ours.end()), qemu_resave.end())
      << "the reference's re-save is not in QEMU's";
  // And that re-save is what QEMU's next load dies on; the reference refuses it by name.
  const migcheck::LoadResult again = migcheck::load_stream(qemu_resave, *dest);
  ASSERT_TRUE(again.diag.reject.rule);
  EXPECT_EQ(again.diag.reject.rule->id, std::string_view("virtio-net.pre_load_queues"));
  EXPECT_TRUE(again.diag.qemu_defect());
}
