// virtio-serial (vmsd name "virtio-console") device state as migrated
// (VirtIOSerial, hw/char/virtio-serial-bus.c).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace migcheck::devices {

// A port on the virtio-serial bus of the destination (virtconsole /
// virtserialport devices).
struct SerialPortConfig {
  std::uint32_t id = 0;  // "nr", or the first free id
  std::string name;      // "name" property
  bool console = false;  // virtconsole
  bool operator==(const SerialPortConfig&) const = default;
};

struct Serial {
  // --- destination configuration (filled by the device model) ---
  std::uint32_t max_virtserial_ports = 31;  // "max_ports"
  std::vector<std::uint32_t> ports_map;     // DIV_ROUND_UP(max_ports, 32) words
  std::vector<SerialPortConfig> ports;      // attached ports, in id order

  // --- wire: defined with the device part (src/devices/serial.cpp) ---

  bool operator==(const Serial&) const = default;
};

}  // namespace migcheck::devices
