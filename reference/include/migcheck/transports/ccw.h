// virtio-ccw transport tables (hw/s390x/virtio-ccw.c, css.c, ccw-device.c,
// hw/intc/s390_flic.c; spec §5.3). The hook table itself is
// virtio::ccw_transport() (devices/registry.h).
#pragma once

#include "migcheck/transports/ccw_proxy.h"
#include "migcheck/virtio/device.h"
#include "migcheck/vmstate/vmsd.h"

namespace migcheck::ccw {

// save_config / load_config: vmstate "s390_virtio_ccw_dev" v1.
const vmstate::Vmsd<virtio::VirtioDevice>& vmstate_virtio_ccw_dev();
// Its parts. Those over the whole Proxy read css_migration in needed().
const vmstate::Vmsd<Proxy>& vmstate_ccw_dev();         // "s390_ccw_dev"
const vmstate::Vmsd<Proxy>& vmstate_subch_dev();       // "s390_subch_dev"
const vmstate::Vmsd<IndAddr>& vmstate_ind_addr();      // "s390_ind_addr_tmp"
const vmstate::Vmsd<Proxy>& vmstate_adapter_routes();  // "s390_adapter_routes"
// The common part's queue entry: num, desc, last_avail_idx, vector.
const vmstate::Vmsd<virtio::VirtQueue>& queue_entry_table();

}  // namespace migcheck::ccw
