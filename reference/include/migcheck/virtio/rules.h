// Load rules of the virtio core (virtio_load, spec §7).
#pragma once

#include <span>

#include "migcheck/vmstate/rule.h"

namespace migcheck::virtio::rules {

extern const LoadRule kQueueSel;             // L3
extern const LoadRule kConfigLenExcess;      // L5
extern const LoadRule kConfigLenShort;       // L5
extern const LoadRule kConfigLenRunaway;     // L5, QEMU hangs
extern const LoadRule kNumQueues;            // L6
extern const LoadRule kVqDescZeroWithIndex;  // L8a
extern const LoadRule kExtraStateNoLoader;   // L12
extern const LoadRule kEndianDefault;        // L13
extern const LoadRule kEndianUnrecognised;   // L13
extern const LoadRule kFeatures64;           // L14
extern const LoadRule kFeatures32;           // L14
extern const LoadRule kFeaturesHighDropped;  // L14
extern const LoadRule kStartOnKick;          // L15
extern const LoadRule kLegacyRings;          // L16
extern const LoadRule kCannotMapDesc;        // L16
extern const LoadRule kRingSizeZero;         // L16: QEMU asserts
extern const LoadRule kCannotMapUsed;        // L16
extern const LoadRule kCannotMapAvail;       // L16
extern const LoadRule kPackedUnchecked;      // L16a
extern const LoadRule kIndexDelta;           // L16b
extern const LoadRule kNoGuestMemory;        // L16 without RAM in the input
extern const LoadRule kInuse;                // L16d

std::span<const RuleRef> all();

}  // namespace migcheck::virtio::rules
