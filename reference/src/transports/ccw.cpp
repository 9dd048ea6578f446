// virtio-ccw transport (hw/s390x/virtio-ccw.c, spec §5.3): save_config is the
// vmstate "s390_virtio_ccw_dev"; save_queue/load_queue carry a be16 vector
// that is not validated; no variable ring alignment, no extra state.
#include "migcheck/devices/registry.h"
#include "migcheck/transports/ccw.h"
#include "migcheck/transports/ccw_rules.h"
#include "migcheck/virtio/core.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::ccw {

using virtio::VirtioDevice;
using virtio::VirtQueue;
using vmstate::LoadContext;
using vmstate::SaveContext;
using vmstate::Visitor;
using vmstate::Vmsd;

namespace {

Proxy& proxy(VirtioDevice& d, int) { return d.ccw; }
VirtioDevice& self(VirtioDevice& d, int) { return d; }
IndAddr& indicators(VirtioDevice& d, int) { return d.ccw.indicators; }
IndAddr& indicators2(VirtioDevice& d, int) { return d.ccw.indicators2; }
IndAddr& summary_indicator(VirtioDevice& d, int) { return d.ccw.summary_indicator; }

// VirtioCcwDeviceTmp: VirtIODevice does not migrate its config_vector
// itself, so the proxy carries it through a WITH_TMP helper (version 0).
const Vmsd<VirtioDevice>& vmstate_virtio_ccw_dev_tmp() {
  static const Vmsd<VirtioDevice> v{.name = "s390_virtio_ccw_dev_tmp",
                                    .fields = {VMS_SCALAR(VirtioDevice, config_vector)}};
  return v;
}

// get_indicator(): an address already registered is shared, and keeps the
// len it was registered with. Within one device that means a later pointer
// adopts an earlier one's len (other devices' indicators are out of scope).
void share_indicator(LoadContext& ctx, IndAddr& later, const IndAddr& earlier, std::string_view name) {
  if (later.len == 0 || earlier.len == 0 || later.addr != earlier.addr || later.len == earlier.len) return;
  ctx.apply(rules::kIndAddrSharedLen, {},
            vmstate::qemu_format("%s at 0x%lx shares an IndAddr: len %d becomes %d", std::string(name),
                                 later.addr, later.len, earlier.len));
  later.len = earlier.len;
}

// virtio_ccw_dev_post_load has no state effect we model (adapter id,
// refill_ids); the indicator sharing of post_load_ind_addr is applied here,
// once all three pointers are known.
int post_load(LoadContext& ctx, VirtioDevice& d, int) {
  Proxy& p = d.ccw;
  share_indicator(ctx, p.indicators2, p.indicators, "indicators2");
  share_indicator(ctx, p.summary_indicator, p.indicators, "summary_indicator");
  share_indicator(ctx, p.summary_indicator, p.indicators2, "summary_indicator");
  return 0;
}

// ---- TransportOps ------------------------------------------------------------

const Vmsd<VirtQueue>& queue_entry(const VirtioDevice&) { return queue_entry_table(); }
// virtio_ccw_load_queue: virtio_queue_set_vector() with whatever was read.
int check_queue(LoadContext&, VirtioDevice&, int) { return 0; }
// No save/load_extra_state on the ccw bus: a stream's virtio/extra_state is
// refused by get_extra_state (virtio.extra_state.no_loader).
bool has_extra_state(const VirtioDevice&) { return false; }

// VMSTATE_STRUCT(..., 1, ...): present from version 1 of the parent.
template <class U>
vmstate::FieldPtr<VirtioDevice> struct_v1(std::string_view name, const Vmsd<U>& (*vmsd)(),
                                          U& (*elem)(VirtioDevice&, int)) {
  return vmstate::since(vmstate::structure<VirtioDevice, U>(name, vmsd, elem), 1);
}

}  // namespace

const Vmsd<VirtioDevice>& vmstate_virtio_ccw_dev() {
  static const Vmsd<VirtioDevice> v{
      .name = "s390_virtio_ccw_dev",
      .version_id = 1,
      .minimum_version_id = 1,
      .fields = {struct_v1<Proxy>("parent_obj", vmstate_ccw_dev, proxy),  // VMSTATE_CCW_DEVICE
                 struct_v1<IndAddr>("indicators", vmstate_ind_addr, indicators),
                 struct_v1<IndAddr>("indicators2", vmstate_ind_addr, indicators2),
                 struct_v1<IndAddr>("summary_indicator", vmstate_ind_addr, summary_indicator),
                 vmstate::structure<VirtioDevice, VirtioDevice>("tmp", vmstate_virtio_ccw_dev_tmp, self),
                 struct_v1<Proxy>("routes", vmstate_adapter_routes, proxy),
                 vmstate::scalar<VirtioDevice>("thinint_isc", MC_REF(ccw.thinint_isc)),
                 vmstate::scalar<VirtioDevice>("revision", MC_REF(ccw.revision))},
      .post_load = post_load};
  return v;
}

// virtio_save / virtio_load's queue entry, then virtio_ccw_save_queue's vector.
const Vmsd<VirtQueue>& queue_entry_table() {
  static const Vmsd<VirtQueue> v{
      .name = "virtio_ccw queue",
      .fields = {VMS_SCALAR(VirtQueue, vring.num), VMS_SCALAR(VirtQueue, vring.desc),
                 VMS_SCALAR(VirtQueue, last_avail_idx), VMS_SCALAR(VirtQueue, vector)},
      .hand_written = true};
  return v;
}

}  // namespace migcheck::ccw

namespace migcheck::virtio {

// virtio_ccw_load_config loads "s390_virtio_ccw_dev" with version 1, its
// own version_id; the bus has no save/load_extra_state.
const TransportOps& ccw_transport() {
  static const TransportOps ops{.name = "virtio-ccw",
                                .config = ccw::vmstate_virtio_ccw_dev,
                                .queue_entry = ccw::queue_entry,
                                .check_queue = ccw::check_queue,
                                .has_extra_state = ccw::has_extra_state,
                                .extra_state = nullptr};
  return ops;
}

}  // namespace migcheck::virtio
