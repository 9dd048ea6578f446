#include "migcheck/defects/defects.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <utility>

namespace migcheck::defects {

namespace {
constexpr std::array<std::string_view, 13> kNames = {
    "none",
    "drop-features-check",
    "signed-mac-in-use",
    "queue-max-off-by-one",
    "endian-not-defaulted",
    "unknown-subsection-skipped",
    "index-delta-no-wrap",
    "subsection-order-reversed",
    "needed-always-true",
    "curr-queue-pairs-unchecked",
    "num-queues-unchecked",
    "queue-sel-unchecked",
    "config-len-overflow"};
}  // namespace

std::span<const std::string_view> names() { return kNames; }

std::optional<Defect> parse(std::string_view n) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == n) return static_cast<Defect>(i);
  return std::nullopt;
}

std::string_view name(Defect d) { return kNames[static_cast<std::size_t>(d)]; }

#ifdef MIGCHECK_DEFECTS
namespace {
std::atomic<Defect>& current() {
  static std::atomic<Defect> d = [] {
    const char* env = std::getenv("MIGCHECK_DEFECT");
    auto parsed = env ? parse(env) : std::nullopt;
    return parsed.value_or(Defect::None);
  }();
  return d;
}
}  // namespace

Defect active() { return current().load(std::memory_order_relaxed); }
void set(Defect d) { current().store(d, std::memory_order_relaxed); }

namespace {
thread_local std::string overflowed;
}
int overflow(std::string_view what) {
  if (overflowed.empty()) overflowed = what;
  return -EFAULT;
}
std::string take_overflow() { return std::exchange(overflowed, {}); }
#endif

}  // namespace migcheck::defects
