// The oracle's side of every comparison: the reference loader with no
// deliberate defect on. The one harness file besides the seeded adapter
// that tests MIGCHECK_DEFECTS, so it is compiled once per reference build.
#include "migcheck/defects/defects.h"
#include "migcheck/harness/oracle.h"

namespace migcheck::harness {

LoadResult reference_load(std::span<const std::uint8_t> bytes, const Destination& dest, const LoadOptions& options) {
#ifdef MIGCHECK_DEFECTS
  // Seeded adapters switch a defect on around their own loads only; the
  // oracle's reference never runs with one.
  const defects::Defect was = defects::active();
  defects::set(defects::Defect::None);
  LoadResult r = load_any(bytes, dest, options);
  defects::set(was);
  defects::take_overflow();
  return r;
#else
  return load_any(bytes, dest, options);
#endif
}

}  // namespace migcheck::harness
