// virtio-serial (vmsd name "virtio-console") device state as migrated
// (VirtIOSerial, hw/char/virtio-serial-bus.c).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "migcheck/devices/blk_element.h"

namespace migcheck::devices {

// A port on the virtio-serial bus of the destination (virtconsole /
// virtserialport devices).
struct SerialPortConfig {
  std::uint32_t id = 0;  // "nr", or the first free id
  std::string name;      // "name" property
  bool console = false;  // virtconsole
  bool operator==(const SerialPortConfig&) const = default;
};

// One entry of the active-port list (VirtIOSerialPort's migrated part).
struct SerialPortState {
  std::uint32_t id = 0;
  bool guest_connected = false;     // port->guest_connected (a bool: any non-zero byte)
  std::uint8_t host_connected = 0;  // the source's view, compared with ours after the load
  bool elem_popped = false;         // be32 on the wire, any non-zero value
  std::uint32_t iov_idx = 0;        // only with an element
  std::uint64_t iov_offset = 0;
  VirtQueueElement elem;
  bool operator==(const SerialPortState&) const = default;
};

struct Serial {
  // --- destination configuration (filled by the device model) ---
  std::uint32_t max_virtserial_ports = 31;  // "max_ports"
  std::vector<std::uint32_t> ports_map;     // DIV_ROUND_UP(max_ports, 32) words
  std::vector<SerialPortConfig> ports;      // attached ports, in id order

  // --- wire: defined with the device part (src/devices/serial.cpp) ---
  // cols, rows and max_nr_ports are read and dropped (saved as QEMU writes
  // them: 0, 0, max_virtserial_ports); ports_map must equal the
  // destination's. nr_active_ports is active_ports.size().
  std::vector<SerialPortState> active_ports;  // in stream order

  bool operator==(const Serial&) const = default;
};

}  // namespace migcheck::devices
