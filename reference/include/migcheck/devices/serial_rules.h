// Load rules of virtio-serial (hw/char/virtio-serial-bus.c; its elements
// follow blk_rules.h).
#pragma once

#include <span>

#include "migcheck/vmstate/rule.h"

namespace migcheck::virtio {
struct DeviceOps;
}

namespace migcheck::devices {

namespace rules {
extern const LoadRule kSerialPortsMap;
extern const LoadRule kSerialPortId;
extern const LoadRule kSerialActivePortsAlloc;
extern const LoadRule kSerialActivePortsRunaway;
extern const LoadRule kSerialIovOffset;
std::span<const RuleRef> serial();
}  // namespace rules

const virtio::DeviceOps& serial_ops();

}  // namespace migcheck::devices
