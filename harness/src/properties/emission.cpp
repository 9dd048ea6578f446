// Which subsections a writer release sends for a state, and which a reader
// release knows: QEMU's needed() rules and each subsection's first release,
// independent of how the reference's save loop walks them.
#include "detail.h"
#include "migcheck/virtio/core.h"

namespace migcheck::harness::detail {

namespace {

constexpr unsigned kBalloonFreePageHint = 3;  // VIRTIO_BALLOON_F_FREE_PAGE_HINT
constexpr unsigned kBalloonPagePoison = 4;    // VIRTIO_BALLOON_F_PAGE_POISON

// First release of the subsections nested in device parts and transports
// (major*100+minor); vmstate_virtio's own come from Profile::virtio_subsections.
struct Nested {
  std::string_view name;
  int since;
};
constexpr Nested kNested[] = {
    {"s390_subch_dev/orb", 210},                      // css migration, v2.10
    {"s390_adapter_info/summary_offset", 210},        //
    {"virtio-net-device/rss", 501},                   // Profile::net_rss_subsection
    {"virtio-balloon-device/free-page-report", 301},  // free page hinting, v3.1
    {"virtio-balloon-device/page-poison", 501},       // v5.1
    {"virtio_pci/modern_state", 205},                 // Profile::modern_state_subsection
    {"virtio_mmio/state", 501},                       // virtio-mmio modern migration
};

}  // namespace

std::vector<SubsectionUse> needed_subsections(const virtio::VirtioDevice& d, const Profile& writer) {
  std::vector<SubsectionUse> out;
  out.reserve(kFewSubsections);
  auto add = [&](std::string_view name) {
    SubsectionUse s{name, -1};
    if (reader_knows(writer, s)) out.push_back(std::move(s));
  };
  // Transport config (save_config), then the device part, then vmstate_virtio.
  if (d.transport == TransportKind::Ccw && d.ccw.css_migration) {
    add("s390_subch_dev/orb");
    add("s390_adapter_info/summary_offset");
  }
  if (d.kind == DeviceKind::Net && d.net.rss_data.enabled) add("virtio-net-device/rss");
  if (d.kind == DeviceKind::Balloon) {
    if (d.has_feature(kBalloonFreePageHint)) add("virtio-balloon-device/free-page-report");
    if (d.has_feature(kBalloonPagePoison)) add("virtio-balloon-device/page-poison");
  }
  if (!writer.virtio_vmstate) return out;
  for (unsigned s = 0; s < static_cast<unsigned>(VirtioSub::kCount); ++s) {
    const auto sub = static_cast<VirtioSub>(s);
    if (!(writer.virtio_subsections & sub_bit(sub))) continue;
    const auto& vmsd = virtio::virtio_subsection(sub);
    if (vmsd.needed && !vmsd.needed(d)) continue;
    out.push_back({vmsd.name, static_cast<int>(s)});
    if (sub == VirtioSub::ExtraState) {
      if (d.transport == TransportKind::Pci && d.pci.modern) add("virtio_pci/modern_state");
      if (d.transport == TransportKind::Mmio) add("virtio_mmio/state");
    }
  }
  return out;
}

bool reader_knows(const Profile& reader, const SubsectionUse& sub) {
  if (sub.virtio_sub >= 0)
    return reader.virtio_vmstate && (reader.virtio_subsections & (1u << static_cast<unsigned>(sub.virtio_sub)));
  if (sub.name == "virtio-net-device/rss") return reader.net_rss_subsection;
  if (sub.name == "virtio_pci/modern_state") return reader.modern_state_subsection;
  for (const Nested& n : kNested)
    if (n.name == sub.name) return reader.release >= n.since;
  return false;
}

std::vector<std::string_view> needed_subsection_names(const virtio::VirtioDevice& state, const Profile& writer) {
  std::vector<std::string_view> names;
  names.reserve(kFewSubsections);
  for (const SubsectionUse& s : needed_subsections(state, writer)) names.push_back(s.name);
  return names;
}

}  // namespace migcheck::harness::detail
