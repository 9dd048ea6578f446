#include "common/structured_mutator.h"

#include <cstring>
#include <span>
#include <vector>

#include "common/destination_cache.h"
#include "common/report.h"
#include "migcheck/harness/oracle.h"
#include "migcheck/profile/profile.h"

namespace migcheck::fuzz {

std::size_t structured_mutate(std::uint8_t* data, std::size_t size, std::size_t max_size, std::uint64_t seed) {
  static DestinationCache cache;
  if (size == 0 || size > kMaxInput) return 0;
  const std::span<const std::uint8_t> input(data, size);
  const Destination* fixed = fixed_destination();
  const Destination* dest = fixed ? fixed : cache.infer(input, profile_7_2());
  if (!dest) return 0;
  const std::vector<harness::FieldSpan> fields = harness::field_spans(input, *dest);
  if (fields.empty()) return 0;
  const std::vector<std::uint8_t> out = harness::mutate(input, fields, seed);
  if (out.empty() || out.size() > max_size) return 0;
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

}  // namespace migcheck::fuzz
