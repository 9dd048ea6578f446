#include "platform.h"

#include <array>
#include <cstring>

namespace migcheck::stream {

namespace {

// Vmsd names of the sections every pc machine registers (QEMU 7.2, taken
// from the vmdesc of real captures).
constexpr std::array<std::string_view, 20> kCommon = {
    "timer",  "cpu_common", "cpu",   "kvm-tpr-opt", "apic",        "fw_cfg",  "PCIHost",
    "PCIBUS", "dma",        "i8259", "ioapic",      "hpet",        "mc146818rtc", "i8254",
    "pcspk",  "ps2kbd",     "ps2mouse", "pckbd",    "vmmouse",     "port92"};
constexpr std::array<std::string_view, 7> kI440fx = {"I440FX", "PIIX3",    "ide",        "piix4_pm",
                                                     "fdc",    "i2c_bus",  "acpi_build"};
constexpr std::array<std::string_view, 8> kQ35 = {"mch",     "ICH9LPC",    "ich9_ahci",      "ich9_smb",
                                                  "i2c_bus", "acpi_build", "pcie-root-port", "globalstate"};

template <std::size_t N>
bool in(const std::array<std::string_view, N>& set, std::string_view name) {
  for (std::string_view s : set)
    if (s == name) return true;
  return false;
}

}  // namespace

bool is_platform_section(MachineFamily family, std::string_view idstr) {
  // "0000:00:01.0/PIIX3" -> "PIIX3"; plain names stay as they are.
  const auto slash = idstr.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? idstr : idstr.substr(slash + 1);
  if (name == "globalstate") return true;
  if (in(kCommon, name)) return true;
  return family == MachineFamily::Q35 ? in(kQ35, name) : in(kI440fx, name);
}

namespace {

std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) {
  return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 | std::uint32_t{b[at + 2]} << 8 | b[at + 3];
}

// Could a record start at `at`? Checks as much of its header as is there.
bool plausible_record(std::span<const std::uint8_t> b, std::size_t at) {
  if (at >= b.size()) return true;  // the input ends here
  switch (b[at]) {
    case 0x00: return at + 1 == b.size() || b[at + 1] == 0x06;  // EOF, then vmdesc
    case 0x02:
    case 0x03:
    case 0x08: return true;
    case 0x01:
    case 0x04: {
      if (at + 5 >= b.size()) return true;
      const std::size_t len = b[at + 5];
      if (len == 0) return false;
      for (std::size_t i = 0; i < len && at + 6 + i < b.size(); ++i)
        if (b[at + 6 + i] < 0x20 || b[at + 6 + i] > 0x7e) return false;
      return true;
    }
    default: return false;
  }
}

}  // namespace

std::optional<std::uint64_t> footer_distance(std::span<const std::uint8_t> bytes, std::size_t body,
                                             std::uint32_t section_id) {
  // memchr: the rest of the input can be large, and a byte loop with a
  // compare per byte is slow under the fuzzers' comparison tracing.
  for (std::size_t p = body; p + 5 <= bytes.size(); ++p) {
    const void* hit = std::memchr(bytes.data() + p, 0x7e, bytes.size() - 4 - p);
    if (!hit) break;
    p = static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - bytes.data());
    if (be32(bytes, p + 1) != section_id) continue;
    if (plausible_record(bytes, p + 5)) return p - body;
  }
  return std::nullopt;
}

}  // namespace migcheck::stream
