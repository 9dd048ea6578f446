// P5, P4 and P2 over one load: what fuzz_load checks on every input, at the
// cost of one load instead of three (each property re-saves on its own).
#include <chrono>

#include "detail.h"
#include "layout.h"

namespace migcheck::harness {

LoadVerdicts load_properties(std::span<const std::uint8_t> bytes, const Destination& dest, bool with_roundtrip_bytes) {
  detail::Layout layout;
  const auto start = std::chrono::steady_clock::now();
  const LoadResult r = load_any(bytes, dest, detail::shared_load_options(with_roundtrip_bytes ? &layout : nullptr));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  LoadVerdicts v;
  v.totality = detail::totality_of(bytes, r, seconds);
  v.sanitization = detail::sanitization_of(bytes, dest, r);
  if (with_roundtrip_bytes) v.roundtrip_bytes = detail::roundtrip_bytes_of(bytes, dest, r, layout);
  return v;
}

}  // namespace migcheck::harness
