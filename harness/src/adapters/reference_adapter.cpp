// The reference as an adapter: what every other implementation is compared
// with, behind the same interface.
#include "reference_adapter.h"

#include <chrono>

#include "migcheck/report/status.h"
#include "migcheck/stream/loader.h"
#include "migcheck/stream/save.h"

namespace migcheck::harness {

namespace {

class ReferenceAdapter final : public Adapter {
 public:
  ReferenceAdapter() {
    info_.name = "reference";
    info_.version = "qemu-7.2.22 semantics";
    info_.can_save = true;
    info_.spec = "reference";
  }
  const AdapterInfo& info() const override { return info_; }
  AdapterResult load(std::span<const std::uint8_t> stream, const Destination& dest) override {
    const auto start = std::chrono::steady_clock::now();
    const LoadResult r = load_any(stream, dest);
    AdapterResult out = from_load_result(r);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
  }
  std::optional<std::vector<std::uint8_t>> save(std::span<const std::uint8_t> stream, const Destination& dest,
                                                std::string* error) override {
    return resave_stream(stream, load_any(stream, dest), error);
  }

 private:
  AdapterInfo info_;
};

}  // namespace

std::optional<std::vector<std::uint8_t>> resave_stream(std::span<const std::uint8_t> stream, const LoadResult& r,
                                                       std::string* error) {
  if (r.verdict != Verdict::Accepted) {
    *error = "the reference does not accept the input";
    return std::nullopt;
  }
  std::vector<std::uint8_t> out;
  std::uint64_t at = 0;
  for (const LoadedDevice& dev : r.devices) {
    const std::uint64_t end = dev.body_end + (dev.footer ? 5 : 0);
    if (dev.header_offset < at || end > stream.size()) {
      *error = "cannot locate the section of " + dev.idstr;
      return std::nullopt;
    }
    out.insert(out.end(), stream.begin() + static_cast<std::ptrdiff_t>(at),
               stream.begin() + static_cast<std::ptrdiff_t>(dev.header_offset));
    const auto section = save_section(dev.state, {.section_id = dev.section_id,
                                                     .idstr = dev.idstr,
                                                     .instance_id = dev.instance_id,
                                                     .version_id = dev.version_id,
                                                     .footer = dev.footer});
    out.insert(out.end(), section.begin(), section.end());
    at = end;
  }
  out.insert(out.end(), stream.begin() + static_cast<std::ptrdiff_t>(at), stream.end());
  return out;
}

AdapterResult from_load_result(const LoadResult& r) {
  AdapterResult out;
  switch (r.verdict) {
    case Verdict::Accepted: out.outcome = AdapterOutcome::Accepted; break;
    case Verdict::Rejected: out.outcome = AdapterOutcome::Rejected; break;
    case Verdict::Unsupported: out.outcome = AdapterOutcome::Unsupported; break;
  }
  if (r.diag.reject.rule) out.rule = std::string(r.diag.reject.rule->id);
  if (!r.diag.messages.empty()) out.reason = r.diag.messages.front();
  if (r.verdict == Verdict::Unsupported) out.reason = r.diag.unsupported;
  if (r.verdict == Verdict::Accepted)
    for (const LoadedDevice& dev : r.devices) {
      nlohmann::json s = qmp_status(dev.state);
      s["idstr"] = dev.idstr;
      s["instance-id"] = dev.instance_id;
      out.devices.push_back(std::move(s));
    }
  return out;
}

std::unique_ptr<Adapter> make_reference_adapter() { return std::make_unique<ReferenceAdapter>(); }

}  // namespace migcheck::harness
