// Which transport and device hooks a VirtioDevice uses.
#include "migcheck/devices/registry.h"
#include "migcheck/pci/rules.h"
#include "migcheck/virtio/core.h"

namespace migcheck::virtio {

const TransportOps& transport_ops(TransportKind kind) {
  switch (kind) {
    case TransportKind::Pci: return pci::transport();
    case TransportKind::Mmio: return mmio_transport();
    case TransportKind::Ccw: return ccw_transport();
  }
  return pci::transport();
}

const DeviceOps& device_ops(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::Net: return devices::net_ops();
    case DeviceKind::Blk: return devices::blk_ops();
    case DeviceKind::Scsi: return devices::scsi_ops();
    case DeviceKind::Balloon: return devices::balloon_ops();
    case DeviceKind::Serial: return devices::serial_ops();
    case DeviceKind::Rng: return devices::rng_ops();
  }
  return devices::net_ops();
}

}  // namespace migcheck::virtio
