// Placeholders replaced device by device (blk, balloon, serial).
#include "migcheck/devices/registry.h"
#include "migcheck/pci/rules.h"
#include "migcheck/virtio/core.h"

namespace migcheck::devices {

const virtio::DeviceOps& blk_ops() {
  static const virtio::DeviceOps ops{
      .kind = DeviceKind::Blk, .vmsd_name = "virtio-blk", .version_id = 2, .minimum_version_id = 2};
  return ops;
}
const virtio::DeviceOps& balloon_ops() {
  static const virtio::DeviceOps ops{
      .kind = DeviceKind::Balloon, .vmsd_name = "virtio-balloon", .version_id = 1, .minimum_version_id = 1};
  return ops;
}
const virtio::DeviceOps& serial_ops() {
  static const virtio::DeviceOps ops{
      .kind = DeviceKind::Serial, .vmsd_name = "virtio-console", .version_id = 3, .minimum_version_id = 3};
  return ops;
}

}  // namespace migcheck::devices

namespace migcheck::virtio {
const TransportOps& mmio_transport() { return pci::transport(); }
const TransportOps& ccw_transport() { return pci::transport(); }
}  // namespace migcheck::virtio
