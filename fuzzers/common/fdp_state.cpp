#include "common/fdp_state.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "migcheck/generators/constraints.h"
#include "migcheck/harness/cases.h"
#include "migcheck/harness/state_rules.h"
#include "migcheck/virtio/core.h"
#include "migcheck/vmstate/visitor.h"
#include "migcheck/vmstate/vmsd.h"

namespace migcheck::fuzz {

namespace {

using virtio::VirtioDevice;
using vmstate::ScalarKind;

// The -device sets the bytes choose from: every modelled device once, the
// multiqueue and modern variants that change the schema's paths, and two
// devices in one stream.
constexpr std::array<std::string_view, 12> kDevices = {
    "virtio-net-pci",          "virtio-net-pci,mq=on,queues=2", "virtio-net-pci,disable-legacy=on",
    "virtio-blk-pci",          "virtio-scsi-pci",               "virtio-balloon-pci",
    "virtio-serial-pci",       "virtio-rng-pci",                "virtio-net-pci,disable-legacy=on,packed=on",
    "virtio-blk-pci,num-queues=2", "virtio-rng-pci;virtio-net-pci", "virtio-balloon-pci,free-page-hint=on"};

// Per-queue element vmsds of the 1024-slot arrays: only the device's own
// queues get values (as generators/fields.cpp).
constexpr std::array<std::string_view, 5> kPerQueueArrays = {"virtqueue_state", "ringsize_state",
                                                             "packed_virtqueue_state", "virtio_pci/modern_queue_state",
                                                             "virtio_mmio/queue_state"};

std::string machine_for(const Profile& p) {
  if (p.release >= 702) return "pc-i440fx-7.2";
  if (p.release >= 204) return "pc-i440fx-2.4";
  if (p.release >= 201) return "pc-i440fx-2.1";
  return "pc-i440fx-2.0";
}

// Built once per (writer, reader, device set, transport): building is slow.
const Destination* destination(const Profile& writer, const Profile* reader, std::size_t devices,
                               TransportKind transport) {
  static std::map<std::string, std::unique_ptr<const Destination>> cache;
  std::string key = std::string(writer.name) + "/" + (reader ? std::string(reader->name) : "-") + "/" +
                    std::to_string(devices) + "/" + std::to_string(static_cast<int>(transport));
  if (auto it = cache.find(key); it != cache.end()) return it->second.get();
  harness::DestinationSpec spec;
  spec.machine = machine_for(reader && reader->release < writer.release ? *reader : writer);
  spec.profile = std::string(writer.name);
  spec.transport = transport;
  std::string_view list = kDevices[devices];
  for (std::size_t at = 0; at <= list.size();) {
    const std::size_t end = std::min(list.find(';', at), list.size());
    spec.devices.emplace_back(list.substr(at, end - at));
    at = end + 1;
  }
  std::string error;
  auto dest = harness::build_destination(spec, &error);
  std::unique_ptr<const Destination> entry;
  if (dest && gen::fits_writer(*dest, writer)) entry = std::make_unique<const Destination>(std::move(*dest));
  return cache.emplace(key, std::move(entry)).first->second.get();
}

// Every scalar and buffer the schema reaches, from the bytes: mostly the
// value itself, sometimes a width boundary. The VARRAY counts stay small
// (the arrays they size are drawn next).
class FdpFields : public vmstate::Visitor {
 public:
  FdpFields(FuzzedDataProvider& fdp, const VirtioDevice& d, std::size_t queues) : fdp_(fdp), d_(d), queues_(queues) {}

  void scalar(std::string_view name, int, ScalarKind kind, std::uint64_t& value) override {
    if (fdp_.remaining_bytes() == 0) return;  // the rest keeps its reset value
    if (name == "in_num" || name == "out_num") value = fdp_.ConsumeIntegralInRange(0, 4);
    else if (name == "mac_table.in_use") value = fdp_.ConsumeIntegralInRange(0, 64);
    else if (name == "rss_data.indirections_len") value = 1u << fdp_.ConsumeIntegralInRange(0, 4);
    else if (name == "curr_queue_pairs")
      value = fdp_.ConsumeIntegralInRange<unsigned>(1, std::max<unsigned>(d_.net.max_queue_pairs, 1));
    else value = draw(kind);
  }
  void bytes(std::string_view, int, std::span<std::uint8_t> value) override { patch(value); }
  void vbytes(std::string_view, int, std::vector<std::uint8_t>& value, std::size_t) override { patch(value); }
  bool enter(std::string_view vmsd, int index) override {
    return !(index >= 0 && static_cast<std::size_t>(index) >= queues_ &&
             std::find(kPerQueueArrays.begin(), kPerQueueArrays.end(), vmsd) != kPerQueueArrays.end());
  }

 private:
  std::uint64_t draw(ScalarKind kind) {
    const unsigned bits = vmstate::width_of(kind) * 8;
    const std::uint64_t mask = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    switch (fdp_.ConsumeIntegralInRange(0, 7)) {
      case 0: return 0;
      case 1: return mask;
      case 2: return mask >> 1;
      case 3: return (mask >> 1) + 1;
      default: break;
    }
    if (kind == ScalarKind::Bool) return fdp_.ConsumeBool();
    const std::uint64_t v = fdp_.ConsumeIntegral<std::uint64_t>() & mask;
    // I32 is held sign-extended in 64 bits.
    return kind == ScalarKind::I32 ? static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(v)))
                                   : v;
  }
  void patch(std::span<std::uint8_t> buf) {
    if (buf.empty()) return;
    for (int k = fdp_.ConsumeIntegralInRange(0, 4); k > 0; --k)
      buf[fdp_.ConsumeIntegralInRange<std::size_t>(0, buf.size() - 1)] = fdp_.ConsumeIntegral<std::uint8_t>();
  }
  FuzzedDataProvider& fdp_;
  const VirtioDevice& d_;
  std::size_t queues_;
};

}  // namespace

std::optional<harness::Scenario> scenario_from_bytes(FuzzedDataProvider& fdp, const Profile& writer,
                                                     const Profile* reader) {
  const std::size_t devices = fdp.ConsumeIntegralInRange<std::size_t>(0, kDevices.size() - 1);
  const auto transport = static_cast<TransportKind>(fdp.ConsumeIntegralInRange(0, 2));
  const Destination* dest = destination(writer, reader, devices, transport);
  if (!dest) return std::nullopt;
  harness::Scenario s{*dest, {}, 0};
  // Each device's rings in their own window, then request buffers (as
  // generators/states.cpp lays out guest RAM).
  std::vector<std::uint64_t> ring_base;
  std::uint64_t at = gen::kRingWindow;
  for (const VirtioDeviceSpec& spec : dest->devices) {
    ring_base.push_back(at);
    at += gen::max_queues(spec.reset) * gen::kRingWindow;
  }
  const std::uint64_t mib = 1024 * 1024;
  s.ram_bytes = (at + gen::kBufferSpace + mib - 1) / mib * mib * fdp.ConsumeIntegralInRange(1, 2);
  for (std::size_t i = 0; i < dest->devices.size(); ++i) {
    const VirtioDeviceSpec& spec = dest->devices[i];
    VirtioDevice d = spec.reset;
    d.profile = &writer;
    const std::uint64_t features = fdp.ConsumeBool() ? d.host_features : fdp.ConsumeIntegral<std::uint64_t>();
    d.guest_features = features & d.host_features;
    if (d.kind == DeviceKind::Net) harness::net_queue_layout(d, harness::net_layout_pairs(d));
    if (d.kind == DeviceKind::Blk) d.blk.rq.resize(fdp.ConsumeIntegralInRange(0, 3));
    if (d.kind == DeviceKind::Serial)
      d.serial.active_ports.resize(
          fdp.ConsumeIntegralInRange<std::size_t>(0, std::min<std::size_t>(spec.reset.serial.ports.size(), 3)));
    const VirtioDevice layout = d;
    FdpFields fields(fdp, layout, layout.vq.count_leading(layout.queue_max));
    vmstate::visit_state(fields, virtio::section_vmsd(d.kind), d);
    d.guest_features = features & d.host_features;
    std::vector<std::uint32_t> entropy(24);
    for (std::uint32_t& e : entropy) e = fdp.ConsumeIntegral<std::uint32_t>();
    gen::ConstraintContext ctx{spec, *dest, writer, reader, s.ram_bytes, ring_base[i], at, &layout, entropy};
    gen::apply_constraints(d, ctx);
    s.states.push_back(std::move(d));
  }
  return s;
}

}  // namespace migcheck::fuzz
