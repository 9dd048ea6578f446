// A subprocess adapter: any command that reads a stream file and prints the
// result JSON of `migcheck check --json` (spec "cmd:COMMAND").
//
// Placeholders in COMMAND: {} the stream file (appended if absent), {dest}
// the destination as --machine M --device D... --profile P, {machine},
// {profile}. The destination is also in the environment:
// MIGCHECK_DEST_MACHINE, MIGCHECK_DEST_PROFILE, MIGCHECK_DEST_DEVICES (one
// -device argument per line). Runs with adapter_limits(): timeout, memory
// limit, bounded output; its own process group, killed whole on timeout.
#pragma once

#include <memory>
#include <string>

#include "migcheck/harness/adapters.h"

namespace migcheck::harness {

std::unique_ptr<Adapter> open_command_adapter(const std::string& command, std::string* error);

}  // namespace migcheck::harness
