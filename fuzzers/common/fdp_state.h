// Property scenarios from fuzz bytes: the byte-driven counterpart of the
// RapidCheck generators (harness/generators/states.cpp). A destination from
// a fixed list, then each device's reset state with every schema field
// drawn from the bytes by a visitor, then the generators' named constraints
// (constraints.h), so a state is one a QEMU of the writer's release could
// have saved.
#pragma once

#include <cstdint>
#include <optional>

#include <fuzzer/FuzzedDataProvider.h>

#include "migcheck/harness/properties.h"

namespace migcheck::fuzz {

// A scenario written by `writer` (a destination both it and `reader`, if
// given, can build), or nullopt when the bytes pick a destination the
// writer cannot write for.
std::optional<harness::Scenario> scenario_from_bytes(FuzzedDataProvider& fdp, const Profile& writer,
                                                     const Profile* reader = nullptr);

}  // namespace migcheck::fuzz
