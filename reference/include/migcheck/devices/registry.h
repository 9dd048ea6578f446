// Device and transport hook tables, one per kind.
#pragma once

namespace migcheck::virtio {
struct DeviceOps;
struct TransportOps;
const TransportOps& mmio_transport();
const TransportOps& ccw_transport();
}  // namespace migcheck::virtio

namespace migcheck::devices {
const virtio::DeviceOps& net_ops();
const virtio::DeviceOps& blk_ops();
const virtio::DeviceOps& scsi_ops();
const virtio::DeviceOps& balloon_ops();
const virtio::DeviceOps& serial_ops();
const virtio::DeviceOps& rng_ops();
}  // namespace migcheck::devices
