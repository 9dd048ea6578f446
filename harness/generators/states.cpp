// Device states and scenarios: a destination's reset state, a few structure
// choices (features, list lengths), every field from the schema visitor,
// then the named constraints.
#include <algorithm>
#include <sstream>

#include "fields.h"
#include "migcheck/generators/constraints.h"
#include "migcheck/generators/generators.h"
#include "migcheck/harness/state_rules.h"
#include "migcheck/virtio/core.h"

namespace migcheck::gen {

namespace {

using virtio::VirtioDevice;

// Where each device's rings go in guest RAM, and how much RAM that takes.
struct RamLayout {
  std::vector<std::uint64_t> ring_base;
  std::uint64_t buffer_base = 0, size = 0;
};
RamLayout ram_layout(const Destination& dest) {
  RamLayout l;
  std::uint64_t at = kRingWindow;  // nothing at guest-physical 0
  for (const VirtioDeviceSpec& s : dest.devices) {
    l.ring_base.push_back(at);
    at += max_queues(s.reset) * kRingWindow;
  }
  l.buffer_base = at;
  const std::uint64_t mib = 1024 * 1024;
  l.size = (at + kBufferSpace + mib - 1) / mib * mib;
  return l;
}

VirtioDevice generate_device(const VirtioDeviceSpec& spec, const Destination& dest, const Profile& writer,
                             const Profile* reader, std::uint64_t ram, const RamLayout& layout_ram, std::size_t index) {
  VirtioDevice d = spec.reset;
  d.profile = &writer;
  // Structure first: the negotiated features decide virtio-net's queues.
  const std::uint64_t features =
      *rc::gen::weightedOneOf<std::uint64_t>({{3, rc::gen::arbitrary<std::uint64_t>()},
                                              {1, rc::gen::just(d.host_features)},
                                              {1, rc::gen::just(std::uint64_t{0})}}) &
      d.host_features;
  d.guest_features = features;
  if (d.kind == DeviceKind::Net) harness::net_queue_layout(d, harness::net_layout_pairs(d));
  if (d.kind == DeviceKind::Blk) d.blk.rq.resize(*rc::gen::inRange<std::size_t>(0, 4));
  if (d.kind == DeviceKind::Serial)
    d.serial.active_ports.resize(*rc::gen::inRange<std::size_t>(0, std::min<std::size_t>(spec.reset.serial.ports.size(), 3) + 1));
  const VirtioDevice layout = d;
  // Every field the writer's schema has.
  AssignFields assign(layout, layout.vq.count_leading(layout.queue_max));
  vmstate::visit_state(assign, virtio::section_vmsd(d.kind), d);
  d.guest_features = features;
  // The constraints' choices.
  const auto entropy = *rc::gen::container<std::vector<std::uint32_t>>(24, rc::gen::arbitrary<std::uint32_t>());
  ConstraintContext ctx{spec, dest, writer, reader, ram, layout_ram.ring_base[index], layout_ram.buffer_base, &layout,
                        entropy};
  apply_constraints(d, ctx);
  return d;
}

// A destination the scenario can use: built, and writable by its release.
std::pair<harness::DestinationSpec, Destination> pick_destination(DestinationLimits limits) {
  std::string error;
  for (int attempt = 0; attempt < 4; ++attempt) {
    harness::DestinationSpec spec = *destination_spec(limits);
    auto dest = harness::build_destination(spec, &error);
    if (dest && fits_writer(*dest, *dest->profile)) return {spec, *dest};
  }
  // Always buildable: one virtio-rng-pci on the machine the releases share.
  harness::DestinationSpec spec;
  const Profile* writer = limits.writer ? limits.writer : &profile_7_2();
  const int release = std::min(writer->release, limits.reader ? limits.reader->release : writer->release);
  spec.machine = release >= 702 ? "pc-i440fx-7.2" : release >= 204 ? "pc-i440fx-2.4" : release >= 201 ? "pc-i440fx-2.1" : "pc-i440fx-2.0";
  spec.devices = {"virtio-rng-pci"};
  spec.profile = std::string(writer->name);
  auto dest = harness::build_destination(spec, &error);
  if (!dest) throw rc::GenerationFailure("fallback destination: " + error);
  return {spec, *dest};
}

}  // namespace

rc::Gen<std::vector<VirtioDevice>> device_states(const Destination& dest, const Profile* reader,
                                                 std::uint64_t ram_bytes) {
  return rc::gen::exec([dest, reader, ram_bytes] {
    std::vector<VirtioDevice> states;
    const RamLayout layout = ram_layout(dest);
    for (std::size_t i = 0; i < dest.devices.size(); ++i)
      states.push_back(generate_device(dest.devices[i], dest, *dest.profile, reader, ram_bytes, layout, i));
    return states;
  });
}

rc::Gen<ScenarioCase> scenario(DestinationLimits limits) {
  return rc::gen::exec([limits] {
    auto [spec, dest] = pick_destination(limits);
    const std::uint64_t ram = ram_layout(dest).size * *rc::gen::inRange<std::uint64_t>(1, 3);
    ScenarioCase c{spec, harness::Scenario{dest, {}, ram}};
    c.scenario.states = *device_states(dest, limits.reader, ram);
    return c;
  });
}

rc::Gen<OldReaderCase> old_reader_case() {
  return rc::gen::exec([] {
    const Profile* reader = *rc::gen::elementOf(std::vector<const Profile*>{find_profile("qemu-2.4"), find_profile("qemu-2.1"), find_profile("qemu-2.0")});
    std::vector<const Profile*> writers;
    for (const Profile& p : all_profiles())
      if (p.release > reader->release) writers.push_back(&p);
    std::reverse(writers.begin(), writers.end());  // newest first: shrinks to 7.2
    const Profile* writer = *rc::gen::elementOf(writers);
    return OldReaderCase{*scenario({writer, reader}), reader};
  });
}

namespace {

void show_spec(const harness::DestinationSpec& s, std::ostream& os) {
  os << "--machine " << s.machine;
  for (const std::string& d : s.devices) os << " --device " << d;
  os << " --profile " << s.profile << " (transport " << harness::transport_name(s.transport) << ")";
}

}  // namespace

void showValue(const ScenarioCase& c, std::ostream& os) {
  show_spec(c.spec, os);
  os << ", ram " << c.scenario.ram_bytes << " bytes\n";
  for (std::size_t i = 0; i < c.scenario.states.size() && i < c.scenario.writer.devices.size(); ++i)
    os << "  " << c.scenario.writer.devices[i].idstr << ": "
       << harness::state_to_json(c.scenario.states[i], c.scenario.writer.devices[i].reset).dump() << "\n";
}

void showValue(const OldReaderCase& c, std::ostream& os) {
  os << "reader " << c.reader->name << ", writer ";
  showValue(c.writer, os);
}

void showValue(const StreamCase& c, std::ostream& os) {
  show_spec(c.spec, os);
  os << "\n  base " << c.base << ", " << c.bytes.size() << " bytes, mutations:";
  for (const std::string& m : c.mutations) os << " " << m;
  if (c.mutations.empty()) os << " none";
}

}  // namespace migcheck::gen
