// virtio-blk device state as migrated.
#pragma once

namespace migcheck::devices {

struct Blk {
  bool operator==(const Blk&) const = default;
};

}  // namespace migcheck::devices
