// The schema-driven mutation of harness/oracle.h (field_spans + mutate) as
// an engine mutator: decode the input through the reference, change one to
// three fields (interesting values, subsection names, truncation at a field
// boundary), re-encode. Used by LLVMFuzzerCustomMutator and the AFL++
// custom mutator library; returns 0 when the input does not decode, and the
// caller falls back to byte mutation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace migcheck::fuzz {

std::size_t structured_mutate(std::uint8_t* data, std::size_t size, std::size_t max_size, std::uint64_t seed);

}  // namespace migcheck::fuzz
