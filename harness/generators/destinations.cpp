// Destinations as QEMU users describe them: a machine type and -device
// arguments (device x mode x properties), then a transport. What a release
// did not have (machine types, properties) is never picked for it, so a
// destination built for the writer can be rebuilt for an older reader.
#include <algorithm>

#include "migcheck/generators/generators.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::gen {

namespace {

using harness::DestinationSpec;
using vmstate::qemu_format;

// Machine versions QEMU 7.2 defines (major*100+minor), oldest first.
std::vector<int> machine_versions(int upto, bool q35) {
  std::vector<int> v;
  const int first = q35 ? 204 : 104;
  for (int major = 1; major <= 7; ++major)
    for (int minor = 0; minor <= 12; ++minor) {
      const int ver = major * 100 + minor;
      const bool exists = (major == 1 && minor >= 4 && minor <= 7) || (major == 2 && minor <= 12) ||
                          (major >= 3 && major <= 7 && minor <= (major == 3 ? 1 : 2));
      if (exists && ver >= first && ver <= upto) v.push_back(ver);
    }
  return v;
}

std::string machine_name(int version, bool q35) {
  return qemu_format("%s%d.%d", q35 ? "pc-q35-" : "pc-i440fx-", version / 100, version % 100);
}

// -device properties and the release that introduced them (approximate
// to the minor release; only used to keep a release away from what it
// did not have).
constexpr int kModernSince = 205;    // disable-legacy / disable-modern
constexpr int kPackedSince = 402;    // packed=on
constexpr int kRssSince = 501;       // rss=on
constexpr int kStartedSince = 401;   // use-started
constexpr int kVariantsSince = 400;  // -transitional / -non-transitional drivers
constexpr int kBlkMqSince = 207;     // num-queues
constexpr int kBalloonHintSince = 401;
// More than one virtio-net queue pair: the reference's older loaders run
// over 7.2's device model, whose realize adds only the first pair; without
// 7.2.20's pre_load_queues the other pairs' entries land in slots never
// added (no ring alignment), as in QEMU 7.2.0-7.2.19. Not a state those
// releases could save and restore, so not generated for them.
constexpr int kNetPairsSince = 702;

struct Driver {
  std::string_view name;
  DeviceKind kind;
};
constexpr Driver kDrivers[] = {{"virtio-net-pci", DeviceKind::Net},       {"virtio-blk-pci", DeviceKind::Blk},
                               {"virtio-scsi-pci", DeviceKind::Scsi},     {"virtio-balloon-pci", DeviceKind::Balloon},
                               {"virtio-serial-pci", DeviceKind::Serial}, {"virtio-rng-pci", DeviceKind::Rng}};

// One virtio device's -device argument (and helper devices it needs).
std::vector<std::string> device_args(int release, int machine, int index) {
  const Driver drv = *rc::gen::elementOf(std::vector<Driver>(std::begin(kDrivers), std::end(kDrivers)));
  std::string driver(drv.name);
  std::vector<std::string> props;
  const std::string id = qemu_format("dev%d", index);
  props.push_back("id=" + id);
  // Legacy-only, transitional or modern-only.
  if (release >= kModernSince && machine >= kModernSince) {
    const int mode = *rc::gen::inRange(0, 3);
    if (release >= kVariantsSince && *rc::gen::arbitrary<bool>()) {
      if (mode == 2) driver = driver.substr(0, driver.size() - 4) + "-pci-non-transitional";
      else if (mode == 1) driver = driver.substr(0, driver.size() - 4) + "-pci-transitional";
    } else {
      if (mode == 0) props.push_back("disable-modern=on");
      if (mode == 1) props.push_back("disable-modern=off,disable-legacy=off");
      if (mode == 2) props.push_back("disable-legacy=on");
    }
  }
  if (*rc::gen::arbitrary<bool>()) props.push_back(qemu_format("vectors=%d", *rc::gen::element(0, 1, 2, 3, 4, 8)));
  if (release >= kPackedSince && *rc::gen::inRange(0, 4) == 0) props.push_back("packed=on");
  if (release >= kStartedSince && *rc::gen::inRange(0, 4) == 0)
    props.push_back(std::string("use-started=") + (*rc::gen::arbitrary<bool>() ? "on" : "off"));
  switch (drv.kind) {
    case DeviceKind::Net:
      if (*rc::gen::arbitrary<bool>())
        props.push_back(qemu_format("mq=on,queues=%d", release >= kNetPairsSince ? *rc::gen::inRange(1, 5) : 1));
      if (release >= kRssSince && *rc::gen::inRange(0, 4) == 0) props.push_back("rss=on");
      if (*rc::gen::inRange(0, 3) == 0) props.push_back("ctrl_vlan=off");
      if (*rc::gen::inRange(0, 3) == 0) props.push_back("ctrl_guest_offloads=off");
      break;
    case DeviceKind::Blk:
      if (release >= kBlkMqSince && *rc::gen::arbitrary<bool>())
        props.push_back(qemu_format("num-queues=%d", *rc::gen::inRange(1, 5)));
      break;
    case DeviceKind::Balloon:
      if (release >= kBalloonHintSince && *rc::gen::inRange(0, 3) == 0) props.push_back("free-page-hint=on");
      break;
    default: break;
  }
  std::string arg = driver;
  for (const std::string& p : props) arg += "," + p;
  std::vector<std::string> out{arg};
  if (drv.kind == DeviceKind::Serial) {
    const int ports = *rc::gen::inRange(0, 3);
    for (int p = 0; p < ports; ++p)
      out.push_back(qemu_format("%s,bus=%s.0,name=port%d", p == 0 ? "virtconsole" : "virtserialport", id, p));
  }
  return out;
}

}  // namespace

rc::Gen<DestinationSpec> destination_spec(DestinationLimits limits) {
  return rc::gen::exec([limits] {
    const Profile* writer = limits.writer;
    if (!writer) writer = *rc::gen::elementOf(std::vector<const Profile*>{&profile_7_2(), &profile_7_2(),
                                                                          find_profile("qemu-2.4"),
                                                                          find_profile("qemu-2.1"),
                                                                          find_profile("qemu-2.0")});
    // What both sides had: the oldest release involved.
    const int release = std::min(writer->release, limits.reader ? limits.reader->release : writer->release);
    const bool q35 = release >= 204 && *rc::gen::inRange(0, 4) == 0;
    const std::vector<int> versions = machine_versions(release, q35);
    // The newest machine most of the time (shrinks to it), else any older one.
    const int machine = *rc::gen::inRange(0, 3) ? versions.back() : *rc::gen::elementOf(versions);
    DestinationSpec spec;
    spec.machine = machine_name(machine, q35);
    spec.profile = std::string(writer->name);
    const int devices = *rc::gen::inRange(1, 3);
    for (int i = 0; i < devices; ++i)
      for (std::string& a : device_args(release, machine, i)) spec.devices.push_back(std::move(a));
    spec.transport = *rc::gen::element(TransportKind::Pci, TransportKind::Pci, TransportKind::Mmio, TransportKind::Ccw);
    return spec;
  });
}

}  // namespace migcheck::gen
