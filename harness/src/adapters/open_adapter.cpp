// open_adapter: adapter specs to adapters (see adapters.h).
#include <string>

#include "migcheck/harness/adapters.h"
#include "reference_adapter.h"

namespace migcheck::harness {

std::string_view to_string(AdapterOutcome o) {
  switch (o) {
    case AdapterOutcome::Accepted: return "accepted";
    case AdapterOutcome::Rejected: return "rejected";
    case AdapterOutcome::Unsupported: return "unsupported";
    case AdapterOutcome::Crash: return "crash";
    case AdapterOutcome::Timeout: return "timeout";
    case AdapterOutcome::Malformed: return "malformed";
  }
  return "?";
}

std::unique_ptr<Adapter> open_adapter(std::string_view spec, std::string* error) {
  if (spec == "reference") return make_reference_adapter();
  *error = "unknown adapter '" + std::string(spec) + "'";
  return nullptr;
}

std::vector<std::string> builtin_adapter_specs() { return {"reference"}; }

}  // namespace migcheck::harness
