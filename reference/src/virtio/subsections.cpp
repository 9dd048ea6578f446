// vmstate_virtio and its subsections (hw/virtio/virtio.c, spec §4).
#include <algorithm>
#include <array>
#include <vector>

#include "migcheck/profile/profile.h"
#include "migcheck/virtio/core.h"
#include "migcheck/virtio/rules.h"

namespace migcheck::virtio {

using vmstate::FieldPtr;

namespace {

using VDev = VirtioDevice;

// ---- needed() predicates: tiny pure functions of state, as in QEMU -------

bool device_endian_needed(const VDev& d) {
  // QEMU asserts device_endian != UNKNOWN here; a state that still has it
  // saves the subsection (and the 0 byte) instead of aborting.
  if (!d.has_feature(kFVersion1)) return d.device_endian != kEndianLittle;  // x86 default: LE
  return d.device_endian != kEndianLittle;
}
bool features64_needed(const VDev& d) { return (d.host_features >> 32) != 0; }
bool virtqueues_needed(const VDev& d) { return d.host_has(kFVersion1); }
bool ringsize_needed(const VDev& d) {
  // Slots never written read as num == num_default == 0.
  const std::size_t n = std::min<std::size_t>(d.queue_max, d.vq.materialised());
  for (std::size_t i = 0; i < n; ++i) {
    const VRing& r = d.vq.get(i).vring;
    if (r.num != r.num_default) return true;
  }
  return false;
}
bool broken_needed(const VDev& d) { return d.broken; }
bool extra_state_needed(const VDev& d) { return transport_ops(d.transport).has_extra_state(d); }
bool started_needed(const VDev& d) { return d.started; }
bool packed_needed(const VDev& d) { return d.host_has(kFRingPacked); }
bool disabled_needed(const VDev& d) { return d.disabled; }

// ---- per-queue element vmsds ----------------------------------------------

const VirtQueue& get_queue(const VDev& d, int i) { return d.vq.get(static_cast<std::size_t>(i)); }
void set_queue(VDev& d, int i, const VirtQueue& q) { d.vq.set(static_cast<std::size_t>(i), q); }
int queue_max(const VDev& d) { return static_cast<int>(d.queue_max); }

const Vmsd<VirtQueue>& vmstate_virtqueue() {
  static const Vmsd<VirtQueue> v{.name = "virtqueue_state", .version_id = 1, .minimum_version_id = 1,
                                 .fields = {VMS_SCALAR(VirtQueue, vring.avail),
                                            VMS_SCALAR(VirtQueue, vring.used)}};
  return v;
}
const Vmsd<VirtQueue>& vmstate_ringsize() {
  static const Vmsd<VirtQueue> v{.name = "ringsize_state", .version_id = 1, .minimum_version_id = 1,
                                 .fields = {VMS_SCALAR(VirtQueue, vring.num_default)}};
  return v;
}
const Vmsd<VirtQueue>& vmstate_packed_virtqueue() {
  static const Vmsd<VirtQueue> v{
      .name = "packed_virtqueue_state", .version_id = 1, .minimum_version_id = 1,
      .fields = {VMS_SCALAR(VirtQueue, last_avail_idx), VMS_SCALAR(VirtQueue, last_avail_wrap_counter),
                 VMS_SCALAR(VirtQueue, used_idx), VMS_SCALAR(VirtQueue, used_wrap_counter),
                 VMS_SCALAR(VirtQueue, inuse)}};
  return v;
}

// VMSTATE_STRUCT_VARRAY_POINTER_KNOWN(vq, ..., VIRTIO_QUEUE_MAX, ...)
FieldPtr<VDev> all_queues(const Vmsd<VirtQueue>& (*element)()) {
  return vmstate::sparse_array<VDev, VirtQueue>("vq", element, get_queue, set_queue, queue_max);
}

// get_extra_state / put_extra_state: the bus's own table (QEMU: the
// transport's load/save_extra_state), or -1 when it has none.
int get_extra_state(LoadContext& ctx, VDev& d) {
  const TransportOps& bus = transport_ops(d.transport);
  if (!bus.extra_state)
    return ctx.reject(rules::kExtraStateNoLoader, -1, {},
                      std::string(bus.name) + " has no load_extra_state");
  return vmstate::load_state(ctx, bus.extra_state(), d, 0);
}
void put_extra_state(SaveContext& ctx, const VDev& d) {
  if (auto table = transport_ops(d.transport).extra_state) vmstate::save_state(ctx, table(), d);
}
void visit_extra_state(vmstate::Visitor& v, VDev& d) {
  if (auto table = transport_ops(d.transport).extra_state) vmstate::visit_state(v, table(), d);
}

// Records that the stream carried subsection S (for reports and for the
// rules that only matter when a subsection was present).
template <VirtioSub S>
int seen(LoadContext&, VDev& d, int) {
  d.wire_subsections |= sub_bit(S);
  return 0;
}

template <VirtioSub S>
Vmsd<VDev> subsection(std::string_view name, bool (*needed)(const VDev&), std::vector<FieldPtr<VDev>> f) {
  return Vmsd<VDev>{.name = name, .version_id = 1, .minimum_version_id = 1, .fields = std::move(f),
                    .needed = needed, .post_load = seen<S>};
}

// The nine 7.2 subsections, indexed by VirtioSub.
const std::array<Vmsd<VDev>, 9>& subsections() {
  static const std::array<Vmsd<VDev>, 9> subs = {
      subsection<VirtioSub::DeviceEndian>("virtio/device_endian", device_endian_needed, {VMS_SCALAR(VDev, device_endian)}),
      subsection<VirtioSub::Features64>("virtio/64bit_features", features64_needed, {VMS_SCALAR(VDev, guest_features)}),
      subsection<VirtioSub::Virtqueues>("virtio/virtqueues", virtqueues_needed, {all_queues(vmstate_virtqueue)}),
      subsection<VirtioSub::Ringsize>("virtio/ringsize", ringsize_needed, {all_queues(vmstate_ringsize)}),
      subsection<VirtioSub::Broken>("virtio/broken", broken_needed, {VMS_SCALAR(VDev, broken)}),
      subsection<VirtioSub::ExtraState>("virtio/extra_state", extra_state_needed,
                 {vmstate::custom<VDev>("extra_state",
                                        {get_extra_state, put_extra_state, visit_extra_state, nullptr,
                                         true})}),
      subsection<VirtioSub::Started>("virtio/started", started_needed, {VMS_SCALAR(VDev, started)}),
      subsection<VirtioSub::PackedVirtqueues>("virtio/packed_virtqueues", packed_needed, {all_queues(vmstate_packed_virtqueue)}),
      subsection<VirtioSub::Disabled>("virtio/disabled", disabled_needed, {VMS_SCALAR(VDev, disabled)}),
  };
  return subs;
}

Vmsd<VDev> make_vmstate_virtio(std::uint32_t known) {
  Vmsd<VDev> v{.name = "virtio", .version_id = 1, .minimum_version_id = 1};
  for (std::size_t i = 0; i < subsections().size(); ++i)
    if (known & (1u << i)) v.subsections.push_back(&subsections()[i]);
  return v;
}

}  // namespace

const Vmsd<VirtioDevice>& vmstate_virtio_for(const Profile& p) {
  // One table per profile, built once (profiles are a fixed, small set).
  static const std::vector<Vmsd<VDev>> per_profile = [] {
    std::vector<Vmsd<VDev>> v;
    for (const Profile& q : all_profiles()) v.push_back(make_vmstate_virtio(q.virtio_subsections));
    return v;
  }();
  const std::ptrdiff_t i = &p - all_profiles().data();
  if (i >= 0 && static_cast<std::size_t>(i) < per_profile.size()) return per_profile[static_cast<std::size_t>(i)];
  return vmstate_virtio();
}

const Vmsd<VirtioDevice>& vmstate_virtio() {
  static const Vmsd<VDev> v = make_vmstate_virtio(profile_7_2().virtio_subsections);
  return v;
}

const Vmsd<VirtioDevice>& virtio_subsection(VirtioSub s) {
  return subsections()[static_cast<std::size_t>(s)];
}

}  // namespace migcheck::virtio
