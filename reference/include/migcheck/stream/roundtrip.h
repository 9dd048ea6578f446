// Re-encoding what was loaded and comparing it with the input bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "migcheck/stream/loader.h"

namespace migcheck {

struct RoundTrip {
  bool identical = false;
  std::uint64_t first_difference = 0;  // absolute offset in the input
  std::uint64_t original_size = 0, reencoded_size = 0;
  std::string detail;
};

// Re-encodes device `dev` of a load made with keep_parsed and compares the
// section record [header, footer] with the input.
RoundTrip roundtrip_section(std::span<const std::uint8_t> input, const LoadedDevice& dev);

}  // namespace migcheck
