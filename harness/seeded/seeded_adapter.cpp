// A seeded-bug adapter: the reference loader (migcheck::reference_defects)
// with one real bug class switched on, behind the C ABI of
// <migcheck/adapter.h>. Compiled once; each library links it with the
// kSeededBug that names its bug (seeded_bug.h).
// Where the real bug writes out of bounds, the library crashes (SIGSEGV)
// as the buggy QEMU would: run it with ",fork" (seeded:NAME does).
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "migcheck/adapter.h"
#include "migcheck/defects/defects.h"
#include "migcheck/profile/destination.h"
#include "migcheck/report/status.h"
#include "migcheck/stream/loader.h"
#include "seeded_bug.h"

namespace {

using migcheck::seeded::kSeededBug;

struct Context {
  std::string state, rule, reason;  // what the last result points into
};

void* open_context() {
  if (auto d = migcheck::defects::parse(kSeededBug.defect)) migcheck::defects::set(*d);
  return new Context;
}
void close_context(void* ctx) { delete static_cast<Context*>(ctx); }

int load(void* ctx, const std::uint8_t* bytes, std::size_t len, const migcheck_destination* d, migcheck_result* out) {
  Context& c = *static_cast<Context*>(ctx);
  const std::vector<std::string> args(d->args, d->args + d->num_args);
  const migcheck::Profile* profile = migcheck::find_profile(d->profile ? d->profile : "qemu-7.2");
  std::string error = "unknown profile";
  auto dest = profile ? migcheck::make_destination(d->machine, args, *profile, &error) : std::nullopt;
  if (!dest) {
    c.reason = error;
    *out = {MIGCHECK_UNSUPPORTED, nullptr, c.reason.c_str(), nullptr};
    return 0;
  }
  migcheck::defects::take_overflow();
  const migcheck::LoadResult r = migcheck::load_any({bytes, len}, *dest);
  if (const std::string overflow = migcheck::defects::take_overflow(); !overflow.empty()) {
    std::fprintf(stderr, "seeded bug %s: out-of-bounds write: %s\n", kSeededBug.name, overflow.c_str());
    std::fflush(stderr);
    std::raise(SIGSEGV);
  }
  c.rule = r.diag.reject.rule ? std::string(r.diag.reject.rule->id) : "";
  c.reason = r.verdict == migcheck::Verdict::Unsupported ? r.diag.unsupported
             : r.diag.messages.empty()                   ? std::string()
                                                         : r.diag.messages.front();
  nlohmann::json devices = nlohmann::json::array();
  for (const migcheck::LoadedDevice& dev : r.devices) {
    nlohmann::json s = migcheck::qmp_status(dev.state);
    s["idstr"] = dev.idstr;
    s["instance-id"] = dev.instance_id;
    devices.push_back(std::move(s));
  }
  c.state = nlohmann::json{{"devices", devices}}.dump();
  out->outcome = r.verdict == migcheck::Verdict::Accepted   ? MIGCHECK_ACCEPTED
                 : r.verdict == migcheck::Verdict::Rejected ? MIGCHECK_REJECTED
                                                            : MIGCHECK_UNSUPPORTED;
  out->rule = c.rule.c_str();
  out->reason = c.reason.c_str();
  out->state_json = c.state.c_str();
  return 0;
}

}  // namespace

// Built on the first call, not at namespace scope: kSeededBug is another
// object's, and the two files' statics have no order.
extern "C" MIGCHECK_ADAPTER_EXPORT const migcheck_adapter* migcheck_adapter_v1(void) {
  static const migcheck_adapter descriptor = {
      .abi_version = MIGCHECK_ADAPTER_ABI_VERSION,
      .struct_size = sizeof(migcheck_adapter),
      .name = kSeededBug.adapter,
      .version = kSeededBug.defect,
      .devices = nullptr,
      .transports = nullptr,
      .profiles = nullptr,
      .flags = MIGCHECK_CAP_SECTION_RECORDS,
      .open = open_context,
      .close = close_context,
      .load = load,
      .release = nullptr,
      .save = nullptr,
      .free_buffer = nullptr,
  };
  return &descriptor;
}
