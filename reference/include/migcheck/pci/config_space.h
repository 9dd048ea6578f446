// Building a PCI function's config space with QEMU's masks, the way
// hw/pci/pci.c (do_pci_register_device, pci_register_bar,
// pci_add_capability), hw/pci/msix.c (msix_init_exclusive_bar) and
// hw/pci/pcie.c (pcie_endpoint_cap_init and friends) set it up at realize.
//
// The result is a ConfigSpace (config + cmask/wmask/w1cmask): the bytes the
// loader compares in get_pci_config_device.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "migcheck/pci/proxy.h"

namespace migcheck::pci {

// Config space registers (include/standard-headers/linux/pci_regs.h).
constexpr unsigned kVendorId = 0x00;
constexpr unsigned kDeviceId = 0x02;
constexpr unsigned kCommand = 0x04;
constexpr unsigned kStatus = 0x06;
constexpr unsigned kRevisionId = 0x08;
constexpr unsigned kClassProg = 0x09;
constexpr unsigned kClassDevice = 0x0a;
constexpr unsigned kCacheLineSize = 0x0c;
constexpr unsigned kHeaderType = 0x0e;
constexpr unsigned kBaseAddress0 = 0x10;
constexpr unsigned kSubsystemVendorId = 0x2c;
constexpr unsigned kSubsystemId = 0x2e;
constexpr unsigned kRomAddress = 0x30;
constexpr unsigned kCapabilityList = 0x34;
constexpr unsigned kInterruptLine = 0x3c;
constexpr unsigned kInterruptPin = 0x3d;
constexpr unsigned kHeaderSize = 0x40;  // PCI_CONFIG_HEADER_SIZE

constexpr std::uint8_t kStatusCapList = 0x10;        // PCI_STATUS_CAP_LIST
constexpr std::uint8_t kHeaderMultiFunction = 0x80;  // PCI_HEADER_TYPE_MULTI_FUNCTION

constexpr std::uint8_t kCapIdPm = 0x01;    // PCI_CAP_ID_PM
constexpr std::uint8_t kCapIdVndr = 0x09;  // PCI_CAP_ID_VNDR
constexpr std::uint8_t kCapIdExp = 0x10;   // PCI_CAP_ID_EXP
constexpr std::uint8_t kCapIdMsix = 0x11;  // PCI_CAP_ID_MSIX

// BAR types (PCI_BASE_ADDRESS_*).
constexpr std::uint8_t kBarIo = 0x01;
constexpr std::uint8_t kBarMem32 = 0x00;
constexpr std::uint8_t kBarMemPrefetch = 0x08;
constexpr std::uint8_t kBarMem64 = 0x04;
constexpr int kRomSlot = 6;  // PCI_ROM_SLOT

constexpr unsigned kMsixMaxEntries = 2048;  // PCI_MSIX_FLAGS_QSIZE + 1

// One function's config space while it is being realized. All offsets are
// bounded by the space's size; nothing is sized from outside input.
class ConfigBuilder {
 public:
  // pci_config_alloc + pci_init_cmask/wmask/w1cmask: `express` selects the
  // 4096-byte PCIe space (pci_config_size).
  explicit ConfigBuilder(bool express);

  std::size_t size() const { return space_.config.size(); }
  const ConfigSpace& space() const { return space_; }
  ConfigSpace take() {
    space_.finish();
    return std::move(space_);
  }

  // Little-endian register access (pci_set_byte/word/long/quad).
  void set8(unsigned off, std::uint8_t v) { put(space_.config, off, v, 1); }
  void set16(unsigned off, std::uint16_t v) { put(space_.config, off, v, 2); }
  void set32(unsigned off, std::uint32_t v) { put(space_.config, off, v, 4); }
  std::uint32_t get(unsigned off, unsigned width) const;
  void set_wmask(unsigned off, std::uint64_t v, unsigned width) { put(space_.wmask, off, v, width); }
  void or_wmask(unsigned off, std::uint64_t v, unsigned width);
  void or_w1cmask(unsigned off, std::uint64_t v, unsigned width);
  void set_cmask(unsigned off, std::uint64_t v, unsigned width) { put(space_.cmask, off, v, width); }

  // do_pci_register_device: ids, revision, class and the default subsystem.
  void set_ids(std::uint16_t vendor, std::uint16_t device, std::uint8_t revision, std::uint16_t class_id);
  void set_class(std::uint16_t class_id) { set16(kClassDevice, class_id); }
  void set_multifunction() { space_.config[kHeaderType] |= kHeaderMultiFunction; }

  // pci_register_bar: BAR register type, wmask ~(size-1), cmask all-ones.
  // `size` must be a power of two (QEMU asserts it).
  void register_bar(int region, std::uint8_t type, std::uint64_t size);

  // pci_add_capability: offset 0 = first free space (pci_find_space).
  // Returns the offset, or -1 when there is no room / it would overlap.
  int add_capability(std::uint8_t cap_id, unsigned offset, unsigned size);

  // msix_init_exclusive_bar: MSI-X capability + its own 4 KiB (or larger)
  // memory BAR. Returns false where QEMU's msix_init fails (0 or more than
  // 2048 entries), leaving the space untouched.
  bool msix_init_exclusive_bar(unsigned nentries, int bar);
  unsigned msix_cap() const { return msix_cap_; }

  // pcie_endpoint_cap_init (v2 capability, Endpoint type); extcap_init is
  // the PCIDevice "x-pcie-extcap-init" property.
  int pcie_endpoint_cap_init(bool extcap_init);
  void pcie_cap_deverr_init();
  void pcie_cap_lnkctl_init();
  void pcie_cap_flr_init();
  unsigned exp_cap() const { return exp_cap_; }

  // pci_do_device_reset: writable bits of COMMAND/STATUS/INTERRUPT_LINE
  // cleared, cache line 0, BARs back to their type, MSI-X control cleared.
  void device_reset();

 private:
  static void put(std::vector<std::uint8_t>& b, unsigned off, std::uint64_t v, unsigned width);

  struct Bar {
    std::uint64_t size = 0;
    std::uint8_t type = 0;
  };
  ConfigSpace space_;
  std::vector<std::uint8_t> used_;  // PCIDevice.used: bytes owned by capabilities
  std::array<Bar, 7> bars_{};
  unsigned msix_cap_ = 0;
  unsigned exp_cap_ = 0;
};

// pow2ceil for the sizes QEMU rounds (BARs, ROMs).
std::uint64_t pow2ceil(std::uint64_t v);

}  // namespace migcheck::pci
