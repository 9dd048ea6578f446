// fuzz_stream: whole migration streams (QEVM header, configuration record,
// RAM section, START/PART/END/FULL records, footers, COMMAND, vmdesc, EOF)
// into the destination inferred from them: totality (a verdict, a named
// rule, bounded) and roundtrip_bytes (an accepted stream's virtio sections
// re-encode to the same bytes). Lone section records are fuzz_load's.
#include <cstdint>
#include <span>

#include "common/destination_cache.h"
#include "common/report.h"
#include "migcheck/harness/properties.h"
#include "migcheck/profile/profile.h"
#include "migcheck/stream/loader.h"

namespace {
migcheck::fuzz::DestinationCache g_cache;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > migcheck::fuzz::kMaxInput) return 0;
  const std::span<const std::uint8_t> input(data, size);
  if (!migcheck::is_full_stream(input)) return 0;
  const migcheck::Destination* dest = g_cache.infer(input, migcheck::profile_7_2());
  if (!dest) return 0;
  using migcheck::harness::Property;
  migcheck::fuzz::require("fuzz_stream", Property::Totality, migcheck::harness::totality(input, *dest), input, dest);
  migcheck::fuzz::require("fuzz_stream", Property::RoundTripBytes, migcheck::harness::roundtrip_bytes(input, *dest),
                          input, dest);
  return 0;
}
