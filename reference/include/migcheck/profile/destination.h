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

// One compat global (hw/core/machine.c hw_compat_*, hw/i386/pc.c pc_compat_*):
// QOM type, property, value.
struct CompatProperty {
  std::string_view type;
  std::string_view property;
  std::string_view value;
  bool optional = false;  // skipped silently by types without the property
};

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
  // Every compat global of this machine that reaches migration or one of the
  // modelled virtio-pci devices, in the order QEMU applies them (a later one
  // wins). The flags above are read from this list; the device model applies
  // all of it (queue sizes, num-queues, vectors, features, PCIe init, ...).
  std::vector<CompatProperty> compat;
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
  // Every --device argument make_destination was given, in order (virtio
  // devices and the others: pcie-root-port, virtconsole, virtserialport).
  std::vector<std::string> args;
  bool inferred = false;           // derived from the stream, not given
  std::vector<std::string> notes;  // how an inferred destination was derived
  std::string command_line() const;  // "--machine pc-i440fx-7.2 --device virtio-net-pci,..."
};

// Parses a machine type name (pc, q35, pc-i440fx-X.Y, pc-q35-X.Y, and the
// aliases QEMU accepts). On failure returns nullopt and says why in *error.
// The versions are those QEMU 7.2 defines: pc-i440fx-1.4 .. 7.2, pc-q35-2.4
// .. 7.2 and pc-q35-4.0.1; `name` is the canonical one ("pc" ->
// "pc-i440fx-7.2"), as the configuration section carries it.
std::optional<MachineType> parse_machine(std::string_view name, std::string* error);

// Machine + devices in command-line order, as
//   qemu-system-x86_64 -machine M -nodefaults -smp 1 -device ...
// builds them, after realize and system reset.
//
// Virtio drivers: virtio-{net,blk,scsi,balloon,serial,rng}-pci and their
// -transitional / -non-transitional variants, with QEMU 7.2's properties
// (unknown ones are rejected with QEMU's "Property 'D.P' not found"; errors
// read "-device ARG: <QEMU's message>"):
//  - virtio-net has no netdev peer (QEMU: "nic has no peer"), so the
//    offloads that need a vnet header are not offered. migcheck's own
//    property `queues=N` stands for the peer's queue count (a
//    `-netdev tap,queues=N,vnet_hdr=off`): it sets max_queue_pairs and the
//    default vectors (2N+2); netdev= itself is rejected.
//  - virtio-blk's drive is taken as present, writable, write cache on;
//    drive= and the other backend properties are accepted and ignored.
//  - num-queues=auto (blk, scsi) means 1 (one vCPU).
//  - romfile: the default efi-virtio.rom (virtio-net) and pxe-virtio.rom
//    have Debian's sizes; romfile= gives no ROM BAR; other files are
//    rejected (their size would decide the ROM BAR's mask).
//
// Besides the virtio drivers it takes pcie-root-port (its id names a PCIe bus for bus=; a virtio device
// there is PCI Express with a 4096-byte config space and modern-only by
// default, idstr "0000:00:SS.F:00.0/..."), virtconsole and virtserialport
// (ports of a virtio-serial-pci: bus=ID.0 or the first one, nr=, name=).
// Slots are assigned like QEMU: the first slot whose function 0 is free.
std::optional<Destination> make_destination(std::string_view machine,
                                            std::span<const std::string> device_args,
                                            const Profile& profile, std::string* error);

// The -device drivers make_destination understands, for --help and errors.
std::span<const std::string_view> supported_drivers();

}  // namespace migcheck
