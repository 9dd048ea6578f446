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

const Vmsd<VirtQueue>& queue_entry(const VirtioDevice&) { return queue_entry_table(); }
// No load_queue: nothing to check, vq->vector keeps its value.
int check_queue(LoadContext&, VirtioDevice&, int) { return 0; }

// virtio_mmio_has_extra_state. The loader is set for legacy proxies too, so
// a legacy destination accepts (and applies) a stream's virtio/extra_state.
bool has_extra_state(const VirtioDevice& d) { return !d.mmio.legacy; }

Proxy& proxy(VirtioDevice& d, int) { return d.mmio; }

// virtio_mmio_save/load_extra_state: vmstate "virtio_mmio" over the proxy, v1.
const Vmsd<VirtioDevice>& extra_state_table() {
  static const Vmsd<VirtioDevice> v{
      .name = "virtio_mmio_save_extra_state",
      .fields = {vmstate::structure<VirtioDevice, Proxy>("proxy", vmstate_virtio_mmio, proxy)},
      .hand_written = true};
  return v;
}

}  // namespace

const Vmsd<VirtioDevice>& save_config_table() {
  static const Vmsd<VirtioDevice> v{
      .name = "virtio_mmio_save_config",
      .fields = {vmstate::scalar<VirtioDevice>("host_features_sel", MC_REF(mmio.host_features_sel)),
                 vmstate::scalar<VirtioDevice>("guest_features_sel", MC_REF(mmio.guest_features_sel)),
                 vmstate::scalar<VirtioDevice>("guest_page_shift", MC_REF(mmio.guest_page_shift))},
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
                                .config = mmio::save_config_table,
                                .queue_entry = mmio::queue_entry,
                                .check_queue = mmio::check_queue,
                                .has_extra_state = mmio::has_extra_state,
                                .extra_state = mmio::extra_state_table};
  return ops;
}

}  // namespace migcheck::virtio
