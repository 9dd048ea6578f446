// virtio-pci proxy state: PCIDevice, MSI-X and VirtIOPCIProxy as migrated.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "migcheck/vmstate/sparse_slots.h"

namespace migcheck::pci {

constexpr std::size_t kConfigSize = 256;          // PCI_CONFIG_SPACE_SIZE
constexpr std::size_t kExpressConfigSize = 4096;  // PCIE_CONFIG_SPACE_SIZE
constexpr std::size_t kMsixEntrySize = 16;        // PCI_MSIX_ENTRY_SIZE

// The destination device's config space at reset with QEMU's masks: a byte
// is checked on load where cmask & ~wmask & ~w1cmask is non-zero
// (get_pci_config_device).
struct ConfigSpace {
  std::vector<std::uint8_t> config, cmask, wmask, w1cmask;
  // cmask & ~wmask & ~w1cmask: the bits a load compares (see finish()).
  std::vector<std::uint8_t> checked;
  explicit ConfigSpace(std::size_t size = kConfigSize)
      : config(size, 0), cmask(size, 0), wmask(size, 0), w1cmask(size, 0), checked(size, 0) {}
  // Derives `checked` once the masks are final.
  void finish() {
    for (std::size_t i = 0; i < config.size(); ++i)
      checked[i] = static_cast<std::uint8_t>(cmask[i] & ~wmask[i] & ~w1cmask[i]);
  }
};

// VirtIOPCIQueue (modern register state per queue).
struct ModernQueue {
  std::uint16_t num = 0;
  bool enabled = false;
  std::array<std::uint32_t, 2> desc{}, avail{}, used{};
  bool operator==(const ModernQueue&) const = default;
};

struct Proxy {
  // --- destination properties (not on the wire) ---
  std::uint32_t nvectors = 0;  // MSI-X vectors; 0 = no MSI-X capability
  bool modern = false;         // !disable_modern
  bool legacy = true;          // !disable_legacy
  bool express = false;        // PCIe device: 4096-byte config
  bool migrate_extra = true;   // VIRTIO_PCI_FLAG_MIGRATE_EXTRA
  std::shared_ptr<const ConfigSpace> reset;  // config + masks at reset

  // --- PCIDevice (vmstate "PCIDevice" v2) ---
  std::int32_t version_id = 2;
  std::vector<std::uint8_t> config;     // 256 or 4096 bytes
  std::array<std::int32_t, 4> irq_state{};
  // --- MSI-X (msix_save) ---
  std::vector<std::uint8_t> msix_table;  // 16 bytes per vector
  std::vector<std::uint8_t> msix_pba;    // ceil(n/8) bytes
  // --- VirtIOPCIProxy modern state (vmstate "virtio_pci/modern_state") ---
  std::uint32_t dfselect = 0;
  std::uint32_t gfselect = 0;
  std::array<std::uint32_t, 2> guest_features{};
  vmstate::SparseSlots<ModernQueue> vqs;  // 1024 slots, stored once written

  bool msix_present() const { return nvectors > 0; }
  bool operator==(const Proxy& o) const;
};

}  // namespace migcheck::pci
