// Scoring one implementation's result against one vector (conformance/README.md, "Scoring").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "migcheck/harness/adapters.h"
#include "vectors.h"

namespace migcheck::conformance {

// What an implementation did with a vector's input.
struct Actual {
  harness::AdapterOutcome outcome = harness::AdapterOutcome::Malformed;
  std::string rule;    // its reason id, if it names one
  std::string reason;  // its message (first line) / why unsupported
  std::optional<std::vector<std::string>> messages;  // every line, when it reports them (the reference)
  std::optional<std::vector<std::string>> applied;   // sanitize/broken/warn rules, when it reports them
  nlohmann::json devices = nlohmann::json::array();
  double seconds = 0;
};

enum class CellStatus : std::uint8_t {
  Pass,         // did what QEMU does (the expectation)
  Alternative,  // acceptable vector: rejected by a rule instead; allowed by the flag policy
  Fail,
  Unsupported,  // the implementation declined (or its capabilities exclude the vector)
};
std::string_view to_string(CellStatus);

struct Cell {
  CellStatus status = CellStatus::Fail;
  std::vector<std::string> why;  // each difference, or why unsupported / alternative
  Actual actual;
};

// strict: the implementation claims to be QEMU 7.2.22's loader (the
// reference): acceptable vectors must match the expectation itself, and its
// rule, message and full message list are all compared.
Cell score(const Vector& v, const Actual& actual, bool strict);

}  // namespace migcheck::conformance
