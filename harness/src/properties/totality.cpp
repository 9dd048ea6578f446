// P5, totality: every input ends in accept, a named rejection or a
// declared "unsupported", reading no further than the input, in bounded time.
#include <chrono>
#include <unordered_set>

#include "detail.h"
#include "migcheck/stream/rules.h"
#include "migcheck/vmstate/vmsd.h"

namespace migcheck::harness {

namespace {
// Generous: a 1 MiB stream loads in milliseconds; a budget of seconds only
// trips on runaway work (QEMU's hangs are modelled as bounded rejections).
constexpr double kSecondsBase = 10.0;
constexpr double kSecondsPerMiB = 5.0;

// all_rules() lists it (by address: fuzz_load asks on every rejection, and a
// scan by id is a string comparison per rule).
bool listed(RuleRef rule) {
  static const std::unordered_set<RuleRef> rules(all_rules().begin(), all_rules().end());
  return rules.contains(rule);
}
}  // namespace

Verdict totality(std::span<const std::uint8_t> bytes, const Destination& dest) {
  const auto start = std::chrono::steady_clock::now();
  const LoadResult r = load_any(bytes, dest);
  return detail::totality_of(bytes, r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

Verdict detail::totality_of(std::span<const std::uint8_t> bytes, const LoadResult& r, double seconds) {
  const double bound = kSecondsBase + kSecondsPerMiB * static_cast<double>(bytes.size()) / (1 << 20);
  if (seconds > bound)
    return Verdict::fail("load took " + std::to_string(seconds) + " s (bound " + std::to_string(bound) + " s)");
  if (r.consumed > bytes.size())
    return Verdict::fail("read " + std::to_string(r.consumed) + " bytes of a " + std::to_string(bytes.size()) +
                         "-byte input");
  switch (r.verdict) {
    case migcheck::Verdict::Accepted:
      if (r.diag.rejected()) return Verdict::fail("accepted, but rule " + std::string(r.diag.reject.rule->id) + " rejected");
      return Verdict::ok();
    case migcheck::Verdict::Rejected: {
      const RuleRef rule = r.diag.reject.rule;
      if (!rule) return Verdict::fail("rejected without a rule: " + detail::describe_result(r));
      // QEMU's "Failed to load %s:%s" and "error while loading state for
      // instance ..." only wrap a cause; first in line, no rule named it
      // (a loader error nothing models, e.g. an overrun merely detected).
      if (rule == &vmstate::rules::kFieldFailed || rule == &stream::rules::kSectionLoadFailed)
        return Verdict::fail("rejected with only QEMU's wrapper message, no rule names the cause: " +
                             detail::describe_result(r));
      if (!listed(rule))
        return Verdict::fail("rejected by '" + std::string(rule->id) + "', which all_rules() does not list");
      if (r.diag.messages.empty() || !r.diag.messages.back().starts_with("load of migration failed: "))
        return Verdict::fail("rejected without QEMU's final message: " + detail::describe_result(r));
      return Verdict::ok();
    }
    case migcheck::Verdict::Unsupported:
      if (r.unsupported.empty() && r.diag.unsupported.empty()) return Verdict::fail("unsupported without a reason");
      return Verdict::skip("unsupported: " + (r.unsupported.empty() ? r.diag.unsupported : r.unsupported));
  }
  return Verdict::fail("no verdict");
}

}  // namespace migcheck::harness
