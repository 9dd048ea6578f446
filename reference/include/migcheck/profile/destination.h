// The destination a stream is loaded into, described the way QEMU users
// write it: `--machine TYPE` and `--device DRIVER[,prop=val...]`.
//
// Everything the loader consults that is not on the wire lives here: the
// machine type's compat properties (footers, configuration record, queue_reset
// ...), and per virtio device its host features, queue sizes, config size,
// MSI-X vectors, legacy/modern mode and PCI config space with QEMU's masks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "migcheck/profile/profile.h"
#include "migcheck/virtio/device.h"

namespace migcheck {

enum class MachineFamily : std::uint8_t { I440fx, Q35 };

// A versioned x86 machine type and the compat properties of its version that
// matter to migration (hw/core/machine.c hw_compat_*, hw/i386/pc.c pc_compat_*).
struct MachineType {
  std::string name;  // "pc-i440fx-7.2", "pc-q35-2.3"
  MachineFamily family = MachineFamily::I440fx;
  int version = 702;  // major * 100 + minor
  // Migration properties (send-configuration / send-section-footer are off
  // for <= 2.3 via hw_compat_2_3; store-global-state likewise).
  bool send_configuration = true;
  bool send_section_footer = true;
  bool store_global_state = true;
  bool suppress_vmdesc = false;
  // Defaults the machine gives virtio devices (hw_compat_*).
  bool virtio_pci_migrate_extra = true;    // off <= 2.4
  bool virtio_pci_disable_modern = false;  // on  <= 2.6
  bool virtio_pci_disable_legacy_auto = true;
  bool virtio_use_started = true;          // off <= 4.0
  bool virtio_use_disabled_flag = true;    // off <= 4.2
  bool virtio_queue_reset = true;          // off <= 7.1
};

// One virtio device of the destination, after realize and system reset.
struct VirtioDeviceSpec {
  std::string driver;      // "virtio-net-pci"
  std::string properties;  // as given, e.g. "disable-legacy=on,mq=on"
  std::string idstr;       // section idstr, e.g. "0000:00:02.0/virtio-net"
  std::uint32_t instance_id = 0;
  virtio::VirtioDevice reset;  // the state a load starts from
};

struct Destination {
  const Profile* profile = nullptr;
  MachineType machine;
  std::vector<VirtioDeviceSpec> devices;
  bool inferred = false;           // derived from the stream, not given
  std::vector<std::string> notes;  // how an inferred destination was derived
  std::string command_line() const;  // "--machine pc-i440fx-7.2 --device virtio-net-pci,..."
};

// Parses a machine type name (pc, q35, pc-i440fx-X.Y, pc-q35-X.Y, and the
// aliases QEMU accepts). On failure returns nullopt and says why in *error.
std::optional<MachineType> parse_machine(std::string_view name, std::string* error);

// Builds one device from a -device argument ("virtio-net-pci,mq=on,...")
// for the given machine; `slot` is the PCI slot QEMU would assign when the
// argument has no addr= (i440fx: 2, 3, ...; q35: 1, 2, ...).
std::optional<VirtioDeviceSpec> build_device(std::string_view device_arg, const MachineType& machine,
                                             const Profile& profile, int slot, std::string* error);

// Machine + devices in command-line order.
std::optional<Destination> make_destination(std::string_view machine,
                                            std::span<const std::string> device_args,
                                            const Profile& profile, std::string* error);

// The -device drivers build_device understands, for --help and errors.
std::span<const std::string_view> supported_drivers();

}  // namespace migcheck
