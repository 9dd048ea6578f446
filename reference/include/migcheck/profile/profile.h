// Profiles: what a given QEMU release writes and accepts.
//
// A profile is the reader's (or writer's) code base; the machine type then
// selects compat properties within it (profile/machine.h). Differences are
// data here and are consulted at the few places the loaders differ.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace migcheck {

// vmstate_virtio subsections, in QEMU 7.2 list (= wire) order.
enum class VirtioSub : std::uint8_t {
  DeviceEndian,
  Features64,
  Virtqueues,
  Ringsize,
  Broken,
  ExtraState,
  Started,
  PackedVirtqueues,
  Disabled,
  kCount
};
constexpr std::uint32_t sub_bit(VirtioSub s) { return 1u << static_cast<unsigned>(s); }

// Where the avail-index sanity check (nheads > vring.num) runs and what it does.
enum class NheadsCheck : std::uint8_t {
  InQueueLoopFatal,          // [2014] 6b321a3df5
  AfterSubsectionsFatal,     // 616a655219 (v2.1) .. v5.2
  AfterSubsectionsBroken,    // 4aedda25e8 (v6.0): virtio_error, load continues
};

struct Profile {
  std::string_view name;         // "qemu-7.2"
  std::string_view description;  // what release / commit it stands for
  int release;                   // major*100 + minor, e.g. 702
  std::uint32_t queue_max;       // VIRTIO_QUEUE_MAX (64 before 2.4)
  // virtio_load ends with vmstate_load_state(&vmstate_virtio) (6b321a3df5,
  // v2.1); before that any subsection byte reaches the top-level loop.
  bool virtio_vmstate;
  std::uint32_t virtio_subsections;  // VirtioSub bits this release defines
  bool net_rss_subsection;           // virtio-net-device/rss (v5.1)
  bool modern_state_subsection;      // virtio_pci/modern_state (v2.5; VMState v2.11)
  // Before 019a3edbb2 (v2.4) features are validated right after they are
  // read (L4), against the 32-bit word, with the 2014 wording.
  bool features_check_early;
  NheadsCheck nheads;
  bool inuse_check;       // bccdef6b1a (v2.7)
  bool queue_count_message_2014;  // "Invalid number of PCI queues" (< v2.6)
  bool pre_load_queues;   // virtio-net resize before the queue loop (7.2.20+)
  // virtio-net set_features resizes from the current queue count and asserts
  // it is odd and >= 3 (virtio_net_change_num_queues, f9d6dbf0bf, 2017).
  // Before, virtio_net_set_multiqueue deleted slots 2..2*max_queues+1 and
  // added the layout again on every call, whatever the loaded count.
  bool net_change_num_queues;
  bool error_messages;    // 7.2 prints version / PCI-config errors; 2014 was silent
  // Framing the release can produce / understand at all (the machine type
  // decides whether it is on).
  bool configuration_section;  // v2.4
  bool section_footer;         // v2.4
  bool vmdesc;                 // v2.3
  // A legacy ring without vring.align: 7.2's virtio_queue_update_rings
  // leaves it unset (no region cache, indices read 0); the 2014/2015
  // virtqueue_init laid it out anyway, used at vring_align(x, 0) == 0.
  // Reached by slots a stream loads past the device's layout.
  bool rings_skip_unaligned;
  // virtio_init_region_cache (c611c76417, v2.9) maps a VERSION_1 queue's
  // rings at load, whatever guest RAM holds: a queue with a desc address
  // and size 0 fails address_space_cache_init's assert(len > 0).
  bool ring_caches;
};

std::span<const Profile> all_profiles();
const Profile* find_profile(std::string_view name);
const Profile& profile_7_2();
const Profile& newest_profile();

}  // namespace migcheck
