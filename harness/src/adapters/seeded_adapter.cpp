#include "seeded_adapter.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>

#include "forked_adapter.h"
#include "lib_adapter.h"
#include "migcheck/defects/defects.h"
#include "migcheck/harness/seeded.h"
#include "reference_adapter.h"

namespace migcheck::harness {

namespace {

constexpr std::array<SeededBug, 10> kBugs = {{
    {"mac-in-use-signed", "signed-mac-in-use", "CVE-2013-4148",
     "virtio-net mac_table.in_use compared as a signed int: a huge count passes the MAC_TABLE_ENTRIES check and "
     "in_use * 6 bytes are copied into the 384-byte table",
     "adapter crash (heap overflow)"},
    {"curr-queues-unchecked", "curr-queue-pairs-unchecked", "CVE-2013-4150",
     "virtio-net curr_queue_pairs > max_queue_pairs not refused: tx_waiting is written past n->vqs[]",
     "adapter crash (heap overflow)"},
    {"num-queues-unchecked", "num-queues-unchecked", "CVE-2013-4151",
     "virtqueue count > VIRTIO_QUEUE_MAX not refused: queue entries are written past vdev->vq[]",
     "adapter crash (heap overflow)"},
    {"queue-sel-unchecked", "queue-sel-unchecked", "CVE-2013-6399",
     "queue_sel >= VIRTIO_QUEUE_MAX accepted (later guest accesses index vdev->vq[] with it)", "accept/reject"},
    {"config-len-overflow", "config-len-overflow", "CVE-2014-0182",
     "config_len from the stream copied into the device config without MIN(config_len, local)",
     "adapter crash (heap overflow)"},
    {"features-unchecked", "drop-features-check", "",
     "guest features not checked against the destination's host features (L14)", "accept/reject"},
    {"endian-not-defaulted", "endian-not-defaulted", "",
     "device_endian poisoned before the subsections but never defaulted when none set it (L13)",
     "state mismatch (device-endian)"},
    {"unknown-subsection-ignored", "unknown-subsection-skipped", "",
     "a subsection with the parent's prefix but an unknown name ends the loop instead of failing with -ENOENT",
     "accept/reject"},
    {"index-delta-no-wrap", "index-delta-no-wrap", "",
     "avail_idx - last_avail_idx computed without the 16-bit wrap: a far-ahead last_avail_idx is not "
     "caught (L16b)",
     "state mismatch (broken)"},
    {"queue-sel-off-by-one", "queue-max-off-by-one", "CVE-2013-6399",
     "queue_sel checked with '>' instead of '>=' VIRTIO_QUEUE_MAX: exactly 1024 passes", "accept/reject"},
}};

#ifdef MIGCHECK_DEFECTS
// The defect is on only while the seeded adapter loads, so a reference
// (or another seeded adapter) in the same process is unaffected.
class SeededAdapter final : public Adapter {
 public:
  SeededAdapter(const SeededBug& bug, defects::Defect defect) : defect_(defect) {
    info_.name = "seeded-" + std::string(bug.name);
    info_.version = std::string(bug.cve.empty() ? bug.defect : bug.cve);
    info_.spec = "seeded:" + std::string(bug.name);
  }
  const AdapterInfo& info() const override { return info_; }
  AdapterResult load(std::span<const std::uint8_t> stream, const Destination& dest) override {
    const auto start = std::chrono::steady_clock::now();
    defects::take_overflow();
    defects::set(defect_);
    const LoadResult r = load_any(stream, dest);
    defects::set(defects::Defect::None);
    AdapterResult out;
    if (std::string overflow = defects::take_overflow(); !overflow.empty()) {
      // Where the real bug corrupts memory, report what ASan would.
      out.outcome = AdapterOutcome::Crash;
      out.reason = "out-of-bounds write: " + overflow;
    } else {
      out = from_load_result(r);
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
  }

 private:
  defects::Defect defect_;
  AdapterInfo info_;
};
#endif

std::string self_dir() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<std::size_t>(n));
  return p.substr(0, p.rfind('/'));
}

}  // namespace

std::span<const SeededBug> seeded_bugs() { return kBugs; }

const SeededBug* find_seeded_bug(std::string_view name) {
  for (const SeededBug& b : kBugs)
    if (b.name == name) return &b;
  return nullptr;
}

std::string seeded_library_name(std::string_view bug) { return "libmigcheck-seeded-" + std::string(bug) + ".so"; }

std::string seeded_library(const SeededBug& bug, std::string* error) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("MIGCHECK_SEEDED_DIR"); env && *env) dirs.emplace_back(env);
  const std::string here = self_dir();
  dirs.push_back(here + "/seeded");                 // build tree: harness/migcheck
  dirs.push_back(here + "/../harness/seeded");      // build tree: tests/, fuzzers/
  dirs.push_back(here + "/../../harness/seeded");   // build tree: tests/adapters/
  dirs.push_back(here + "/../lib/migcheck/seeded");  // installed: bin/migcheck
  for (const std::string& d : dirs) {
    const std::string path = d + "/" + seeded_library_name(bug.name);
    if (access(path.c_str(), R_OK) == 0) return path;
  }
  *error = "no " + seeded_library_name(bug.name) + " (set MIGCHECK_SEEDED_DIR to the directory of the seeded "
           "adapters, e.g. build/<preset>/harness/seeded)";
  return {};
}

bool seeded_in_process() {
#ifdef MIGCHECK_DEFECTS
  return true;
#else
  return false;
#endif
}

std::unique_ptr<Adapter> open_seeded_adapter(std::string_view name, bool fork, std::string* error) {
  const SeededBug* bug = find_seeded_bug(name);
  if (!bug) {
    *error = "unknown seeded adapter '" + std::string(name) + "' (see `migcheck adapters`)";
    return nullptr;
  }
#ifdef MIGCHECK_DEFECTS
  auto defect = defects::parse(bug->defect);
  if (!defect) {
    *error = "defect '" + std::string(bug->defect) + "' unknown to this reference build";
    return nullptr;
  }
  std::unique_ptr<Adapter> a = std::make_unique<SeededAdapter>(*bug, *defect);
  return fork ? make_forked(std::move(a), current_limits()) : std::move(a);
#else
  (void)fork;
  const std::string path = seeded_library(*bug, error);
  if (path.empty()) return nullptr;
  return open_lib_adapter(path, /*fork=*/true, error);
#endif
}

}  // namespace migcheck::harness
