#include "ram.h"

#include <array>

#include "migcheck/stream/rules.h"
#include "migcheck/vmstate/vmsd.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::stream {

using vmstate::qemu_format;

namespace {

constexpr int kFlagZero = 0x02;
constexpr int kFlagMemSize = 0x04;
constexpr int kFlagPage = 0x08;
constexpr int kFlagEos = 0x10;
constexpr int kFlagContinue = 0x20;
constexpr int kFlagXbzrle = 0x40;
constexpr int kFlagHook = 0x80;
constexpr int kFlagCompressPage = 0x100;
constexpr std::uint64_t kPageMask = ~(kPageSize - 1);

// Counted string as ram.c reads it: len byte, then len bytes (zeros past the
// end); an embedded NUL ends the C string.
std::string counted_id(wire::Reader& in) {
  const std::uint8_t len = in.u8();
  std::array<std::uint8_t, 256> id{};
  in.bytes(id.data(), len);
  return std::string(vmstate::c_string(std::span<const std::uint8_t>(id.data(), len)));
}

}  // namespace

// pc_memory_init: RAM below 4G up to the PCI hole, the rest above 4G.
void RamLoader::map(GuestMemory& memory, const Block& b) const {
  if (b.name != "pc.ram") return;  // ROM blocks are not where rings live
  const std::uint64_t lowmem = family_ == MachineFamily::Q35 ? 0x80000000ull : 0xe0000000ull;
  const std::uint64_t below = b.length < lowmem ? b.length : lowmem;
  memory.add_region(b.name, 0, below);
  if (b.length > below) memory.add_region(b.name + "@4G", 0x100000000ull, b.length - below);
}

int RamLoader::load_block_list(vmstate::LoadContext& ctx, GuestMemory& memory, std::uint64_t total) {
  wire::Reader& in = ctx.in;
  while (total) {
    ctx.mark();
    const std::string id = counted_id(in);
    const std::uint64_t length = in.be64();
    // The destination is taken to have the blocks the source lists (the
    // reference does not model -m); a block named twice must keep its size.
    const Block* known = nullptr;
    for (const Block& b : blocks_)
      if (b.name == id) known = &b;
    if (id.empty() && in.error())
      return ctx.reject(rules::kRamUnknownBlock, -EINVAL, qemu_format(rules::kRamUnknownBlock.qemu_message, id));
    // qemu_ram_resize compares HOST_PAGE_ALIGN(length): an unaligned length
    // of the same pages only resizes the memory region.
    const std::uint64_t aligned = (length + kPageSize - 1) & kPageMask;
    if (known && aligned != known->length)
      return ctx.reject(rules::kRamLengthMismatch, -EINVAL,
                        qemu_format(rules::kRamLengthMismatch.qemu_message, id, aligned, known->length));
    if (!known) {
      if (blocks_.size() >= 4096)  // QEMU would have no such block
        return ctx.reject(rules::kRamUnknownBlock, -EINVAL, qemu_format(rules::kRamUnknownBlock.qemu_message, id));
      blocks_.push_back({id, length});
      map(memory, blocks_.back());
    }
    total -= length;  // unsigned, as ram_addr_t: a bad sum keeps reading
  }
  return 0;
}

const RamLoader::Block* RamLoader::block_from_stream(vmstate::LoadContext& ctx, int flags) {
  if (flags & kFlagContinue) {
    if (!last_) ctx.reject(rules::kRamBadContinue, -EINVAL, std::string(rules::kRamBadContinue.qemu_message));
    return last_;
  }
  const std::string id = counted_id(ctx.in);
  for (const Block& b : blocks_)
    if (b.name == id) return last_ = &b;
  ctx.reject(rules::kRamBlockNotFound, -EINVAL, qemu_format(rules::kRamBlockNotFound.qemu_message, id));
  return nullptr;
}

int RamLoader::load(vmstate::LoadContext& ctx, GuestMemory& memory, std::uint32_t version_id) {
  wire::Reader& in = ctx.in;
  if (version_id != 4) return ctx.reject(rules::kRamVersion, -EINVAL, {}, "ram section version must be 4");
  int flags = 0;
  int ret = 0;
  std::array<std::uint8_t, kPageSize> page{};
  while (!ret && !(flags & kFlagEos)) {
    ctx.mark();
    std::uint64_t addr = in.be64();
    flags = static_cast<int>(addr & ~kPageMask);
    addr &= kPageMask;
    if (flags & kFlagCompressPage) {  // compression is not enabled
      ret = ctx.reject(rules::kRamCompressedPage, -EINVAL, std::string(rules::kRamCompressedPage.qemu_message));
      break;
    }
    const Block* block = nullptr;
    if (flags & (kFlagZero | kFlagPage | kFlagXbzrle)) {
      block = block_from_stream(ctx, flags);
      if (!block) {
        // ram_load_precopy then reports the NULL host as an illegal offset.
        ctx.report(qemu_format(rules::kRamIllegalOffset.qemu_message, addr));
        ret = -EINVAL;
        break;
      }
      if (addr >= block->length) {
        ret = ctx.reject(rules::kRamIllegalOffset, -EINVAL, qemu_format(rules::kRamIllegalOffset.qemu_message, addr));
        break;
      }
    }
    switch (flags & ~kFlagContinue) {
      case kFlagMemSize:
        ret = load_block_list(ctx, memory, addr);
        break;
      case kFlagZero:
        memory.fill_page(block->name, addr, in.u8());
        break;
      case kFlagPage:
        in.bytes(page.data(), page.size());
        memory.write_page(block->name, addr, page);
        break;
      case kFlagEos:
        break;
      case kFlagXbzrle:
        ret = ctx.unsupported("RAM page 0x" + vmstate::qemu_format("%lx", addr) +
                              " is XBZRLE-encoded; the reference models precopy without xbzrle");
        break;
      default:
        if (flags & kFlagHook) {
          // ram_control_load_hook without RDMA hooks: the file goes -EINVAL.
          ctx.reject(rules::kRamHook, -EINVAL, {}, "RAM_SAVE_FLAG_HOOK without an RDMA transport");
          in.set_error(-EINVAL);
        } else {
          ret = ctx.reject(rules::kRamUnknownFlags, -EINVAL, qemu_format(rules::kRamUnknownFlags.qemu_message, flags));
        }
    }
    if (!ret) ret = in.error();
  }
  if (ret == -EIO) ctx.ensure_reject_recorded(ret);
  return ret;
}

}  // namespace migcheck::stream
