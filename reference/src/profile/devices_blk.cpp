// virtio-blk-pci (hw/virtio/virtio-blk-pci.c, hw/block/virtio-blk.c,
// hw/block/virtio-blk-common.c @ 7.2).
//
// The drive is not modelled: it is taken as present, writable, with the
// write cache on (the -drive default cache=writeback) and one vCPU (-smp 1)
// for num-queues=auto.
#include "model.h"

namespace migcheck::profile {

namespace {

// VIRTIO_BLK_F_* (include/standard-headers/linux/virtio_blk.h).
enum : unsigned {
  kSegMax = 2,
  kGeometry = 4,
  kRo = 5,
  kBlkSize = 6,
  kScsi = 7,
  kWce = 9,
  kTopology = 10,
  kConfigWce = 11,
  kMq = 12,
  kDiscard = 13,
  kWriteZeroes = 14,
};
constexpr std::uint32_t kRequestMaxSectors = 0x3fffff;  // BDRV_REQUEST_MAX_SECTORS
constexpr std::uint16_t kAutoNumQueues = 0xffff;        // VIRTIO_BLK_AUTO_NUM_QUEUES


constexpr PropDef kProxyProps[] = {
    {"class", PropType::U32, -1, -1,
     [](Build& b, const PropValue& v) { b.class_code = static_cast<std::uint32_t>(v.u); }},
    {"ioeventfd", PropType::Bool, -1, -1, prop_ignored},
    {"vectors", PropType::U32, -1, -1, prop_vectors},
};

constexpr PropDef kBlkProps[] = {
    // DEFINE_BLOCK_PROPERTIES / _ERROR_ / _CHS_: the backend, not modelled.
    {"drive", PropType::Str, -1, -1, prop_ignored},
    {"logical_block_size", PropType::Str, -1, -1, prop_ignored},
    {"physical_block_size", PropType::Str, -1, -1, prop_ignored},
    {"min_io_size", PropType::Str, -1, -1, prop_ignored},
    {"opt_io_size", PropType::Str, -1, -1, prop_ignored},
    {"discard_granularity", PropType::Str, -1, -1, prop_ignored},
    {"write-cache", PropType::OnOffAuto, -1, -1, [](Build& b, const PropValue& v) { b.blk.write_cache = v.ooa; }},
    {"share-rw", PropType::Bool, -1, -1, prop_ignored},
    {"account-invalid", PropType::OnOffAuto, -1, -1, prop_ignored},
    {"account-failed", PropType::OnOffAuto, -1, -1, prop_ignored},
    {"rerror", PropType::Str, -1, -1, prop_ignored},
    {"werror", PropType::Str, -1, -1, prop_ignored},
    {"cyls", PropType::U32, -1, -1, prop_ignored},
    {"heads", PropType::U32, -1, -1, prop_ignored},
    {"secs", PropType::U32, -1, -1, prop_ignored},
    {"lcyls", PropType::U32, -1, -1, prop_ignored},
    {"lheads", PropType::U32, -1, -1, prop_ignored},
    {"lsecs", PropType::U32, -1, -1, prop_ignored},
    {"bios-chs-trans", PropType::Str, -1, -1, prop_ignored},
    {"serial", PropType::Str, -1, -1, prop_ignored},
    {"config-wce", PropType::Bool, kConfigWce},
    {"scsi", PropType::Bool, kScsi},
    {"request-merging", PropType::Bool, -1, -1, prop_ignored},
    {"num-queues", PropType::U16, -1, -1,
     [](Build& b, const PropValue& v) {
       if (v.u == kAutoNumQueues)
         b.blk.num_queues.reset();
       else
         b.blk.num_queues = static_cast<std::uint16_t>(v.u);
     }},
    {"queue-size", PropType::U16, -1, -1,
     [](Build& b, const PropValue& v) { b.blk.queue_size = static_cast<std::uint16_t>(v.u); }},
    {"seg-max-adjust", PropType::Bool, -1, -1, prop_ignored},  // config contents only
    {"iothread", PropType::Str, -1, -1, prop_ignored},
    {"discard", PropType::Bool, kDiscard},
    {"report-discard-granularity", PropType::Bool, -1, -1, prop_ignored},
    {"write-zeroes", PropType::Bool, kWriteZeroes},
    {"max-discard-sectors", PropType::U32, -1, -1,
     [](Build& b, const PropValue& v) { b.blk.max_discard_sectors = static_cast<std::uint32_t>(v.u); }},
    {"max-write-zeroes-sectors", PropType::U32, -1, -1,
     [](Build& b, const PropValue& v) { b.blk.max_write_zeroes_sectors = static_cast<std::uint32_t>(v.u); }},
    {"x-enable-wce-if-config-wce", PropType::Bool, -1, -1,
     [](Build& b, const PropValue& v) { b.blk.x_enable_wce_if_config_wce = v.b; }},
    {"bootindex", PropType::I32, -1, -1, prop_ignored},
};

void init(Build& b) {
  b.dev_features = virtio::bit(kConfigWce) | virtio::bit(kDiscard) | virtio::bit(kWriteZeroes);
}

// virtio_blk_pci_realize (virtio_pci_optimal_num_queues(0) with one vCPU)
bool pci_realize(Build& b, std::string*) {
  if (!b.blk.num_queues) b.blk.num_queues = 1;
  if (!b.nvectors) b.nvectors = std::uint32_t{*b.blk.num_queues} + 1;
  return true;
}

bool is_pow2(std::uint32_t v) { return v && !(v & (v - 1)); }

// virtio_blk_device_realize
bool realize(Build& b, std::string* error) {
  BlkConf& c = b.blk;
  if (!c.num_queues) c.num_queues = 1;
  if (*c.num_queues == 0) {
    *error = "num-queues property must be larger than 0";
    return false;
  }
  if (c.queue_size <= 2) {
    *error = "invalid queue-size property (" + std::to_string(c.queue_size) + "), must be > 2";
    return false;
  }
  if (!is_pow2(c.queue_size) || c.queue_size > virtio::kQueueMaxSize) {
    *error = "invalid queue-size property (" + std::to_string(c.queue_size) + "), must be a power of 2 (max 1024)";
    return false;
  }
  if ((b.dev_features & virtio::bit(kDiscard)) &&
      (!c.max_discard_sectors || c.max_discard_sectors > kRequestMaxSectors)) {
    *error = "invalid max-discard-sectors property (" + std::to_string(c.max_discard_sectors) +
             "), must be between 1 and " + std::to_string(kRequestMaxSectors);
    return false;
  }
  if ((b.dev_features & virtio::bit(kWriteZeroes)) &&
      (!c.max_write_zeroes_sectors || c.max_write_zeroes_sectors > kRequestMaxSectors)) {
    *error = "invalid max-write-zeroes-sectors property (" + std::to_string(c.max_write_zeroes_sectors) +
             "), must be between 1 and " + std::to_string(kRequestMaxSectors);
    return false;
  }
  // virtio_blk_cfg_size_params: up to num_queues, then discard, write zeroes.
  std::size_t size = 36;  // offsetof(struct virtio_blk_config, max_discard_sectors)
  if (b.dev_features & virtio::bit(kDiscard)) size = 48;
  if (b.dev_features & virtio::bit(kWriteZeroes)) size = 57;
  b.d.config.assign(size, 0);
  if (*c.num_queues > 1024) {
    *error = "virtio_add_queue: more than VIRTIO_QUEUE_MAX queues (QEMU aborts)";
    return false;
  }
  for (unsigned i = 0; i < *c.num_queues; ++i) add_queue(b, c.queue_size);
  return true;
}

// virtio_blk_get_features
std::uint64_t get_features(Build& b, std::uint64_t features, std::string* error) {
  features |= b.dev_features;
  features |= virtio::bit(kSegMax) | virtio::bit(kGeometry) | virtio::bit(kTopology) | virtio::bit(kBlkSize);
  if (features & virtio::bit(virtio::kFVersion1)) {
    if (b.dev_features & virtio::bit(kScsi)) {
      *error = "Please set scsi=off for virtio-blk devices in order to use virtio 1.0";
      return 0;
    }
  } else {
    features &= ~virtio::bit(virtio::kFAnyLayout);
    features |= virtio::bit(kScsi);
  }
  const bool write_cache = b.blk.write_cache != OnOffAuto::Off;  // blk_enable_write_cache
  if (write_cache || (b.blk.x_enable_wce_if_config_wce && (features & virtio::bit(kConfigWce))))
    features |= virtio::bit(kWce);
  if (b.blk.read_only) features |= virtio::bit(kRo);
  if (b.blk.num_queues.value_or(1) > 1) features |= virtio::bit(kMq);
  return features;
}

void reset(Build& b) {
  b.d.blk = devices::Blk{};
  b.d.blk.num_queues = b.blk.num_queues.value_or(1);
  b.d.blk.queue_size = b.blk.queue_size;
}

}  // namespace

const DriverModel& blk_model() {
  static const DriverModel m{.kind = DeviceKind::Blk,
                             .base = "virtio-blk-pci-base",
                             .generic = "virtio-blk-pci",
                             .transitional = "virtio-blk-pci-transitional",
                             .non_transitional = "virtio-blk-pci-non-transitional",
                             .vdev_type = "virtio-blk-device",
                             .qmp_name = "virtio-blk",
                             .vmsd_name = "virtio-blk",
                             .virtio_id = virtio::kIdBlock,
                             .pci_device_id = 0x1001,
                             .class_id = 0x0100,  // PCI_CLASS_STORAGE_SCSI
                             .revision = 0,
                             .default_romfile = {},
                             .proxy_props = kProxyProps,
                             .vdev_props = kBlkProps,
                             .init = init,
                             .pci_realize = pci_realize,
                             .realize = realize,
                             .get_features = get_features,
                             .reset = reset};
  return m;
}

}  // namespace migcheck::profile
