// x86 machine types of QEMU 7.2 and the compat globals that reach migration
// or a virtio-pci device (hw/i386/pc_piix.c, hw/i386/pc_q35.c,
// hw/core/machine.c hw_compat_*, hw/i386/pc.c pc_compat_*).
#include <array>
#include <charconv>

#include "model.h"

namespace migcheck {

namespace profile {

namespace {

// Machine version V gets every list X_Y with V <= X.Y, newest list first
// (pc_*_X_Y_machine_options calls the newer options, then adds its own), so
// a later entry overrides an earlier one for the same property.
struct CompatGlobal {
  int upto;  // applies to machine versions <= upto (major*100+minor)
  CompatProperty prop;
};

constexpr CompatGlobal kGlobals[] = {
    // hw_compat_7_1
    {701, {"virtio-device", "queue_reset", "false"}},
    {701, {"virtio-rng-pci", "vectors", "0"}},
    {701, {"virtio-rng-pci-transitional", "vectors", "0"}},
    {701, {"virtio-rng-pci-non-transitional", "vectors", "0"}},
    // hw_compat_5_2
    {502, {"virtio-blk-device", "report-discard-granularity", "off"}},
    {502, {"virtio-net-pci-base", "vectors", "3"}},
    // hw_compat_5_1
    {501, {"virtio-blk-device", "num-queues", "1"}},
    {501, {"virtio-scsi-device", "num_queues", "1"}},
    {501, {"virtio-pci", "x-ats-page-aligned", "off"}},
    // hw_compat_5_0
    {500, {"virtio-balloon-device", "page-poison", "false"}},
    {500, {"virtio-device", "x-disable-legacy-check", "true"}},
    // hw_compat_4_2
    {402, {"virtio-blk-device", "queue-size", "128"}},
    {402, {"virtio-scsi-device", "virtqueue_size", "128"}},
    {402, {"virtio-blk-device", "x-enable-wce-if-config-wce", "off"}},
    {402, {"virtio-blk-device", "seg-max-adjust", "off"}},
    {402, {"virtio-scsi-device", "seg_max_adjust", "off"}},
    {402, {"virtio-device", "use-disabled-flag", "false"}},
    // hw_compat_4_1
    {401, {"virtio-pci", "x-pcie-flr-init", "off"}},
    // hw_compat_4_0
    {400, {"virtio-device", "use-started", "false"}},
    {400, {"virtio-balloon-device", "qemu-4-0-config-size", "true"}},
    // hw_compat_3_1
    {301, {"virtio-blk-device", "discard", "false"}},
    {301, {"virtio-blk-device", "write-zeroes", "false"}},
    {301, {"virtio-balloon-device", "qemu-4-0-config-size", "false"}},
    // hw_compat_2_11
    {211, {"virtio-blk-pci", "vectors", "2"}},
    // hw_compat_2_9
    {209, {"virtio-net-device", "x-mtu-bypass-backend", "off"}},
    // hw_compat_2_8
    {208, {"pci-device", "x-pcie-extcap-init", "off"}},
    {208, {"virtio-pci", "x-pcie-deverr-init", "off"}},
    {208, {"virtio-pci", "x-pcie-lnkctl-init", "off"}},
    {208, {"virtio-pci", "x-pcie-pm-init", "off"}},
    // hw_compat_2_7
    {207, {"virtio-pci", "page-per-vq", "on"}},
    {207, {"virtio-serial-device", "emergency-write", "off"}},
    {207, {"virtio-pci", "x-ignore-backend-features", "on"}},
    // hw_compat_2_6 (optional: transitional drivers have no such property)
    {206, {"virtio-pci", "disable-modern", "on", true}},
    {206, {"virtio-pci", "disable-legacy", "off", true}},
    // hw_compat_2_4 ("scsi" is optional: Linux-only property)
    {204, {"virtio-blk-device", "scsi", "true", true}},
    {204, {"virtio-pci", "x-disable-pcie", "on"}},
    {204, {"virtio-pci", "migrate-extra", "off"}},
    // hw_compat_2_3
    {203, {"virtio-blk-pci", "any_layout", "off"}},
    {203, {"virtio-balloon-pci", "any_layout", "off"}},
    {203, {"virtio-serial-pci", "any_layout", "off"}},
    {203, {"virtio-rng-pci", "any_layout", "off"}},
    {203, {"pci-device", "x-pcie-lnksta-dllla", "off"}},
    {203, {"migration", "send-configuration", "off"}},
    {203, {"migration", "send-section-footer", "off"}},
    {203, {"migration", "store-global-state", "off"}},
    // hw_compat_2_1
    {201, {"virtio-scsi-pci", "any_layout", "off"}},
    {201, {"virtio-pci", "virtio-pci-bus-master-bug-migration", "on"}},
    // pc_compat_2_0
    {200, {"virtio-scsi-pci", "any_layout", "off"}},
    {200, {"virtio-net-pci", "guest_announce", "off"}},
    // pc_compat_1_5
    {105, {"virtio-net-pci", "any_layout", "off"}},
    // pc_compat_1_4
    {104, {"virtio-serial-pci", "vectors", "0xFFFFFFFF"}},
    {104, {"virtio-net-pci", "ctrl_guest_offloads", "off"}},
    {104, {"virtio-net-pci", "romfile", "pxe-virtio.rom"}},
    {104, {"virtio-blk-pci", "discard_granularity", "0"}},
};

struct Family {
  MachineFamily family;
  std::string_view prefix;  // "pc-i440fx-"
  std::string_view alias;   // "pc"
  int oldest;               // first version 7.2 still has
};
constexpr std::array<Family, 2> kFamilies = {{
    {MachineFamily::I440fx, "pc-i440fx-", "pc", 104},
    {MachineFamily::Q35, "pc-q35-", "q35", 204},
}};
constexpr int kNewest = 702;

// Minor versions per major that QEMU 7.2 defines.
bool version_exists(int v) {
  const int major = v / 100, minor = v % 100;
  switch (major) {
    case 1:
      return minor >= 4 && minor <= 7;
    case 2:
      return minor <= 12;
    case 3:
      return minor <= 1;
    case 4:
      return minor <= 2;
    case 5:
      return minor <= 2;
    case 6:
      return minor <= 2;
    case 7:
      return minor <= 2;
    default:
      return false;
  }
}

bool parse_version(std::string_view s, int* v, bool* point_one) {
  int major = 0, minor = 0;
  const char* end = s.data() + s.size();
  auto r = std::from_chars(s.data(), end, major);
  // A major of 100 or more is no QEMU machine, and major * 100 must not
  // overflow on a hostile name ("pc-i440fx-444444447.2").
  if (r.ec != std::errc() || r.ptr == end || *r.ptr != '.' || major < 0 || major > 99) return false;
  auto r2 = std::from_chars(r.ptr + 1, end, minor);
  if (r2.ec != std::errc() || minor > 99) return false;
  *point_one = false;
  if (r2.ptr != end) {
    if (std::string_view(r2.ptr, static_cast<std::size_t>(end - r2.ptr)) != ".1") return false;
    *point_one = true;
  }
  *v = major * 100 + minor;
  return true;
}

std::string valid_forms() {
  return "valid machine types: pc (alias of pc-i440fx-7.2), q35 (alias of pc-q35-7.2), "
         "pc-i440fx-X.Y (1.4 .. 7.2), pc-q35-X.Y (2.4 .. 7.2, and 4.0.1)";
}

bool global_is(const CompatProperty& g, std::string_view type, std::string_view prop) {
  return g.type == type && g.property == prop;
}

}  // namespace

std::vector<CompatProperty> compat_globals(int version) {
  std::vector<CompatProperty> out;
  for (const CompatGlobal& g : kGlobals) {
    // q35 machines start at 2.4 and add the same hw_compat/pc_compat lists.
    if (version <= g.upto) out.push_back(g.prop);
  }
  return out;
}

}  // namespace profile

std::optional<MachineType> parse_machine(std::string_view name, std::string* error) {
  using profile::kFamilies;
  MachineType m;
  bool found = false;
  for (const auto& f : kFamilies) {
    if (name == f.alias) {
      m.family = f.family;
      m.version = profile::kNewest;
      m.name = std::string(f.prefix) + "7.2";
      found = true;
      break;
    }
    if (name.substr(0, f.prefix.size()) != f.prefix) continue;
    int v = 0;
    bool point_one = false;
    if (!profile::parse_version(name.substr(f.prefix.size()), &v, &point_one) || !profile::version_exists(v) ||
        v < f.oldest || v > profile::kNewest || (point_one && (f.family != MachineFamily::Q35 || v != 400)))
      break;
    const std::string canonical =
        std::string(f.prefix) + std::to_string(v / 100) + "." + std::to_string(v % 100) + (point_one ? ".1" : "");
    if (canonical != name) break;
    m.family = f.family;
    m.version = v;
    m.name = canonical;
    found = true;
    break;
  }
  if (!found) {
    if (error) *error = "unsupported machine type '" + std::string(name) + "' (" + profile::valid_forms() + ")";
    return std::nullopt;
  }
  // pc-i440fx-2.2 .. 2.0: default_machine_opts "...,suppress-vmdesc=on"
  // (cleared again by 1.7's options).
  m.suppress_vmdesc = m.family == MachineFamily::I440fx && m.version >= 200 && m.version <= 202;
  m.compat = profile::compat_globals(m.version);
  for (const CompatProperty& g : m.compat) {
    const bool on = g.value == "on" || g.value == "true";
    if (profile::global_is(g, "migration", "send-configuration")) m.send_configuration = on;
    if (profile::global_is(g, "migration", "send-section-footer")) m.send_section_footer = on;
    if (profile::global_is(g, "migration", "store-global-state")) m.store_global_state = on;
    if (profile::global_is(g, "virtio-pci", "migrate-extra")) m.virtio_pci_migrate_extra = on;
    if (profile::global_is(g, "virtio-pci", "disable-modern")) m.virtio_pci_disable_modern = on;
    if (profile::global_is(g, "virtio-pci", "disable-legacy")) m.virtio_pci_disable_legacy_auto = false;
    if (profile::global_is(g, "virtio-device", "use-started")) m.virtio_use_started = on;
    if (profile::global_is(g, "virtio-device", "use-disabled-flag")) m.virtio_use_disabled_flag = on;
    if (profile::global_is(g, "virtio-device", "queue_reset")) m.virtio_queue_reset = on;
  }
  return m;
}

}  // namespace migcheck
