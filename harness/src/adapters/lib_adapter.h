// A shared library speaking the C ABI of <migcheck/adapter.h>.
#pragma once

#include <memory>
#include <string>

#include "migcheck/harness/adapters.h"

namespace migcheck::harness {

// dlopen(path) and take its descriptor; with `fork`, the library is first
// opened in a throw-away worker (a crashing constructor or entry point is
// an error, not the end of the run) and every load runs in a forked worker.
std::unique_ptr<Adapter> open_lib_adapter(const std::string& path, bool fork, std::string* error);

}  // namespace migcheck::harness
