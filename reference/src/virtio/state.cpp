// Equality of states: what the stream carries plus the destination
// properties, never the bookkeeping of how it was read.
#include <algorithm>

#include "migcheck/virtio/device.h"

namespace migcheck {

namespace virtio {

bool VirtioDevice::operator==(const VirtioDevice& o) const {
  return kind == o.kind && transport == o.transport && host_features == o.host_features &&
         queue_max == o.queue_max && status == o.status && isr == o.isr && queue_sel == o.queue_sel &&
         guest_features == o.guest_features && config == o.config && vq == o.vq &&
         device_endian == o.device_endian && broken == o.broken && started == o.started &&
         disabled == o.disabled && config_vector == o.config_vector && pci == o.pci && mmio == o.mmio &&
         ccw == o.ccw && net == o.net && blk == o.blk && serial == o.serial && balloon == o.balloon;
}

}  // namespace virtio

namespace pci {

bool Proxy::operator==(const Proxy& o) const {
  return vqs == o.vqs && nvectors == o.nvectors && modern == o.modern && legacy == o.legacy && express == o.express &&
         migrate_extra == o.migrate_extra && version_id == o.version_id && config == o.config &&
         irq_state == o.irq_state && msix_table == o.msix_table && msix_pba == o.msix_pba &&
         dfselect == o.dfselect && gfselect == o.gfselect && guest_features == o.guest_features;
}

}  // namespace pci

}  // namespace migcheck
