// A complete migcheck adapter: the reference loader from the installed SDK
// behind the C ABI. Replace the body of load() with your own loader.
#include <migcheck/adapter.h>
#include <migcheck/report/status.h>
#include <migcheck/stream/loader.h>

static std::string g_state, g_reason;  // valid until the next call, as the ABI allows

static int load(void*, const uint8_t* bytes, size_t len, const migcheck_destination* d, migcheck_result* out) {
  const std::vector<std::string> args(d->args, d->args + d->num_args);
  auto dest = migcheck::make_destination(d->machine, args, migcheck::profile_7_2(), &g_reason);
  if (!dest) {
    *out = {MIGCHECK_UNSUPPORTED, nullptr, g_reason.c_str(), nullptr};
    return 0;
  }
  const migcheck::LoadResult r = migcheck::load_any({bytes, len}, *dest);
  nlohmann::json devices = nlohmann::json::array();
  for (const migcheck::LoadedDevice& dev : r.devices) {
    nlohmann::json s = migcheck::qmp_status(dev.state);
    s["idstr"] = dev.idstr;
    devices.push_back(std::move(s));
  }
  g_state = nlohmann::json{{"devices", devices}}.dump();
  g_reason = r.diag.messages.empty() ? r.diag.unsupported : r.diag.messages.front();
  out->outcome = r.verdict == migcheck::Verdict::Accepted   ? MIGCHECK_ACCEPTED
                 : r.verdict == migcheck::Verdict::Rejected ? MIGCHECK_REJECTED
                                                            : MIGCHECK_UNSUPPORTED;
  out->reason = g_reason.c_str();
  out->state_json = g_state.c_str();
  return 0;
}

static const char* const kDevices[] = {"virtio-net", "virtio-blk", "virtio-rng", nullptr};  // the rest: unsupported
static const migcheck_adapter kAdapter = {MIGCHECK_ADAPTER_ABI_VERSION, sizeof(migcheck_adapter), "minimal", "1.0",
                                          kDevices, nullptr, nullptr, MIGCHECK_CAP_SECTION_RECORDS, nullptr, nullptr,
                                          load, nullptr, nullptr, nullptr};

extern "C" MIGCHECK_ADAPTER_EXPORT const migcheck_adapter* migcheck_adapter_v1(void) { return &kAdapter; }
