// Property application for one -device (hw/core/qdev-properties.c,
// qom/object.c object_apply_global_props, softmmu/qdev-monitor.c): instance
// defaults, the machine's compat globals (the virtio device's own object
// first: it is initialized inside the proxy's instance_init, before the
// proxy's globals), then the -device options in order.
#include <array>

#include "model.h"

namespace migcheck::profile {

namespace {

// Where a property lives; `owner` names the QOM type in value errors.
struct Found {
  const PropDef* def = nullptr;
  std::string_view owner;
};

enum class Side : std::uint8_t { Proxy, Vdev, Either };

Found lookup(const Build& b, std::string_view name, Side side) {
  const DriverModel& m = *b.model;
  auto in = [&](std::span<const PropDef> defs) -> const PropDef* {
    for (const PropDef& d : defs)
      if (d.name == name) return &d;
    return nullptr;
  };
  if (side != Side::Vdev) {
    const std::array<std::span<const PropDef>, 3> proxy = {pci_device_props(), virtio_pci_props(), m.proxy_props};
    for (auto defs : proxy)
      if (const PropDef* d = in(defs)) return {d, b.driver};
    if (b.variant == Variant::Generic)
      if (const PropDef* d = in(virtio_pci_generic_props())) return {d, b.driver};
  }
  if (side != Side::Proxy) {
    // qdev_alias_all_properties: the proxy exposes the device's properties.
    for (auto defs : {virtio_device_props(), m.vdev_props})
      if (const PropDef* d = in(defs)) return {d, m.vdev_type};
  }
  return {};
}

void apply(Build& b, const PropDef& def, const PropValue& v) {
  if (def.dev_bit >= 0) {
    const std::uint64_t bit = virtio::bit(static_cast<unsigned>(def.dev_bit));
    b.dev_features = v.b ? (b.dev_features | bit) : (b.dev_features & ~bit);
  } else if (def.vdev_bit >= 0) {
    const std::uint64_t bit = virtio::bit(static_cast<unsigned>(def.vdev_bit));
    b.vdev_features = v.b ? (b.vdev_features | bit) : (b.vdev_features & ~bit);
  } else if (def.set) {
    def.set(b, v);
  }
}

bool set_prop(Build& b, const Found& f, std::string_view value, std::string* error) {
  PropValue v;
  if (!parse_value(f.def->type, f.owner, f.def->name, value, &v, error)) return false;
  apply(b, *f.def, v);
  if (!b.prop_error.empty()) {
    *error = b.prop_error;
    return false;
  }
  return true;
}

std::string_view variant_name(const Build& b) {
  switch (b.variant) {
    case Variant::Transitional:
      return b.model->transitional;
    case Variant::NonTransitional:
      return b.model->non_transitional;
    case Variant::Generic:
      break;
  }
  return b.model->generic;
}

bool in_chain(const Build& b, std::string_view type, Side* side) {
  const DriverModel& m = *b.model;
  const std::array<std::string_view, 5> proxy = {variant_name(b), m.base, "virtio-pci", "pci-device", "device"};
  const std::array<std::string_view, 3> vdev = {m.vdev_type, "virtio-device", "device"};
  for (std::string_view t : vdev)
    if (t == type) {
      *side = Side::Vdev;
      return true;
    }
  for (std::string_view t : proxy)
    if (t == type) {
      *side = Side::Proxy;
      return true;
    }
  return false;
}

bool apply_globals(Build& b, std::string* error) {
  const std::vector<CompatProperty> globals = compat_globals(b.machine->version);
  for (Side pass : {Side::Vdev, Side::Proxy}) {
    for (const CompatProperty& g : globals) {
      Side side{};
      if (!in_chain(b, g.type, &side) || side != pass) continue;
      // A global on the proxy type may name an aliased device property.
      const Found f = lookup(b, g.property, pass == Side::Vdev ? Side::Vdev : Side::Either);
      if (!f.def) continue;  // optional globals; the rest name properties we do not track
      std::string err;
      if (!set_prop(b, f, g.value, &err)) {
        *error = "can't apply global " + std::string(g.type) + "." + std::string(g.property) + "=" +
                 std::string(g.value) + ": " + err;
        return false;
      }
    }
  }
  return true;
}

}  // namespace

bool configure(Build& b, const DeviceArg& arg, std::string* error) {
  // DEFINE_VIRTIO_COMMON_FEATURES defaults.
  b.vdev_features = virtio::bit(virtio::kRingFIndirectDesc) | virtio::bit(virtio::kRingFEventIdx) |
                    virtio::bit(virtio::kFNotifyOnEmpty) | virtio::bit(virtio::kFAnyLayout) |
                    virtio::bit(virtio::kFRingReset);
  // virtio_pci_{non_,}transitional_instance_init
  if (b.variant == Variant::Transitional) b.disable_legacy = OnOffAuto::Off;
  if (b.variant == Variant::NonTransitional) b.disable_legacy = OnOffAuto::On;
  if (b.model->init) b.model->init(b);
  if (!apply_globals(b, error)) return false;
  for (const auto& [name, value] : arg.opts) {
    if (name == "id" || name == "bus") continue;  // qdev_device_add, not properties
    const Found f = lookup(b, name, Side::Either);
    if (!f.def) {
      *error = "Property '" + b.driver + "." + name + "' not found";
      return false;
    }
    if (!set_prop(b, f, value, error)) return false;
  }
  return true;
}

}  // namespace migcheck::profile
