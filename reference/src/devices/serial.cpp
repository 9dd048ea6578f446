// virtio-serial: virtio_serial_save_device / virtio_serial_load_device
// (hw/char/virtio-serial-bus.c @ 7.2.22), section vmsd "virtio-console" v3.
//
//   be16 cols, be16 rows, be32 max_nr_ports     (read and dropped)
//   be32 ports_map[DIV_ROUND_UP(max_ports, 32)] (each must equal ours)
//   be32 nr_active_ports, then per port:
//     be32 id, u8 guest_connected, u8 host_connected, be32 elem_popped,
//     [be32 iov_idx, be64 iov_offset, element]  if elem_popped
#include <algorithm>
#include <climits>

#include "migcheck/devices/element_fields.h"
#include "migcheck/devices/serial_rules.h"
#include "migcheck/virtio/core.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::devices {

using virtio::DeviceOps;
using virtio::VirtioDevice;
using vmstate::LoadContext;
using vmstate::qemu_format;
using vmstate::SaveContext;
using vmstate::Visitor;
using vmstate::Vmsd;
using VDev = VirtioDevice;

namespace {

constexpr std::uint32_t kBadId = 0xffffffff;  // VIRTIO_CONSOLE_BAD_ID
// fetch_active_ports_list g_malloc0s nr_active_ports entries of
// {VirtIOSerialPort *, uint8_t} (16 bytes on LP64) before reading any port.
// Whether that aborts depends on what the host can commit; we call 16 GiB
// (2^30 ports) fatal. Below it QEMU goes on and the loop decides.
constexpr std::uint64_t kConnectedEntrySize = 16;
constexpr std::uint64_t kAllocLimit = std::uint64_t{1} << 34;
// Past the end of the input each port entry costs QEMU 10 failed reads
// (id, two bytes, elem_popped); like virtio.config_len.runaway, 2^24 such
// reads is where the loop counts as a hang.
constexpr std::uint64_t kPastEndBytesPerPort = 10;
constexpr std::uint64_t kRunawayBytes = std::uint64_t{1} << 24;

// find_port_by_id.
const SerialPortConfig* find_port(const VDev& d, std::uint32_t id) {
  if (id == kBadId) return nullptr;
  for (const SerialPortConfig& p : d.serial.ports)
    if (p.id == id) return &p;
  return nullptr;
}

// ---- config (dropped) and ports_map -----------------------------------------

// What get_config gives the writer: cols and rows 0, max_nr_ports in guest
// byte order (virtio_tswap32), which on x86 is the value itself.
std::uint32_t max_nr_ports(const VDev& d) { return d.serial.max_virtserial_ports; }

// The ports_map words: as many as the destination has, each compared with
// the destination's own (a missing word of a malformed destination reads 0).
class PortsMapField final : public vmstate::Field<VDev> {
 public:
  PortsMapField() : Field("ports_map") {}
  int elements(const VDev& d) const override {
    const std::uint64_t words = (std::uint64_t{d.serial.max_virtserial_ports} + 31) / 32;
    return static_cast<int>(std::min<std::uint64_t>(words, INT_MAX));
  }
  int load(LoadContext& ctx, VDev& d, int i) const override {
    const std::uint32_t read = ctx.in.be32();
    const std::uint32_t local = word(d, i);
    if (read == local) return 0;
    return ctx.reject(rules::kSerialPortsMap, -EINVAL, {},
                      qemu_format("ports_map[%d] 0x%x != destination's 0x%x", i, read, local));
  }
  void save(SaveContext& ctx, const VDev& d, int i) const override { ctx.out.be32(word(d, i)); }
  void visit(Visitor&, VDev&, int) const override {}  // the destination's, not the stream's
  std::string describe(const VDev& d, int i) const override { return vmstate::describe_scalar(word(d, i)); }

 private:
  static std::uint32_t word(const VDev& d, int i) {
    const auto k = static_cast<std::size_t>(i);
    return k < d.serial.ports_map.size() ? d.serial.ports_map[k] : 0;
  }
};

// ---- one active port --------------------------------------------------------------

struct PortRef {
  const VDev* dev;
  SerialPortState* port;
  ElementMapper* mapper;      // loading only
  std::uint64_t elem_at = 0;  // input offset of the element, once read
  VirtQueueElement& elem() const { return port->elem; }
};

bool popped(const PortRef& r, int) { return r.port->elem_popped; }
void* port_of(const PortRef& r) { return r.port; }
bool popped_packed(const PortRef& r, int) { return popped(r, 0) && r.dev->host_has(virtio::kFRingPacked); }

int get_id(LoadContext& ctx, PortRef& r) {
  r.port->id = ctx.in.be32();
  if (find_port(*r.dev, r.port->id)) return 0;
  return ctx.reject(rules::kSerialPortId, -EINVAL, {},
                    qemu_format("port id %u is not a port of the destination", r.port->id));
}

// After the element (qemu_get_virtqueue_element maps it), and the unchecked
// resume point of do_flush_queued_data.
int port_post_load(LoadContext& ctx, PortRef& r, int) {
  const SerialPortState& p = *r.port;
  if (!p.elem_popped || !r.mapper) return 0;
  if (int ret = r.mapper->map(ctx, p.elem, r.elem_at)) return ret;
  if (p.iov_idx < p.elem.out_len.size() && p.iov_offset > p.elem.out_len[p.iov_idx])
    ctx.apply(rules::kSerialIovOffset, {},
              qemu_format("port %u: iov_offset 0x%lx > out_sg[%u].iov_len 0x%lx", p.id, p.iov_offset,
                          p.iov_idx, p.elem.out_len[p.iov_idx]));
  return 0;
}

const Vmsd<PortRef>& port_vmsd() {
  static const Vmsd<PortRef> v{
      .name = "VirtIOSerialPort",
      .fields =
          {
              vmstate::custom<PortRef>(
                  "id", {get_id, [](SaveContext& c, const PortRef& r) { c.out.be32(r.port->id); },
                         [](Visitor& v, PortRef& r) { vmstate::visit_scalar(v, "id", -1, r.port->id); },
                         [](const PortRef& r) { return vmstate::describe_scalar(r.port->id); }}),
              vmstate::scalar_in<PortRef, SerialPortState>("guest_connected", port_of, MC_REF(guest_connected)),
              vmstate::scalar_in<PortRef, SerialPortState>("host_connected", port_of, MC_REF(host_connected)),
              vmstate::custom<PortRef>(
                  "elem_popped",
                  {[](LoadContext& c, PortRef& r) {
                     r.port->elem_popped = c.in.be32() != 0;
                     return 0;
                   },
                   [](SaveContext& c, const PortRef& r) { c.out.be32(r.port->elem_popped ? 1 : 0); },
                   [](Visitor& v, PortRef& r) {
                     vmstate::visit_scalar(v, "elem_popped", -1, r.port->elem_popped);
                   },
                   [](const PortRef& r) { return vmstate::describe_scalar(r.port->elem_popped); }}),
              vmstate::when<PortRef>(vmstate::scalar_in<PortRef, SerialPortState>("iov_idx", port_of, MC_REF(iov_idx)),
                                     popped),
              vmstate::when<PortRef>(vmstate::scalar_in<PortRef, SerialPortState>("iov_offset", port_of, MC_REF(iov_offset)),
                                     popped),
              vmstate::when<PortRef>(element_ndescs_field<PortRef>(), popped_packed),
              vmstate::when<PortRef>(element_field<PortRef>(), popped),
          },
      .post_load = port_post_load,
      .hand_written = true};
  return v;
}

// ---- nr_active_ports and the list (fetch_active_ports_list) ----------------------

// Entries once the input is exhausted all read as id 0 with nothing popped.
// Without a port 0 the next one fails; with one QEMU loops through the rest.
int past_end(LoadContext& ctx, const VDev& d, std::uint32_t remaining) {
  const std::uint64_t at = ctx.in.error() ? ctx.in.error_offset() : ctx.in.offset();
  if (!find_port(d, 0))
    return ctx.reject_at(rules::kSerialPortId, at, -EINVAL, {},
                         "port id 0 (read past the end of the input) is not a port of the destination");
  const std::uint64_t reads = std::uint64_t{remaining} * kPastEndBytesPerPort;
  if (reads >= kRunawayBytes)
    return ctx.reject_at(rules::kSerialActivePortsRunaway, at, -EIO, {},
                         qemu_format("%u more port entries read past the end of the input (%lu failed reads)",
                                     remaining, reads));
  return 0;  // the loop ends; the sticky -EIO fails the section
}

int get_ports(LoadContext& ctx, VDev& d) {
  wire::Reader& in = ctx.in;
  auto& ports = d.serial.active_ports;
  ports.clear();
  const std::uint64_t begin = in.offset();
  const std::uint32_t n = in.be32();
  if (auto* o = ctx.field_observer())
    o->field("nr_active_ports", -1, begin, in.offset(), vmstate::describe_scalar(n));
  if (n == 0) return 0;
  if (n * kConnectedEntrySize > kAllocLimit)
    return ctx.reject_at(rules::kSerialActivePortsAlloc, begin, -ENOMEM, {},
                         qemu_format("nr_active_ports %u: g_malloc0(%lu) before any port is read", n,
                                     n * kConnectedEntrySize));
  ElementMapper mapper;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (in.error() || in.at_end()) return past_end(ctx, d, n - i);
    ctx.mark();
    SerialPortState p;
    PortRef ref{&d, &p, &mapper};
    if (int ret = vmstate::load_state(ctx, port_vmsd(), ref, 0)) return ret;
    ports.push_back(std::move(p));  // at least 10 input bytes each: bounded by the input
  }
  return 0;
}

void put_ports(SaveContext& ctx, const VDev& d) {
  const auto& ports = d.serial.active_ports;
  ctx.out.be32(static_cast<std::uint32_t>(ports.size()));
  for (const SerialPortState& p : ports)
    vmstate::save_state(ctx, port_vmsd(), PortRef{&d, const_cast<SerialPortState*>(&p), nullptr});
}

void visit_ports(Visitor& v, VDev& d) {
  auto& ports = d.serial.active_ports;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    PortRef ref{&d, &ports[i], nullptr};
    vmstate::visit_state(v, port_vmsd(), ref, static_cast<int>(i));
  }
}

const Vmsd<VDev>& serial_device_part() {
  static const Vmsd<VDev> v{
      .name = "virtio_serial_save_device",
      .fields =
          {vmstate::custom<VDev>("config.cols", {[](LoadContext& c, VDev&) {
                                                   c.in.be16();
                                                   return 0;
                                                 },
                                                 [](SaveContext& c, const VDev&) { c.out.be16(0); }}),
           vmstate::custom<VDev>("config.rows", {[](LoadContext& c, VDev&) {
                                                   c.in.be16();
                                                   return 0;
                                                 },
                                                 [](SaveContext& c, const VDev&) { c.out.be16(0); }}),
           vmstate::custom<VDev>("config.max_nr_ports",
                                 {[](LoadContext& c, VDev&) {
                                    c.in.be32();
                                    return 0;
                                  },
                                  [](SaveContext& c, const VDev& d) { c.out.be32(max_nr_ports(d)); }}),
           std::make_shared<PortsMapField>(),
           vmstate::custom<VDev>(
               "ports",
               {get_ports, put_ports, visit_ports,
                [](const VDev& d) { return qemu_format("%zu active ports", d.serial.active_ports.size()); },
                true})},
      .hand_written = true};
  return v;
}

}  // namespace

const DeviceOps& serial_ops() {
  static const DeviceOps ops{.kind = DeviceKind::Serial,
                             .vmsd_name = "virtio-console",
                             .version_id = 3,
                             .minimum_version_id = 3,
                             .vmsd = serial_device_part};  // vdc->save / vdc->load
  return ops;
}

}  // namespace migcheck::devices
