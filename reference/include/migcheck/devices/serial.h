// virtio-serial device state as migrated.
#pragma once

namespace migcheck::devices {

struct Serial {
  bool operator==(const Serial&) const = default;
};

}  // namespace migcheck::devices
