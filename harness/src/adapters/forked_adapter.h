// Isolation for in-process adapters: each load runs in a forked worker with
// a timeout and an address-space limit; a crash, hang or garbage answer is
// classified instead of taking the run down, and a leak dies with the worker.
#pragma once

#include <memory>

#include "migcheck/harness/adapters.h"
#include "subprocess.h"

namespace migcheck::harness {

std::unique_ptr<Adapter> make_forked(std::unique_ptr<Adapter> inner, const proc::Limits& limits);

// The limits open_adapter applies, from adapter_limits().
proc::Limits current_limits();

// A finished worker's answer (or its absence) as an adapter result.
AdapterResult classify_worker(const proc::Outcome& o, double timeout_seconds);

}  // namespace migcheck::harness
