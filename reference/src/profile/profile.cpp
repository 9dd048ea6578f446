#include "migcheck/profile/profile.h"

#include <array>

namespace migcheck {

namespace {

constexpr std::uint32_t kSubs21 = sub_bit(VirtioSub::DeviceEndian);
constexpr std::uint32_t kSubs24 =
    kSubs21 | sub_bit(VirtioSub::Features64) | sub_bit(VirtioSub::Virtqueues);
constexpr std::uint32_t kSubs72 = kSubs24 | sub_bit(VirtioSub::Ringsize) | sub_bit(VirtioSub::Broken) |
                                  sub_bit(VirtioSub::ExtraState) | sub_bit(VirtioSub::Started) |
                                  sub_bit(VirtioSub::PackedVirtqueues) | sub_bit(VirtioSub::Disabled);

constexpr std::array<Profile, 4> kProfiles = {{
    {.name = "qemu-2.0",
     .description = "before 6b321a3df5 (v2.0 and older): virtio_load never peeks for subsections",
     .release = 200, .queue_max = 64, .virtio_vmstate = false, .virtio_subsections = 0,
     .net_rss_subsection = false, .modern_state_subsection = false, .features_check_early = true,
     .nheads = NheadsCheck::InQueueLoopFatal, .inuse_check = false, .queue_count_message_2014 = true,
     .pre_load_queues = false, .net_change_num_queues = false, .error_messages = false,
     .configuration_section = false, .section_footer = false, .vmdesc = false, .rings_skip_unaligned = false},
    {.name = "qemu-2.1",
     .description = "v2.1.0: 6b321a3df5 (vmstate_virtio) + 616a655219 (virtio/device_endian)",
     .release = 201, .queue_max = 64, .virtio_vmstate = true, .virtio_subsections = kSubs21,
     .net_rss_subsection = false, .modern_state_subsection = false, .features_check_early = true,
     .nheads = NheadsCheck::AfterSubsectionsFatal, .inuse_check = false,
     .queue_count_message_2014 = true, .pre_load_queues = false, .net_change_num_queues = false,
     .error_messages = false, .configuration_section = false, .section_footer = false,
     .vmdesc = false, .rings_skip_unaligned = false},
    {.name = "qemu-2.4",
     .description = "v2.4.0: 64-bit features, virtqueues subsection, QMAX 1024, footers, configuration",
     .release = 204, .queue_max = 1024, .virtio_vmstate = true, .virtio_subsections = kSubs24,
     .net_rss_subsection = false, .modern_state_subsection = false, .features_check_early = false,
     .nheads = NheadsCheck::AfterSubsectionsFatal, .inuse_check = false,
     .queue_count_message_2014 = true, .pre_load_queues = false, .net_change_num_queues = false,
     .error_messages = false, .configuration_section = true, .section_footer = true,
     .vmdesc = true, .rings_skip_unaligned = false},
    {.name = "qemu-7.2",
     .description = "Debian 7.2.22 (v7.2.0 + stable through 7.2.22, incl. virtio-net pre_load_queues)",
     .release = 702, .queue_max = 1024, .virtio_vmstate = true, .virtio_subsections = kSubs72,
     .net_rss_subsection = true, .modern_state_subsection = true, .features_check_early = false,
     .nheads = NheadsCheck::AfterSubsectionsBroken, .inuse_check = true,
     .queue_count_message_2014 = false, .pre_load_queues = true, .net_change_num_queues = true,
     .error_messages = true, .configuration_section = true, .section_footer = true,
     .vmdesc = true, .rings_skip_unaligned = true, .ring_caches = true},
}};

}  // namespace

std::span<const Profile> all_profiles() { return kProfiles; }

const Profile* find_profile(std::string_view name) {
  for (const Profile& p : kProfiles)
    if (p.name == name || p.name.substr(5) == name) return &p;
  return nullptr;
}

const Profile& profile_7_2() { return kProfiles[3]; }
const Profile& newest_profile() { return kProfiles.back(); }

}  // namespace migcheck
