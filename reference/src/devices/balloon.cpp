// virtio-balloon: vmstate "virtio-balloon-device" v1 and its two
// subsections (hw/virtio/virtio-balloon.c @ 7.2.22). No field is checked.
//
// The device part is loaded before vmstate_virtio's subsections, so at that
// point guest_features holds only the 32-bit word; the needed() tests below
// run on save and read bits 3 and 4, which that word carries.
#include "migcheck/devices/balloon_rules.h"
#include "migcheck/virtio/core.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::devices {

using virtio::DeviceOps;
using virtio::VirtioDevice;
using vmstate::LoadContext;
using vmstate::Vmsd;
using VDev = VirtioDevice;

namespace {

constexpr unsigned kFreePageHint = 3;         // VIRTIO_BALLOON_F_FREE_PAGE_HINT
constexpr unsigned kPagePoison = 4;           // VIRTIO_BALLOON_F_PAGE_POISON
constexpr std::uint32_t kHintStatusDone = 3;  // FREE_PAGE_HINT_S_DONE, the last state

// virtio_balloon_free_page_support / virtio_balloon_page_poison_support.
bool free_page_hint_needed(const VDev& d) { return d.has_feature(kFreePageHint); }
bool page_poison_needed(const VDev& d) { return d.has_feature(kPagePoison); }

int free_page_report_post_load(LoadContext& ctx, VDev& d, int) {
  if (d.balloon.free_page_hint_status > kHintStatusDone)
    ctx.apply(rules::kBalloonHintStatus, {},
              vmstate::qemu_format("free_page_hint_status %u is not STOP/REQUESTED/START/DONE: "
                                   "the guest reads free_page_hint_cmd_id 0",
                                   d.balloon.free_page_hint_status));
  return 0;
}

const Vmsd<VDev>& vmstate_free_page_report() {
  static const Vmsd<VDev> v{
      .name = "virtio-balloon-device/free-page-report",
      .version_id = 1,
      .minimum_version_id = 1,
      .fields = {vmstate::scalar<VDev>("free_page_hint_cmd_id", MC_REF(balloon.free_page_hint_cmd_id)),
                 vmstate::scalar<VDev>("free_page_hint_status", MC_REF(balloon.free_page_hint_status))},
      .needed = free_page_hint_needed,
      .post_load = free_page_report_post_load};
  return v;
}

const Vmsd<VDev>& vmstate_page_poison() {
  static const Vmsd<VDev> v{.name = "virtio-balloon-device/page-poison",
                            .version_id = 1,
                            .minimum_version_id = 1,
                            .fields = {vmstate::scalar<VDev>("poison_val", MC_REF(balloon.poison_val))},
                            .needed = page_poison_needed};
  return v;
}

// virtio_balloon_post_load_device: with stats polling on, the timer is
// re-armed for now + interval (balloon_stats_change_timer).
int post_load_device(LoadContext&, VDev& d, int) {
  if (d.balloon.stats_poll_interval > 0) d.balloon.stats_timer_armed = true;
  return 0;
}

const Vmsd<VDev>& vmstate_virtio_balloon_device() {
  static const Vmsd<VDev> v{.name = "virtio-balloon-device",
                            .version_id = 1,
                            .minimum_version_id = 1,
                            .fields = {vmstate::scalar<VDev>("num_pages", MC_REF(balloon.num_pages)),
                                       vmstate::scalar<VDev>("actual", MC_REF(balloon.actual))},
                            .subsections = {&vmstate_free_page_report(), &vmstate_page_poison()},
                            .post_load = post_load_device};
  return v;
}

}  // namespace

const DeviceOps& balloon_ops() {
  static const DeviceOps ops{.kind = DeviceKind::Balloon,
                             .vmsd_name = "virtio-balloon",
                             .version_id = 1,
                             .minimum_version_id = 1,
                             .vmsd = vmstate_virtio_balloon_device};
  return ops;
}

}  // namespace migcheck::devices
