// Load rules of the virtio-pci transport (spec §5.1, §7 L1/L8b).
#pragma once

#include <span>

#include "migcheck/vmstate/rule.h"

namespace migcheck::virtio {
struct TransportOps;
}

namespace migcheck::pci {

namespace rules {
extern const LoadRule kBadConfigData;
extern const LoadRule kIrqState;
extern const LoadRule kConfigVector;
extern const LoadRule kQueueVector;
std::span<const RuleRef> all();
}  // namespace rules

const virtio::TransportOps& transport();

}  // namespace migcheck::pci
