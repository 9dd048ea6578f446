// A VirtQueueElement as device parts migrate it (hw/virtio/virtio.c:
// qemu_put_virtqueue_element / qemu_get_virtqueue_element, spec §6.1).
//
// virtio-blk's request list introduced it to the device parts and
// virtio-serial (a popped element per port) reuses it, so it lives here.
//
// On the wire it is VirtQueueElementOld, a raw x86-64 host struct (all
// little-endian, 49168 bytes):
//   u32 index, u32 out_num, u32 in_num, 4 bytes padding,
//   u64 in_addr[1024], u64 out_addr[1024],
//   {u64 iov_base, u64 iov_len} in_sg[1024], out_sg[1024]
// QEMU 7.2 keeps only index, the counts and the first in_num/out_num
// addresses and lengths; padding, iov_base and unused entries are read and
// dropped, and its writer emits them as zeros. We keep what QEMU keeps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace migcheck::vmstate {
struct LoadContext;
struct SaveContext;
class Visitor;
template <class T>
struct Vmsd;
}  // namespace migcheck::vmstate

namespace migcheck::devices {

constexpr std::uint32_t kVirtqueueMaxSize = 1024;  // VIRTQUEUE_MAX_SIZE
constexpr std::size_t kElementOldSize = 49168;     // sizeof(VirtQueueElementOld), LP64

struct VirtQueueElement {
  std::uint32_t index = 0;    // head descriptor
  std::uint32_t out_num = 0;  // device-readable buffers
  std::uint32_t in_num = 0;   // device-writable buffers
  // min(num, 1024) entries each; in_len/out_len are in_sg/out_sg[i].iov_len.
  std::vector<std::uint64_t> in_addr, out_addr;
  std::vector<std::uint64_t> in_len, out_len;
  // Only on the wire when the host offers RING_PACKED (see element_ndescs).
  std::uint32_t ndescs = 0;

  bool operator==(const VirtQueueElement&) const = default;
};

// The 49168-byte struct as one table (hand-written: no error checks between
// fields, like qemu_get_buffer into a stack struct).
const vmstate::Vmsd<VirtQueueElement>& element_vmsd();

// qemu_get_virtqueue_element up to (not including) the mapping: the struct
// and QEMU's asserts on in_num/out_num. Returns 0, a rejection, or -EIO when
// the struct runs past the end of the input.
int get_element(vmstate::LoadContext&, VirtQueueElement&);
void put_element(vmstate::SaveContext&, const VirtQueueElement&);
void visit_element(vmstate::Visitor&, VirtQueueElement&);
std::string describe_element(const VirtQueueElement&);

// `be32 ndescs` of a packed-ring host. QEMU 7.2's writer puts it BEFORE the
// struct and its reader reads it AFTER (spec §6.1, ORDER BUG). We follow the
// writer, so every stream QEMU writes loads here, and flag each such element
// with virtqueue_element.packed_order (QEMU's own reader misparses it).
int get_element_ndescs(vmstate::LoadContext&, VirtQueueElement&);
void put_element_ndescs(vmstate::SaveContext&, const VirtQueueElement&);

// virtqueue_map on load: maps every in then out buffer of an element against
// the stream's guest RAM, with QEMU's single bounce buffer for non-RAM
// addresses (address_space_map). One mapper per device-part load: QEMU's
// bounce buffer is process-global and stays taken by the loaded request.
class ElementMapper {
 public:
  // 0, or a rejection where QEMU prints its message and exit(1)s; `at` is
  // the element's offset in the input (rejections point at the address).
  int map(vmstate::LoadContext&, const VirtQueueElement&, std::uint64_t at);

 private:
  int map_one(vmstate::LoadContext&, const VirtQueueElement&, std::uint64_t at, bool in, std::size_t i);
  bool bounce_in_use_ = false;
  bool warned_no_memory_ = false;
};

}  // namespace migcheck::devices
