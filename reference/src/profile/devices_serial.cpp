// virtio-serial-pci (hw/virtio/virtio-serial-pci.c,
// hw/char/virtio-serial-bus.c @ 7.2). Ports (virtconsole/virtserialport)
// are attached by make_destination.
#include "model.h"

namespace migcheck::profile {

namespace {

// VIRTIO_CONSOLE_F_* (include/standard-headers/linux/virtio_console.h).
constexpr unsigned kMultiport = 1;
constexpr unsigned kEmergWrite = 2;
constexpr std::uint32_t kMaxSupportedPorts = 1024 / 2 - 1;  // VIRTIO_QUEUE_MAX / 2 - 1

// PCI classes the proxy keeps (virtio_serial_pci_realize).
constexpr std::uint32_t kClassCommunicationOther = 0x0780;
constexpr std::uint32_t kClassDisplayOther = 0x0380;
constexpr std::uint32_t kClassOthers = 0x00ff;


constexpr PropDef kProxyProps[] = {
    {"ioeventfd", PropType::Bool, -1, -1, prop_ignored},
    {"vectors", PropType::U32, -1, -1, prop_vectors},
    {"class", PropType::U32, -1, -1,
     [](Build& b, const PropValue& v) { b.class_code = static_cast<std::uint32_t>(v.u); }},
};

constexpr PropDef kSerialProps[] = {
    {"max_ports", PropType::U32, -1, -1,
     [](Build& b, const PropValue& v) { b.serial.max_ports = static_cast<std::uint32_t>(v.u); }},
    {"emergency-write", PropType::Bool, kEmergWrite},
};

void init(Build& b) {
  b.dev_features = virtio::bit(kEmergWrite);
  b.nvectors = 2;  // the "vectors" property default
}

// virtio_serial_pci_realize
bool pci_realize(Build& b, std::string*) {
  if (b.class_code != kClassCommunicationOther && b.class_code != kClassDisplayOther &&
      b.class_code != kClassOthers)
    b.class_code = kClassCommunicationOther;
  if (!b.nvectors) b.nvectors = b.serial.max_ports + 1;  // machines that left it unspecified
  return true;
}

// virtio_serial_device_realize
bool realize(Build& b, std::string* error) {
  const std::uint32_t max = b.serial.max_ports;
  if (!max) {
    *error = "Maximum number of serial ports not specified";
    return false;
  }
  if (max > kMaxSupportedPorts) {
    *error = "maximum ports supported: " + std::to_string(kMaxSupportedPorts);
    return false;
  }
  // struct virtio_console_config: cols, rows, max_nr_ports [, emerg_wr]
  b.d.config.assign((b.dev_features & virtio::bit(kEmergWrite)) ? 12 : 8, 0);
  add_queue(b, 128);  // port 0 in
  add_queue(b, 128);  // port 0 out
  add_queue(b, 32);   // control in
  add_queue(b, 32);   // control out
  for (std::uint32_t i = 1; i < max; ++i) {
    add_queue(b, 128);
    add_queue(b, 128);
  }
  return true;
}

// get_features
std::uint64_t get_features(Build& b, std::uint64_t features, std::string*) {
  features |= b.dev_features;
  if (b.serial.max_ports > 1) features |= virtio::bit(kMultiport);
  return features;
}

void reset(Build& b) {
  devices::Serial& s = b.d.serial;
  s = devices::Serial{};
  s.max_virtserial_ports = b.serial.max_ports;
  s.ports_map.assign((b.serial.max_ports + 31) / 32, 0);
  s.ports_map[0] = 1;  // id 0 is reserved for a console (mark_port_added)
}

}  // namespace

const DriverModel& serial_model() {
  static const DriverModel m{.kind = DeviceKind::Serial,
                             .base = "virtio-serial-pci-base",
                             .generic = "virtio-serial-pci",
                             .transitional = "virtio-serial-pci-transitional",
                             .non_transitional = "virtio-serial-pci-non-transitional",
                             .vdev_type = "virtio-serial-device",
                             .qmp_name = "virtio-serial",
                             .vmsd_name = "virtio-console",
                             .virtio_id = virtio::kIdConsole,
                             .pci_device_id = 0x1003,
                             .class_id = 0x0780,  // PCI_CLASS_COMMUNICATION_OTHER
                             .revision = 0,
                             .default_romfile = {},
                             .proxy_props = kProxyProps,
                             .vdev_props = kSerialProps,
                             .init = init,
                             .pci_realize = pci_realize,
                             .realize = realize,
                             .get_features = get_features,
                             .reset = reset};
  return m;
}

}  // namespace migcheck::profile
