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
};

struct AdapterInfo {
  std::string name;
  std::string version;
  std::vector<std::string> devices;     // e.g. "virtio-net-pci"; empty = all
  std::vector<std::string> transports;  // "pci", "mmio", "ccw"; empty = all
  std::vector<std::string> profiles;    // reader profiles it emulates; empty = "qemu-7.2"
  bool can_save = false;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual const AdapterInfo& info() const = 0;
  // Load a full stream (or section record) into the given destination.
  virtual AdapterResult load(std::span<const std::uint8_t> stream, const Destination& dest) = 0;
};

// Opens an adapter from a spec:
//   reference                the reference (in-process)
//   qemu                     real qemu-system-x86_64 as the destination
//   lib:PATH[,fork]          a shared library exporting the C ABI (optionally in a forked worker)
//   cmd:COMMAND              a subprocess; "{}" in COMMAND is replaced by the stream file
//   seeded:NAME              a seeded-bug adapter (see `migcheck adapters`)
// nullptr with *error on failure.
std::unique_ptr<Adapter> open_adapter(std::string_view spec, std::string* error);

// The spec strings open_adapter understands for built-in adapters.
std::vector<std::string> builtin_adapter_specs();

}  // namespace migcheck::harness
