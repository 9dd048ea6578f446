// Implementations under test, behind one C++ interface: the reference
// itself, an in-process shared library speaking the C ABI of
// <migcheck/adapter.h>, a subprocess printing `migcheck check --json`'s
// shape, the real QEMU, and the seeded-bug adapters.
//
// Results are tri-state plus the ways an implementation can misbehave:
// "unsupported" (outside the adapter's declared capabilities) is never
// counted as agreement or disagreement.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "migcheck/profile/destination.h"

namespace migcheck::harness {

enum class AdapterOutcome : std::uint8_t {
  Accepted,
  Rejected,
  Unsupported,  // the adapter declined: outside its capabilities
  Crash,        // died on a signal
  Timeout,      // exceeded its time limit
  Malformed,    // answered, but not in the agreed shape
};
std::string_view to_string(AdapterOutcome);

struct AdapterResult {
  AdapterOutcome outcome = AdapterOutcome::Malformed;
  std::string rule;      // the implementation's reason id, if it has one
  std::string reason;    // message / why unsupported / what was malformed
  // The loaded devices in the shape of `migcheck check --json`'s "devices"
  // (idstr, num-vqs, device-endian, broken, guest-features, status, queues
  // with QMP names); empty unless Accepted.
  nlohmann::json devices = nlohmann::json::array();
  double seconds = 0;
  // What an isolated adapter printed on stderr (tail), how it ended
  // ("exit 1", "signal 11 (Segmentation fault)", "killed after 10 s").
  std::string log;
};

struct AdapterInfo {
  std::string name;
  std::string version;
  std::vector<std::string> devices;     // e.g. "virtio-net-pci"; empty = all
  std::vector<std::string> transports;  // "pci", "mmio", "ccw"; empty = all
  std::vector<std::string> profiles;    // reader profiles it emulates; empty = "qemu-7.2"
  bool can_save = false;
  // Takes a lone section record; otherwise the oracle wraps a record into a
  // minimal stream (migcheck/harness/oracle.h: wrap_section_record).
  bool section_records = true;
  // Runs out of process: crashes and hangs are caught and classified.
  bool isolated = false;
  // The real QEMU: where the reference flags a QEMU defect (the rule's
  // QemuFate is hang/crash/abort), that fate is the expected result.
  bool real_qemu = false;
  std::string spec;  // what open_adapter was given
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual const AdapterInfo& info() const = 0;
  // Load a full stream (or section record) into the given destination.
  virtual AdapterResult load(std::span<const std::uint8_t> stream, const Destination& dest) = 0;
  // Load, then write what this implementation would send as a migration
  // source for the loaded state (info().can_save); nullopt with *error if it
  // cannot.
  virtual std::optional<std::vector<std::uint8_t>> save(std::span<const std::uint8_t> stream,
                                                        const Destination& dest, std::string* error) {
    (void)stream, (void)dest;
    *error = "adapter '" + info().name + "' cannot save";
    return std::nullopt;
  }
};

// Limits for adapters run out of process (cmd:, ",fork", qemu). Read by
// open_adapter when an adapter is opened; change them first.
struct AdapterLimits {
  double timeout_seconds = 10;      // per load; the child is killed after it
  std::uint64_t memory_bytes = 0;   // RLIMIT_AS of the child; 0 = none
  std::size_t output_bytes = 16u << 20;  // stdout beyond this is "malformed"
  std::string qemu_binary = "qemu-system-x86_64";
};
AdapterLimits& adapter_limits();  // process-wide defaults (memory: 4 GiB, none under ASan)

// Why `dest` is outside `info`'s declared capabilities ("" if it is not):
// a device, transport or profile it does not list.
std::string capability_gap(const AdapterInfo& info, const Destination& dest);

// One line per built-in adapter spec with what it is, for `migcheck adapters`.
struct BuiltinAdapter {
  std::string spec;
  std::string description;
  bool available = true;  // e.g. qemu: is the binary installed
  std::string why_not;
};
std::vector<BuiltinAdapter> builtin_adapters();

// Opens an adapter from a spec:
//   reference                the reference (in-process)
//   qemu                     real qemu-system-x86_64 as the destination
//   lib:PATH[,fork]          a shared library exporting the C ABI (optionally in a forked worker)
//   cmd:COMMAND              a subprocess; "{}" in COMMAND is replaced by the stream file,
//                            "{dest}" by --machine/--device/--profile arguments
//   seeded:NAME              a seeded-bug adapter (see `migcheck adapters`)
// "reference", "seeded:NAME" and "lib:PATH" take ",fork" to run each load in
// a forked worker (timeout, memory limit, crash classification).
// nullptr with *error on failure.
std::unique_ptr<Adapter> open_adapter(std::string_view spec, std::string* error);

// The spec strings open_adapter understands for built-in adapters.
std::vector<std::string> builtin_adapter_specs();

}  // namespace migcheck::harness
