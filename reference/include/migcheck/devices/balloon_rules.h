// Load rules of virtio-balloon (hw/virtio/virtio-balloon.c). Its vmsd
// checks nothing; the one rule notes a value QEMU accepts but cannot use.
#pragma once

#include <span>

#include "migcheck/vmstate/rule.h"

namespace migcheck::virtio {
struct DeviceOps;
}

namespace migcheck::devices {

namespace rules {
extern const LoadRule kBalloonHintStatus;
std::span<const RuleRef> balloon();
}  // namespace rules

const virtio::DeviceOps& balloon_ops();

}  // namespace migcheck::devices
