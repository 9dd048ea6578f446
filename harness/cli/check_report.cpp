#include "check_report.h"

#include <fmt/format.h>

#include "migcheck/report/status.h"

namespace migcheck::cli {

namespace {

nlohmann::json destination_json(const Destination& d) {
  nlohmann::json devices = nlohmann::json::array();
  for (const VirtioDeviceSpec& s : d.devices) devices.push_back(s.driver + (s.properties.empty() ? "" : "," + s.properties));
  return {{"profile", d.profile ? d.profile->name : ""},
          {"machine", d.machine.name},
          {"devices", devices},
          {"inferred", d.inferred},
          {"command_line", d.command_line()}};
}

std::string rule_id(RuleRef r) { return r ? std::string(r->id) : std::string(); }

}  // namespace

nlohmann::json to_json(const CheckReport& r) {
  const LoadResult& res = *r.result;
  const vmstate::Diagnostics& d = res.diag;
  nlohmann::json j;
  j["file"] = r.file;
  j["input"] = r.full_stream ? "stream" : "section";
  j["outcome"] = std::string(to_string(res.verdict));
  j["rule"] = d.reject.rule ? nlohmann::json(rule_id(d.reject.rule)) : nlohmann::json(nullptr);
  j["messages"] = d.messages;
  j["offset"] = d.reject.rule ? nlohmann::json(d.reject.offset) : nlohmann::json(nullptr);
  j["detail"] = d.reject.rule ? nlohmann::json(d.reject.detail) : nlohmann::json(nullptr);
  j["qemu_defect"] = d.qemu_defect();
  if (d.reject.rule && d.reject.rule->qemu_defect()) j["qemu_fate"] = std::string(to_string(d.reject.rule->qemu));
  if (d.reject.rule && !d.reject.rule->cve.empty()) j["cve"] = std::string(d.reject.rule->cve);
  nlohmann::json sanitized = nlohmann::json::array();
  nlohmann::json applied = nlohmann::json::array();
  for (const vmstate::RuleHit& h : d.applied) {
    if (std::find(sanitized.begin(), sanitized.end(), rule_id(h.rule)) == sanitized.end())
      sanitized.push_back(rule_id(h.rule));
    applied.push_back({{"rule", rule_id(h.rule)},
                       {"outcome", std::string(to_string(h.rule->outcome))},
                       {"offset", h.offset},
                       {"detail", h.detail}});
  }
  j["sanitized"] = sanitized;
  j["applied"] = applied;
  if (!d.unsupported.empty()) j["unsupported"] = d.unsupported;
  if (r.destination) j["destination"] = destination_json(*r.destination);
  nlohmann::json devices = nlohmann::json::array();
  for (const LoadedDevice& dev : res.devices) {
    nlohmann::json s = qmp_status(dev.state);
    s["idstr"] = dev.idstr;
    s["instance-id"] = dev.instance_id;
    devices.push_back(std::move(s));
  }
  j["devices"] = devices;
  j["machine"] = res.machine;
  j["has_ram"] = res.has_ram;
  j["has_vmdesc"] = res.has_vmdesc;
  if (!r.roundtrips.empty()) {
    bool all = true;
    nlohmann::json per = nlohmann::json::array();
    for (std::size_t i = 0; i < r.roundtrips.size(); ++i) {
      const RoundTrip& rt = r.roundtrips[i];
      all &= rt.identical;
      nlohmann::json e = {{"idstr", res.devices[i].idstr}, {"identical", rt.identical},
                          {"original_size", rt.original_size}, {"reencoded_size", rt.reencoded_size}};
      if (!rt.identical) {
        e["first_difference"] = rt.first_difference;
        e["detail"] = rt.detail;
      }
      per.push_back(std::move(e));
    }
    j["roundtrip"] = all ? "identical" : "different";
    j["roundtrip_sections"] = per;
  }
  return j;
}

std::string to_text(const CheckReport& r) {
  const LoadResult& res = *r.result;
  const vmstate::Diagnostics& d = res.diag;
  std::string out = fmt::format("{}: {}", r.file, to_string(res.verdict));
  if (d.reject.rule) {
    out += fmt::format(" by {} at offset 0x{:x}", d.reject.rule->id, d.reject.offset);
    if (!d.reject.rule->cve.empty()) out += fmt::format(" ({})", d.reject.rule->cve);
    if (d.reject.rule->qemu_defect())
      out += fmt::format(" [QEMU defect: real QEMU would {}]", to_string(d.reject.rule->qemu));
  }
  out += "\n";
  if (r.destination)
    out += fmt::format("  destination ({}{}): {}\n", r.destination->profile->name,
                       r.destination->inferred ? ", inferred" : "", r.destination->command_line());
  if (!d.unsupported.empty()) out += "  unsupported: " + d.unsupported + "\n";
  if (d.reject.rule && !d.reject.detail.empty() && d.messages.empty()) out += "  " + d.reject.detail + "\n";
  for (const std::string& m : d.messages) out += "  qemu-system-x86_64: " + m + "\n";
  for (const LoadedDevice& dev : res.devices) {
    const virtio::VirtioDevice& s = dev.state;
    out += fmt::format("  {}: {} queues, status 0x{:x}, guest features 0x{:x}, endian {}, broken {}\n", dev.idstr,
                       num_vqs(s), s.status, s.guest_features, s.device_endian, s.broken);
  }
  if (!d.applied.empty()) {
    out += "  applied:";
    for (const vmstate::RuleHit& h : d.applied) out += " " + std::string(h.rule->id);
    out += "\n";
  }
  for (std::size_t i = 0; i < r.roundtrips.size(); ++i)
    out += fmt::format("  roundtrip {}: {}\n", res.devices[i].idstr,
                       r.roundtrips[i].identical ? "identical" : r.roundtrips[i].detail);
  return out;
}

}  // namespace migcheck::cli
