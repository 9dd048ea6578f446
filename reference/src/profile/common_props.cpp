// The properties every virtio-pci driver has: PCIDevice (hw/pci/pci.c
// pci_props), VirtIOPCIProxy (hw/virtio/virtio-pci.c virtio_pci_properties,
// virtio_pci_generic_properties) and VirtIODevice (hw/virtio/virtio.c
// virtio_properties, DEFINE_VIRTIO_COMMON_FEATURES).
#include "model.h"

namespace migcheck::profile {

namespace {

void unsupported_if_on(Build& b, const PropValue& v, std::string_view what) {
  if (v.b) b.prop_error = std::string(what) + "=on is not modelled by migcheck";
}

constexpr PropDef kPciDevice[] = {
    {"addr", PropType::DevFn, -1, -1, [](Build& b, const PropValue& v) { b.devfn = v.devfn; }},
    {"romfile", PropType::Str, -1, -1, [](Build& b, const PropValue& v) { b.romfile = v.s; }},
    {"romsize", PropType::U32, -1, -1,
     [](Build& b, const PropValue& v) { b.romsize = v.u == 0xffffffffu ? -1 : static_cast<std::int64_t>(v.u); }},
    {"rombar", PropType::U32, -1, -1,
     [](Build& b, const PropValue& v) { b.rombar = static_cast<std::uint32_t>(v.u); }},
    {"multifunction", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.multifunction = v.b; }},
    {"x-pcie-lnksta-dllla", PropType::Bool, -1, -1, prop_ignored},  // hotplug only
    {"x-pcie-extcap-init", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.extcap_init = v.b; }},
    {"failover_pair_id", PropType::Str, -1, -1,
     [](Build& b, const PropValue&) { b.prop_error = "failover_pair_id is not modelled by migcheck"; }},
    {"acpi-index", PropType::U32, -1, -1, prop_ignored},
};

constexpr PropDef kVirtioPci[] = {
    {"virtio-pci-bus-master-bug-migration", PropType::Bool, -1, -1, prop_ignored},
    {"migrate-extra", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.migrate_extra = v.b; }},
    {"modern-pio-notify", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.modern_pio_notify = v.b; }},
    {"x-disable-pcie", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.disable_pcie = v.b; }},
    {"page-per-vq", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.page_per_vq = v.b; }},
    {"x-ignore-backend-features", PropType::Bool, -1, -1,
     [](Build& b, const PropValue& v) { b.ignore_backend_features = v.b; }},
    {"ats", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { unsupported_if_on(b, v, "ats"); }},
    {"x-ats-page-aligned", PropType::Bool, -1, -1, prop_ignored},  // only with ats=on
    {"x-pcie-deverr-init", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.init_deverr = v.b; }},
    {"x-pcie-lnkctl-init", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.init_lnkctl = v.b; }},
    {"x-pcie-pm-init", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.init_pm = v.b; }},
    {"x-pcie-flr-init", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.init_flr = v.b; }},
    {"aer", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { unsupported_if_on(b, v, "aer"); }},
};

constexpr PropDef kVirtioPciGeneric[] = {
    {"disable-legacy", PropType::OnOffAuto, -1, -1,
     [](Build& b, const PropValue& v) { b.disable_legacy = v.ooa; }},
    {"disable-modern", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.disable_modern = v.b; }},
};

constexpr PropDef kVirtioDevice[] = {
    {"indirect_desc", PropType::Bool, -1, virtio::kRingFIndirectDesc},
    {"event_idx", PropType::Bool, -1, virtio::kRingFEventIdx},
    {"notify_on_empty", PropType::Bool, -1, virtio::kFNotifyOnEmpty},
    {"any_layout", PropType::Bool, -1, virtio::kFAnyLayout},
    {"iommu_platform", PropType::Bool, -1, virtio::kFIommuPlatform},
    {"packed", PropType::Bool, -1, virtio::kFRingPacked},
    {"queue_reset", PropType::Bool, -1, virtio::kFRingReset},
    {"use-started", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.use_started = v.b; }},
    {"use-disabled-flag", PropType::Bool, -1, -1, prop_ignored},       // runtime only
    {"x-disable-legacy-check", PropType::Bool, -1, -1, prop_ignored},  // legacy is allowed for all six
};

}  // namespace

void prop_vectors(Build& b, const PropValue& v) {
  if (v.u == 0xffffffffu)
    b.nvectors.reset();
  else
    b.nvectors = static_cast<std::uint32_t>(v.u);
}
void prop_ignored(Build&, const PropValue&) {}

std::span<const PropDef> pci_device_props() { return kPciDevice; }
std::span<const PropDef> virtio_pci_props() { return kVirtioPci; }
std::span<const PropDef> virtio_pci_generic_props() { return kVirtioPciGeneric; }
std::span<const PropDef> virtio_device_props() { return kVirtioDevice; }

}  // namespace migcheck::profile
