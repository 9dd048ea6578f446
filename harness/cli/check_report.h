// The result of `migcheck check` as JSON (the shape subprocess adapters
// print too) and as text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "migcheck/stream/loader.h"
#include "migcheck/stream/roundtrip.h"

namespace migcheck::cli {

struct CheckReport {
  std::string file;
  bool full_stream = false;
  const Destination* destination = nullptr;
  const LoadResult* result = nullptr;
  std::vector<RoundTrip> roundtrips;  // per device, when --roundtrip
};

nlohmann::json to_json(const CheckReport& r);
std::string to_text(const CheckReport& r);

}  // namespace migcheck::cli
