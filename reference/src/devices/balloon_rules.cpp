#include "migcheck/devices/balloon_rules.h"

#include <array>

namespace migcheck::devices::rules {

// free_page_hint_status outside STOP..DONE (0..3) is stored as is;
// virtio_balloon_get_config then matches none of its cases and the guest
// reads free_page_hint_cmd_id 0.
const LoadRule kBalloonHintStatus{.id = "virtio-balloon.free_page_hint_status",
                                  .outcome = Outcome::Warn,
                                  .qemu_message = "",
                                  .origin = "hw/virtio/virtio-balloon.c: virtio_balloon_get_config",
                                  .spec = "not in the spec (hw/virtio/virtio-balloon.c @ 7.2.22)"};

std::span<const RuleRef> balloon() {
  static const std::array<RuleRef, 1> list = {&kBalloonHintStatus};
  return list;
}

}  // namespace migcheck::devices::rules
