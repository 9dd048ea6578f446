// The reference adapter, and the conversion every in-process adapter built
// on the reference uses.
#pragma once

#include <memory>

#include "migcheck/harness/adapters.h"
#include "migcheck/stream/loader.h"

namespace migcheck::harness {

std::unique_ptr<Adapter> make_reference_adapter();
AdapterResult from_load_result(const LoadResult& result);

}  // namespace migcheck::harness
