// Devices whose virtio section has no device part in 7.2: virtio-scsi
// (requests migrate with the SCSI devices) and virtio-rng.
#include "migcheck/devices/registry.h"
#include "migcheck/virtio/core.h"

namespace migcheck::devices {

const virtio::DeviceOps& scsi_ops() {
  static const virtio::DeviceOps ops{
      .kind = DeviceKind::Scsi, .vmsd_name = "virtio-scsi", .version_id = 1, .minimum_version_id = 1};
  return ops;
}

const virtio::DeviceOps& rng_ops() {
  static const virtio::DeviceOps ops{
      .kind = DeviceKind::Rng, .vmsd_name = "virtio-rng", .version_id = 1, .minimum_version_id = 1};
  return ops;
}

}  // namespace migcheck::devices
