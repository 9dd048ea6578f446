// virtio-balloon device state as migrated (VirtIOBalloon,
// hw/virtio/virtio-balloon.c).
#pragma once

#include <cstdint>

namespace migcheck::devices {

struct Balloon {
  // --- destination configuration: none beyond host features ---

  // --- wire: vmstate "virtio-balloon-device" (src/devices/balloon.cpp) ---

  bool operator==(const Balloon&) const = default;
};

}  // namespace migcheck::devices
