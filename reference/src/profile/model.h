// Internal: the destination device model shared by src/profile/*.cpp.
//
// A virtio-pci device is built the way QEMU 7.2 realizes it: instance
// defaults, then the machine's compat globals, then the -device properties,
// then virtio_pci_realize -> the device's PCI realize -> vdc->realize ->
// virtio_bus_device_plugged (pre_plugged, get_features, device_plugged),
// then system reset.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "migcheck/profile/destination.h"

namespace migcheck::profile {

// ---- -device argument (util/qemu-option.c) -----------------------------------

struct DeviceArg {
  std::string text;    // as given
  std::string driver;  // first, implicitly named option
  // Options after the driver in first-appearance order; a repeated option
  // keeps its last value (qemu_opts_to_qdict).
  std::vector<std::pair<std::string, std::string>> opts;
  std::string props_text() const;  // text after "driver,"
  const std::string* find(std::string_view name) const;
};
std::optional<DeviceArg> parse_device_arg(std::string_view text, std::string* error);

// ---- property values (qapi/qobject-input-visitor.c, qdev-properties*.c) ------

enum class OnOffAuto : std::uint8_t { Auto, On, Off };
enum class PropType : std::uint8_t { Bool, U16, U32, U64, I32, I64, Str, Mac, OnOffAuto, DevFn, Size };

struct PropValue {
  bool b = false;
  std::uint64_t u = 0;
  std::int64_t i = 0;
  std::string s;
  std::array<std::uint8_t, 6> mac{};
  OnOffAuto ooa = OnOffAuto::Auto;
  int devfn = -1;
};

// Parses `value` as `type` for property `name`; on failure *error is QEMU's
// message ("Parameter 'mq' expects 'on' or 'off'"); `owner` is the QOM type
// named by "Property '<owner>.<name>' doesn't take value ..." errors.
bool parse_value(PropType type, std::string_view owner, std::string_view name, std::string_view value,
                 PropValue* out, std::string* error);

struct Build;

// One qdev property. A DEFINE_PROP_BIT64 on a feature word is data
// (dev_bit / vdev_bit); anything else has a setter.
struct PropDef {
  std::string_view name;
  PropType type;
  int dev_bit = -1;   // bit of the device's own host_features (n->host_features, ...)
  int vdev_bit = -1;  // bit of VirtIODevice.host_features (DEFINE_VIRTIO_COMMON_FEATURES)
  void (*set)(Build&, const PropValue&) = nullptr;
};

// ---- device configuration (the -device properties QEMU keeps) ----------------

struct NetConf {
  std::uint32_t peer_queues = 0;  // migcheck "queues=N": the netdev's queues (0 = no peer)
  std::uint16_t rx_queue_size = 256;
  std::uint16_t tx_queue_size = 256;
  std::uint16_t mtu = 0;
  std::int32_t speed = -1;  // SPEED_UNKNOWN
  std::optional<std::string> duplex;
  std::optional<std::array<std::uint8_t, 6>> mac;
  bool failover = false;
};
struct BlkConf {
  std::optional<std::uint16_t> num_queues;  // nullopt = VIRTIO_BLK_AUTO_NUM_QUEUES
  std::uint16_t queue_size = 256;
  std::uint32_t max_discard_sectors = 0x3fffff;  // BDRV_REQUEST_MAX_SECTORS
  std::uint32_t max_write_zeroes_sectors = 0x3fffff;
  bool x_enable_wce_if_config_wce = true;
  OnOffAuto write_cache = OnOffAuto::Auto;
  bool read_only = false;  // no -device property: the drive is taken as writable
};
struct ScsiConf {
  std::optional<std::uint32_t> num_queues;  // nullopt = VIRTIO_SCSI_AUTO_NUM_QUEUES
  std::uint32_t virtqueue_size = 256;
};
struct BalloonConf {
  bool qemu_4_0_config_size = false;
  bool iothread = false;
  std::int64_t stats_poll_interval = 0;  // "guest-stats-polling-interval"
};
struct SerialConf {
  std::uint32_t max_ports = 31;
};
struct RngConf {
  std::uint64_t max_bytes = 0x7fffffffffffffffull;
  std::uint32_t period_ms = 1u << 16;
};

enum class Variant : std::uint8_t { Generic, Transitional, NonTransitional };

struct DriverModel;

// Where the device sits (resolved by make_destination).
struct Placement {
  std::string bus_path = "0000:00";  // pci_root_bus_path + parent slots
  bool express_bus = false;          // pci_bus_is_express
  bool root_bus = true;              // pci_bus_is_root
  // net/net.c mac_table: 52:54:00:12:34:XX addresses in use (XX 0x56..0xfe);
  // shared by the NICs of one destination.
  std::array<std::uint8_t, 256>* mac_used = nullptr;
};

struct Build {
  const MachineType* machine = nullptr;
  const Profile* profile = nullptr;
  const DriverModel* model = nullptr;
  Variant variant = Variant::Generic;
  std::string driver;  // QOM type name as given

  // VirtIOPCIProxy (hw/virtio/virtio-pci.c) and PCIDevice (hw/pci/pci.c)
  OnOffAuto disable_legacy = OnOffAuto::Auto;
  bool disable_modern = false;
  bool migrate_extra = true;
  bool modern_pio_notify = false;
  bool disable_pcie = false;
  bool page_per_vq = false;
  bool ignore_backend_features = false;
  bool init_deverr = true, init_lnkctl = true, init_pm = true, init_flr = true;
  std::optional<std::uint32_t> nvectors;  // nullopt = DEV_NVECTORS_UNSPECIFIED
  std::uint32_t class_code = 0;
  int devfn = -1;
  std::optional<std::string> romfile;  // nullopt: the class default
  std::uint32_t rombar = 1;
  std::int64_t romsize = -1;
  bool multifunction = false;
  bool extcap_init = true;

  // VirtIODevice (hw/virtio/virtio.c)
  std::uint64_t vdev_features = 0;
  bool use_started = true;

  // the device's own host_features and configuration
  std::uint64_t dev_features = 0;
  NetConf net;
  BlkConf blk;
  ScsiConf scsi;
  BalloonConf balloon;
  SerialConf serial;
  RngConf rng;

  Placement place;
  std::string prop_error;  // a setter's error (QEMU's, or a property migcheck does not model)
  virtio::VirtioDevice d;  // the result
};

// Per-kind hooks and identity (the *-pci.c and device .c files).
struct DriverModel {
  DeviceKind kind;
  std::string_view base;              // "virtio-net-pci-base"
  std::string_view generic;           // "virtio-net-pci"
  std::string_view transitional;      // "virtio-net-pci-transitional"
  std::string_view non_transitional;  // "virtio-net-pci-non-transitional"
  std::string_view vdev_type;         // "virtio-net-device"
  std::string_view qmp_name;          // virtio_id_to_name: "virtio-net"
  std::string_view vmsd_name;         // section vmsd: "virtio-net"
  std::uint16_t virtio_id;
  std::uint16_t pci_device_id;  // legacy/transitional PCI device id
  std::uint16_t class_id;
  std::uint8_t revision;
  std::string_view default_romfile;                 // PCIDeviceClass.romfile
  std::span<const PropDef> proxy_props;             // the *-pci.c properties
  std::span<const PropDef> vdev_props;              // the device's own properties
  void (*init)(Build&);                             // instance defaults
  bool (*pci_realize)(Build&, std::string* error);  // VirtioPCIClass.realize before the vdev
  bool (*realize)(Build&, std::string* error);      // vdc->realize
  std::uint64_t (*get_features)(Build&, std::uint64_t features, std::string* error);
  void (*reset)(Build&);  // device part after system reset
};

std::span<const DriverModel* const> driver_models();
const DriverModel* find_driver(std::string_view driver, Variant* variant);

const DriverModel& net_model();
const DriverModel& blk_model();
const DriverModel& scsi_model();
const DriverModel& balloon_model();
const DriverModel& serial_model();
const DriverModel& rng_model();

// Setters shared by the drivers: "vectors" (DEV_NVECTORS_UNSPECIFIED, i.e.
// 0xffffffff, leaves the driver's default) and properties with no effect on
// the migrated state.
void prop_vectors(Build& b, const PropValue& v);
void prop_ignored(Build& b, const PropValue& v);

// The properties every virtio-pci driver has: PCIDevice, VirtIOPCIProxy and
// (generic drivers only) disable-legacy/disable-modern; and VirtIODevice's.
std::span<const PropDef> pci_device_props();
std::span<const PropDef> virtio_pci_props();
std::span<const PropDef> virtio_pci_generic_props();
std::span<const PropDef> virtio_device_props();

// virtio_add_queue on the state being built.
void add_queue(Build& b, std::uint32_t size);

// ---- machine compat (hw/core/machine.c hw_compat_*, hw/i386/pc.c pc_compat_*)

// The globals of a machine version in the order QEMU applies them (later
// wins); MachineType::compat as parse_machine fills it.
std::vector<CompatProperty> compat_globals(int version);

// ---- realize ------------------------------------------------------------------

// Applies the machine's globals, then the -device options. Unknown options
// fail with QEMU's "Property 'DRIVER.NAME' not found".
bool configure(Build& b, const DeviceArg& arg, std::string* error);
// virtio_pci_realize .. virtio_pci_device_plugged, then system reset.
bool realize_virtio_pci(Build& b, std::string* error);

}  // namespace migcheck::profile
