// Load rules of virtio-blk and of the VirtQueueElement it migrates
// (spec §6.1, §7 L10, §8).
#pragma once

#include <span>

#include "migcheck/vmstate/rule.h"

namespace migcheck::virtio {
struct DeviceOps;
}

namespace migcheck::devices {

namespace rules {
// qemu_get_virtqueue_element / virtqueue_map (shared with virtio-serial).
extern const LoadRule kElementInNum;
extern const LoadRule kElementOutNum;
extern const LoadRule kElementMapMmio;
extern const LoadRule kElementMapSplit;
extern const LoadRule kElementBounce;
extern const LoadRule kElementPackedOrder;
extern const LoadRule kElementNoGuestMemory;
// virtio_blk_load_device.
extern const LoadRule kBlkRequestVqIndex;
std::span<const RuleRef> blk();

// Every rule of the blk, balloon and serial device parts (for all_rules()).
std::span<const RuleRef> blk_balloon_serial();
}  // namespace rules

const virtio::DeviceOps& blk_ops();

}  // namespace migcheck::devices
