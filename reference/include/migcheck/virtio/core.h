// virtio_save / virtio_load (hw/virtio/virtio.c) over the schema engine.
#pragma once

#include <cstdint>
#include <span>

#include "migcheck/profile/profile.h"
#include "migcheck/vmstate/fields.h"
#include "migcheck/virtio/device.h"

namespace migcheck::virtio {

using vmstate::LoadContext;
using vmstate::SaveContext;
using vmstate::Vmsd;

// Transport hooks (VirtioBusClass) as tables: save/load_config, the
// per-queue entry, load_queue's check and the extra state.
struct TransportOps {
  std::string_view name;
  // save_config / load_config: loaded with the table's own version_id.
  const Vmsd<VirtioDevice>& (*config)();
  // The per-queue entry of the common part (num, [align], desc,
  // last_avail_idx, [vector]) for this device's transport configuration.
  const Vmsd<VirtQueue>& (*queue_entry)(const VirtioDevice&);
  // load_queue's check on the entry just read (vector range); 0 if fine.
  int (*check_queue)(LoadContext&, VirtioDevice&, int index);
  bool (*has_extra_state)(const VirtioDevice&);
  // save/load_extra_state; nullptr when the bus has none (a stream's
  // virtio/extra_state is then refused).
  const Vmsd<VirtioDevice>& (*extra_state)();
};

// Device hooks (VirtioDeviceClass) and the device's own section vmsd.
struct DeviceOps {
  DeviceKind kind;
  std::string_view vmsd_name;  // section vmsd, e.g. "virtio-net"
  int version_id;              // section vmsd version (also passed to virtio_load)
  int minimum_version_id;
  // The device part: vdc->vmsd, or a hand-written table standing for
  // vdc->save/vdc->load (a hand_written Vmsd behaves exactly like QEMU's
  // hand-written loaders: no version check, no per-field error check).
  const Vmsd<VirtioDevice>& (*vmsd)() = nullptr;
  int (*pre_load_queues)(LoadContext&, VirtioDevice&, std::uint32_t n) = nullptr;
  // vdc->set_features, run by the post-load feature check with the final
  // (masked) features: virtio-net resizes its queues here.
  // Returns 0, or a rejection when QEMU would crash or abort doing so.
  int (*set_features)(LoadContext&, VirtioDevice&, std::uint64_t features) = nullptr;
  int (*post_load)(LoadContext&, VirtioDevice&) = nullptr;  // vdc->post_load
};

const TransportOps& transport_ops(TransportKind);
const DeviceOps& device_ops(DeviceKind);

// The device's top-level section vmsd: one field "virtio" (VMSTATE_VIRTIO_DEVICE).
const Vmsd<VirtioDevice>& section_vmsd(DeviceKind);
// vmstate_virtio: no fields, the nine 7.2 subsections in list order; and the
// same table restricted to what an older release defines.
const Vmsd<VirtioDevice>& vmstate_virtio();
const Vmsd<VirtioDevice>& vmstate_virtio_for(const Profile&);
const Vmsd<VirtioDevice>& virtio_subsection(VirtioSub);
// The hand-written common part (transport config .. subsections).
const Vmsd<VirtioDevice>& common_part();

int virtio_load(LoadContext&, VirtioDevice&, int version_id);
void virtio_save(SaveContext&, const VirtioDevice&);
void virtio_visit(vmstate::Visitor&, VirtioDevice&);

// Post-load sanitization (after subsections): endianness, features, rings.
int virtio_post_load(LoadContext&, VirtioDevice&);
// The avail/used index check of one queue (L16b-d); also run inside the
// queue loop by readers that predate 616a655219.
int check_queue_indices(LoadContext&, VirtioDevice&, std::uint32_t i);

// [2014] L4: virtio_set_features() on the 32-bit word as soon as it is read.
int check_features_early(LoadContext&, VirtioDevice&);

// virtio_device_started(): DRIVER_OK, or the started flag with use-started.
bool device_started(const VirtioDevice&);

}  // namespace migcheck::virtio
