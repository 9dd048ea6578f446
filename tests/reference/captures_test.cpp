// Every real QEMU 7.2 capture: accepted, every virtio section re-encoded
// byte for byte, and the loaded device equal to what the real destination
// QEMU reported over QMP after loading the same stream.
#include <gtest/gtest.h>

#include "../support/captures.h"
#include "../support/qmp_names.h"
#include "migcheck/report/status.h"
#include "migcheck/stream/infer.h"
#include "migcheck/stream/loader.h"
#include "migcheck/stream/roundtrip.h"

namespace mt = migcheck::test;
using migcheck::LoadResult;

namespace {

class Capture : public ::testing::TestWithParam<std::string> {
 protected:
  std::string name() const { return GetParam(); }
  std::vector<std::uint8_t> bytes() const { return mt::read_bytes(mt::corpus_dir() + "/streams/" + name() + ".mig"); }
  nlohmann::json meta() const { return mt::read_json(mt::corpus_dir() + "/streams/" + name() + ".json"); }
};

// The fields the issue names, compared with the destination's QMP replies.
void expect_matches_qmp(const migcheck::LoadedDevice& dev, const nlohmann::json& meta) {
  const nlohmann::json ours = migcheck::qmp_status(dev.state);
  const nlohmann::json& qmp = meta.at("dest_virtio_status");
  EXPECT_EQ(ours["num-vqs"], qmp["num-vqs"]);
  EXPECT_EQ(ours["device-endian"], qmp["device-endian"]);
  EXPECT_EQ(ours["broken"], qmp["broken"]);
  EXPECT_EQ(ours["started"], qmp["started"]);
  EXPECT_EQ(ours["disabled"], qmp["disabled"]);
  EXPECT_EQ(ours["isr"], qmp["isr"]);
  EXPECT_EQ(ours["queue-sel"], qmp["queue-sel"]);
  EXPECT_EQ(ours["name"], qmp["name"]);
  EXPECT_EQ(ours["guest-features"].get<std::uint64_t>(), mt::feature_word(qmp["guest-features"]));
  EXPECT_EQ(ours["host-features"].get<std::uint64_t>(), mt::feature_word(qmp["host-features"]));
  EXPECT_EQ(ours["status"].get<unsigned>(), mt::status_byte(qmp["status"]));
  for (const nlohmann::json& q : meta.at("dest_queue_status")) {
    if (q.contains("error")) continue;  // QMP refuses queue numbers past the last one
    const std::size_t i = q["queue-index"].get<std::size_t>();
    ASSERT_LT(i, ours["queues"].size());
    const nlohmann::json& o = ours["queues"][i];
    for (const char* k : {"queue-index", "vring-num", "vring-num-default", "vring-align", "vring-desc", "vring-avail",
                          "vring-used", "last-avail-idx", "shadow-avail-idx", "used-idx", "inuse",
                          "signalled-used-valid"})
      EXPECT_EQ(o[k], q[k]) << "queue " << i << " " << k;
  }
}

void expect_accepted_and_identical(const std::vector<std::uint8_t>& input, const LoadResult& r) {
  ASSERT_EQ(r.verdict, migcheck::Verdict::Accepted)
      << (r.diag.messages.empty() ? r.diag.unsupported : r.diag.messages.front());
  ASSERT_EQ(r.devices.size(), 1u);
  EXPECT_TRUE(r.has_ram);
  const migcheck::RoundTrip rt = migcheck::roundtrip_section(input, r.devices[0]);
  EXPECT_TRUE(rt.identical) << rt.detail;
  EXPECT_EQ(r.consumed, input.size()) << "the vmdesc trailer is read to the end";
}

}  // namespace

TEST_P(Capture, InferredDestinationAcceptsAndReencodesByteForByte) {
  const auto input = bytes();
  std::string error;
  auto dest = migcheck::infer_destination(input, migcheck::profile_7_2(), &error);
  ASSERT_TRUE(dest) << error;
  const LoadResult r = migcheck::load_stream(input, *dest, {.keep_parsed = true});
  expect_accepted_and_identical(input, r);
  if (!HasFailure()) expect_matches_qmp(r.devices[0], meta());
}

TEST_P(Capture, CapturedDestinationCommandLineGivesTheSameResult) {
  const auto input = bytes();
  const mt::CommandLine cl = mt::destination_of(meta().at("dest_cmdline"));
  std::string error;
  auto dest = migcheck::make_destination(cl.machine, cl.devices, migcheck::profile_7_2(), &error);
  ASSERT_TRUE(dest) << error;
  const LoadResult r = migcheck::load_stream(input, *dest, {.keep_parsed = true});
  expect_accepted_and_identical(input, r);
  if (!HasFailure()) expect_matches_qmp(r.devices[0], meta());
}

TEST_P(Capture, SectionRecordAloneLoadsTheSameDevice) {
  // The section cut out of the stream: same decode, but no RAM to read ring
  // indices from, so only the wire fields are compared.
  const auto input = bytes();
  std::string error;
  auto dest = migcheck::infer_destination(input, migcheck::profile_7_2(), &error);
  ASSERT_TRUE(dest) << error;
  const LoadResult full = migcheck::load_stream(input, *dest, {.keep_parsed = true});
  ASSERT_EQ(full.devices.size(), 1u);
  const auto& d = full.devices[0];
  const std::vector<std::uint8_t> record(input.begin() + static_cast<std::ptrdiff_t>(d.header_offset),
                                         input.begin() + static_cast<std::ptrdiff_t>(d.body_end + (d.footer ? 5 : 0)));
  auto section_dest = migcheck::infer_destination(record, migcheck::profile_7_2(), &error, dest->machine.name);
  ASSERT_TRUE(section_dest) << error;
  const LoadResult alone = migcheck::load_section_record(record, *section_dest, {.keep_parsed = true});
  ASSERT_EQ(alone.verdict, migcheck::Verdict::Accepted) << (alone.diag.messages.empty() ? "" : alone.diag.messages[0]);
  ASSERT_EQ(alone.devices.size(), 1u);
  EXPECT_TRUE(*alone.devices[0].parsed == *d.parsed);
  EXPECT_EQ(alone.consumed, record.size());
}

INSTANTIATE_TEST_SUITE_P(Qemu72, Capture, ::testing::ValuesIn(mt::stream_names()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// The loader steps over platform sections by the sizes the stream's own
// vmdesc gives, and a parsed vmdesc is reused only for the same text: a
// timer field's size changed in place (8 -> 9) misaligns the load, and the
// unchanged stream loads as before, in either order.
TEST(Vmdesc, SizesComeFromEachStreamsOwnText) {
  const auto input = mt::read_bytes(mt::corpus_dir() + "/streams/net-legacy-msix-driven.mig");
  std::string error;
  auto dest = migcheck::infer_destination(input, migcheck::profile_7_2(), &error);
  ASSERT_TRUE(dest) << error;
  const std::string text(input.begin(), input.end());
  const std::size_t json = text.rfind("{\"page_size\"");
  ASSERT_NE(json, std::string::npos);
  const std::size_t timer = text.find("{\"name\": \"timer\"", json);
  const std::size_t size = text.find("\"size\": 8}", timer);
  ASSERT_NE(size, std::string::npos);
  std::vector<std::uint8_t> changed = input;
  changed[size + 8] = '9';

  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(migcheck::load_stream(input, *dest).verdict, migcheck::Verdict::Accepted) << "round " << round;
    const LoadResult r = migcheck::load_stream(changed, *dest);
    EXPECT_NE(r.verdict, migcheck::Verdict::Accepted) << "round " << round;
  }
}
