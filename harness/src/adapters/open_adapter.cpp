// open_adapter: adapter specs to adapters (see adapters.h).
#include <string>

#include "command_adapter.h"
#include "forked_adapter.h"
#include "lib_adapter.h"
#include "migcheck/harness/adapters.h"
#include "migcheck/harness/seeded.h"
#include "reference_adapter.h"
#include "seeded_adapter.h"
#include "subprocess.h"
#include "../qemu/qemu_adapter.h"

namespace migcheck::harness {

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// "X,fork" -> X and true.
std::string_view strip_fork(std::string_view spec, bool* fork) {
  constexpr std::string_view kFork = ",fork";
  *fork = spec.size() > kFork.size() && spec.substr(spec.size() - kFork.size()) == kFork;
  return *fork ? spec.substr(0, spec.size() - kFork.size()) : spec;
}

}  // namespace

std::string_view to_string(AdapterOutcome o) {
  switch (o) {
    case AdapterOutcome::Accepted: return "accepted";
    case AdapterOutcome::Rejected: return "rejected";
    case AdapterOutcome::Unsupported: return "unsupported";
    case AdapterOutcome::Crash: return "crash";
    case AdapterOutcome::Timeout: return "timeout";
    case AdapterOutcome::Malformed: return "malformed";
  }
  return "?";
}

AdapterLimits& adapter_limits() {
  // A sanitizer runtime reserves terabytes of address space: an RLIMIT_AS
  // would make every sanitized child fail, so it is off in such builds.
  static AdapterLimits limits = [] {
    AdapterLimits l;
    l.memory_bytes = kSanitized ? 0 : std::uint64_t{4} << 30;
    return l;
  }();
  return limits;
}

std::unique_ptr<Adapter> open_adapter(std::string_view spec, std::string* error) {
  if (spec.rfind("cmd:", 0) == 0) return open_command_adapter(std::string(spec.substr(4)), error);
  bool fork = false;
  const std::string_view base = strip_fork(spec, &fork);
  if (base == "reference") {
    auto a = make_reference_adapter();
    return fork ? make_forked(std::move(a), current_limits()) : std::move(a);
  }
  if (base == "qemu" || base.rfind("qemu:", 0) == 0) {
    QemuOptions o;
    if (base.size() > 5) o.binary = std::string(base.substr(5));
    return open_qemu_adapter(o, error);
  }
  if (base.rfind("lib:", 0) == 0) return open_lib_adapter(std::string(base.substr(4)), fork, error);
  if (base.rfind("seeded:", 0) == 0) return open_seeded_adapter(base.substr(7), fork, error);
  *error = "unknown adapter '" + std::string(spec) +
           "' (reference, qemu, lib:PATH[,fork], cmd:COMMAND, seeded:NAME; see `migcheck adapters`)";
  return nullptr;
}

std::vector<std::string> builtin_adapter_specs() {
  std::vector<std::string> specs = {"reference", "qemu"};
  for (const SeededBug& b : seeded_bugs()) specs.push_back("seeded:" + std::string(b.name));
  return specs;
}

std::vector<BuiltinAdapter> builtin_adapters() {
  std::vector<BuiltinAdapter> out;
  out.push_back({"reference", "the reference: QEMU 7.2.22's virtio load, in-process", true, {}});
  BuiltinAdapter q{"qemu", "real qemu-system-x86_64 as the destination (-incoming defer, QMP)", true, {}};
  if (std::string why = qemu_unavailable(adapter_limits().qemu_binary); !why.empty()) {
    q.available = false;
    q.why_not = why;
  }
  out.push_back(q);
  for (const SeededBug& b : seeded_bugs()) {
    BuiltinAdapter s{"seeded:" + std::string(b.name),
                     std::string(b.cve.empty() ? "" : std::string(b.cve) + ": ") + std::string(b.summary), true, {}};
    if (!seeded_in_process()) {
      std::string why;
      if (seeded_library(b, &why).empty()) {
        s.available = false;
        s.why_not = why;
      }
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace migcheck::harness
