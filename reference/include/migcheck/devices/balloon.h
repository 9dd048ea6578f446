// virtio-balloon device state as migrated (VirtIOBalloon,
// hw/virtio/virtio-balloon.c).
#pragma once

#include <cstdint>

namespace migcheck::devices {

struct Balloon {
  // --- destination configuration: none beyond host features ---
  // Added for the device part: the "guest-stats-polling-interval" property
  // (seconds, default 0 = stats timer off), read by the vmsd's post_load.
  std::int64_t stats_poll_interval = 0;

  // --- wire: vmstate "virtio-balloon-device" (src/devices/balloon.cpp) ---
  std::uint32_t num_pages = 0;
  std::uint32_t actual = 0;
  // "virtio-balloon-device/free-page-report"
  std::uint32_t free_page_hint_cmd_id = 0x80000000;  // VIRTIO_BALLOON_FREE_PAGE_HINT_CMD_ID_MIN
  std::uint32_t free_page_hint_status = 0;           // FREE_PAGE_HINT_S_STOP
  // "virtio-balloon-device/page-poison"
  std::uint32_t poison_val = 0;

  // --- post-load: virtio_balloon_post_load_device re-arms the stats timer ---
  bool stats_timer_armed = false;

  bool operator==(const Balloon&) const = default;
};

}  // namespace migcheck::devices
