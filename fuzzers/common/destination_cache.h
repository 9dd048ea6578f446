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

}  // namespace migcheck::fuzz
