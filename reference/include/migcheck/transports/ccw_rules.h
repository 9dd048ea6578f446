// Load rules of the virtio-ccw transport (spec §5.3).
#pragma once

#include <span>

#include "migcheck/vmstate/rule.h"

namespace migcheck::ccw::rules {

// post_load_ind_addr: len 0 means "no indicator"; the address is dropped.
extern const LoadRule kIndAddrNullDropsAddr;
// get_indicator: an address already registered is shared, with the len it
// was registered with.
extern const LoadRule kIndAddrSharedLen;

std::span<const RuleRef> all();

}  // namespace migcheck::ccw::rules
