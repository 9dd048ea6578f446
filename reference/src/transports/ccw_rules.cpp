#include "migcheck/transports/ccw_rules.h"

#include <array>

namespace migcheck::ccw::rules {

const LoadRule kIndAddrNullDropsAddr{.id = "ccw.ind_addr.null_drops_addr", .outcome = Outcome::Sanitize,
                                     .qemu_message = "", .origin = "hw/s390x/css.c: post_load_ind_addr",
                                     .spec = "§5.3"};
const LoadRule kIndAddrSharedLen{.id = "ccw.ind_addr.shared_len", .outcome = Outcome::Sanitize,
                                 .qemu_message = "", .origin = "hw/s390x/css.c: get_indicator",
                                 .spec = "§5.3"};

std::span<const RuleRef> all() {
  static const std::array<RuleRef, 2> list = {&kIndAddrNullDropsAddr, &kIndAddrSharedLen};
  return list;
}

}  // namespace migcheck::ccw::rules
