// virtio-mmio transport (hw/virtio/virtio-mmio.c, spec §5.4): save_config /
// load_config, the variable-alignment queue entry and the extra state with
// virtio_mmio/state. Nothing here is validated on load.
#include "migcheck/transports/mmio.h"

#include "migcheck/devices/registry.h"
#include "migcheck/virtio/core.h"

namespace migcheck::mmio {

using virtio::VirtioDevice;
using virtio::VirtQueue;
using vmstate::LoadContext;
using vmstate::SaveContext;
using vmstate::Visitor;
using vmstate::Vmsd;

namespace {

// VMSTATE_STRUCT_ARRAY(vqs, VirtIOMMIOProxy, VIRTIO_QUEUE_MAX, ...)
int queue_count(const Proxy&) { return static_cast<int>(kQueueMax); }

const Vmsd<QueueState>& vmstate_queue_state() {
  static const Vmsd<QueueState> v{
      .name = "virtio_mmio/queue_state",
      .version_id = 1,
      .minimum_version_id = 1,
      .fields = {VMS_SCALAR(QueueState, num), VMS_SCALAR(QueueState, enabled), VMS_SCALAR(QueueState, desc),
                 VMS_SCALAR(QueueState, avail), VMS_SCALAR(QueueState, used)}};
  return v;
}

// No needed(): written whenever the extra state is (virtio_mmio_has_extra_state).
const Vmsd<Proxy>& vmstate_state_sub() {
  static const Vmsd<Proxy> v{
      .name = "virtio_mmio/state",
      .version_id = 1,
      .minimum_version_id = 1,
      .fields = {VMS_SCALAR(Proxy, guest_features),
                 vmstate::sparse_array<Proxy, QueueState>("vqs", vmstate_queue_state,
                                                          vmstate::slot_get<Proxy, QueueState, &Proxy::vqs>,
                                                          vmstate::slot_set<Proxy, QueueState, &Proxy::vqs>,
                                                          queue_count)}};
  return v;
}

// ---- TransportOps ------------------------------------------------------------

int load_config(LoadContext& ctx, VirtioDevice& d) {
  return vmstate::load_state(ctx, save_config_table(), d.mmio, 0);
}
void save_config(SaveContext& ctx, const VirtioDevice& d) {
  vmstate::save_state(ctx, save_config_table(), d.mmio);
}
void visit_config(Visitor& v, VirtioDevice& d) { vmstate::visit_state(v, save_config_table(), d.mmio); }

const Vmsd<VirtQueue>& queue_entry(const VirtioDevice&) { return queue_entry_table(); }
// No load_queue: nothing to check, vq->vector keeps its value.
int check_queue(LoadContext&, VirtioDevice&, int) { return 0; }

// virtio_mmio_has_extra_state. The loader is set for legacy proxies too, so
// a legacy destination accepts (and applies) a stream's virtio/extra_state.
bool has_extra_state(const VirtioDevice& d) { return !d.mmio.legacy; }
int load_extra_state(LoadContext& ctx, VirtioDevice& d) {
  return vmstate::load_state(ctx, vmstate_virtio_mmio(), d.mmio, 1);
}
void save_extra_state(SaveContext& ctx, const VirtioDevice& d) {
  vmstate::save_state(ctx, vmstate_virtio_mmio(), d.mmio);
}
void visit_extra_state(Visitor& v, VirtioDevice& d) { vmstate::visit_state(v, vmstate_virtio_mmio(), d.mmio); }

}  // namespace

const Vmsd<Proxy>& save_config_table() {
  static const Vmsd<Proxy> v{.name = "virtio_mmio_save_config",
                             .fields = {VMS_SCALAR(Proxy, host_features_sel),
                                        VMS_SCALAR(Proxy, guest_features_sel),
                                        VMS_SCALAR(Proxy, guest_page_shift)},
                             .hand_written = true};
  return v;
}

// virtio_save / virtio_load with k->has_variable_vring_alignment.
const Vmsd<VirtQueue>& queue_entry_table() {
  static const Vmsd<VirtQueue> v{
      .name = "virtio_mmio queue",
      .fields = {VMS_SCALAR(VirtQueue, vring.num), VMS_SCALAR(VirtQueue, vring.align),
                 VMS_SCALAR(VirtQueue, vring.desc), VMS_SCALAR(VirtQueue, last_avail_idx)},
      .hand_written = true};
  return v;
}

const Vmsd<Proxy>& vmstate_virtio_mmio() {
  static const Vmsd<Proxy> v{.name = "virtio_mmio",
                             .version_id = 1,
                             .minimum_version_id = 1,
                             .subsections = {&vmstate_state_sub()}};
  return v;
}

}  // namespace migcheck::mmio

namespace migcheck::virtio {

const TransportOps& mmio_transport() {
  static const TransportOps ops{.name = "virtio-mmio",
                                .load_config = mmio::load_config,
                                .save_config = mmio::save_config,
                                .visit_config = mmio::visit_config,
                                .queue_entry = mmio::queue_entry,
                                .check_queue = mmio::check_queue,
                                .has_extra_state = mmio::has_extra_state,
                                .load_extra_state = mmio::load_extra_state,
                                .save_extra_state = mmio::save_extra_state,
                                .visit_extra_state = mmio::visit_extra_state};
  return ops;
}

}  // namespace migcheck::virtio
