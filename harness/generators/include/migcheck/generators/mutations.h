// Structured corruptions of a valid stream, each named: what a near-valid
// input differs from a valid one by. They find their targets through a
// load of the stream (field offsets, subsection headers and bodies), so
// they work on generated streams and real captures alike.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "migcheck/profile/destination.h"

namespace migcheck::gen {

// flip-feature-bit, set-field, index-near-num, queue-count, rename-subsection,
// drop-subsection, duplicate-subsection, swap-subsections,
// add-unknown-subsection, config-len, truncate, section-header.
std::span<const std::string_view> mutation_names();

// Applies one mutation chosen by RapidCheck (call inside rc::gen::exec) to
// `bytes` loaded into `dest`; returns "<name>[:<detail>]", or "" when the
// stream offers no target for the chosen kind (bytes unchanged).
std::string mutate(std::vector<std::uint8_t>& bytes, const Destination& dest);

}  // namespace migcheck::gen
