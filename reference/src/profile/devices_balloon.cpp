// virtio-balloon-pci (hw/virtio/virtio-balloon-pci.c,
// hw/virtio/virtio-balloon.c @ 7.2): no MSI-X (the PCI driver has no
// "vectors" property), STATS_VQ always offered.
#include "model.h"

namespace migcheck::profile {

namespace {

// VIRTIO_BALLOON_F_* (include/standard-headers/linux/virtio_balloon.h).
constexpr unsigned kStatsVq = 1;
constexpr unsigned kDeflateOnOom = 2;
constexpr unsigned kFreePageHint = 3;
constexpr unsigned kPagePoison = 4;
constexpr unsigned kReporting = 5;

// balloon_stats_set_poll_interval
void set_poll_interval(Build& b, const PropValue& v) {
  if (v.i < 0)
    b.prop_error = "timer value must be greater than zero";
  else if (v.i > 0xffffffffll)
    b.prop_error = "timer value is too big";
  else
    b.balloon.stats_poll_interval = v.i;
}

constexpr PropDef kBalloonProps[] = {
    {"deflate-on-oom", PropType::Bool, kDeflateOnOom},
    {"free-page-hint", PropType::Bool, kFreePageHint},
    {"page-poison", PropType::Bool, kPagePoison},
    {"free-page-reporting", PropType::Bool, kReporting},
    {"qemu-4-0-config-size", PropType::Bool, -1, -1,
     [](Build& b, const PropValue& v) { b.balloon.qemu_4_0_config_size = v.b; }},
    {"iothread", PropType::Str, -1, -1, [](Build& b, const PropValue&) { b.balloon.iothread = true; }},
    // aliases the proxy adds (virtio_balloon_pci_instance_init)
    {"guest-stats-polling-interval", PropType::I64, -1, -1, set_poll_interval},
};

void init(Build& b) {
  b.dev_features = virtio::bit(kPagePoison);
  b.nvectors = 0;  // VirtIOPCIProxy.nvectors is never set for the balloon
}

// virtio_balloon_pci_realize
bool pci_realize(Build& b, std::string*) {
  b.class_code = 0x00ff;  // PCI_CLASS_OTHERS
  return true;
}

// virtio_balloon_config_size
std::size_t config_size(const Build& b) {
  if (b.balloon.qemu_4_0_config_size) return 16;
  if (b.dev_features & virtio::bit(kPagePoison)) return 16;
  if (b.dev_features & virtio::bit(kFreePageHint)) return 12;  // offsetof(poison_val)
  return 8;                                                    // offsetof(free_page_hint_cmd_id)
}

// virtio_balloon_device_realize ("Only one balloon device is supported" is
// checked by make_destination).
bool realize(Build& b, std::string* error) {
  b.d.config.assign(config_size(b), 0);
  if ((b.dev_features & virtio::bit(kFreePageHint)) && !b.balloon.iothread) {
    *error = "'free-page-hint' requires 'iothread' to be set";
    return false;
  }
  add_queue(b, 128);  // inflate
  add_queue(b, 128);  // deflate
  add_queue(b, 128);  // stats
  if (b.dev_features & virtio::bit(kFreePageHint)) add_queue(b, virtio::kQueueMaxSize);
  if (b.dev_features & virtio::bit(kReporting)) add_queue(b, 32);
  return true;
}

// virtio_balloon_get_features
std::uint64_t get_features(Build& b, std::uint64_t features, std::string*) {
  return features | b.dev_features | virtio::bit(kStatsVq);
}

void reset(Build& b) {
  b.d.balloon = devices::Balloon{};
  b.d.balloon.stats_poll_interval = b.balloon.stats_poll_interval;
}

}  // namespace

const DriverModel& balloon_model() {
  static const DriverModel m{.kind = DeviceKind::Balloon,
                             .base = "virtio-balloon-pci-base",
                             .generic = "virtio-balloon-pci",
                             .transitional = "virtio-balloon-pci-transitional",
                             .non_transitional = "virtio-balloon-pci-non-transitional",
                             .vdev_type = "virtio-balloon-device",
                             .qmp_name = "virtio-balloon",
                             .vmsd_name = "virtio-balloon",
                             .virtio_id = virtio::kIdBalloon,
                             .pci_device_id = 0x1002,
                             .class_id = 0x00ff,  // PCI_CLASS_OTHERS
                             .revision = 0,
                             .default_romfile = {},
                             .proxy_props = {},
                             .vdev_props = kBalloonProps,
                             .init = init,
                             .pci_realize = pci_realize,
                             .realize = realize,
                             .get_features = get_features,
                             .reset = reset};
  return m;
}

}  // namespace migcheck::profile
