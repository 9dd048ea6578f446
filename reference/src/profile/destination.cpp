// Destinations: -machine + -device arguments -> the virtio devices QEMU 7.2
// builds, with their section idstrs (softmmu/qdev-monitor.c qdev_device_add,
// hw/pci/pci.c do_pci_register_device / pcibus_get_dev_path,
// hw/char/virtio-serial-bus.c port realize/plug).
//
// The machine is assumed started with -nodefaults (no VGA, no default NIC)
// and one vCPU: i440fx has 00:00.0 i440FX and 00:01.x PIIX3/IDE/PM, q35 has
// 00:00.0 mch and 00:1f.x LPC/AHCI/SMBus, so the first free slot is 2 on
// i440fx and 1 on q35.
#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>

#include "model.h"

namespace migcheck {

namespace profile {

namespace {

constexpr std::array<std::string_view, 3> kHelperDrivers = {"pcie-root-port", "virtconsole", "virtserialport"};

std::string devfn_text(int devfn) {
  char buf[8];
  std::snprintf(buf, sizeof buf, ":%02x.%x", devfn >> 3, devfn & 7);
  return buf;
}

// A PCI bus: the root bus or a root port's secondary bus.
struct Bus {
  std::string name;  // "pci.0", "pcie.0", or the root port's id
  std::string path;  // dev path prefix: "0000:00" or "0000:00:02.0"
  bool express = false;
  bool root = true;
  std::array<std::string, 256> occupant{};  // devfn -> "type,id=ID" ("" = free)
};

struct SerialBus {
  std::string name;        // "<proxy id>.0" or "virtio-serial-bus.N"
  std::size_t device = 0;  // index into Destination::devices
};

struct Setup {
  MachineType machine;
  const Profile* profile = nullptr;
  std::vector<Bus> buses;
  std::vector<SerialBus> serial_buses;
  std::vector<std::pair<unsigned, unsigned>> chassis_slots;
  std::array<std::uint8_t, 256> mac_used{};
  int balloons = 0;
  int unnamed_serial_buses = 0;
  Destination dest;
};

Bus root_bus(const MachineType& m) {
  Bus b;
  b.path = "0000:00";
  if (m.family == MachineFamily::Q35) {
    b.name = "pcie.0";
    b.express = true;
    b.occupant[0x00] = "mch,id=(null)";
    b.occupant[0xf8] = "ICH9-LPC,id=(null)";
    b.occupant[0xfa] = "ich9-ahci,id=(null)";
    b.occupant[0xfb] = "ICH9-SMB,id=(null)";
  } else {
    b.name = "pci.0";
    b.occupant[0x00] = "i440FX,id=(null)";
    b.occupant[0x08] = "PIIX3,id=(null)";
    b.occupant[0x09] = "piix3-ide,id=(null)";
    b.occupant[0x0b] = "PIIX4_PM,id=(null)";
  }
  return b;
}

// do_pci_register_device: the first slot whose function 0 is free.
int first_free_devfn(const Bus& bus) {
  for (int devfn = 0; devfn < 256; devfn += 8)
    if (bus.occupant[static_cast<std::size_t>(devfn)].empty()) return devfn;
  return -1;
}

Bus* find_bus(Setup& s, const DeviceArg& arg, std::string* error) {
  const std::string* name = arg.find("bus");
  if (!name) return &s.buses.front();
  for (Bus& b : s.buses)
    if (b.name == *name) return &b;
  for (const SerialBus& sb : s.serial_buses)
    if (sb.name == *name) {
      *error = "Device '" + arg.driver + "' can't go on virtio-serial-bus bus";
      return nullptr;
    }
  *error = "Bus '" + *name + "' not found";
  return nullptr;
}

// Claims a devfn on `bus` (addr= or the first free one).
bool claim_devfn(Bus& bus, const DeviceArg& arg, int requested, std::string* error, int* devfn) {
  int fn = requested >= 0 ? requested : first_free_devfn(bus);
  if (fn < 0) {
    *error = "PCI: no slot/function available for " + arg.driver + ", all in use or reserved";
    return false;
  }
  std::string& occ = bus.occupant[static_cast<std::size_t>(fn)];
  if (!occ.empty()) {
    *error = "PCI: slot " + std::to_string(fn >> 3) + " function " + std::to_string(fn & 7) +
             " not available for " + arg.driver + ", in use by " + occ;
    return false;
  }
  const std::string* id = arg.find("id");
  occ = arg.driver + ",id=" + (id ? *id : std::string("(null)"));
  *devfn = fn;
  return true;
}

// Properties, then the slot (do_pci_register_device, via `claim`), then
// realize: the order in which QEMU reports errors.
using Claim = std::function<bool(int requested, int* devfn, std::string* error)>;

std::optional<VirtioDeviceSpec> build_at(const DeviceArg& arg, const MachineType& machine, const Profile& profile,
                                         const Placement& place, const Claim& claim, std::string* error) {
  Build b;
  b.machine = &machine;
  b.profile = &profile;
  b.driver = arg.driver;
  b.model = find_driver(arg.driver, &b.variant);
  if (!b.model) {
    *error = "'" + arg.driver + "' is not a device migcheck models";
    return std::nullopt;
  }
  b.place = place;
  if (!configure(b, arg, error)) return std::nullopt;
  if (!claim(b.devfn, &b.devfn, error)) return std::nullopt;
  if (!realize_virtio_pci(b, error)) return std::nullopt;
  VirtioDeviceSpec spec;
  spec.driver = arg.driver;
  spec.properties = arg.props_text();
  spec.idstr = place.bus_path + devfn_text(b.devfn) + "/" + std::string(b.model->vmsd_name);
  spec.instance_id = 0;
  spec.reset = std::move(b.d);
  return spec;
}

// pcie-root-port: a slot on its bus and a PCIe secondary bus named by id.
bool add_root_port(Setup& s, const DeviceArg& arg, std::string* error) {
  // gen_pcie_root_port / pcie_root_port / pcie_port / PCIDevice properties
  // that do not change a virtio device behind the port.
  static constexpr std::array<std::string_view, 20> kIgnored = {
      "port", "multifunction", "x-speed", "x-width", "io-reserve", "mem-reserve", "pref32-reserve",
      "pref64-reserve", "bus-reserve", "hotplug", "x-native-hotplug", "disable-acs", "x-migrate-msix",
      "aer_log_max", "power_controller_present", "romfile", "rombar", "x-pcie-lnksta-dllla", "x-pcie-extcap-init",
      "acpi-index"};
  unsigned chassis = 0, slot = 0;
  int requested = -1;
  for (const auto& [name, value] : arg.opts) {
    if (name == "id" || name == "bus") continue;
    PropValue v;
    if (name == "addr") {
      if (!parse_value(PropType::DevFn, arg.driver, name, value, &v, error)) return false;
      requested = v.devfn;
    } else if (name == "chassis" || name == "slot") {
      if (!parse_value(PropType::U16, arg.driver, name, value, &v, error)) return false;
      if (name == "chassis" && v.u > 0xff) {
        *error = "Parameter 'chassis' expects uint8_t";
        return false;
      }
      (name == "chassis" ? chassis : slot) = static_cast<unsigned>(v.u);
    } else if (std::find(kIgnored.begin(), kIgnored.end(), name) == kIgnored.end()) {
      *error = "Property '" + arg.driver + "." + name + "' not found";
      return false;
    }
  }
  Bus* parent = find_bus(s, arg, error);
  if (!parent) return false;
  for (const auto& cs : s.chassis_slots)
    if (cs == std::make_pair(chassis, slot)) {
      *error = "Can't add chassis slot, error -16";
      return false;
    }
  int devfn = -1;
  if (!claim_devfn(*parent, arg, requested, error, &devfn)) return false;
  s.chassis_slots.emplace_back(chassis, slot);
  Bus child;
  const std::string* id = arg.find("id");
  child.name = id ? *id : "pcie." + std::to_string(s.buses.size());
  child.path = parent->path + devfn_text(devfn);
  child.express = true;
  child.root = false;
  s.buses.push_back(std::move(child));
  return true;
}

// virtconsole / virtserialport: virtser_port_device_realize + _plug.
bool add_serial_port(Setup& s, const DeviceArg& arg, std::string* error) {
  const bool console = arg.driver == "virtconsole";
  std::uint32_t nr = 0xffffffffu;  // VIRTIO_CONSOLE_BAD_ID
  std::string port_name;
  for (const auto& [name, value] : arg.opts) {
    if (name == "id" || name == "bus" || name == "chardev") continue;
    PropValue v;
    if (name == "nr") {
      if (!parse_value(PropType::U32, arg.driver, name, value, &v, error)) return false;
      nr = static_cast<std::uint32_t>(v.u);
    } else if (name == "name") {
      port_name = value;
    } else {
      *error = "Property '" + arg.driver + "." + name + "' not found";
      return false;
    }
  }
  const SerialBus* bus = nullptr;
  if (const std::string* want = arg.find("bus")) {
    for (const SerialBus& sb : s.serial_buses)
      if (sb.name == *want) bus = &sb;
    if (!bus) {
      *error = "Bus '" + *want + "' not found";
      return false;
    }
  } else if (!s.serial_buses.empty()) {
    bus = &s.serial_buses.front();
  } else {
    *error = "No 'virtio-serial-bus' bus found for device '" + arg.driver + "'";
    return false;
  }
  devices::Serial& ser = s.dest.devices[bus->device].reset.serial;
  auto has_id = [&](std::uint32_t id) {
    return std::any_of(ser.ports.begin(), ser.ports.end(), [&](const auto& p) { return p.id == id; });
  };
  if (has_id(nr)) {
    *error = "virtio-serial-bus: A port already exists at id " + std::to_string(nr);
    return false;
  }
  if (!port_name.empty())
    for (const VirtioDeviceSpec& spec : s.dest.devices)
      for (const auto& p : spec.reset.serial.ports)
        if (p.name == port_name) {
          *error = "virtio-serial-bus: A port already exists by name " + port_name;
          return false;
        }
  if (nr == 0xffffffffu) {
    if (console && !has_id(0)) {
      nr = 0;
    } else {
      // find_free_port_id: the lowest clear bit of ports_map.
      for (std::size_t w = 0; w < ser.ports_map.size() && nr == 0xffffffffu; ++w)
        for (unsigned bit = 0; bit < 32; ++bit)
          if (!(ser.ports_map[w] & (1u << bit))) {
            nr = static_cast<std::uint32_t>(w * 32 + bit);
            break;
          }
      if (nr == 0xffffffffu) {
        *error = "virtio-serial-bus: Maximum port limit for this device reached";
        return false;
      }
    }
  }
  if (nr >= ser.max_virtserial_ports) {
    *error = "virtio-serial-bus: Out-of-range port id specified, max. allowed: " +
             std::to_string(ser.max_virtserial_ports - 1);
    return false;
  }
  ser.ports_map[nr / 32] |= 1u << (nr % 32);
  ser.ports.push_back(devices::SerialPortConfig{.id = nr, .name = port_name, .console = console});
  return true;
}

bool add_virtio(Setup& s, const DeviceArg& arg, std::string* error) {
  Variant variant{};
  const DriverModel* model = find_driver(arg.driver, &variant);
  if (model->kind == DeviceKind::Balloon && s.balloons > 0) {
    *error = "Only one balloon device is supported";
    return false;
  }
  Bus* bus = find_bus(s, arg, error);
  if (!bus) return false;
  Placement place;
  place.bus_path = bus->path;
  place.express_bus = bus->express;
  place.root_bus = bus->root;
  place.mac_used = &s.mac_used;
  const Claim claim = [&](int requested, int* devfn, std::string* err) {
    return claim_devfn(*bus, arg, requested, err, devfn);
  };
  std::optional<VirtioDeviceSpec> spec = build_at(arg, s.machine, *s.profile, place, claim, error);
  if (!spec) return false;
  if (model->kind == DeviceKind::Balloon) ++s.balloons;
  if (model->kind == DeviceKind::Serial) {
    const std::string* id = arg.find("id");
    s.serial_buses.push_back({id ? *id + ".0" : "virtio-serial-bus." + std::to_string(s.unnamed_serial_buses++),
                              s.dest.devices.size()});
  }
  s.dest.devices.push_back(std::move(*spec));
  return true;
}

}  // namespace

std::span<const DriverModel* const> driver_models() {
  static const std::array<const DriverModel*, 6> all = {&net_model(),     &blk_model(),    &scsi_model(),
                                                        &balloon_model(), &serial_model(), &rng_model()};
  return all;
}

const DriverModel* find_driver(std::string_view driver, Variant* variant) {
  for (const DriverModel* m : driver_models()) {
    if (driver == m->generic)
      *variant = Variant::Generic;
    else if (driver == m->transitional)
      *variant = Variant::Transitional;
    else if (driver == m->non_transitional)
      *variant = Variant::NonTransitional;
    else
      continue;
    return m;
  }
  return nullptr;
}

}  // namespace profile

std::span<const std::string_view> supported_drivers() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const profile::DriverModel* m : profile::driver_models()) {
      v.push_back(m->generic);
      v.push_back(m->transitional);
      v.push_back(m->non_transitional);
    }
    for (std::string_view h : profile::kHelperDrivers) v.push_back(h);
    return v;
  }();
  return names;
}

std::optional<Destination> make_destination(std::string_view machine, std::span<const std::string> device_args,
                                            const Profile& profile, std::string* error) {
  profile::Setup s;
  std::string err;
  std::optional<MachineType> m = parse_machine(machine, &err);
  if (!m) {
    if (error) *error = "-machine " + std::string(machine) + ": " + err;
    return std::nullopt;
  }
  s.machine = *m;
  s.profile = &profile;
  s.buses.push_back(profile::root_bus(s.machine));
  s.dest.profile = &profile;
  s.dest.machine = s.machine;
  for (const std::string& text : device_args) {
    std::optional<profile::DeviceArg> arg = profile::parse_device_arg(text, &err);
    bool ok = arg.has_value();
    if (ok) {
      profile::Variant variant{};
      if (arg->driver == "pcie-root-port")
        ok = profile::add_root_port(s, *arg, &err);
      else if (arg->driver == "virtconsole" || arg->driver == "virtserialport")
        ok = profile::add_serial_port(s, *arg, &err);
      else if (profile::find_driver(arg->driver, &variant))
        ok = profile::add_virtio(s, *arg, &err);
      else {
        err = "'" + arg->driver + "' is not a device migcheck models";
        ok = false;
      }
    }
    if (!ok) {
      if (error) *error = "-device " + text + ": " + err;
      return std::nullopt;
    }
    s.dest.args.push_back(text);
  }
  return std::move(s.dest);
}

std::string Destination::command_line() const {
  std::string out = "--machine " + machine.name;
  if (!args.empty()) {
    for (const std::string& a : args) out += " --device " + a;
    return out;
  }
  for (const VirtioDeviceSpec& d : devices) {
    out += " --device " + d.driver;
    if (!d.properties.empty()) out += "," + d.properties;
  }
  return out;
}

}  // namespace migcheck
