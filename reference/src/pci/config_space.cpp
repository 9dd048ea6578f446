// PCI config space and masks at realize (hw/pci/pci.c, msix.c, pcie.c @ 7.2).
#include "migcheck/pci/config_space.h"

#include <algorithm>

namespace migcheck::pci {

namespace {

// PCI_COMMAND bits made writable by pci_init_wmask.
constexpr std::uint16_t kCommandWritable =
    0x0001 | 0x0002 | 0x0004 | 0x0400 | 0x0100;  // IO MEMORY MASTER INTX_DISABLE SERR
// PCI_STATUS error bits made write-1-to-clear by pci_init_w1cmask.
constexpr std::uint16_t kStatusW1c = 0x0100 | 0x0800 | 0x1000 | 0x2000 | 0x4000 | 0x8000;

constexpr std::uint16_t kSubvendorRedhatQumranet = 0x1af4;  // PCI_SUBVENDOR_ID_REDHAT_QUMRANET
constexpr std::uint16_t kSubdeviceQemu = 0x1100;            // PCI_SUBDEVICE_ID_QEMU

// MSI-X capability (hw/pci/msix.c, pci_regs.h).
constexpr unsigned kMsixCapLength = 12;                   // MSIX_CAP_LENGTH
constexpr unsigned kMsixFlags = 2;                        // PCI_MSIX_FLAGS
constexpr unsigned kMsixTable = 4;                        // PCI_MSIX_TABLE
constexpr unsigned kMsixPba = 8;                          // PCI_MSIX_PBA
constexpr unsigned kMsixControl = 3;                      // MSIX_CONTROL_OFFSET
constexpr std::uint8_t kMsixEnableMaskAll = 0x80 | 0x40;  // MSIX_ENABLE_MASK | MSIX_MASKALL_MASK

// PCI Express capability (pci_regs.h, hw/pci/pcie_regs.h).
constexpr unsigned kExpVer2Sizeof = 0x3c;
constexpr unsigned kExpFlags = 0x02;
constexpr unsigned kExpDevcap = 0x04;
constexpr unsigned kExpDevctl = 0x08;
constexpr unsigned kExpDevsta = 0x0a;
constexpr unsigned kExpLnkcap = 0x0c;
constexpr unsigned kExpLnkctl = 0x10;
constexpr unsigned kExpLnksta = 0x12;
constexpr unsigned kExpDevcap2 = 0x24;
constexpr unsigned kExpDevctl2 = 0x28;
constexpr std::uint16_t kExpFlagsVer2 = 2;
constexpr std::uint32_t kExpDevcapRber = 0x8000;
constexpr std::uint32_t kExpDevcapFlr = 0x10000000;
constexpr std::uint32_t kExpLnkcapAspms0s = 0x400;
constexpr std::uint32_t kExpLnkX1 = 1 << 4;  // QEMU_PCI_EXP_LNKCAP_MLW(QEMU_PCI_EXP_LNK_X1)
constexpr std::uint32_t kExpLnk2_5GT = 1;    // QEMU_PCI_EXP_LNKCAP_MLS(QEMU_PCI_EXP_LNK_2_5GT)
constexpr std::uint32_t kExpDevcap2Eff = 0x100000;
constexpr std::uint32_t kExpDevcap2Eetlpp = 0x200000;
constexpr std::uint16_t kExpDevctl2Eetlppb = 0x8000;
constexpr std::uint32_t kExpDevctlErrors = 0x000f;  // CERE | NFERE | FERE | URRE
constexpr std::uint32_t kExpDevstaErrors = 0x000f;  // CED | NFED | FED | URD
constexpr std::uint32_t kExpLnkctlCccEs = 0x40 | 0x80;
constexpr std::uint16_t kExpDevctlBcrFlr = 0x8000;

unsigned bar_offset(int region) {
  return region == kRomSlot ? kRomAddress : kBaseAddress0 + 4u * static_cast<unsigned>(region);
}

}  // namespace

std::uint64_t pow2ceil(std::uint64_t v) {
  std::uint64_t p = 1;
  while (p < v && p != 0) p <<= 1;
  return p;
}

void ConfigBuilder::put(std::vector<std::uint8_t>& b, unsigned off, std::uint64_t v, unsigned width) {
  for (unsigned i = 0; i < width && off + i < b.size(); ++i) b[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint32_t ConfigBuilder::get(unsigned off, unsigned width) const {
  std::uint32_t v = 0;
  for (unsigned i = 0; i < width && off + i < size(); ++i) v |= std::uint32_t{space_.config[off + i]} << (8 * i);
  return v;
}

void ConfigBuilder::or_wmask(unsigned off, std::uint64_t v, unsigned width) {
  for (unsigned i = 0; i < width && off + i < size(); ++i)
    space_.wmask[off + i] |= static_cast<std::uint8_t>(v >> (8 * i));
}

void ConfigBuilder::or_w1cmask(unsigned off, std::uint64_t v, unsigned width) {
  for (unsigned i = 0; i < width && off + i < size(); ++i)
    space_.w1cmask[off + i] |= static_cast<std::uint8_t>(v >> (8 * i));
}

ConfigBuilder::ConfigBuilder(bool express)
    : space_(express ? kExpressConfigSize : kConfigSize), used_(space_.config.size(), 0) {
  // pci_init_cmask
  set_cmask(kVendorId, 0xffff, 2);
  set_cmask(kDeviceId, 0xffff, 2);
  space_.cmask[kStatus] = kStatusCapList;
  space_.cmask[kRevisionId] = 0xff;
  space_.cmask[kClassProg] = 0xff;
  set_cmask(kClassDevice, 0xffff, 2);
  space_.cmask[kHeaderType] = 0xff;
  space_.cmask[kCapabilityList] = 0xff;
  // pci_init_wmask
  space_.wmask[kCacheLineSize] = 0xff;
  space_.wmask[kInterruptLine] = 0xff;
  set_wmask(kCommand, kCommandWritable, 2);
  std::fill(space_.wmask.begin() + kHeaderSize, space_.wmask.end(), 0xff);
  // pci_init_w1cmask
  put(space_.w1cmask, kStatus, kStatusW1c, 2);
}

void ConfigBuilder::set_ids(std::uint16_t vendor, std::uint16_t device, std::uint8_t revision,
                            std::uint16_t class_id) {
  set16(kVendorId, vendor);
  set16(kDeviceId, device);
  set8(kRevisionId, revision);
  set16(kClassDevice, class_id);
  // pci_set_default_subsystem_id
  set16(kSubsystemVendorId, kSubvendorRedhatQumranet);
  set16(kSubsystemId, kSubdeviceQemu);
}

void ConfigBuilder::register_bar(int region, std::uint8_t type, std::uint64_t bar_size) {
  if (region < 0 || region > kRomSlot) return;
  const unsigned addr = bar_offset(region);
  bars_[static_cast<std::size_t>(region)] = {bar_size, type};
  std::uint64_t wmask = ~(bar_size - 1);
  if (region == kRomSlot) wmask |= 1;  // PCI_ROM_ADDRESS_ENABLE
  const bool is64 = !(type & kBarIo) && (type & kBarMem64);
  const unsigned width = is64 ? 8 : 4;
  put(space_.config, addr, type, width);
  put(space_.wmask, addr, is64 ? wmask : (wmask & 0xffffffffu), width);
  put(space_.cmask, addr, ~std::uint64_t{0}, width);
}

int ConfigBuilder::add_capability(std::uint8_t cap_id, unsigned offset, unsigned cap_size) {
  const unsigned aligned = (cap_size + 3) & ~3u;  // QEMU_ALIGN_UP(size, 4)
  if (offset == 0) {
    // pci_find_space: the first run of `size` unused bytes in 0x40..0xff.
    unsigned start = kHeaderSize;
    for (unsigned i = kHeaderSize; i < kConfigSize; ++i) {
      if (used_[i]) {
        start = i + 1;
      } else if (i - start + 1 == cap_size) {
        offset = start;
        break;
      }
    }
    if (offset == 0) return -1;  // QEMU: assert(offset)
  } else {
    for (unsigned i = offset; i < offset + cap_size && i < size(); ++i)
      if (used_[i]) return -1;  // "Attempt to add PCI capability ... overlaps"
  }
  if (offset + aligned > size()) return -1;
  space_.config[offset] = cap_id;
  space_.config[offset + 1] = space_.config[kCapabilityList];
  space_.config[kCapabilityList] = static_cast<std::uint8_t>(offset);
  space_.config[kStatus] |= kStatusCapList;
  std::fill_n(used_.begin() + offset, aligned, 0xff);
  std::fill_n(space_.wmask.begin() + offset, cap_size, 0);     // read-only by default
  std::fill_n(space_.cmask.begin() + offset, cap_size, 0xff);  // checked by default
  return static_cast<int>(offset);
}

bool ConfigBuilder::msix_init_exclusive_bar(unsigned nentries, int bar) {
  if (nentries < 1 || nentries > kMsixMaxEntries) return false;  // msix_init: -EINVAL
  std::uint32_t bar_size = 4096;
  std::uint32_t pba_offset = bar_size / 2;
  const std::uint32_t pba_size = ((nentries + 63) / 64) * 8;  // QEMU_ALIGN_UP(n, 64) / 8
  if (nentries * kMsixEntrySize > pba_offset) pba_offset = static_cast<std::uint32_t>(nentries * kMsixEntrySize);
  if (pba_offset + pba_size > 4096) bar_size = pba_offset + pba_size;
  bar_size = static_cast<std::uint32_t>(pow2ceil(bar_size));
  const int cap = add_capability(kCapIdMsix, 0, kMsixCapLength);
  if (cap < 0) return false;
  msix_cap_ = static_cast<unsigned>(cap);
  set16(msix_cap_ + kMsixFlags, static_cast<std::uint16_t>(nentries - 1));
  set32(msix_cap_ + kMsixTable, static_cast<std::uint32_t>(bar));
  set32(msix_cap_ + kMsixPba, pba_offset | static_cast<std::uint32_t>(bar));
  space_.wmask[msix_cap_ + kMsixControl] |= kMsixEnableMaskAll;
  register_bar(bar, kBarMem32, bar_size);
  return true;
}

int ConfigBuilder::pcie_endpoint_cap_init(bool extcap_init) {
  const int pos = add_capability(kCapIdExp, 0, kExpVer2Sizeof);
  if (pos < 0) return pos;
  exp_cap_ = static_cast<unsigned>(pos);
  // pcie_cap_v1_fill: PCI_EXP_TYPE_ENDPOINT (0), port 0, x1 at 2.5 GT/s.
  set16(exp_cap_ + kExpFlags, kExpFlagsVer2);
  set32(exp_cap_ + kExpDevcap, kExpDevcapRber);
  set32(exp_cap_ + kExpLnkcap, kExpLnkcapAspms0s | kExpLnkX1 | kExpLnk2_5GT);
  set16(exp_cap_ + kExpLnksta, static_cast<std::uint16_t>(kExpLnkX1 | kExpLnk2_5GT));
  set_cmask(exp_cap_ + kExpLnksta, 0, 2);  // link status is never checked
  // pcie_cap_init, v2 part
  set32(exp_cap_ + kExpDevcap2, kExpDevcap2Eff | kExpDevcap2Eetlpp);
  set_wmask(exp_cap_ + kExpDevctl2, kExpDevctl2Eetlppb, 2);
  if (extcap_init && size() > kConfigSize) set_wmask(kConfigSize, 0, 4);  // a 'NULL' extended cap header
  return pos;
}

void ConfigBuilder::pcie_cap_deverr_init() {
  set32(exp_cap_ + kExpDevcap, get(exp_cap_ + kExpDevcap, 4) | kExpDevcapRber);
  or_wmask(exp_cap_ + kExpDevctl, kExpDevctlErrors, 4);
  or_w1cmask(exp_cap_ + kExpDevsta, kExpDevstaErrors, 4);
}

void ConfigBuilder::pcie_cap_lnkctl_init() { or_wmask(exp_cap_ + kExpLnkctl, kExpLnkctlCccEs, 4); }

void ConfigBuilder::pcie_cap_flr_init() {
  set32(exp_cap_ + kExpDevcap, get(exp_cap_ + kExpDevcap, 4) | kExpDevcapFlr);
  or_wmask(exp_cap_ + kExpDevctl, kExpDevctlBcrFlr, 2);
}

void ConfigBuilder::device_reset() {
  auto clear = [&](unsigned off, unsigned width, std::uint32_t mask) {
    put(space_.config, off, get(off, width) & ~mask, width);
  };
  auto mask_word = [&](unsigned off) {
    return std::uint32_t{space_.wmask[off]} | std::uint32_t{space_.wmask[off + 1]} << 8 |
           std::uint32_t{space_.w1cmask[off]} | std::uint32_t{space_.w1cmask[off + 1]} << 8;
  };
  clear(kCommand, 2, mask_word(kCommand));
  clear(kStatus, 2, mask_word(kStatus));
  clear(kInterruptLine, 1, mask_word(kInterruptLine));
  space_.config[kCacheLineSize] = 0;
  // pci_reset_regions
  for (int r = 0; r <= kRomSlot; ++r) {
    const Bar& b = bars_[static_cast<std::size_t>(r)];
    if (!b.size) continue;
    const bool is64 = !(b.type & kBarIo) && (b.type & kBarMem64);
    put(space_.config, bar_offset(r), b.type, is64 ? 8 : 4);
  }
  // msix_reset
  if (msix_cap_)
    space_.config[msix_cap_ + kMsixControl] &= static_cast<std::uint8_t>(~space_.wmask[msix_cap_ + kMsixControl]);
}

}  // namespace migcheck::pci
