// The differential oracle: field-by-field comparison with JSON paths, every
// classification, stable titles, reproducers, wrapping and mutation.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "../support/captures.h"
#include "migcheck/harness/oracle.h"
#include "migcheck/report/status.h"
#include "test_util.h"

namespace mt = migcheck::test;
namespace h = migcheck::harness;
using nlohmann::json;

namespace {

json two_queue_device() {
  return json::array({{{"idstr", "0000:00:02.0/virtio-net"},
                       {"name", "virtio-net"},
                       {"num-vqs", 2},
                       {"status", 7},
                       {"broken", false},
                       {"queues", json::array({{{"queue-index", 0}, {"vring-num", 256}, {"last-avail-idx", 0}},
                                               {{"queue-index", 1}, {"vring-num", 256}, {"last-avail-idx", 5}}})}}});
}

// An adapter whose answer the test writes.
class Scripted final : public h::Adapter {
 public:
  explicit Scripted(h::AdapterResult r, std::string name = "scripted") : result_(std::move(r)) {
    info_.name = std::move(name);
    info_.spec = "scripted";
  }
  const h::AdapterInfo& info() const override { return info_; }
  h::AdapterResult load(std::span<const std::uint8_t>, const migcheck::Destination&) override { return result_; }
  h::AdapterInfo info_;

 private:
  h::AdapterResult result_;
};

struct Capture {
  std::vector<std::uint8_t> bytes;
  migcheck::Destination dest;
  h::AdapterResult reference;
};
Capture nosub() {
  Capture c;
  c.bytes = mt::read_bytes(mt::corpus_dir() + "/streams/net-legacy-nosub.mig");
  c.dest = mt::inferred(c.bytes);
  std::string error;
  auto ref = h::open_adapter("reference", &error);
  c.reference = ref->load(c.bytes, c.dest);
  return c;
}

}  // namespace

TEST(CompareDevices, EqualDevicesAgreeAndCountTheFields) {
  std::size_t n = 0;
  EXPECT_FALSE(h::compare_devices(two_queue_device(), two_queue_device(), &n));
  EXPECT_EQ(n, 12u);  // the device list, 4 scalars, the queue list, 3 + 3 queue fields
}

TEST(CompareDevices, FirstDifferenceIsReportedWithItsJsonPath) {
  json ad = two_queue_device();
  ad[0]["queues"][1]["last-avail-idx"] = 6;
  auto d = h::compare_devices(two_queue_device(), ad);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "devices[0].queues[1].last-avail-idx");
  EXPECT_EQ(d->reference, 5);
  EXPECT_EQ(d->adapter, 6);
}

TEST(CompareDevices, CountsComeBeforeWhatFollowsFromThem) {
  json ad = two_queue_device();
  ad[0]["num-vqs"] = 1;
  ad[0]["queues"].erase(1);
  auto d = h::compare_devices(two_queue_device(), ad);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "devices[0].num-vqs");
  ad[0]["num-vqs"] = 2;
  d = h::compare_devices(two_queue_device(), ad);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "devices[0].queues");
  EXPECT_EQ(d->reference, 2u);
  EXPECT_EQ(d->adapter, 1u);
}

TEST(CompareDevices, FieldsTheAdapterLeavesOutAreNotCompared) {
  json ad = json::array({{{"idstr", "0000:00:02.0/virtio-net"}, {"status", 7}, {"x-own-field", "whatever"}}});
  std::size_t n = 0;
  EXPECT_FALSE(h::compare_devices(two_queue_device(), ad, &n));
  EXPECT_EQ(n, 2u);
}

TEST(CompareDevices, DevicesAreMatchedByIdstrThenCounted) {
  json ad = two_queue_device();
  ad[0]["idstr"] = "0000:00:03.0/virtio-net";
  auto d = h::compare_devices(two_queue_device(), ad);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "devices[0].idstr");
  d = h::compare_devices(two_queue_device(), json::array());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "devices");
}

TEST(Differential, ReferenceAgreesWithItselfOnEveryCaptureAndSection) {
  std::string error;
  auto ref = h::open_adapter("reference", &error);
  std::vector<std::string> inputs = mt::stream_paths();
  for (const std::string& s : mt::section_paths()) inputs.push_back(s);
  for (const std::string& path : inputs) {
    const auto bytes = mt::read_bytes(path);
    const h::DiffResult r = h::run_differential(*ref, bytes, mt::inferred(bytes));
    EXPECT_EQ(r.classification, h::Classification::Agree) << path << ": " << r.detail;
    if (r.reference.outcome == h::AdapterOutcome::Accepted) EXPECT_GT(r.fields_compared, 20u) << path;
  }
}

TEST(Differential, EveryClassificationWithAStableSortedTitle) {
  const Capture c = nosub();
  ASSERT_EQ(c.reference.outcome, h::AdapterOutcome::Accepted);
  struct Case {
    h::AdapterResult answer;
    h::Classification expected;
    std::string title_end;
  };
  h::AdapterResult rejected{.outcome = h::AdapterOutcome::Rejected, .reason = "no"};
  h::AdapterResult state = c.reference;
  state.devices[0]["device-endian"] = "big";
  h::AdapterResult crash{.outcome = h::AdapterOutcome::Crash, .reason = "signal 11"};
  h::AdapterResult timeout{.outcome = h::AdapterOutcome::Timeout, .reason = "killed"};
  h::AdapterResult malformed{.outcome = h::AdapterOutcome::Malformed, .reason = "not JSON"};
  h::AdapterResult unsupported{.outcome = h::AdapterOutcome::Unsupported, .reason = "no virtio-net"};
  const std::vector<Case> cases = {
      {c.reference, h::Classification::Agree, "agree"},
      {rejected, h::Classification::AcceptRejectMismatch, "accept/reject"},
      {state, h::Classification::StateMismatch, "state device-endian"},
      {crash, h::Classification::AdapterCrash, "crash"},
      {timeout, h::Classification::AdapterTimeout, "timeout"},
      {malformed, h::Classification::AdapterMalformed, "malformed"},
      {unsupported, h::Classification::Unsupported, "unsupported"},
  };
  for (const Case& k : cases) {
    Scripted a(k.answer, "zz-impl");
    const h::DiffResult r = h::run_differential(a, c.bytes, c.dest);
    EXPECT_EQ(r.classification, k.expected) << r.detail;
    EXPECT_EQ(r.title, "migcheck-diff: reference-vs-zz-impl: virtio-net: " + k.title_end);
    EXPECT_EQ(h::is_finding(r.classification),
              k.expected != h::Classification::Agree && k.expected != h::Classification::Unsupported);
  }
  Scripted before(state, "a-impl");
  EXPECT_EQ(h::run_differential(before, c.bytes, c.dest).title,
            "migcheck-diff: a-impl-vs-reference: virtio-net: state device-endian");
}

TEST(Differential, StateMismatchNamesTheQueueFieldWithoutIndicesInTheTitle) {
  const Capture c = nosub();
  h::AdapterResult state = c.reference;
  state.devices[0]["queues"][2]["inuse"] = 3;
  Scripted a(state, "x");
  const h::DiffResult r = h::run_differential(a, c.bytes, c.dest);
  EXPECT_EQ(r.path, "devices[0].queues[2].inuse");
  EXPECT_EQ(r.title, "migcheck-diff: reference-vs-x: virtio-net: state queues[].inuse");
}

TEST(Differential, AdapterOutsideItsCapabilitiesIsNotCalled) {
  const Capture c = nosub();
  Scripted a(h::AdapterResult{.outcome = h::AdapterOutcome::Crash});
  a.info_.devices = {"virtio-blk"};
  const h::DiffResult r = h::run_differential(a, c.bytes, c.dest);
  EXPECT_EQ(r.classification, h::Classification::Unsupported);
  EXPECT_NE(r.adapter.reason.find("virtio-net"), std::string::npos);
}

TEST(Differential, RealQemuHangWhereTheReferenceFlagsTheDefectIsExpected) {
  const auto bytes = mt::read_bytes(mt::corpus_dir() + "/negative/e4_config_len_huge.mig");
  const auto dest = mt::inferred(bytes);
  Scripted hung(h::AdapterResult{.outcome = h::AdapterOutcome::Timeout, .reason = "killed"}, "qemu-7.2");
  hung.info_.real_qemu = true;
  const h::DiffResult r = h::run_differential(hung, bytes, dest);
  EXPECT_EQ(r.classification, h::Classification::KnownQemuDefect) << r.detail;
  EXPECT_EQ(r.qemu_fate, "hang");
  EXPECT_FALSE(h::is_finding(r.classification));
  hung.info_.real_qemu = false;  // any other implementation hanging there is a finding
  EXPECT_EQ(h::run_differential(hung, bytes, dest).classification, h::Classification::AdapterTimeout);
}

TEST(Reproducer, InputAndAccountAreWrittenWhole) {
  const Capture c = nosub();
  h::AdapterResult rejected{.outcome = h::AdapterOutcome::Rejected, .reason = "no \xff utf-8"};
  Scripted a(rejected, "x");
  const h::DiffResult r = h::run_differential(a, c.bytes, c.dest);
  const std::string dir = mt::temp_dir("repro");
  std::string error;
  const std::string path = h::write_reproducer(dir, c.bytes, c.dest, r, &error);
  ASSERT_FALSE(path.empty()) << error;
  EXPECT_EQ(mt::read_bytes(path), c.bytes);
  const json j = mt::read_json(path.substr(0, path.size() - 4) + ".json");
  EXPECT_EQ(j["title"], r.title);
  EXPECT_EQ(j["classification"], "accept/reject mismatch");
  EXPECT_NE(j["reproduce"].get<std::string>().find("migcheck diff --adapter"), std::string::npos);
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << "no temporary left behind";
  }
  EXPECT_EQ(files, 2u);
  std::filesystem::remove_all(dir);
}

// Every file the tool keeps goes through write_atomic: a rewrite replaces
// the whole file, and a write that cannot finish leaves nothing behind.
TEST(WriteAtomic, ReplacesTheWholeFileAndLeavesNoTemporaryOnFailure) {
  const std::string dir = mt::temp_dir("atomic");
  const std::string path = dir + "/report.json";
  std::string error;
  ASSERT_TRUE(h::write_atomic(path, std::string_view("a longer first version\n"), &error)) << error;
  const std::vector<std::uint8_t> second = {0x51, 0x45, 0x56, 0x4d, 0x00, 0xff};
  ASSERT_TRUE(h::write_atomic(path, second, &error)) << error;
  EXPECT_EQ(mt::read_bytes(path), second);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::others_read);

  EXPECT_FALSE(h::write_atomic(dir + "/missing/report.json", std::string_view("x"), &error));
  EXPECT_NE(error.find(dir + "/missing/report.json.tmp."), std::string::npos) << error;
  std::filesystem::create_directory(dir + "/report.d");
  EXPECT_FALSE(h::write_atomic(dir + "/report.d", std::string_view("x"), &error));  // rename onto a directory
  EXPECT_NE(error.find("cannot write '" + dir + "/report.d'"), std::string::npos) << error;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"report.d", "report.json"}));
  std::filesystem::remove_all(dir);
}

TEST(Wrap, SectionInAMinimalStreamLoadsLikeTheCaptureWithZeroRam) {
  for (const std::string& path : mt::section_paths()) {
    const auto record = mt::read_bytes(path);
    const auto dest = mt::inferred(record);
    const auto stream = h::wrap_section_record(record, dest);
    ASSERT_TRUE(migcheck::is_full_stream(stream));
    const migcheck::LoadResult r = h::reference_load(stream, dest);
    ASSERT_EQ(r.verdict, migcheck::Verdict::Accepted) << path << (r.diag.messages.empty() ? "" : r.diag.messages[0]);
    ASSERT_EQ(r.devices.size(), 1u);
    EXPECT_TRUE(r.has_ram) << "the block list maps guest RAM";
    const migcheck::LoadResult alone = h::reference_load(record, dest);
    EXPECT_EQ(migcheck::qmp_status(r.devices[0].state)["guest-features"],
              migcheck::qmp_status(alone.devices[0].state)["guest-features"]);
  }
}

TEST(Mutate, SameSeedSameMutantAndFieldsAreWhereTheDecodeSaysTheyAre) {
  const Capture c = nosub();
  const auto fields = h::field_spans(c.bytes, c.dest);
  ASSERT_GT(fields.size(), 30u);  // header, pci config, core, 3 queues x 4, net fields
  const mt::Field qs = mt::find_field(c.bytes, c.dest, "queue_sel");
  ASSERT_GE(qs.offset, 0);
  EXPECT_EQ(qs.width, 2u);
  std::string what1, what2;
  const auto a = h::mutate(c.bytes, fields, 42, &what1);
  const auto b = h::mutate(c.bytes, fields, 42, &what2);
  EXPECT_EQ(a, b);
  EXPECT_EQ(what1, what2);
  int differ = 0;
  for (std::uint64_t s = 0; s < 50; ++s) differ += h::mutate(c.bytes, fields, s) != c.bytes;
  EXPECT_GT(differ, 45);
}

// A modern device sends 1024 queue slots and uses three: mutations of its
// per-queue fields must mostly land in the slots a load check reads.
TEST(Mutate, PerQueueFieldsOfAModernDeviceAreMutatedMostlyInTheLiveSlots) {
  const auto bytes = mt::read_bytes(mt::corpus_dir() + "/streams/net-modern-driven.mig");
  const auto dest = mt::inferred(bytes);
  const auto fields = h::field_spans(bytes, dest);
  // Per-queue spans (a name with 1024 instances, in queue order): offset -> slot.
  std::map<std::string, std::vector<const h::FieldSpan*>> by_name;
  for (const h::FieldSpan& f : fields) by_name[f.name].push_back(&f);
  std::map<std::uint64_t, std::size_t> slot_at;
  for (const auto& [name, spans] : by_name)
    if (spans.size() == 1024)
      for (std::size_t i = 0; i < spans.size(); ++i)
        for (std::uint64_t at = spans[i]->begin; at < spans[i]->end; ++at) slot_at[at] = i;
  ASSERT_GT(slot_at.size(), 1024u * 4);
  int live = 0, idle = 0;
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    const auto m = h::mutate(bytes, fields, seed);
    for (std::size_t at = 0; at < std::min(m.size(), bytes.size()); ++at) {
      if (m[at] == bytes[at]) continue;
      auto it = slot_at.find(at);
      if (it != slot_at.end()) ++(it->second < 3 ? live : idle);
    }
  }
  EXPECT_GT(live, 100) << live;
  EXPECT_GT(live, 2 * idle) << live << " bytes changed in queues 0-2, " << idle << " in queues 3-1023";
}

// `migcheck corpus wrap`: a lone record skips the ring checks (no RAM); its
// wrapped stream has zeroed RAM, so they run (avail index 0 against the
// record's last_avail_idx 3: QEMU marks the device broken and loads on).
TEST(CorpusWrap, TheWrappedRecordReachesTheRingChecksThatTheLoneRecordSkips) {
  const std::string record = mt::corpus_dir() + "/sections/net-legacy-msix-driven.0000_00_02.0_virtio-net.section.bin";
  const std::string dir = mt::temp_dir("wrap");
  const mt::Cli r = mt::run_cli({"corpus", "wrap", record, "-o", dir});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string out = dir + "/wrapped-net-legacy-msix-driven.0000_00_02.0_virtio-net.mig";
  EXPECT_EQ(r.out, out + "\n");
  const auto lone = mt::read_bytes(record);
  const auto wrapped = mt::read_bytes(out);
  const auto dest = mt::inferred(lone);
  EXPECT_EQ(wrapped, h::wrap_section_record(lone, dest));
  const auto rules_of = [&](const std::vector<std::uint8_t>& bytes) {
    const migcheck::LoadResult res = h::reference_load(bytes, dest);
    EXPECT_EQ(res.verdict, migcheck::Verdict::Accepted);
    std::vector<std::string> ids;
    for (const auto& hit : res.diag.applied) ids.emplace_back(hit.rule->id);
    return ids;
  };
  const auto lone_rules = rules_of(lone), wrapped_rules = rules_of(wrapped);
  EXPECT_NE(std::find(lone_rules.begin(), lone_rules.end(), "virtio.vq.no_guest_memory"), lone_rules.end());
  EXPECT_EQ(std::find(lone_rules.begin(), lone_rules.end(), "virtio.vq.index_delta"), lone_rules.end());
  EXPECT_NE(std::find(wrapped_rules.begin(), wrapped_rules.end(), "virtio.vq.index_delta"), wrapped_rules.end());
  // A stream is left alone; nothing written is exit 1.
  const mt::Cli again = mt::run_cli({"corpus", "wrap", out, "-o", dir});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already a stream"), std::string::npos) << again.err;
  std::filesystem::remove_all(dir);
}

// Found by the differential batch: a modern queue with a desc address and
// vring.num 0 makes QEMU 7.2 abort (address_space_cache_init's
// assert(len > 0), reached from virtio_init_region_cache whatever RAM
// holds). The reference rejects it and names QEMU's fate.
TEST(RingSizeZero, AModernQueueWithADescAndSizeZeroIsRejectedAsQemusAbort) {
  const auto bytes = mt::read_bytes(mt::corpus_dir() + "/streams/scsi-modern.mig");
  const auto dest = mt::inferred(bytes);
  const auto fields = h::field_spans(bytes, dest);
  std::vector<const h::FieldSpan*> nums;
  for (const h::FieldSpan& f : fields)
    if (f.name == "vring.num") nums.push_back(&f);
  ASSERT_GE(nums.size(), 2u);
  auto mutant = bytes;
  for (std::uint64_t at = nums[1]->begin; at < nums[1]->end; ++at) mutant[at] = 0;
  EXPECT_EQ(h::reference_load(bytes, dest).verdict, migcheck::Verdict::Accepted);
  const migcheck::LoadResult r = h::reference_load(mutant, dest);
  EXPECT_EQ(r.verdict, migcheck::Verdict::Rejected);
  ASSERT_TRUE(r.diag.rejected());
  EXPECT_EQ(r.diag.reject.rule->id, "virtio.vq.ring_size_zero");
  EXPECT_EQ(r.diag.reject.rule->qemu, migcheck::QemuFate::Abort);
}
