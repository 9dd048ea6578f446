// The negative captures: hand-edited streams and mismatched destinations
// loaded by a real QEMU 7.2.22, whose exact stderr we must reproduce. Where
// QEMU hung or crashed, the reference must reject cleanly, flag the QEMU
// defect, and do so in well under a second.
#include <gtest/gtest.h>

#include <chrono>

#include "../support/captures.h"
#include "../support/qmp_names.h"
#include "migcheck/stream/loader.h"

namespace mt = migcheck::test;

namespace {

nlohmann::json results() { return mt::read_json(mt::corpus_dir() + "/negative/results.json"); }

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  const nlohmann::json all = results();
  for (const auto& [k, v] : all.items()) names.push_back(k);
  return names;
}

class Negative : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(Negative, SameOutcomeAndFirstMessageAsQemu) {
  const nlohmann::json c = results().at(GetParam());
  const auto input = mt::read_bytes(mt::corpus_dir() + "/negative/" + c.at("file").get<std::string>());
  const mt::CommandLine cl = mt::destination_of(c.at("dest_cmdline"));
  std::string error;
  auto dest = migcheck::make_destination(cl.machine, cl.devices, migcheck::profile_7_2(), &error);
  ASSERT_TRUE(dest) << error;

  const auto start = std::chrono::steady_clock::now();
  const migcheck::LoadResult r = migcheck::load_stream(input, *dest);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 1.0);

  const int exit_code = c.at("exit_code").get<int>();
  const std::vector<std::string> qemu = mt::error_lines(c.value("stderr", ""));
  if (exit_code == 0) {
    // Loaded: same verdict, and the device as QEMU reported it.
    ASSERT_EQ(r.verdict, migcheck::Verdict::Accepted) << (r.diag.messages.empty() ? "" : r.diag.messages[0]);
    EXPECT_EQ(r.diag.messages, qemu) << "QEMU printed these while completing the load";
    ASSERT_EQ(r.devices.size(), 1u);
    EXPECT_EQ(r.devices[0].state.broken, c.at("virtio_broken").get<bool>());
    std::uint8_t status = 0;
    for (const auto& s : c.at("virtio_status")) status |= mt::status_byte({{"statuses", {s}}});
    EXPECT_EQ(r.devices[0].state.status, status);
    EXPECT_EQ(r.devices[0].state.guest_features, mt::feature_word(c.at("guest_features_bits")));
    EXPECT_FALSE(r.diag.qemu_defect());
  } else if (exit_code == 1) {
    ASSERT_EQ(r.verdict, migcheck::Verdict::Rejected);
    ASSERT_FALSE(r.diag.messages.empty());
    EXPECT_EQ(r.diag.messages, qemu) << "every line, in QEMU's order";
    EXPECT_EQ(r.diag.messages.front(), qemu.front());
    EXPECT_FALSE(r.diag.qemu_defect());
  } else {
    // -9 (hung, killed) or -11 (SIGSEGV): a clean rejection marked as a QEMU defect.
    ASSERT_EQ(r.verdict, migcheck::Verdict::Rejected);
    EXPECT_TRUE(r.diag.qemu_defect()) << r.diag.reject.rule->id;
  }
}

INSTANTIATE_TEST_SUITE_P(Qemu72, Negative, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });
