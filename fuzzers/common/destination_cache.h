// Destinations inferred from fuzz inputs, built once per distinct
// (profile, machine, -device list, footer framing): infer_setup is cheap,
// make_destination (PCI config space, compat properties) is not.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>

#include "migcheck/profile/destination.h"

namespace migcheck::fuzz {

class DestinationCache {
 public:
  // The destination infer_destination(bytes, profile) would give, or
  // nullptr when the device model rejects the inferred arguments.
  const Destination* infer(std::span<const std::uint8_t> bytes, const Profile& profile);

 private:
  // Bounded: a long run meets only a few hundred distinct setups; past the
  // bound the cache starts again rather than grow.
  static constexpr std::size_t kMaxEntries = 4096;
  std::unordered_map<std::string, std::unique_ptr<const Destination>> entries_;
  std::string key_;  // reused: no allocation per call once warm
};

// The destination MIGCHECK_FUZZ_DESTINATION="MACHINE DEVICE..." fixes
// (e.g. "pc-i440fx-7.2 virtio-net-pci,disable-modern=on"), under qemu-7.2,
// or nullptr when it is unset. Read once; a destination the device model
// rejects ends the process with exit code 2. Long runs on one device and
// benchmarks use it: no inference per run, in the target or the mutator.
const Destination* fixed_destination();

}  // namespace migcheck::fuzz
