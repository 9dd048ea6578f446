// VirtQueueElementOld on the wire and virtqueue_map on load
// (hw/virtio/virtio.c @ 7.2.22: qemu_get/put_virtqueue_element,
// virtqueue_map_iovec; softmmu/physmem.c: address_space_map).
#include "migcheck/devices/blk_element.h"

#include <algorithm>
#include <array>

#include "migcheck/devices/blk_rules.h"
#include "migcheck/memory/guest_memory.h"
#include "migcheck/vmstate/fields.h"

namespace migcheck::devices {

using vmstate::LoadContext;
using vmstate::qemu_format;
using vmstate::SaveContext;
using vmstate::Visitor;
using vmstate::Vmsd;
using Elem = VirtQueueElement;

namespace {

constexpr std::uint64_t kBouncePage = 4096;     // TARGET_PAGE_SIZE: the bounce buffer's limit
constexpr std::uint64_t kInAddrOffset = 16;     // offsetof(VirtQueueElementOld, in_addr)
constexpr std::uint64_t kOutAddrOffset = 8208;  // offsetof(VirtQueueElementOld, out_addr)

std::size_t kept(std::uint32_t num) { return std::min<std::uint32_t>(num, kVirtqueueMaxSize); }

// A little-endian u32 of the raw struct.
class Le32Field final : public vmstate::Field<Elem> {
 public:
  Le32Field(std::string_view name, std::uint32_t Elem::*member) : Field(name), member_(member) {}
  int load(LoadContext& ctx, Elem& e, int) const override {
    e.*member_ = ctx.in.le32();
    return 0;
  }
  void save(SaveContext& ctx, const Elem& e, int) const override { ctx.out.le32(e.*member_); }
  void visit(Visitor& v, Elem& e, int) const override { vmstate::visit_scalar(v, name(), -1, e.*member_); }
  std::string describe(const Elem& e, int) const override { return vmstate::describe_scalar(e.*member_); }

 private:
  std::uint32_t Elem::*member_;
};

// One of the four 1024-entry arrays: hwaddr in_addr/out_addr (8 bytes per
// entry) or struct iovec in_sg/out_sg (16: iov_base, dropped, then iov_len).
// Only the first min(num, 1024) values are kept, as QEMU copies them.
class HostArrayField final : public vmstate::Field<Elem> {
 public:
  HostArrayField(std::string_view name, std::vector<std::uint64_t> Elem::*values, std::uint32_t Elem::*num,
                 bool iovec)
      : Field(name), values_(values), num_(num), iovec_(iovec) {}
  int load(LoadContext& ctx, Elem& e, int) const override {
    // One qemu_get_buffer of the whole array (zero-filled past the end).
    std::array<std::uint8_t, kVirtqueueMaxSize * 16> raw;
    const std::size_t stride = iovec_ ? 16 : 8;
    ctx.in.bytes(raw.data(), kVirtqueueMaxSize * stride);
    auto& values = e.*values_;
    values.assign(kept(e.*num_), 0);
    for (std::size_t i = 0; i < values.size(); ++i) {
      // in_sg/out_sg: iov_base (a host pointer, overwritten by virtqueue_map) is dropped.
      const std::uint8_t* p = raw.data() + i * stride + (iovec_ ? 8 : 0);
      std::uint64_t v = 0;
      for (int b = 7; b >= 0; --b) v = v << 8 | p[b];
      values[i] = v;
    }
    return 0;
  }
  // 7.2's writer zeroes the struct and fills the used entries, iov_base 0.
  void save(SaveContext& ctx, const Elem& e, int) const override {
    const auto& values = e.*values_;
    const std::size_t n = std::min(kept(e.*num_), values.size());
    for (std::size_t i = 0; i < kVirtqueueMaxSize; ++i) {
      if (iovec_) ctx.out.le64(0);
      ctx.out.le64(i < n ? values[i] : 0);
    }
  }
  void visit(Visitor& v, Elem& e, int) const override {
    auto& values = e.*values_;
    values.resize(kept(e.*num_));
    for (std::size_t i = 0; i < values.size(); ++i)
      vmstate::visit_scalar(v, name(), static_cast<int>(i), values[i]);
  }
  std::string describe(const Elem& e, int) const override {
    std::string s = "used:";
    const auto& values = e.*values_;
    const std::size_t n = std::min<std::size_t>(values.size(), 8);
    for (std::size_t i = 0; i < n; ++i) s += qemu_format(" 0x%lx", values[i]);
    if (values.size() > n) s += " ...";
    return s;
  }

 private:
  std::vector<std::uint64_t> Elem::*values_;
  std::uint32_t Elem::*num_;
  bool iovec_;
};

}  // namespace

const Vmsd<Elem>& element_vmsd() {
  static const Vmsd<Elem> v{
      .name = "VirtQueueElementOld",
      .fields = {std::make_shared<Le32Field>("index", &Elem::index),
                 std::make_shared<Le32Field>("out_num", &Elem::out_num),
                 std::make_shared<Le32Field>("in_num", &Elem::in_num),
                 vmstate::unused<Elem>(4),  // padding before the 8-byte arrays
                 std::make_shared<HostArrayField>("in_addr", &Elem::in_addr, &Elem::in_num, false),
                 std::make_shared<HostArrayField>("out_addr", &Elem::out_addr, &Elem::out_num, false),
                 std::make_shared<HostArrayField>("in_sg", &Elem::in_len, &Elem::in_num, true),
                 std::make_shared<HostArrayField>("out_sg", &Elem::out_len, &Elem::out_num, true)},
      .hand_written = true};
  return v;
}

int get_element(LoadContext& ctx, Elem& e) {
  wire::Reader& in = ctx.in;
  const std::uint64_t begin = in.offset();
  vmstate::load_state(ctx, element_vmsd(), e, 0);
  // A short qemu_get_buffer leaves the rest of QEMU's stack struct
  // uninitialised; the counts are only meaningful if they were really read.
  const bool counts_read = in.error() == 0 || in.error_offset() >= begin + 12;
  if (counts_read && e.in_num > kVirtqueueMaxSize)
    return ctx.reject_at(rules::kElementInNum, begin + 8, -EINVAL, {},
                         qemu_format("in_num %u > %u: assertion `ARRAY_SIZE(data.in_addr) >= data.in_num' "
                                     "fails",
                                     e.in_num, kVirtqueueMaxSize));
  if (counts_read && e.out_num > kVirtqueueMaxSize)
    return ctx.reject_at(rules::kElementOutNum, begin + 4, -EINVAL, {},
                         qemu_format("out_num %u > %u: assertion `ARRAY_SIZE(data.out_addr) >= data.out_num' "
                                     "fails",
                                     e.out_num, kVirtqueueMaxSize));
  // Past the end QEMU goes on with stack garbage (undefined); we stop here
  // and the sticky -EIO names the truncation.
  return in.error() ? in.error() : 0;
}

void put_element(SaveContext& ctx, const Elem& e) { vmstate::save_state(ctx, element_vmsd(), e); }

void visit_element(Visitor& v, Elem& e) { vmstate::visit_state(v, element_vmsd(), e); }

std::string describe_element(const Elem& e) {
  return qemu_format("index=%u out_num=%u in_num=%u", e.index, e.out_num, e.in_num);
}

int get_element_ndescs(LoadContext& ctx, Elem& e) {
  e.ndescs = ctx.in.be32();
  ctx.apply(rules::kElementPackedOrder, {},
            qemu_format("ndescs %u read before the element, as qemu_put_virtqueue_element writes it; "
                        "QEMU 7.2 reads it after the element",
                        e.ndescs));
  return 0;
}

void put_element_ndescs(SaveContext& ctx, const Elem& e) { ctx.out.be32(e.ndescs); }

// ---- virtqueue_map ------------------------------------------------------------

int ElementMapper::map(LoadContext& ctx, const Elem& e, std::uint64_t at) {
  if (!ctx.memory) {
    if (!warned_no_memory_)
      ctx.apply(rules::kElementNoGuestMemory, {}, "input has no RAM section: element buffers not mapped");
    warned_no_memory_ = true;
    return 0;
  }
  // virtqueue_map: in_sg (device writes) first, then out_sg.
  for (std::size_t i = 0; i < e.in_addr.size(); ++i)
    if (int ret = map_one(ctx, e, at, true, i)) return ret;
  for (std::size_t i = 0; i < e.out_addr.size(); ++i)
    if (int ret = map_one(ctx, e, at, false, i)) return ret;
  return 0;
}

// address_space_map with QEMU's outcomes: RAM maps up to the end of its
// block; anything else is bounced, one page at most, one buffer at a time
// (and a loaded request keeps it); a zero length maps nothing.
int ElementMapper::map_one(LoadContext& ctx, const Elem& e, std::uint64_t at, bool in, std::size_t i) {
  const std::uint64_t addr = in ? e.in_addr[i] : e.out_addr[i];
  const auto& lens = in ? e.in_len : e.out_len;
  const std::uint64_t len = i < lens.size() ? lens[i] : 0;
  const char* which = in ? "in" : "out";
  const std::uint64_t addr_at = at + (in ? kInAddrOffset : kOutAddrOffset) + 8 * i;
  auto fail = [&](const LoadRule& rule, std::string why) {
    return ctx.reject_at(rule, addr_at, -EINVAL, std::string(rule.qemu_message), std::move(why));
  };
  if (len == 0)
    return fail(rules::kElementMapMmio, qemu_format("%s_sg[%zu] has length 0 (addr 0x%lx)", which, i, addr));
  for (const GuestMemory::Region& r : ctx.memory->regions()) {
    if (addr < r.gpa || addr - r.gpa >= r.size) continue;
    if (len <= r.size - (addr - r.gpa)) return 0;
    return fail(rules::kElementMapSplit,
                qemu_format("%s_sg[%zu] 0x%lx+0x%lx leaves RAM block %s", which, i, addr, len, r.name));
  }
  if (bounce_in_use_)
    return fail(rules::kElementMapMmio,
                qemu_format("%s_sg[%zu] 0x%lx is not RAM and the bounce buffer is taken", which, i, addr));
  bounce_in_use_ = true;
  if (len > kBouncePage)
    return fail(rules::kElementMapSplit,
                qemu_format("%s_sg[%zu] 0x%lx is not RAM: bounced 0x%lx of 0x%lx bytes", which, i, addr,
                            kBouncePage, len));
  ctx.apply_at(rules::kElementBounce, addr_at, {},
               qemu_format("%s_sg[%zu] 0x%lx+0x%lx is not RAM: mapped through the bounce buffer", which, i,
                           addr, len));
  return 0;
}

}  // namespace migcheck::devices
