#include "migcheck/devices/serial_rules.h"

#include <array>

namespace migcheck::devices::rules {

namespace {
constexpr std::string_view kNoSpec = "not in the spec (hw/char/virtio-serial-bus.c @ 7.2.22)";
}

// Ports active on source and destination differ: -EINVAL, nothing printed.
const LoadRule kSerialPortsMap{.id = "virtio-serial.ports_map",
                               .outcome = Outcome::Reject,
                               .qemu_message = "",
                               .origin = "hw/char/virtio-serial-bus.c: virtio_serial_load_device",
                               .spec = kNoSpec};
// find_port_by_id fails (no such port, or VIRTIO_CONSOLE_BAD_ID): -EINVAL, silent.
const LoadRule kSerialPortId{.id = "virtio-serial.port_id",
                             .outcome = Outcome::Reject,
                             .qemu_message = "",
                             .origin = "hw/char/virtio-serial-bus.c: fetch_active_ports_list",
                             .spec = kNoSpec};
// g_malloc0(16 * nr_active_ports) before any port is read. Past what the
// host can commit GLib reports "failed to allocate %lu bytes" and the
// process dies (confirmed on 7.2.22: 0xffffffff ports, SIGTRAP from g_error).
const LoadRule kSerialActivePortsAlloc{.id = "virtio-serial.nr_active_ports.alloc",
                                       .outcome = Outcome::Reject,
                                       .qemu_message = "",
                                       .origin = "hw/char/virtio-serial-bus.c: fetch_active_ports_list",
                                       .spec = kNoSpec,
                                       .qemu = QemuFate::Abort};
// More ports than the input holds while port 0 exists: every entry past the
// end reads id 0 and QEMU keeps looping, one failed read() per byte
// (confirmed on 7.2.22: 2^24 ports after a truncation hang the loader).
const LoadRule kSerialActivePortsRunaway{.id = "virtio-serial.nr_active_ports.runaway",
                                         .outcome = Outcome::Reject,
                                         .qemu_message = "",
                                         .origin = "hw/char/virtio-serial-bus.c: fetch_active_ports_list",
                                         .spec = kNoSpec,
                                         .qemu = QemuFate::Hang};
// iov_offset beyond the out buffer it points into: accepted unchecked; the
// flush after the load computes iov_len - iov_offset as a size_t, so the
// port's backend is handed a wrapped length past the mapped buffer.
const LoadRule kSerialIovOffset{.id = "virtio-serial.iov_offset",
                                .outcome = Outcome::Warn,
                                .qemu_message = "",
                                .origin = "hw/char/virtio-serial-bus.c: do_flush_queued_data",
                                .spec = kNoSpec};

std::span<const RuleRef> serial() {
  static const std::array<RuleRef, 5> list = {&kSerialPortsMap, &kSerialPortId, &kSerialActivePortsAlloc,
                                              &kSerialActivePortsRunaway, &kSerialIovOffset};
  return list;
}

}  // namespace migcheck::devices::rules
