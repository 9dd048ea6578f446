// The reference adapter, and the conversion every in-process adapter built
// on the reference uses.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "migcheck/harness/adapters.h"
#include "migcheck/stream/loader.h"

namespace migcheck::harness {

std::unique_ptr<Adapter> make_reference_adapter();
AdapterResult from_load_result(const LoadResult& result);
// What a source holding the state `r` loaded from `stream` sends: the input
// with each device's section replaced by save_section of its (sanitized)
// state. nullopt (with *error) when `r` did not accept.
std::optional<std::vector<std::uint8_t>> resave_stream(std::span<const std::uint8_t> stream, const LoadResult& r,
                                                       std::string* error);

}  // namespace migcheck::harness
