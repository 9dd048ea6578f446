// virtio-rng-pci (hw/virtio/virtio-rng-pci.c, hw/virtio/virtio-rng.c @ 7.2):
// one 8-entry queue, no config space, no device features.
#include "model.h"

namespace migcheck::profile {

namespace {


constexpr PropDef kProxyProps[] = {
    {"ioeventfd", PropType::Bool, -1, -1, prop_ignored},
    {"vectors", PropType::U32, -1, -1, prop_vectors},
};

constexpr PropDef kRngProps[] = {
    {"max-bytes", PropType::U64, -1, -1, [](Build& b, const PropValue& v) { b.rng.max_bytes = v.u; }},
    {"period", PropType::U32, -1, -1,
     [](Build& b, const PropValue& v) { b.rng.period_ms = static_cast<std::uint32_t>(v.u); }},
    {"rng", PropType::Str, -1, -1, prop_ignored},  // backend object; the default is rng-builtin
};

// virtio_rng_pci_realize
bool pci_realize(Build& b, std::string*) {
  if (!b.nvectors) b.nvectors = 2;
  return true;
}

// virtio_rng_device_realize
bool realize(Build& b, std::string* error) {
  if (b.rng.period_ms == 0) {
    *error = "'period' parameter expects a positive integer";
    return false;
  }
  if (b.rng.max_bytes > 0x7fffffffffffffffull) {
    *error = "'max-bytes' parameter must be non-negative, and less than 2^63";
    return false;
  }
  b.d.config.clear();
  add_queue(b, 8);
  return true;
}

std::uint64_t get_features(Build&, std::uint64_t features, std::string*) { return features; }

}  // namespace

const DriverModel& rng_model() {
  static const DriverModel m{.kind = DeviceKind::Rng,
                             .base = "virtio-rng-pci-base",
                             .generic = "virtio-rng-pci",
                             .transitional = "virtio-rng-pci-transitional",
                             .non_transitional = "virtio-rng-pci-non-transitional",
                             .vdev_type = "virtio-rng-device",
                             .qmp_name = "virtio-rng",
                             .vmsd_name = "virtio-rng",
                             .virtio_id = virtio::kIdRng,
                             .pci_device_id = 0x1005,
                             .class_id = 0x00ff,  // PCI_CLASS_OTHERS
                             .revision = 0,
                             .default_romfile = {},
                             .proxy_props = kProxyProps,
                             .vdev_props = kRngProps,
                             .init = nullptr,
                             .pci_realize = pci_realize,
                             .realize = realize,
                             .get_features = get_features,
                             .reset = nullptr};
  return m;
}

}  // namespace migcheck::profile
