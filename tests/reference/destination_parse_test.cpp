// Machine types and -device parsing (profile/destination.h) against real
// QEMU 7.2.22: names and aliases, compat thresholds, the error texts QEMU
// printed for the same command lines, option parsing and the drivers the
// reference supports.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "destination_support.h"
#include "migcheck/profile/destination.h"

namespace migcheck::test {
namespace {

TEST(DestinationMachine, NamesAndAliases) {
  std::string error;
  EXPECT_EQ(parse_machine("pc", &error)->name, "pc-i440fx-7.2");
  EXPECT_EQ(parse_machine("q35", &error)->name, "pc-q35-7.2");
  EXPECT_EQ(parse_machine("pc-q35-4.0.1", &error)->version, 400);
  EXPECT_EQ(parse_machine("pc-i440fx-1.4", &error)->family, MachineFamily::I440fx);
  for (const char* bad : {"pc-q35-2.3", "pc-i440fx-1.3", "pc-i440fx-7.3", "pc-i440fx-2.13", "pc-i440fx-07.2",
                          "virt", "pc-i440fx-4.0.1", "", "pc-i440fx-444444447.2", "pc-q35--3.0"}) {
    error.clear();
    EXPECT_FALSE(parse_machine(bad, &error)) << bad;
    EXPECT_NE(error.find("pc-q35-X.Y"), std::string::npos) << error;
  }
  // hw_compat_2_6 / 4_0 / 4_2 / 7_1 thresholds
  EXPECT_TRUE(parse_machine("pc-i440fx-2.6", nullptr)->virtio_pci_disable_modern);
  EXPECT_FALSE(parse_machine("pc-i440fx-2.7", nullptr)->virtio_pci_disable_modern);
  EXPECT_FALSE(parse_machine("pc-q35-4.0", nullptr)->virtio_use_started);
  EXPECT_TRUE(parse_machine("pc-q35-4.1", nullptr)->virtio_use_started);
  EXPECT_FALSE(parse_machine("pc-i440fx-4.2", nullptr)->virtio_use_disabled_flag);
  EXPECT_FALSE(parse_machine("pc-i440fx-7.1", nullptr)->virtio_queue_reset);
  EXPECT_FALSE(parse_machine("pc-i440fx-2.4", nullptr)->virtio_pci_migrate_extra);
  EXPECT_TRUE(parse_machine("pc-i440fx-2.5", nullptr)->virtio_pci_migrate_extra);
  EXPECT_TRUE(parse_machine("pc-i440fx-2.2", nullptr)->suppress_vmdesc);
  EXPECT_FALSE(parse_machine("pc-i440fx-1.7", nullptr)->suppress_vmdesc);
}

std::string build_error(std::string_view machine, std::vector<std::string> args) {
  std::string error;
  EXPECT_FALSE(make_destination(machine, args, profile_7_2(), &error));
  return error;
}

// Error texts as real QEMU 7.2.22 printed them for the same command lines
// (after "qemu-system-x86_64: "; QEMU's hint lines are not modelled).
TEST(DestinationDevice, RejectsLikeQemu) {
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,foo=1"}),
            "-device virtio-net-pci,foo=1: Property 'virtio-net-pci.foo' not found");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,mq=maybe"}),
            "-device virtio-net-pci,mq=maybe: Parameter 'mq' expects 'on' or 'off'");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,vectors=abc"}),
            "-device virtio-net-pci,vectors=abc: Parameter 'vectors' expects integer");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,vectors=-1"}),
            "-device virtio-net-pci,vectors=-1: Parameter 'vectors' expects uint32_t");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,rx_queue_size=70000"}),
            "-device virtio-net-pci,rx_queue_size=70000: Parameter 'rx_queue_size' expects uint16_t");
  EXPECT_EQ(
      build_error("pc", {"virtio-net-pci,disable-legacy=maybe"}),
      "-device virtio-net-pci,disable-legacy=maybe: Parameter 'disable-legacy' does not accept value 'maybe'");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci-transitional,disable-modern=on"}),
            "-device virtio-net-pci-transitional,disable-modern=on: Property "
            "'virtio-net-pci-transitional.disable-modern' not found");
  EXPECT_EQ(build_error("pc", {"virtio-balloon-pci,vectors=2"}),
            "-device virtio-balloon-pci,vectors=2: Property 'virtio-balloon-pci.vectors' not found");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,mac=zz"}),
            "-device virtio-net-pci,mac=zz: Property 'virtio-net-device.mac' doesn't take value 'zz'");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,addr=1.1"}),
            "-device virtio-net-pci,addr=1.1: PCI: slot 1 function 1 not available for virtio-net-pci, in use by "
            "piix3-ide,id=(null)");
  EXPECT_EQ(build_error("q35", {"virtio-net-pci,addr=1f.2"}),
            "-device virtio-net-pci,addr=1f.2: PCI: slot 31 function 2 not available for virtio-net-pci, in use "
            "by ich9-ahci,id=(null)");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,addr=0x2,id=a", "virtio-rng-pci,addr=2"}),
            "-device virtio-rng-pci,addr=2: PCI: slot 2 function 0 not available for virtio-rng-pci, in use by "
            "virtio-net-pci,id=a");
  EXPECT_EQ(build_error("q35", {"virtio-rng-pci,bus=nope"}),
            "-device virtio-rng-pci,bus=nope: Bus 'nope' not found");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,rx_queue_size=100"}),
            "-device virtio-net-pci,rx_queue_size=100: Invalid rx_queue_size (= 100), must be a power of 2 "
            "between 256 and 1024.");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,disable-modern=on,disable-legacy=on"}),
            "-device virtio-net-pci,disable-modern=on,disable-legacy=on: device cannot work as neither modern nor "
            "legacy mode is enabled");
  EXPECT_EQ(build_error("pc", {"virtio-blk-pci,scsi=on,disable-legacy=on"}),
            "-device virtio-blk-pci,scsi=on,disable-legacy=on: Please set scsi=off for virtio-blk devices in "
            "order to use virtio 1.0");
  EXPECT_EQ(build_error("pc", {"virtio-balloon-pci", "virtio-balloon-pci"}),
            "-device virtio-balloon-pci: Only one balloon device is supported");
  EXPECT_EQ(build_error("pc", {"virtserialport"}),
            "-device virtserialport: No 'virtio-serial-bus' bus found for device 'virtserialport'");
  EXPECT_EQ(build_error("pc", {"virtio-serial-pci,max_ports=2", "virtserialport,nr=2"}),
            "-device virtserialport,nr=2: virtio-serial-bus: Out-of-range port id specified, max. allowed: 1");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,tx_queue_size=2048"}),
            "-device virtio-net-pci,tx_queue_size=2048: Invalid tx_queue_size (= 2048), must be a power of 2 "
            "between 256 and 1024");
  EXPECT_EQ(
      build_error("pc", {"virtio-scsi-pci,num_queues=0"}),
      "-device virtio-scsi-pci,num_queues=0: Invalid number of queues (= 0), must be a positive integer less "
      "than 1022.");
  EXPECT_EQ(build_error("pc", {"virtio-rng-pci,period=0"}),
            "-device virtio-rng-pci,period=0: 'period' parameter expects a positive integer");
  EXPECT_EQ(build_error("pc", {"virtio-serial-pci,max_ports=600"}),
            "-device virtio-serial-pci,max_ports=600: maximum ports supported: 511");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,duplex=x"}),
            "-device virtio-net-pci,duplex=x: 'duplex' must be 'half' or 'full'");
  EXPECT_EQ(build_error("pc", {"virtio-balloon-pci,free-page-hint=on"}),
            "-device virtio-balloon-pci,free-page-hint=on: 'free-page-hint' requires 'iothread' to be set");
  EXPECT_EQ(
      build_error("pc", {"virtio-net-pci,iommu_platform=on"}),
      "-device virtio-net-pci,iommu_platform=on: VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor "
      "transitional device");
  EXPECT_NE(build_error("pc", {"e1000"}).find("not a device migcheck models"), std::string::npos);
  EXPECT_NE(build_error("pc", {"virtio-net-pci,netdev=n0"}).find("queues=N"), std::string::npos);
}

TEST(DestinationDevice, OptionParsing) {
  // Flags ("mq" = mq=on, "nofoo" = foo=off), yes/no/true/false, last value wins.
  const Destination d =
      make({"pc", {"virtio-rng-pci", "virtio-net-pci,mq,noevent_idx,packed=yes,packed=no,any_layout=false,romfile="}});
  ASSERT_EQ(d.devices.size(), 2u);
  const VirtioDeviceSpec* spec = &d.devices[1];
  const std::uint64_t f = spec->reset.host_features;
  EXPECT_TRUE(f & virtio::bit(22));
  EXPECT_FALSE(f & virtio::bit(virtio::kRingFEventIdx));
  EXPECT_FALSE(f & virtio::bit(virtio::kFRingPacked));
  EXPECT_FALSE(f & virtio::bit(virtio::kFAnyLayout));
  EXPECT_EQ(spec->idstr, "0000:00:03.0/virtio-net");
  EXPECT_EQ(spec->properties, "mq,noevent_idx,packed=yes,packed=no,any_layout=false,romfile=");
  EXPECT_EQ(spec->reset.config.size(), 10u);  // MQ adds max_virtqueue_pairs
}

TEST(DestinationDevice, NetQueuesAndMac) {
  const Destination d = make({"q35",
                              {"virtio-net-pci,mq=on,queues=4,romfile=", "virtio-net-pci,romfile=",
                               "virtio-net-pci,romfile=,mac=52:54:00:12:34:58"}});
  ASSERT_EQ(d.devices.size(), 3u);
  const devices::Net& n = d.devices[0].reset.net;
  EXPECT_EQ(n.max_queue_pairs, 4);
  EXPECT_EQ(n.vqs.size(), 4u);
  EXPECT_EQ(n.curr_queue_pairs, 1);
  EXPECT_EQ(d.devices[0].reset.pci.nvectors, 10u);
  EXPECT_EQ(d.devices[0].reset.vq.count_leading(1024), 3u);  // realize adds one pair + ctrl
  EXPECT_EQ(d.devices[0].idstr, "0000:00:01.0/virtio-net");
  EXPECT_EQ(d.devices[1].idstr, "0000:00:02.0/virtio-net");
  // qemu_macaddr_default_if_unset: 52:54:00:12:34:56, :57, ... skipping those given.
  EXPECT_EQ(n.mac, (std::array<std::uint8_t, 6>{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}));
  EXPECT_EQ(d.devices[1].reset.net.mac, (std::array<std::uint8_t, 6>{0x52, 0x54, 0x00, 0x12, 0x34, 0x57}));
  EXPECT_EQ(d.devices[2].reset.net.mac, (std::array<std::uint8_t, 6>{0x52, 0x54, 0x00, 0x12, 0x34, 0x58}));
  EXPECT_EQ(n.vlans.front(), 0xff);  // virtio_reset -> set_features(0): no CTRL_VLAN
  EXPECT_EQ(n.status, 1);
  EXPECT_EQ(n.promisc, 1);
}

TEST(DestinationDevice, SerialPorts) {
  const Destination d = make({"pc",
                              {"virtio-serial-pci,id=s0,max_ports=40", "virtserialport,name=a",
                               "virtconsole,bus=s0.0", "virtserialport,nr=35,name=b"}});
  ASSERT_EQ(d.devices.size(), 1u);
  // Real QEMU 7.2.22 saved this destination with ports_map {0x3, 0x8} and
  // the active ports in plug order: ids 1, 0, 35.
  const devices::Serial& s = d.devices[0].reset.serial;
  EXPECT_EQ(s.max_virtserial_ports, 40u);
  ASSERT_EQ(s.ports.size(), 3u);
  EXPECT_EQ(s.ports[0].id, 1u);  // id 0 stays reserved for a console
  EXPECT_EQ(s.ports[1].id, 0u);
  EXPECT_TRUE(s.ports[1].console);
  EXPECT_EQ(s.ports[2].id, 35u);
  EXPECT_EQ(s.ports_map, (std::vector<std::uint32_t>{0x3, 0x8}));
  EXPECT_EQ(d.devices[0].reset.pci.nvectors, 2u);
  EXPECT_EQ(d.devices[0].reset.vq.count_leading(1024), 82u);  // 2 per port + 2 control
  EXPECT_EQ(d.command_line(),
            "--machine pc-i440fx-7.2 --device virtio-serial-pci,id=s0,max_ports=40 "
            "--device virtserialport,name=a --device virtconsole,bus=s0.0 "
            "--device virtserialport,nr=35,name=b");
}

TEST(DestinationDevice, SupportedDrivers) {
  const auto drivers = supported_drivers();
  EXPECT_EQ(drivers.size(), 21u);
  for (std::string_view d : drivers) {
    if (d == "pcie-root-port" || d == "virtconsole" || d == "virtserialport") continue;
    std::string error;
    EXPECT_TRUE(
        make_destination("pc", std::vector<std::string>{std::string(d) + ",romfile="}, profile_7_2(), &error))
        << d << ": " << error;
  }
}

}  // namespace
}  // namespace migcheck::test
