#include "migcheck/virtio/rules.h"

#include <array>

namespace migcheck::virtio::rules {

namespace {
constexpr std::string_view kVirtioLoad = "hw/virtio/virtio.c: virtio_load";
}

const LoadRule kQueueSel{.id = "virtio.queue_sel", .outcome = Outcome::Reject, .qemu_message = "",
                         .origin = kVirtioLoad, .spec = "§7 L3", .cve = "CVE-2013-6399"};
const LoadRule kConfigLenExcess{.id = "virtio.config_len.excess", .outcome = Outcome::Sanitize,
                                .qemu_message = "", .origin = kVirtioLoad, .spec = "§7 L5",
                                .cve = "CVE-2014-0182"};
const LoadRule kConfigLenShort{.id = "virtio.config_len.short", .outcome = Outcome::Sanitize,
                               .qemu_message = "", .origin = kVirtioLoad, .spec = "§7 L5"};
const LoadRule kConfigLenRunaway{.id = "virtio.config_len.runaway", .outcome = Outcome::Reject,
                                 .qemu_message = "", .origin = kVirtioLoad, .spec = "§7 L5",
                                 .cve = "CVE-2014-0182", .qemu = QemuFate::Hang};
const LoadRule kNumQueues{.id = "virtio.num_queues", .outcome = Outcome::Reject,
                          .qemu_message = "Invalid number of virtqueues: 0x%x", .origin = kVirtioLoad,
                          .spec = "§7 L6", .cve = "CVE-2013-4151"};
const LoadRule kVqDescZeroWithIndex{
    .id = "virtio.vq.desc_zero_with_index", .outcome = Outcome::Reject,
    .qemu_message = "VQ %d address 0x0 inconsistent with Host index 0x%x", .origin = kVirtioLoad,
    .spec = "§7 L8a"};
const LoadRule kExtraStateNoLoader{.id = "virtio.extra_state.no_loader", .outcome = Outcome::Reject,
                                   .qemu_message = "",
                                   .origin = "hw/virtio/virtio.c: get_extra_state", .spec = "§7 L12"};
const LoadRule kEndianDefault{.id = "virtio.endian.default", .outcome = Outcome::Sanitize,
                              .qemu_message = "", .origin = kVirtioLoad, .spec = "§7 L0/L13"};
const LoadRule kEndianUnrecognised{.id = "virtio.endian.unrecognised", .outcome = Outcome::Warn,
                                   .qemu_message = "", .origin = "hw/virtio/virtio.c: virtio_is_big_endian",
                                   .spec = "§7 L13"};
const LoadRule kFeatures64{.id = "virtio.features.unsupported", .outcome = Outcome::Reject,
                           .qemu_message = "Features 0x%lx unsupported. Allowed features: 0x%lx",
                           .origin = kVirtioLoad, .spec = "§7 L14"};
const LoadRule kFeatures32{.id = "virtio.features.unsupported_low", .outcome = Outcome::Reject,
                           .qemu_message = "Features 0x%x unsupported. Allowed features: 0x%lx",
                           .origin = kVirtioLoad, .spec = "§7 L14"};
const LoadRule kFeaturesHighDropped{.id = "virtio.features.high_dropped", .outcome = Outcome::Sanitize,
                                    .qemu_message = "", .origin = kVirtioLoad, .spec = "§7 L14"};
const LoadRule kStartOnKick{.id = "virtio.start_on_kick", .outcome = Outcome::Sanitize,
                            .qemu_message = "", .origin = kVirtioLoad, .spec = "§7 L15"};
const LoadRule kLegacyRings{.id = "virtio.vq.legacy_rings", .outcome = Outcome::Sanitize,
                            .qemu_message = "", .origin = "hw/virtio/virtio.c: virtio_queue_update_rings",
                            .spec = "§7 L16"};
const LoadRule kCannotMapDesc{.id = "virtio.vq.cannot_map_desc", .outcome = Outcome::Broken,
                              .qemu_message = "Cannot map desc",
                              .origin = "hw/virtio/virtio.c: virtio_init_region_cache", .spec = "§7 L16"};
const LoadRule kCannotMapUsed{.id = "virtio.vq.cannot_map_used", .outcome = Outcome::Broken,
                              .qemu_message = "Cannot map used",
                              .origin = "hw/virtio/virtio.c: virtio_init_region_cache", .spec = "§7 L16"};
// Confirmed on 7.2.22 by the differential batch (scsi-modern, vring.num of
// queue 1 set to 0): SIGABRT, "Assertion `len > 0' failed.".
const LoadRule kRingSizeZero{.id = "virtio.vq.ring_size_zero", .outcome = Outcome::Reject,
                             .qemu_message = "",
                             .origin = "hw/virtio/virtio.c: virtio_init_region_cache (address_space_cache_init)",
                             .spec = "§7 L16", .qemu = QemuFate::Abort};
const LoadRule kCannotMapAvail{.id = "virtio.vq.cannot_map_avail", .outcome = Outcome::Broken,
                               .qemu_message = "Cannot map avail",
                               .origin = "hw/virtio/virtio.c: virtio_init_region_cache", .spec = "§7 L16"};
const LoadRule kPackedUnchecked{.id = "virtio.vq.packed_unchecked", .outcome = Outcome::Warn,
                                .qemu_message = "", .origin = kVirtioLoad, .spec = "§7 L16a"};
const LoadRule kIndexDelta{
    .id = "virtio.vq.index_delta", .outcome = Outcome::Broken,
    .qemu_message = "VQ %d size 0x%x Guest index 0x%x inconsistent with Host index 0x%x: delta 0x%x",
    .origin = kVirtioLoad, .spec = "§7 L16b"};
const LoadRule kNoGuestMemory{.id = "virtio.vq.no_guest_memory", .outcome = Outcome::Warn,
                              .qemu_message = "", .origin = "migcheck: input carries no RAM section",
                              .spec = "§7 L16"};
const LoadRule kInuse{.id = "virtio.vq.inuse", .outcome = Outcome::Reject,
                      .qemu_message = "VQ %d size 0x%x < last_avail_idx 0x%x - used_idx 0x%x",
                      .origin = kVirtioLoad, .spec = "§7 L16d", .cve = "CVE-2016-5403"};

std::span<const RuleRef> all() {
  static const std::array<RuleRef, 22> list = {
      &kQueueSel,        &kConfigLenExcess, &kConfigLenShort,      &kConfigLenRunaway,
      &kNumQueues,       &kVqDescZeroWithIndex, &kExtraStateNoLoader, &kEndianDefault,
      &kEndianUnrecognised, &kFeatures64,   &kFeatures32,          &kFeaturesHighDropped,
      &kStartOnKick,     &kLegacyRings,     &kCannotMapDesc,       &kCannotMapUsed,
      &kCannotMapAvail,  &kPackedUnchecked, &kIndexDelta,          &kNoGuestMemory,
      &kInuse,           &kRingSizeZero};
  return list;
}

}  // namespace migcheck::virtio::rules
