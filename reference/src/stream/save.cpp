#include "migcheck/stream/save.h"

#include "migcheck/virtio/core.h"
#include "migcheck/wire/writer.h"

namespace migcheck {

std::vector<std::uint8_t> save_section(const virtio::VirtioDevice& device, const SectionHeader& h) {
  // One scratch buffer per thread: a save costs one allocation, the result's
  // (fuzz_load re-saves on every run).
  thread_local wire::Writer w(4096);
  w.clear();
  save_section(device, h, w);
  return w.take();
}

void save_section(const virtio::VirtioDevice& device, const SectionHeader& h, wire::Writer& w) {
  w.u8(0x04);  // QEMU_VM_SECTION_FULL (save_section_header)
  w.be32(h.section_id);
  w.u8(static_cast<std::uint8_t>(h.idstr.size()));
  w.chars(h.idstr);
  w.be32(h.instance_id);
  w.be32(h.version_id ? h.version_id : static_cast<std::uint32_t>(virtio::device_ops(device.kind).version_id));
  vmstate::SaveContext ctx{w};
  vmstate::save_state(ctx, virtio::section_vmsd(device.kind), device);
  if (h.footer) {
    w.u8(0x7e);  // QEMU_VM_SECTION_FOOTER
    w.be32(h.section_id);
  }
}

}  // namespace migcheck
