// virtio_load after the subsections (spec §7 L13-L17): endianness, features,
// start_on_kick and the per-queue ring checks against guest memory.
#include "migcheck/defects/defects.h"
#include "migcheck/memory/guest_memory.h"
#include "migcheck/virtio/core.h"
#include "migcheck/virtio/rules.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::virtio {

using vmstate::qemu_format;

namespace {

constexpr std::uint8_t kDefaultEndian = kEndianLittle;  // virtio_default_endian() on x86

// virtio_set_features_nocheck: masks to host features and lets the device
// react. Returns 0, -1 when bits had to be masked, or the device's own
// rejection (a resize QEMU would crash on).
int set_features_nocheck(LoadContext& ctx, VirtioDevice& d, std::uint64_t val) {
  const bool bad = (val & ~d.host_features) != 0;
  if (defects::on(defects::Defect::DropFeaturesCheck)) {
    d.guest_features = val;  // neither masked nor refused
    return 0;
  }
  val &= d.host_features;
  if (auto set = device_ops(d.kind).set_features) {
    if (int ret = set(ctx, d, val)) return ret < 0 ? ret : -EINVAL;
  }
  d.guest_features = val;
  return bad ? 1 : 0;
}

// virtio_access_is_big_endian, which ring accesses use: only PPC64 and ARM
// targets follow device_endian (LEGACY_VIRTIO_IS_BIENDIAN), and only a
// big-endian target defaults to big. On x86 rings are always little-endian,
// whatever virtio/device_endian says (observed on 7.2.22: a legacy device
// with device_endian 2 loads with its indices read little-endian).
constexpr bool kAccessIsBigEndian = false;

std::uint64_t used_size(const VirtioDevice& d, std::uint32_t num) {
  if (d.has_feature(kFRingPacked)) return 4;  // struct VRingPackedDescEvent
  return 4 + 8ull * num + (d.has_feature(kRingFEventIdx) ? 2 : 0);
}
std::uint64_t avail_size(const VirtioDevice& d, std::uint32_t num) {
  if (d.has_feature(kFRingPacked)) return 4;
  return 4 + 2ull * num + (d.has_feature(kRingFEventIdx) ? 2 : 0);
}

// virtio_init_region_cache: true when desc, used and avail are all mappable.
bool init_region_cache(LoadContext& ctx, VirtioDevice& d, std::uint32_t i) {
  const VirtQueue& q = d.vq.get(i);
  if (!q.vring.desc) return false;
  const GuestMemory& mem = *ctx.memory;
  const LoadRule* failed = nullptr;
  if (!mem.mappable(q.vring.desc, 16ull * q.vring.num)) failed = &rules::kCannotMapDesc;
  else if (!mem.mappable(q.vring.used, used_size(d, q.vring.num))) failed = &rules::kCannotMapUsed;
  else if (!mem.mappable(q.vring.avail, avail_size(d, q.vring.num))) failed = &rules::kCannotMapAvail;
  if (!failed) return true;
  // virtio_error(): message, NEEDS_RESET for VERSION_1 devices, broken.
  ctx.apply(*failed, std::string(failed->qemu_message), qemu_format("queue %u", i));
  if (d.has_feature(kFVersion1)) d.status |= kStatusNeedsReset;
  if (d.has_feature(kFVersion1) && (d.status & kStatusDriverOk)) d.isr |= 3;  // virtio_notify_config()
  d.broken = true;
  return false;
}

// virtio_queue_update_rings: legacy rings are laid out from desc.
bool update_rings(LoadContext& ctx, VirtioDevice& d, std::uint32_t i) {
  VRing& r = d.vq[i].vring;
  const bool skip_unaligned = !d.profile || d.profile->rings_skip_unaligned;
  if (!r.num || !r.desc || (!r.align && skip_unaligned)) return false;  // not set up: no cache
  const std::uint64_t avail = r.desc + 16ull * r.num;
  // vring_align is QEMU_ALIGN_UP: division, so a non-power-of-two align
  // (virtio-mmio takes it from the stream) rounds like QEMU does; the
  // older mask form gave 0 for align 0.
  const std::uint64_t end = avail + 4 + 2ull * r.num;
  const std::uint64_t used = r.align ? (end + r.align - 1) / r.align * r.align : 0;
  // Only a stream that carried avail/used (virtio/virtqueues) loses anything.
  const bool carried = d.wire_subsections & sub_bit(VirtioSub::Virtqueues);
  if (carried && (avail != r.avail || used != r.used))
    ctx.apply(rules::kLegacyRings, {},
              qemu_format("queue %u: avail 0x%lx used 0x%lx recomputed from desc 0x%lx", i, avail, used,
                          r.desc));
  r.avail = avail;
  r.used = used;
  return ctx.memory ? init_region_cache(ctx, d, i) : false;
}

}  // namespace

bool device_started(const VirtioDevice& d) {
  if (d.use_started) return d.started;
  return d.status & kStatusDriverOk;
}

int check_features_early(LoadContext& ctx, VirtioDevice& d) {
  const std::uint32_t features = d.wire_features_lo;
  const int r = set_features_nocheck(ctx, d, features);
  if (r <= 0) return r;
  return ctx.reject(rules::kFeatures32, -1,
                    qemu_format(rules::kFeatures32.qemu_message, features, d.host_features));
}

int check_queue_indices(LoadContext& ctx, VirtioDevice& d, std::uint32_t i) {
  const bool has_cache = d.has_feature(kFVersion1) ? (ctx.memory && init_region_cache(ctx, d, i))
                                                   : update_rings(ctx, d, i);
  VirtQueue& q = d.vq[i];
  if (d.has_feature(kFRingPacked)) {
    q.shadow_avail_idx = q.last_avail_idx;
    q.shadow_avail_wrap_counter = q.last_avail_wrap_counter;
    ctx.apply(rules::kPackedUnchecked, {}, qemu_format("queue %u: packed ring indices trusted", i));
    return 0;
  }
  if (!ctx.memory) return 0;  // reported once by the caller
  const bool be = kAccessIsBigEndian;
  const std::uint16_t avail_idx = has_cache ? ctx.memory->load16(q.vring.avail + 2, be) : 0;
  const auto nheads = static_cast<std::uint16_t>(avail_idx - q.last_avail_idx);
  const bool wrap_ignored = defects::on(defects::Defect::IndexDeltaNoWrap);
  if (wrap_ignored ? int{avail_idx} - int{q.last_avail_idx} > static_cast<int>(q.vring.num) : nheads > q.vring.num) {
    std::string msg = qemu_format(rules::kIndexDelta.qemu_message, static_cast<int>(i), q.vring.num,
                                  avail_idx, q.last_avail_idx, nheads);
    if (!d.profile || d.profile->nheads == NheadsCheck::AfterSubsectionsBroken) {
      ctx.apply(rules::kIndexDelta, msg);
      if (d.has_feature(kFVersion1)) d.status |= kStatusNeedsReset;
      if (d.has_feature(kFVersion1) && (d.status & kStatusDriverOk)) d.isr |= 3;  // virtio_notify_config()
      d.broken = true;
      q.used_idx = 0;
      q.shadow_avail_idx = 0;
      q.inuse = 0;
      return 0;
    }
    return ctx.reject(rules::kIndexDelta, -1, std::move(msg));
  }
  if (!d.profile || d.profile->inuse_check) {
    q.used_idx = has_cache ? ctx.memory->load16(q.vring.used + 2, be) : 0;
    q.shadow_avail_idx = avail_idx;
    q.inuse = static_cast<std::uint16_t>(q.last_avail_idx - q.used_idx);
    if (q.inuse > q.vring.num)
      return ctx.reject(rules::kInuse, -1,
                        qemu_format(rules::kInuse.qemu_message, static_cast<int>(i), q.vring.num,
                                    q.last_avail_idx, q.used_idx));
  }
  return 0;
}

int virtio_post_load(LoadContext& ctx, VirtioDevice& d) {
  ctx.mark();
  // L13: poisoned at the start of the load; still unknown means no
  // virtio/device_endian subsection was read.
  if (d.device_endian == kEndianUnknown && !defects::on(defects::Defect::EndianNotDefaulted)) {
    d.device_endian = kDefaultEndian;
    ctx.apply(rules::kEndianDefault, {}, "no virtio/device_endian: default little-endian");
  } else if (d.device_endian != kEndianLittle && d.device_endian != kEndianBig) {
    ctx.apply(rules::kEndianUnrecognised, {},
              qemu_format("device_endian %u is neither little (1) nor big (2): behaves as little",
                          d.device_endian));
  }

  // L14: feature check against the destination's host features.
  if (!d.profile || !d.profile->features_check_early) {
    if ((d.host_features >> 32) != 0) {
      const std::uint64_t features64 = d.guest_features;
      const int r = set_features_nocheck(ctx, d, features64);
      if (r < 0) return r;
      if (r > 0)
        return ctx.reject(rules::kFeatures64, -1,
                          qemu_format(rules::kFeatures64.qemu_message, features64, d.host_features));
    } else {
      const std::uint32_t features = d.wire_features_lo;
      if (d.guest_features != features)
        ctx.apply(rules::kFeaturesHighDropped, {},
                  qemu_format("host offers no bit >= 32: guest features 0x%lx reduced to the 32-bit "
                              "word 0x%x",
                              d.guest_features, features));
      const int r = set_features_nocheck(ctx, d, features);
      if (r < 0) return r;
      if (r > 0)
        return ctx.reject(rules::kFeatures32, -1,
                          qemu_format(rules::kFeatures32.qemu_message, features, d.host_features));
    }
  }

  // L15
  if (!device_started(d) && !d.has_feature(kFVersion1)) {
    if (!d.start_on_kick) ctx.apply(rules::kStartOnKick, {}, "legacy device not started: start on kick");
    d.start_on_kick = true;
  }

  // L16: rings, per queue the stream carried.
  if (!ctx.memory && d.wire_num_queues)
    ctx.apply(rules::kNoGuestMemory, {}, "input has no RAM section: ring indices not read");
  const NheadsCheck when = d.profile ? d.profile->nheads : NheadsCheck::AfterSubsectionsBroken;
  for (std::uint32_t i = 0; i < d.wire_num_queues; ++i) {
    if (!d.vq.get(i).vring.desc) continue;
    if (d.has_feature(kFVersion1) && !d.vq.get(i).vring.num && (!d.profile || d.profile->ring_caches))
      return ctx.reject(rules::kRingSizeZero, -EINVAL,
                        {}, qemu_format("queue %u: desc 0x%lx, size 0", i, d.vq.get(i).vring.desc));
    if (when == NheadsCheck::InQueueLoopFatal) {
      if (!d.has_feature(kFVersion1)) update_rings(ctx, d, i);
      continue;  // already checked inside the queue loop
    }
    if (int ret = check_queue_indices(ctx, d, i)) return ret;
  }

  // L17
  if (auto post = device_ops(d.kind).post_load) return post(ctx, d);
  return 0;
}

}  // namespace migcheck::virtio
