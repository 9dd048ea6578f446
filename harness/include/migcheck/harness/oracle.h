// The differential oracle: the same bytes into the same destination, once
// through the reference and once through an adapter, and one
// classification of the pair. Findings carry a stable title (deduplication,
// like Cryptofuzz's sorted crash titles) and are written as reproducers.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "migcheck/harness/adapters.h"
#include "migcheck/profile/destination.h"
#include "migcheck/stream/loader.h"

namespace migcheck::harness {

enum class Classification : std::uint8_t {
  Agree,                 // same verdict; when accepted, every field the adapter reports is equal
  AcceptRejectMismatch,  // one accepted, the other rejected
  StateMismatch,         // both accepted, a reported field differs (DiffResult::path)
  AdapterCrash,          // the adapter died (signal, sanitizer, or a seeded overflow)
  AdapterTimeout,        // the adapter did not answer in time and was killed
  AdapterMalformed,      // the adapter answered, not in the agreed shape
  Unsupported,           // the adapter (or the reference) declined: neither agreement nor disagreement
  KnownQemuDefect,       // the real QEMU hung or crashed where the reference flags that QEMU defect
  SaveMismatch,          // the adapter's saved stream does not load back to its own state
  RuleMismatch,          // both rejected, by different rules of migcheck's own vocabulary
};
std::string_view to_string(Classification);  // "agree", "accept/reject mismatch", "state mismatch", ...
bool is_finding(Classification);             // mismatches, crash, timeout, malformed

struct StateDiff {
  std::string path;  // JSON path of the first differing field: "devices[0].queues[1].last-avail-idx"
  nlohmann::json reference;
  nlohmann::json adapter;
};

// Rules are compared only for adapters that name their rejections with
// migcheck's rule ids (`migcheck rules`): wrappers of the reference, the
// seeded adapters, implementations that adopted the ids. A rule id the
// reference does not know is the adapter's own and never compared.

// Compares an adapter's "devices" with the reference's over the fields the
// adapter reports (a field it leaves out is not compared; one only it has
// is ignored). Devices are matched by idstr when the adapter gives them,
// else by position; fields are visited in QMP order, so the first
// difference is the most basic one (num-vqs before the queues).
// `compared` counts the fields compared.
std::optional<StateDiff> compare_devices(const nlohmann::json& reference, const nlohmann::json& adapter,
                                         std::size_t* compared = nullptr);

struct DiffOptions {
  // A lone section record goes to both sides wrapped into a minimal stream
  // (wrap_section_record), so ring indices are read from (zero) guest RAM as
  // a real destination would. Off: the record is given as is to adapters
  // that take records (MIGCHECK_CAP_SECTION_RECORDS).
  bool wrap_records = true;
  // For adapters that can save: their saved stream must load back, in the
  // reference, to the state they loaded.
  bool check_save = true;
};

struct DiffResult {
  Classification classification = Classification::Agree;
  AdapterResult reference;
  AdapterResult adapter;
  std::string adapter_name;
  std::string adapter_spec;  // what open_adapter was given
  std::string device;  // QMP name of the device concerned ("virtio-net"), or "stream"
  std::string detail;  // one line: what differs and how
  std::string path;    // StateMismatch: the first differing field
  nlohmann::json reference_value, adapter_value;
  std::string reference_rule;  // the reference's deciding rule, if any
  std::string qemu_fate;       // the reference says real QEMU would: "hang", "crash", "abort", "exit"
  std::size_t fields_compared = 0;
  bool wrapped = false;  // the input was wrapped into a stream for both sides
  std::string title;     // "migcheck-diff: qemu-7.2-vs-reference: virtio-net: accept/reject"
};

// The reference side: load_any with no deliberate defect switched on (also
// in builds over migcheck::reference_defects).
LoadResult reference_load(std::span<const std::uint8_t> bytes, const Destination& dest,
                          const LoadOptions& options = {});

DiffResult run_differential(Adapter& adapter, std::span<const std::uint8_t> input, const Destination& dest,
                            const DiffOptions& options = {});

nlohmann::json to_json(const DiffResult& r);

// A lone section record (0x04 ... footer) in the smallest stream a QEMU
// destination of `dest`'s machine accepts: QEVM header, the configuration
// record (machines that send one), a RAM section listing only "pc.ram" of
// kWrapRamBytes (no pages: guest RAM reads as zeros, as with -m 2), the
// record, EOF. Full streams are returned unchanged.
inline constexpr std::uint64_t kWrapRamBytes = std::uint64_t{2} << 20;
std::vector<std::uint8_t> wrap_section_record(std::span<const std::uint8_t> record, const Destination& dest);

// Writes `input` and a JSON account of the finding into `dir` (created if
// needed) as <slug>.mig and <slug>.json, each atomically; returns the .mig
// path, or "" with *error. The same finding on the same bytes overwrites.
std::string write_reproducer(const std::string& dir, std::span<const std::uint8_t> input, const Destination& dest,
                             const DiffResult& result, std::string* error);

// Writes `bytes` to `path` atomically (a temporary file in the same
// directory, fsync, rename): readers see the old file or the whole new one.
bool write_atomic(const std::string& path, std::string_view bytes, std::string* error);
bool write_atomic(const std::string& path, std::span<const std::uint8_t> bytes, std::string* error);

// ---- near-valid inputs: structure-aware mutation of real captures ----------

// Every field the reference decodes from `input` (offsets into `input`),
// including the name bytes of each subsection header.
struct FieldSpan {
  std::uint64_t begin = 0, end = 0;
  std::string name;
};
std::vector<FieldSpan> field_spans(std::span<const std::uint8_t> input, const Destination& dest);

// One to three mutations chosen deterministically by `seed`: a field set to
// an interesting value (0, 1, all-ones, sign bit, VIRTIO_QUEUE_MAX +/- 1,
// off by one, a flipped bit), a byte of a subsection name changed, or the
// input truncated at a field boundary. `what` says what was done.
std::vector<std::uint8_t> mutate(std::span<const std::uint8_t> input, const std::vector<FieldSpan>& fields,
                                 std::uint64_t seed, std::string* what = nullptr);

}  // namespace migcheck::harness
