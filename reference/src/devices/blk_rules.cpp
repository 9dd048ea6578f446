#include "migcheck/devices/blk_rules.h"

#include <array>
#include <vector>

#include "migcheck/devices/balloon_rules.h"
#include "migcheck/devices/serial_rules.h"

namespace migcheck::devices::rules {

namespace {
constexpr std::string_view kGetElement = "hw/virtio/virtio.c: qemu_get_virtqueue_element";
constexpr std::string_view kMapIovec = "hw/virtio/virtio.c: virtqueue_map_iovec";
constexpr std::string_view kElementCves = "CVE-2013-4535, CVE-2013-4536";
}  // namespace

// assert(ARRAY_SIZE(data.in_addr) >= data.in_num): checked before out_num.
// Confirmed on 7.2.22: SIGABRT, "Assertion `...' failed." from the C library.
const LoadRule kElementInNum{.id = "virtqueue_element.in_num",
                             .outcome = Outcome::Reject,
                             .qemu_message = "",
                             .origin = kGetElement,
                             .spec = "§6.1, §7 L10, §8",
                             .cve = kElementCves,
                             .qemu = QemuFate::Abort};
const LoadRule kElementOutNum{.id = "virtqueue_element.out_num",
                              .outcome = Outcome::Reject,
                              .qemu_message = "",
                              .origin = kGetElement,
                              .spec = "§6.1, §7 L10, §8",
                              .cve = kElementCves,
                              .qemu = QemuFate::Abort};
// dma_memory_map returned NULL: a zero length, or a second non-RAM buffer
// while the bounce buffer is taken. error_report + exit(1).
const LoadRule kElementMapMmio{.id = "virtqueue_element.map_mmio",
                               .outcome = Outcome::Reject,
                               .qemu_message = "virtio: error trying to map MMIO memory",
                               .origin = kMapIovec,
                               .spec = "§6.1, §7 L10",
                               .qemu = QemuFate::Exit};
// The mapping is shorter than the buffer: it leaves its RAM block, or a
// bounced (non-RAM) buffer is longer than one page.
const LoadRule kElementMapSplit{.id = "virtqueue_element.map_split",
                                .outcome = Outcome::Reject,
                                .qemu_message = "virtio: unexpected memory split",
                                .origin = kMapIovec,
                                .spec = "§6.1, §7 L10",
                                .qemu = QemuFate::Exit};
// A non-RAM buffer of at most one page is mapped through the bounce buffer
// and the load goes on (confirmed on 7.2.22).
const LoadRule kElementBounce{.id = "virtqueue_element.bounce",
                              .outcome = Outcome::Warn,
                              .qemu_message = "",
                              .origin = "softmmu/physmem.c: address_space_map",
                              .spec = "§6.1"};
// Writer/reader order of be32 ndescs differ (86044b24e8). We read the
// writer's order. QEMU's reader takes ndescs as the first four struct bytes
// and the rest shifts by four: out_num := index, in_num := out_num, and each
// buffer length becomes the low half of a real one shifted 32 bits left (0,
// or 4 GiB and more). Unless index and out_num are both 0 (or guest RAM
// spans those shifted ranges), virtqueue_map then fails and QEMU exit(1)s.
const LoadRule kElementPackedOrder{.id = "virtqueue_element.packed_order",
                                   .outcome = Outcome::Warn,
                                   .qemu_message = "",
                                   .origin = kGetElement,
                                   .spec = "§6.1, §10.6",
                                   .qemu = QemuFate::Exit};
const LoadRule kElementNoGuestMemory{.id = "virtqueue_element.no_guest_memory",
                                     .outcome = Outcome::Warn,
                                     .qemu_message = "",
                                     .origin = "migcheck: input carries no RAM section",
                                     .spec = "§6.1"};

const LoadRule kBlkRequestVqIndex{.id = "virtio-blk.request_vq_index",
                                  .outcome = Outcome::Reject,
                                  .qemu_message = "Invalid virtqueue index in request list: %#x",
                                  .origin = "hw/block/virtio-blk.c: virtio_blk_load_device",
                                  .spec = "§6.1, §7 L10"};

std::span<const RuleRef> blk() {
  static const std::array<RuleRef, 8> list = {
      &kElementInNum,  &kElementOutNum,      &kElementMapMmio,       &kElementMapSplit,
      &kElementBounce, &kElementPackedOrder, &kElementNoGuestMemory, &kBlkRequestVqIndex};
  return list;
}

std::span<const RuleRef> blk_balloon_serial() {
  static const std::vector<RuleRef> all = [] {
    std::vector<RuleRef> v;
    for (auto part : {blk(), balloon(), serial()}) v.insert(v.end(), part.begin(), part.end());
    return v;
  }();
  return all;
}

}  // namespace migcheck::devices::rules
