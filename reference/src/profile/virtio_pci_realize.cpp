// Realize + system reset of a virtio-pci proxy and its device, in QEMU 7.2's
// order (hw/virtio/virtio-pci.c virtio_pci_dc_realize, virtio_pci_realize,
// virtio_pci_pre_plugged, virtio_pci_device_plugged, virtio_pci_bus_reset;
// hw/virtio/virtio-bus.c virtio_bus_device_plugged; hw/pci/pci.c
// pci_qdev_realize, pci_add_option_rom; hw/virtio/virtio.c virtio_reset).
#include <algorithm>
#include <memory>

#include "migcheck/pci/config_space.h"
#include "model.h"

namespace migcheck::profile {

namespace {

using pci::ConfigBuilder;

constexpr std::uint16_t kVendorRedhatQumranet = 0x1af4;  // PCI_VENDOR_ID_REDHAT_QUMRANET
constexpr std::uint16_t kDeviceIdVirtio10Base = 0x1040;  // PCI_DEVICE_ID_VIRTIO_10_BASE
constexpr std::uint32_t kNotifyOffset = 0x3000;          // proxy->notify.offset
constexpr std::uint32_t kRegionSize = 0x1000;            // common/isr/device region size
constexpr std::uint32_t kQueueMemMultPage = 0x1000;      // QEMU_VIRTIO_PCI_QUEUE_MEM_MULT
constexpr std::uint32_t kVirtioQueueMax = 1024;          // VIRTIO_QUEUE_MAX

// BAR layout used by virtio_pci_realize.
constexpr int kLegacyIoBar = 0;
constexpr int kMsixBar = 1;
constexpr int kModernIoBar = 2;
constexpr int kModernMemBar = 4;

// struct virtio_pci_cap / virtio_pci_notify_cap / virtio_pci_cfg_cap.
constexpr unsigned kCapLen = 16;
constexpr unsigned kNotifyCapLen = 20;
constexpr unsigned kCfgCapLen = 20;
enum CfgType : std::uint8_t { kCommonCfg = 1, kNotifyCfg = 2, kIsrCfg = 3, kDeviceCfg = 4, kPciCfg = 5 };

// Option ROMs shipped with Debian's QEMU 7.2 (ipxe-qemu 1.21.1): their
// sizes decide the ROM BAR size (pow2ceil).
struct KnownRom {
  std::string_view name;
  std::uint64_t size;
};
constexpr KnownRom kRoms[] = {{"efi-virtio.rom", 249344}, {"pxe-virtio.rom", 75776}};

// virtio_pci_add_mem_cap via virtio_pci_modern_region_map.
bool add_mem_cap(ConfigBuilder& c, unsigned cap_len, CfgType type, std::uint8_t bar, std::uint32_t offset,
                 std::uint32_t length, std::uint32_t notify_mult, int* pos) {
  const int at = c.add_capability(pci::kCapIdVndr, 0, cap_len);
  if (at < 0) return false;
  const auto p = static_cast<unsigned>(at);
  c.set8(p + 2, static_cast<std::uint8_t>(cap_len));
  c.set8(p + 3, type);
  c.set8(p + 4, bar);
  c.set32(p + 8, offset);
  c.set32(p + 12, length);
  if (cap_len == kNotifyCapLen && type == kNotifyCfg) c.set32(p + 16, notify_mult);
  if (pos) *pos = at;
  return true;
}

bool add_option_rom(Build& b, ConfigBuilder& c, std::string* error) {
  std::string romfile;
  if (b.romfile)
    romfile = *b.romfile;
  else
    romfile = std::string(b.model->default_romfile);
  if (romfile.empty()) return true;
  if (!b.rombar) return true;  // loaded through fw_cfg, no BAR
  std::uint64_t size = 0;
  for (const KnownRom& r : kRoms)
    if (r.name == romfile) size = r.size;
  if (!size) {
    *error = "romfile \"" + romfile +
             "\": its size (which sizes the ROM BAR) is unknown to migcheck; "
             "use romfile= (no ROM), rombar=0 or efi-virtio.rom";
    return false;
  }
  std::uint64_t romsize = pci::pow2ceil(size);
  if (b.romsize != -1) {
    if (size > static_cast<std::uint64_t>(b.romsize)) {
      *error = "romfile \"" + romfile + "\" (" + std::to_string(size) + " bytes) is too large for ROM size " +
               std::to_string(b.romsize);
      return false;
    }
    romsize = static_cast<std::uint64_t>(b.romsize);
  }
  c.register_bar(pci::kRomSlot, 0, romsize);
  return true;
}

}  // namespace

void add_queue(Build& b, std::uint32_t size) {
  // virtio_add_queue takes the first slot with vring.num == 0. Realize only
  // ever adds queues here, so that is the first slot not yet stored, or the
  // last stored one if a size-0 add left it free: O(1), where the scan made
  // realizing a 1024-queue device quadratic (a fuzz run infers a new
  // destination for each queue count it mutates to).
  std::size_t i = std::min<std::size_t>(b.d.vq.materialised(), kVirtioQueueMax);
  if (i > 0 && b.d.vq.get(i - 1).vring.num == 0) --i;
  virtio::VRing& r = b.d.vq[i].vring;
  r.num = r.num_default = size;
  r.align = virtio::kVringAlign;
}

bool realize_virtio_pci(Build& b, std::string* error) {
  const DriverModel& m = *b.model;
  const bool pcie_port = b.place.express_bus && !b.place.root_bus;

  // pci_qdev_realize
  if (b.romsize != -1 && (b.romsize == 0 || (b.romsize & (b.romsize - 1)))) {
    *error = "ROM size " + std::to_string(b.romsize) + " is not a power of two";
    return false;
  }
  // virtio_pci_dc_realize: a modern device is PCIe unless x-disable-pcie;
  // virtio_pci_realize keeps that only behind a PCIe port.
  bool express = !b.disable_pcie && !b.disable_modern;
  if (!pcie_port) express = false;

  // do_pci_register_device
  ConfigBuilder c(express);
  c.set_ids(kVendorRedhatQumranet, m.pci_device_id, m.revision, m.class_id);
  if (b.multifunction) c.set_multifunction();

  // virtio_pci_realize
  const std::uint32_t notify_mult = b.page_per_vq ? kQueueMemMultPage : 4;
  const std::uint64_t modern_bar_size =
      pci::pow2ceil(kNotifyOffset + std::uint64_t{notify_mult} * kVirtioQueueMax);
  if (b.disable_legacy == OnOffAuto::Auto) b.disable_legacy = pcie_port ? OnOffAuto::On : OnOffAuto::Off;
  bool legacy = b.disable_legacy == OnOffAuto::Off;
  if (b.disable_modern && !legacy) {
    *error = "device cannot work as neither modern nor legacy mode is enabled";
    return false;
  }
  if (express) {
    if (c.pcie_endpoint_cap_init(b.extcap_init) < 0) {
      *error = "no room for the PCI Express capability";
      return false;
    }
    const int pm = c.add_capability(pci::kCapIdPm, 0, 8);  // PCI_PM_SIZEOF
    if (pm < 0) {
      *error = "no room for the power management capability";
      return false;
    }
    c.set16(static_cast<unsigned>(pm) + 2, 0x3);  // PCI_PM_PMC: PM spec 1.2
    if (b.init_deverr) c.pcie_cap_deverr_init();
    if (b.init_lnkctl) c.pcie_cap_lnkctl_init();
    if (b.init_pm) c.set_wmask(static_cast<unsigned>(pm) + 4, 0x3, 2);  // PCI_PM_CTRL_STATE_MASK
    if (b.init_flr) c.pcie_cap_flr_init();
  }

  // VirtioPCIClass.realize, then qdev_realize(vdev) -> vdc->realize
  b.d.queue_max = b.profile ? b.profile->queue_max : kVirtioQueueMax;
  if (m.pci_realize && !m.pci_realize(b, error)) return false;
  if (!m.realize(b, error)) return false;
  if (b.d.vq.count_leading(kVirtioQueueMax) > b.d.queue_max) {
    *error = "the device has more queues than this release's VIRTIO_QUEUE_MAX";
    return false;
  }

  // virtio_bus_device_plugged: pre_plugged, get_features, device_plugged
  if (!b.disable_modern) b.vdev_features |= virtio::bit(virtio::kFVersion1);
  b.vdev_features |= virtio::bit(virtio::kFBadFeature);
  std::string feature_error;
  const std::uint64_t features = m.get_features(b, b.vdev_features, &feature_error);
  if (!feature_error.empty()) {
    *error = feature_error;
    return false;
  }

  if (!b.ignore_backend_features && !(features & virtio::bit(virtio::kFVersion1))) {
    b.disable_modern = true;
    if (!legacy) {
      *error = "Device doesn't support modern mode, and legacy mode is disabled";
      return false;
    }
  }
  const bool modern = !b.disable_modern;
  if (b.class_code) c.set_class(static_cast<std::uint16_t>(b.class_code));
  if (legacy) {
    if (features & virtio::bit(virtio::kFIommuPlatform)) {
      *error = "VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device";
      return false;
    }
    c.set16(pci::kSubsystemId, m.virtio_id);
  } else {
    c.set16(pci::kVendorId, kVendorRedhatQumranet);
    c.set16(pci::kDeviceId, static_cast<std::uint16_t>(kDeviceIdVirtio10Base + m.virtio_id));
    c.set8(pci::kRevisionId, 1);
  }
  c.set8(pci::kInterruptPin, 1);

  bool ok = true;
  if (modern) {
    ok &= add_mem_cap(c, kCapLen, kCommonCfg, kModernMemBar, 0x0000, kRegionSize, 0, nullptr);
    ok &= add_mem_cap(c, kCapLen, kIsrCfg, kModernMemBar, 0x1000, kRegionSize, 0, nullptr);
    ok &= add_mem_cap(c, kCapLen, kDeviceCfg, kModernMemBar, 0x2000, kRegionSize, 0, nullptr);
    ok &= add_mem_cap(c, kNotifyCapLen, kNotifyCfg, kModernMemBar, kNotifyOffset, notify_mult * kVirtioQueueMax,
                      notify_mult, nullptr);
    if (b.modern_pio_notify) {
      c.register_bar(kModernIoBar, pci::kBarIo, 4);
      ok &= add_mem_cap(c, kNotifyCapLen, kNotifyCfg, kModernIoBar, 0, 4, 0, nullptr);
    }
    c.register_bar(kModernMemBar, pci::kBarMemPrefetch | pci::kBarMem64, modern_bar_size);
    int cfg = 0;
    ok &= add_mem_cap(c, kCfgCapLen, kPciCfg, 0, 0, 0, 0, &cfg);
    if (ok) {
      const auto p = static_cast<unsigned>(cfg);
      c.set_wmask(p + 4, 0xff, 1);         // cap.bar
      c.set_wmask(p + 8, 0xffffffff, 4);   // cap.offset
      c.set_wmask(p + 12, 0xffffffff, 4);  // cap.length
      c.set_wmask(p + 16, 0xffffffff, 4);  // pci_cfg_data
    }
  }
  if (!ok) {
    *error = "no room for the virtio capabilities";
    return false;
  }
  std::uint32_t nvectors = b.nvectors.value_or(0xffffffffu);
  unsigned entries = 0;
  if (nvectors) {
    entries = nvectors & 0xffff;  // msix_init takes an unsigned short
    if (!c.msix_init_exclusive_bar(entries, kMsixBar)) {
      nvectors = 0;  // "unable to init msix vectors to N"
      entries = 0;
    }
  }
  const std::uint32_t config_len = static_cast<std::uint32_t>(b.d.config.size());
  if (legacy) {
    // VIRTIO_PCI_REGION_SIZE: 24 bytes of registers with MSI-X, 20 without.
    c.register_bar(kLegacyIoBar, pci::kBarIo, pci::pow2ceil((entries ? 24 : 20) + std::uint64_t{config_len}));
  }
  if (!add_option_rom(b, c, error)) return false;

  // system reset: pci_do_device_reset, virtio_pci_bus_reset (PCIe parts are
  // zero already), virtio_reset and the device's reset.
  c.device_reset();

  virtio::VirtioDevice& d = b.d;
  d.kind = m.kind;
  d.transport = TransportKind::Pci;
  d.name = std::string(m.qmp_name);
  d.device_id = m.virtio_id;
  d.host_features = features;
  d.profile = b.profile;
  d.use_started = b.use_started;
  d.device_endian = virtio::kEndianLittle;  // virtio_default_endian() on x86
  d.config_vector = virtio::kNoVector;
  pci::Proxy& p = d.pci;
  p.nvectors = nvectors;
  p.modern = modern;
  p.legacy = legacy;
  p.express = express;
  p.migrate_extra = b.migrate_extra;
  p.version_id = 2;
  auto space = std::make_shared<pci::ConfigSpace>(c.take());
  p.config = space->config;
  p.reset = std::move(space);
  // msix_reset: every entry masked (PCI_MSIX_ENTRY_CTRL_MASKBIT), PBA clear.
  p.msix_table.assign(std::size_t{entries} * pci::kMsixEntrySize, 0);
  for (std::size_t i = 0; i < entries; ++i) p.msix_table[i * pci::kMsixEntrySize + 12] = 0x01;
  p.msix_pba.assign((entries + 7) / 8, 0);
  if (m.reset) m.reset(b);
  return true;
}

}  // namespace migcheck::profile
