// Load rules of virtio-net (spec §6.2, §7 L7/L11).
#pragma once

#include <span>

#include "migcheck/vmstate/rule.h"

namespace migcheck::virtio {
struct DeviceOps;
struct VirtioDevice;
}  // namespace migcheck::virtio

namespace migcheck::devices {

namespace rules {
extern const LoadRule kVnetHdr;
extern const LoadRule kUfo;
extern const LoadRule kCurrQueuePairs;
extern const LoadRule kMacTableOverflow;
extern const LoadRule kPreLoadQueues;
extern const LoadRule kQueueLayoutAssert;
extern const LoadRule kVlansReset;
extern const LoadRule kRssSoftware;
std::span<const RuleRef> net();
}  // namespace rules

const virtio::DeviceOps& net_ops();

}  // namespace migcheck::devices
