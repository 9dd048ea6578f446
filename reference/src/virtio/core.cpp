// virtio_load / virtio_save and the device's top-level section vmsd.
#include "migcheck/virtio/core.h"

#include <array>

namespace migcheck::virtio {

int virtio_load(LoadContext& ctx, VirtioDevice& d, int version_id) {
  // "We poison the endianness to ensure it does not get used before
  // subsections have been loaded" (L0).
  d.device_endian = kEndianUnknown;
  d.section_version = version_id;
  if (int ret = vmstate::load_state(ctx, common_part(), d, version_id)) return ret;
  if (ctx.keep_parsed) {
    // As parsed, except for the endianness poison, which never reaches a
    // saver: an absent virtio/device_endian means the default.
    d.parsed.reset();
    auto parsed = std::make_shared<VirtioDevice>(d);
    if (parsed->device_endian == kEndianUnknown) parsed->device_endian = kEndianLittle;
    d.parsed = std::move(parsed);
  }
  return virtio_post_load(ctx, d);
}

void virtio_save(SaveContext& ctx, const VirtioDevice& d) { vmstate::save_state(ctx, common_part(), d); }

void virtio_visit(vmstate::Visitor& v, VirtioDevice& d) { vmstate::visit_state(v, common_part(), d); }

namespace {

// virtio_device_get: virtio_load with the *local* vmsd version, never the
// stream's (the section header's version was only range-checked).
int virtio_device_get(LoadContext& ctx, VirtioDevice& d) {
  return virtio_load(ctx, d, device_ops(d.kind).version_id);
}

Vmsd<VirtioDevice> make_section_vmsd(DeviceKind kind) {
  const DeviceOps& ops = device_ops(kind);
  return Vmsd<VirtioDevice>{
      .name = ops.vmsd_name,
      .version_id = ops.version_id,
      .minimum_version_id = ops.minimum_version_id,
      .fields = {vmstate::custom<VirtioDevice>("virtio", {virtio_device_get, virtio_save, virtio_visit,
                                                          nullptr, true})}};
}

}  // namespace

const Vmsd<VirtioDevice>& section_vmsd(DeviceKind kind) {
  static const std::array<Vmsd<VirtioDevice>, 6> all = {
      make_section_vmsd(DeviceKind::Net),     make_section_vmsd(DeviceKind::Blk),
      make_section_vmsd(DeviceKind::Scsi),    make_section_vmsd(DeviceKind::Balloon),
      make_section_vmsd(DeviceKind::Serial),  make_section_vmsd(DeviceKind::Rng)};
  return all[static_cast<std::size_t>(kind)];
}

}  // namespace migcheck::virtio
