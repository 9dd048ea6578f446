// virtio-balloon device state as migrated.
#pragma once

namespace migcheck::devices {

struct Balloon {
  bool operator==(const Balloon&) const = default;
};

}  // namespace migcheck::devices
