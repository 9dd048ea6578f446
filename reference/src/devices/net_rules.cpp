#include <array>

#include "migcheck/devices/net_rules.h"

namespace migcheck::devices::rules {

const LoadRule kVnetHdr{.id = "virtio-net.vnet_hdr", .outcome = Outcome::Reject,
                        .qemu_message = "virtio-net: saved image requires vnet_hdr=on",
                        .origin = "hw/net/virtio-net.c: virtio_net_vnet_post_load", .spec = "§6.2.1, §7 L11"};
const LoadRule kUfo{.id = "virtio-net.ufo", .outcome = Outcome::Reject,
                    .qemu_message = "virtio-net: saved image requires TUN_F_UFO support",
                    .origin = "hw/net/virtio-net.c: virtio_net_ufo_post_load", .spec = "§6.2.1, §7 L11"};
const LoadRule kCurrQueuePairs{.id = "virtio-net.curr_queue_pairs", .outcome = Outcome::Reject,
                               .qemu_message = "virtio-net: curr_queue_pairs %x > max_queue_pairs %x",
                               .origin = "hw/net/virtio-net.c: virtio_net_tx_waiting_pre_load",
                               .spec = "§7 L11", .cve = "CVE-2013-4150"};
const LoadRule kMacTableOverflow{.id = "virtio-net.mac_table.overflow", .outcome = Outcome::Sanitize,
                                 .qemu_message = "",
                                 .origin = "hw/net/virtio-net.c: virtio_net_post_load_device",
                                 .spec = "§6.2.3, §7 L11", .cve = "CVE-2013-4148, CVE-2013-4149"};
const LoadRule kPreLoadQueues{.id = "virtio-net.pre_load_queues", .outcome = Outcome::Reject,
                              .qemu_message = "",
                              .origin = "hw/net/virtio-net.c: virtio_net_change_num_queues",
                              .spec = "§6.2.6, §7 L7", .qemu = QemuFate::Crash};
const LoadRule kQueueLayoutAssert{.id = "virtio-net.queue_layout", .outcome = Outcome::Reject,
                                  .qemu_message = "",
                                  .origin = "hw/net/virtio-net.c: virtio_net_change_num_queues",
                                  .spec = "§6.2.6", .qemu = QemuFate::Abort};
const LoadRule kVlansReset{.id = "virtio-net.vlans_reset", .outcome = Outcome::Sanitize, .qemu_message = "",
                           .origin = "hw/net/virtio-net.c: virtio_net_set_features", .spec = "§6.2.2"};
const LoadRule kRssSoftware{.id = "virtio-net.rss.software_fallback", .outcome = Outcome::Warn,
                            .qemu_message = "Can't post-load eBPF RSS - fallback to software RSS",
                            .origin = "hw/net/virtio-net.c: virtio_net_post_load_device",
                            .spec = "§6.2.2"};

std::span<const RuleRef> net() {
  static const std::array<RuleRef, 8> list = {&kVnetHdr,       &kUfo,               &kCurrQueuePairs,
                                              &kMacTableOverflow, &kPreLoadQueues, &kQueueLayoutAssert,
                                              &kVlansReset,    &kRssSoftware};
  return list;
}

}  // namespace migcheck::devices::rules
