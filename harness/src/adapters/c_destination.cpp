#include "c_destination.h"

#include <algorithm>

#include "migcheck/harness/adapters.h"

namespace migcheck::harness {

std::string_view transport_name(const VirtioDeviceSpec& spec) {
  switch (spec.reset.transport) {
    case TransportKind::Pci: return "pci";
    case TransportKind::Mmio: return "mmio";
    case TransportKind::Ccw: return "ccw";
  }
  return "?";
}

const char* CDestination::keep(std::string s) { return strings_.emplace_back(std::move(s)).c_str(); }

CDestination::CDestination(const Destination& d) {
  for (const std::string& a : d.args) args_.push_back(keep(a));
  for (const VirtioDeviceSpec& s : d.devices)
    devices_.push_back({.driver = keep(s.driver),
                        .properties = keep(s.properties),
                        .name = keep(s.reset.name),
                        .transport = keep(std::string(transport_name(s))),
                        .idstr = keep(s.idstr),
                        .instance_id = s.instance_id});
  dest_.abi_version = MIGCHECK_ADAPTER_ABI_VERSION;
  dest_.profile = keep(d.profile ? std::string(d.profile->name) : "qemu-7.2");
  dest_.machine = keep(d.machine.name);
  dest_.command_line = keep(d.command_line());
  dest_.num_args = args_.size();
  dest_.args = args_.data();
  dest_.num_devices = devices_.size();
  dest_.devices = devices_.data();
}

std::string capability_gap(const AdapterInfo& info, const Destination& dest) {
  auto listed = [](const std::vector<std::string>& list, std::string_view a, std::string_view b = {}) {
    return list.empty() || std::find(list.begin(), list.end(), a) != list.end() ||
           (!b.empty() && std::find(list.begin(), list.end(), b) != list.end());
  };
  const std::string_view profile = dest.profile ? dest.profile->name : "qemu-7.2";
  if (info.profiles.empty() ? profile != "qemu-7.2" : !listed(info.profiles, profile))
    return "profile " + std::string(profile) + " is not among its profiles";
  for (const VirtioDeviceSpec& s : dest.devices) {
    if (!listed(info.devices, s.reset.name, s.driver))
      return "device " + s.driver + " (" + s.reset.name + ") is not among its devices";
    if (!listed(info.transports, transport_name(s)))
      return "transport " + std::string(transport_name(s)) + " of " + s.driver + " is not among its transports";
  }
  return {};
}

}  // namespace migcheck::harness
