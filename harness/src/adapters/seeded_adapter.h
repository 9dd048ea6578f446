// seeded:NAME (see migcheck/harness/seeded.h).
#pragma once

#include <memory>
#include <string>

#include "migcheck/harness/adapters.h"

namespace migcheck::harness {

// In-process when this harness is built over migcheck::reference_defects
// (the defect is switched on around each load only); otherwise the
// library from seeded_library(), always in a forked worker since the real
// bug crashes.
std::unique_ptr<Adapter> open_seeded_adapter(std::string_view name, bool fork, std::string* error);

// true when seeded adapters run in-process here.
bool seeded_in_process();

}  // namespace migcheck::harness
