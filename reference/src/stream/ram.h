// The RAM section (migration/ram.c ram_load_precopy): block list and pages,
// stored into guest memory so virtio_load can read ring indices.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "migcheck/memory/guest_memory.h"
#include "migcheck/profile/destination.h"
#include "migcheck/vmstate/context.h"

namespace migcheck::stream {

class RamLoader {
 public:
  explicit RamLoader(MachineFamily family) : family_(family) {}
  // ram_load: one START/PART/END body, up to and including the EOS flag.
  int load(vmstate::LoadContext& ctx, GuestMemory& memory, std::uint32_t version_id);

 private:
  struct Block {
    std::string name;
    std::uint64_t length = 0;
  };
  int load_block_list(vmstate::LoadContext& ctx, GuestMemory& memory, std::uint64_t total);
  const Block* block_from_stream(vmstate::LoadContext& ctx, int flags);
  void map(GuestMemory& memory, const Block& b) const;

  MachineFamily family_;
  std::vector<Block> blocks_;
  const Block* last_ = nullptr;  // mis->last_recv_block
};

}  // namespace migcheck::stream
