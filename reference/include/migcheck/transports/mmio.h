// virtio-mmio transport tables (hw/virtio/virtio-mmio.c, spec §5.4). The hook
// table itself is virtio::mmio_transport() (devices/registry.h).
#pragma once

#include "migcheck/transports/mmio_proxy.h"
#include "migcheck/virtio/device.h"
#include "migcheck/virtio/queue.h"
#include "migcheck/vmstate/vmsd.h"

namespace migcheck::mmio {

// virtio_mmio_save_config / load_config: three be32, hand-written.
const vmstate::Vmsd<virtio::VirtioDevice>& save_config_table();
// The common part's queue entry with has_variable_vring_alignment:
// num, align, desc, last_avail_idx.
const vmstate::Vmsd<virtio::VirtQueue>& queue_entry_table();
// Extra state: vmstate "virtio_mmio" v1, subsection "virtio_mmio/state".
const vmstate::Vmsd<Proxy>& vmstate_virtio_mmio();

}  // namespace migcheck::mmio
