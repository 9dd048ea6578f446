// P5, P4, P2 (and P3 from an accepted load) over one load: what fuzz_load checks on every input, at the
// cost of one load instead of three (each property re-saves on its own).
#include <algorithm>
#include <chrono>

#include "detail.h"
#include "layout.h"

namespace migcheck::harness {

LoadVerdicts load_properties(std::span<const std::uint8_t> bytes, const Destination& dest, LoadChecks checks,
                             const Profile* reader) {
  // Subsection headers only: roundtrip-bytes loads again for the fields
  // when it has differing bytes to explain. Recording every field cost
  // each run a few thousand items on a modern device (its 1024-slot queue
  // arrays), and that vector's growth was most of ASan's time on streams.
  detail::Layout layout(false);
  const auto start = std::chrono::steady_clock::now();
  LoadOptions options = detail::shared_load_options(checks.roundtrip_bytes ? &layout : nullptr);
  options.keep_parsed = checks.roundtrip_bytes;  // the others read the sanitized state only
  const LoadResult r = load_any(bytes, dest, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  LoadVerdicts v;
  v.sanitization.vacuous = v.roundtrip_bytes.vacuous = v.old_reader.vacuous = true;
  v.totality = detail::totality_of(bytes, r, seconds);
  if (checks.sanitization) v.sanitization = detail::sanitization_of(bytes, dest, r);
  if (checks.roundtrip_bytes) v.roundtrip_bytes = detail::roundtrip_bytes_of(bytes, dest, r, layout);
  if (checks.old_reader && reader) v.old_reader = detail::old_reader_of(dest, r, *reader);
  return v;
}

}  // namespace migcheck::harness
