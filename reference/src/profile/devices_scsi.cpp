// virtio-scsi-pci (hw/virtio/virtio-scsi-pci.c, hw/scsi/virtio-scsi.c @ 7.2),
// with one vCPU (-smp 1) for num_queues=auto.
#include "model.h"

namespace migcheck::profile {

namespace {

// VIRTIO_SCSI_F_* (include/standard-headers/linux/virtio_scsi.h).
constexpr unsigned kHotplug = 1;
constexpr unsigned kChange = 2;
constexpr std::uint32_t kFixedQueues = 2;             // VIRTIO_SCSI_VQ_NUM_FIXED
constexpr std::uint32_t kAutoNumQueues = 0xffffffff;  // VIRTIO_SCSI_AUTO_NUM_QUEUES
constexpr std::size_t kConfigSize = 36;               // sizeof(VirtIOSCSIConfig)


constexpr PropDef kProxyProps[] = {
    {"ioeventfd", PropType::Bool, -1, -1, prop_ignored},
    {"vectors", PropType::U32, -1, -1, prop_vectors},
};

constexpr PropDef kScsiProps[] = {
    {"num_queues", PropType::U32, -1, -1,
     [](Build& b, const PropValue& v) {
       if (v.u == kAutoNumQueues)
         b.scsi.num_queues.reset();
       else
         b.scsi.num_queues = static_cast<std::uint32_t>(v.u);
     }},
    {"virtqueue_size", PropType::U32, -1, -1,
     [](Build& b, const PropValue& v) { b.scsi.virtqueue_size = static_cast<std::uint32_t>(v.u); }},
    {"seg_max_adjust", PropType::Bool, -1, -1, prop_ignored},  // config contents only
    {"max_sectors", PropType::U32, -1, -1, prop_ignored},
    {"cmd_per_lun", PropType::U32, -1, -1, prop_ignored},
    {"hotplug", PropType::Bool, kHotplug},
    {"param_change", PropType::Bool, kChange},
    {"iothread", PropType::Str, -1, -1, prop_ignored},
};

void init(Build& b) { b.dev_features = virtio::bit(kHotplug) | virtio::bit(kChange); }

// virtio_scsi_pci_realize (virtio_pci_optimal_num_queues(2) with one vCPU)
bool pci_realize(Build& b, std::string*) {
  if (!b.scsi.num_queues) b.scsi.num_queues = 1;
  if (!b.nvectors) b.nvectors = *b.scsi.num_queues + kFixedQueues + 1;
  return true;
}

// virtio_scsi_common_realize
bool realize(Build& b, std::string* error) {
  ScsiConf& c = b.scsi;
  b.d.config.assign(kConfigSize, 0);
  if (!c.num_queues) c.num_queues = 1;
  if (*c.num_queues == 0 || *c.num_queues > 1024 - kFixedQueues) {
    *error = "Invalid number of queues (= " + std::to_string(*c.num_queues) +
             "), must be a positive integer less than 1022.";
    return false;
  }
  if (c.virtqueue_size <= 2) {
    *error = "invalid virtqueue_size property (= " + std::to_string(c.virtqueue_size) + "), must be > 2";
    return false;
  }
  if (c.virtqueue_size > virtio::kQueueMaxSize) {
    *error = "virtio_add_queue: queue size " + std::to_string(c.virtqueue_size) + " > 1024 (QEMU aborts)";
    return false;
  }
  for (std::uint32_t i = 0; i < *c.num_queues + kFixedQueues; ++i) add_queue(b, c.virtqueue_size);
  return true;
}

// virtio_scsi_get_features
std::uint64_t get_features(Build& b, std::uint64_t features, std::string*) { return features | b.dev_features; }

}  // namespace

const DriverModel& scsi_model() {
  static const DriverModel m{.kind = DeviceKind::Scsi,
                             .base = "virtio-scsi-pci-base",
                             .generic = "virtio-scsi-pci",
                             .transitional = "virtio-scsi-pci-transitional",
                             .non_transitional = "virtio-scsi-pci-non-transitional",
                             .vdev_type = "virtio-scsi-device",
                             .qmp_name = "virtio-scsi",
                             .vmsd_name = "virtio-scsi",
                             .virtio_id = virtio::kIdScsi,
                             .pci_device_id = 0x1004,
                             .class_id = 0x0100,  // PCI_CLASS_STORAGE_SCSI
                             .revision = 0,
                             .default_romfile = {},
                             .proxy_props = kProxyProps,
                             .vdev_props = kScsiProps,
                             .init = init,
                             .pci_realize = pci_realize,
                             .realize = realize,
                             .get_features = get_features,
                             .reset = nullptr};
  return m;
}

}  // namespace migcheck::profile
