// The common part of the virtio body (spec §3.2): virtio_save/virtio_load's
// hand-written sequence, described once as a table.
//
// QEMU does not check the stream error between these reads; a truncation here
// surfaces at the next VMState field (captures f1). The table is therefore
// hand_written: no version check, no per-field error check, no subsection peek.
#include <algorithm>

#include "migcheck/defects/defects.h"
#include "migcheck/virtio/core.h"
#include "migcheck/virtio/rules.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::virtio {

using vmstate::CustomOps;
using vmstate::Visitor;
using vmstate::qemu_format;

namespace {

// Bytes past the end of the input from which QEMU's byte-by-byte discard
// loop counts as a hang (one failed read() per byte: 2^24 is tens of seconds).
constexpr std::uint64_t kRunawayBytes = std::uint64_t{1} << 24;

const Vmsd<VirtioDevice>& transport_config(const VirtioDevice& d) { return transport_ops(d.transport).config(); }
int load_transport_config(LoadContext& ctx, VirtioDevice& d) {
  const Vmsd<VirtioDevice>& table = transport_config(d);
  return vmstate::load_state(ctx, table, d, table.version_id);
}
void save_transport_config(SaveContext& ctx, const VirtioDevice& d) {
  vmstate::save_state(ctx, transport_config(d), d);
}
void visit_transport_config(Visitor& v, VirtioDevice& d) { vmstate::visit_state(v, transport_config(d), d); }

int load_queue_sel(LoadContext& ctx, VirtioDevice& d) {
  d.queue_sel = ctx.in.be16();
  const bool off_by_one = defects::on(defects::Defect::QueueMaxOffByOne);
  if (!defects::on(defects::Defect::QueueSelUnchecked) && (off_by_one ? d.queue_sel > d.queue_max : d.queue_sel >= d.queue_max))
    return ctx.reject(rules::kQueueSel, -1, {},
                      qemu_format("queue_sel 0x%x >= VIRTIO_QUEUE_MAX 0x%x", d.queue_sel, d.queue_max));
  return 0;
}

int load_features_lo(LoadContext& ctx, VirtioDevice& d) {
  d.wire_features_lo = ctx.in.be32();
  // Temporarily the whole feature word, so device loaders can test low bits
  // (VIRTIO_NET_F_CTRL_GUEST_OFFLOADS); the 64-bit subsection may replace it.
  d.guest_features = d.wire_features_lo;
  // [2014] validated them right here, through virtio_set_features().
  if (d.profile && d.profile->features_check_early) return check_features_early(ctx, d);
  return 0;
}
void save_features_lo(SaveContext& ctx, const VirtioDevice& d) {
  ctx.out.be32(static_cast<std::uint32_t>(d.guest_features & 0xffffffffu));
}
void visit_features(Visitor& v, VirtioDevice& d) {
  v.scalar("guest_features", -1, vmstate::ScalarKind::U64, d.guest_features);
}

int load_config(LoadContext& ctx, VirtioDevice& d) {
  wire::Reader& in = ctx.in;
  const std::uint64_t len_at = in.offset();
  const auto config_len = static_cast<std::int32_t>(in.be32());
  d.wire_config_len = config_len;
  const std::size_t local = d.config.size();
  if (defects::on(defects::Defect::ConfigLenOverflow) && static_cast<std::size_t>(config_len) > local) return defects::overflow("vdev->config overrun: config_len bytes copied into the smaller local config");
  // MIN(config_len, vdev->config_len) with config_len converted to size_t:
  // a negative length copies the whole local buffer.
  const std::size_t copy = std::min(static_cast<std::size_t>(config_len), local);
  in.bytes(d.config.data(), copy);
  if (copy < local && config_len >= 0)
    ctx.apply_at(rules::kConfigLenShort, len_at, {},
                 qemu_format("config_len 0x%x < local 0x%zx: tail keeps its reset value", config_len,
                             local));
  if (static_cast<std::size_t>(config_len) > local) {
    // QEMU discards the excess one qemu_get_byte() at a time, comparing as
    // size_t. Past the end of the stream every byte costs a failed read, so
    // a negative (huge as size_t) or far-too-long length spins for minutes to
    // hours (captures e4/e5). A short overrun just ends in -EIO later.
    const std::uint64_t excess = static_cast<std::size_t>(config_len) - local;
    const bool beyond = excess > in.remaining();
    if (config_len < 0 || (beyond && excess - in.remaining() >= kRunawayBytes))
      return ctx.reject_at(rules::kConfigLenRunaway, len_at, -EIO, {},
                           qemu_format("config_len 0x%x: QEMU discards 0x%llx excess bytes one read at "
                                       "a time, most of them past the end of the stream",
                                       static_cast<std::uint32_t>(config_len),
                                       static_cast<unsigned long long>(excess)));
    in.skip(excess);
    if (!beyond)
      ctx.apply_at(rules::kConfigLenExcess, len_at, {},
                   qemu_format("config_len 0x%x > local 0x%zx: %llu bytes skipped", config_len, local,
                               static_cast<unsigned long long>(excess)));
  }
  return 0;
}
void save_config(SaveContext& ctx, const VirtioDevice& d) {
  ctx.out.be32(static_cast<std::uint32_t>(d.config.size()));
  ctx.out.bytes(d.config);
}
void visit_config(Visitor& v, VirtioDevice& d) { v.bytes("config", -1, d.config); }
std::string describe_config(const VirtioDevice& d) {
  return qemu_format("config_len %d: ", d.wire_config_len) + vmstate::describe_bytes(d.config);
}

int load_queues(LoadContext& ctx, VirtioDevice& d) {
  wire::Reader& in = ctx.in;
  const std::uint64_t num_at = in.offset();
  const std::uint32_t num = in.be32();
  d.wire_num_queues = num;
  if (num > d.queue_max && !defects::on(defects::Defect::NumQueuesUnchecked))
    return ctx.reject_at(rules::kNumQueues, num_at, -1, qemu_format(rules::kNumQueues.qemu_message, num));
  const DeviceOps& dev = device_ops(d.kind);
  if (dev.pre_load_queues) {
    ctx.item_begin = num_at;
    if (int ret = dev.pre_load_queues(ctx, d, num)) return ret;
  }
  const TransportOps& bus = transport_ops(d.transport);
  const Vmsd<VirtQueue>& entry = bus.queue_entry(d);
  for (std::uint32_t i = 0; i < num; ++i) {
    if (defects::on(defects::Defect::NumQueuesUnchecked) && i >= d.queue_max) return defects::overflow("vdev->vq[] written past VIRTIO_QUEUE_MAX");
    const std::uint64_t at = in.offset();
    VirtQueue& q = d.vq[i];
    vmstate::load_state(ctx, entry, q, 0);
    q.signalled_used_valid = false;
    q.notification = true;
    if (!q.vring.desc && q.last_avail_idx)
      return ctx.reject_at(rules::kVqDescZeroWithIndex, at, -1,
                           qemu_format(rules::kVqDescZeroWithIndex.qemu_message, static_cast<int>(i),
                                       q.last_avail_idx));
    if (d.profile && d.profile->nheads == NheadsCheck::InQueueLoopFatal && q.vring.desc) {
      ctx.item_begin = at;
      if (int ret = check_queue_indices(ctx, d, i)) return ret;
    }
    ctx.item_begin = at;
    if (int ret = bus.check_queue(ctx, d, static_cast<int>(i))) return ret;
  }
  return 0;
}
void save_queues(SaveContext& ctx, const VirtioDevice& d) {
  const std::size_t n = d.vq.count_leading(d.queue_max);
  ctx.out.be32(static_cast<std::uint32_t>(n));
  const Vmsd<VirtQueue>& entry = transport_ops(d.transport).queue_entry(d);
  for (std::size_t i = 0; i < n; ++i) vmstate::save_state(ctx, entry, d.vq.get(i));
}
void visit_queues(Visitor& v, VirtioDevice& d) {
  const Vmsd<VirtQueue>& entry = transport_ops(d.transport).queue_entry(d);
  const std::size_t n = d.vq.count_leading(d.queue_max);
  for (std::size_t i = 0; i < n; ++i) vmstate::visit_state(v, entry, d.vq[i], static_cast<int>(i));
}

// vdc->load / vdc->vmsd, called with the version virtio_load was given.
int load_device_part(LoadContext& ctx, VirtioDevice& d) {
  const DeviceOps& dev = device_ops(d.kind);
  return dev.vmsd ? vmstate::load_state(ctx, dev.vmsd(), d, d.section_version) : 0;
}
void save_device_part(SaveContext& ctx, const VirtioDevice& d) {
  const DeviceOps& dev = device_ops(d.kind);
  if (dev.vmsd) vmstate::save_state(ctx, dev.vmsd(), d);
}
void visit_device_part(Visitor& v, VirtioDevice& d) {
  const DeviceOps& dev = device_ops(d.kind);
  if (dev.vmsd) vmstate::visit_state(v, dev.vmsd(), d);
}

const Vmsd<VirtioDevice>& subsections_of(const VirtioDevice& d) {
  return d.profile ? vmstate_virtio_for(*d.profile) : vmstate_virtio();
}
// Before 6b321a3df5 virtio_load stops after the device part: whatever
// follows is left to the section footer or the top-level loop.
bool has_vmstate_virtio(const VirtioDevice& d) { return !d.profile || d.profile->virtio_vmstate; }

int load_subsections(LoadContext& ctx, VirtioDevice& d) {
  if (!has_vmstate_virtio(d)) return 0;
  return vmstate::load_state(ctx, subsections_of(d), d, 1);
}
void save_subsections(SaveContext& ctx, const VirtioDevice& d) {
  if (has_vmstate_virtio(d)) vmstate::save_state(ctx, subsections_of(d), d);
}
void visit_subsections(Visitor& v, VirtioDevice& d) { vmstate::visit_state(v, subsections_of(d), d); }

}  // namespace

const Vmsd<VirtioDevice>& common_part() {
  static const Vmsd<VirtioDevice> vmsd{
      .name = "virtio_save",
      .fields =
          {
              vmstate::custom<VirtioDevice>(
                  "save_config", {load_transport_config, save_transport_config, visit_transport_config,
                                  nullptr, true}),
              VMS_SCALAR(VirtioDevice, status),
              VMS_SCALAR(VirtioDevice, isr),
              vmstate::custom<VirtioDevice>(
                  "queue_sel",
                  {load_queue_sel,
                   [](SaveContext& c, const VirtioDevice& d) { c.out.be16(d.queue_sel); },
                   [](Visitor& v, VirtioDevice& d) {
                     vmstate::visit_scalar(v, "queue_sel", -1, d.queue_sel);
                   },
                   [](const VirtioDevice& d) { return vmstate::describe_scalar(d.queue_sel); }}),
              vmstate::custom<VirtioDevice>(
                  "guest_features_lo",
                  {load_features_lo, save_features_lo, visit_features,
                   [](const VirtioDevice& d) { return vmstate::describe_scalar(d.wire_features_lo); }}),
              vmstate::custom<VirtioDevice>("config",
                                            {load_config, save_config, visit_config, describe_config}),
              vmstate::custom<VirtioDevice>("vq", {load_queues, save_queues, visit_queues,
                                                   [](const VirtioDevice& d) {
                                                     return qemu_format("%u virtqueues", d.wire_num_queues);
                                                   },
                                                   true}),
              vmstate::custom<VirtioDevice>(
                  "device", {load_device_part, save_device_part, visit_device_part, nullptr, true}),
              vmstate::custom<VirtioDevice>(
                  "subsections", {load_subsections, save_subsections, visit_subsections, nullptr, true}),
          },
      .hand_written = true};
  return vmsd;
}

}  // namespace migcheck::virtio
