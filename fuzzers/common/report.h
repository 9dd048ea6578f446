// How a fuzz target reports a property that does not hold: the finding's
// stable title on the first line (crash deduplication reads it), then what
// failed, the destination and the input's first bytes, then abort() so the
// engine keeps the input.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "migcheck/harness/properties.h"
#include "migcheck/profile/destination.h"

namespace migcheck::fuzz {

[[noreturn]] void report_failure(std::string_view target, harness::Property property, const harness::Verdict& verdict,
                                 std::span<const std::uint8_t> input, const Destination* dest);

// Aborts through report_failure when the verdict does not hold.
inline void require(std::string_view target, harness::Property property, const harness::Verdict& verdict,
                    std::span<const std::uint8_t> input, const Destination* dest) {
  if (!verdict.holds) report_failure(target, property, verdict, input, dest);
}

// fuzz_load's check, shared with fuzz_destination: `bytes` (all or the end of
// `input`) loaded into `dest` through harness::load_properties with `checks`,
// roundtrip-bytes only under qemu-7.2 (the writer side: what 7.2 saves), and
// old-reader only given an older `reader`; a verdict that does not hold
// aborts through report_failure with `input`.
void require_load(std::string_view target, std::span<const std::uint8_t> input, std::span<const std::uint8_t> bytes,
                  const Destination& dest, harness::LoadChecks checks, const Profile* reader = nullptr);

// The checks MIGCHECK_FUZZ_PROPERTIES asks of fuzz_load and fuzz_destination:
// a comma-separated subset of sanitization, roundtrip-bytes and old-reader
// besides totality, which always runs ("totality" alone: a crash and
// unnamed-rejection hunt at a multiple of the exec/s). Unset: all. An unknown
// name ends the process with exit code 2.
harness::LoadChecks load_checks();

// Inputs above this are ignored: no target allocates from an unbounded size.
inline constexpr std::size_t kMaxInput = std::size_t{1} << 20;

}  // namespace migcheck::fuzz
