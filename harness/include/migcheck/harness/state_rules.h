// How QEMU lays out parts of a device state that follow from other parts:
// shared by the generators' constraints (a generated state keeps them, as
// a real one does) and the properties' expected state (a load recomputes
// them). RapidCheck-free.
#pragma once

#include <cstdint>

#include "migcheck/profile/profile.h"
#include "migcheck/virtio/device.h"

namespace migcheck::harness {

// virtio-net's queue pairs for its negotiated features: max_queue_pairs
// with VIRTIO_NET_F_MQ or _RSS, else 1 (virtio_net_set_features).
unsigned net_layout_pairs(const virtio::VirtioDevice& d);

// virtio_net_change_num_queues from the reset layout to `pairs` pairs: slot
// 2k rx and 2k+1 tx (the device's queue sizes), slot 2*pairs the control
// queue (64), each with num == num_default and the 4096 alignment; slots
// after it deleted (num = num_default = 0).
void net_queue_layout(virtio::VirtioDevice& d, unsigned pairs);

// Whether a release's set_features lays virtio-net's queues out again after
// the queue loop and the device part (2.4 up to f9d6dbf0bf): then
// net_set_multiqueue_2014, not the stream, decides slots 2 and up.
inline bool net_relays_queues_after_load(const Profile& p) {
  return !p.net_change_num_queues && !p.features_check_early;
}

// virtio_net_set_multiqueue before f9d6dbf0bf (Profile::net_change_num_queues
// false), as set_features runs it: slots 2..2*max_queue_pairs+1 deleted,
// then the extra pairs (for MQ/RSS) and the control queue added at the first
// slots with num 0 (virtio_add_queue, the 4096 alignment), and each extra
// pair's tx_waiting cleared.
void net_set_multiqueue_2014(virtio::VirtioDevice& d);

// virtio_queue_update_rings: a legacy ring's avail and used addresses from
// desc, num and align. False when the ring is not laid out (any of them 0).
// `skip_unaligned`: Profile::rings_skip_unaligned of the loader (7.2 leaves
// a ring without vring.align unset; the 2015 releases laid it out, used 0).
bool legacy_ring_addresses(const virtio::VRing& r, std::uint64_t* avail, std::uint64_t* used,
                           bool skip_unaligned = true);

// virtio_access_is_big_endian, which ring accesses use: only PPC64 and ARM
// targets follow device_endian; on x86 (the only target modelled) rings are
// little-endian whatever virtio/device_endian says (observed on 7.2.22).
inline bool ring_big_endian(const virtio::VirtioDevice&) { return false; }

// The virtqueue count virtio_save writes: leading slots with vring.num != 0.
inline std::size_t saved_queue_count(const virtio::VirtioDevice& d) { return d.vq.count_leading(d.queue_max); }

}  // namespace migcheck::harness
