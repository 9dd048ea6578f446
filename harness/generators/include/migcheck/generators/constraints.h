// The invariants a real QEMU state keeps, as named repair functions: the
// schema visitor assigns every field independently, then these bring the
// state back to one a QEMU of the writer's release could have. Each reads
// its choices from the context's entropy (picked by RapidCheck, so they
// shrink) and is a no-op on a state that already satisfies it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "migcheck/profile/destination.h"
#include "migcheck/virtio/device.h"

namespace migcheck::gen {

struct ConstraintContext {
  const VirtioDeviceSpec& spec;  // the destination device (its reset state)
  const Destination& dest;
  const Profile& writer;
  const Profile* reader = nullptr;  // old-reader cases
  std::uint64_t ram_bytes = 0;
  std::uint64_t ring_base = 0;      // this device's rings: one kRingWindow per queue from here
  std::uint64_t buffer_base = 0;    // request buffers: [buffer_base, buffer_base + kBufferSpace)
  // The state before the fields were assigned: its queue layout (sizes of
  // the queues the features give the device) is kept.
  const virtio::VirtioDevice* layout = nullptr;
  std::span<const std::uint32_t> entropy;
  std::size_t cursor = 0;
  std::uint32_t next() { return entropy.empty() ? 0 : entropy[cursor++ % entropy.size()]; }
};

struct Constraint {
  std::string_view name;
  std::string_view why;  // the QEMU behaviour that keeps it
  void (*apply)(virtio::VirtioDevice&, ConstraintContext&);
};

// In application order.
std::span<const Constraint> constraints();
void apply_constraints(virtio::VirtioDevice& d, ConstraintContext& ctx);

// Guest RAM layout of a scenario: each queue's rings in their own window
// (so one ring's indices never overwrite another's), then the request
// buffers of in-flight elements.
constexpr std::uint64_t kRingWindow = 32 * 1024;
constexpr std::uint64_t kBufferSpace = 512 * 1024;
// Queues a destination device can have once features are negotiated.
std::size_t max_queues(const virtio::VirtioDevice& reset);

// Whether `writer` can write for `dest` at all: a release that does not
// define a subsection whose needed() only the destination decides (64-bit
// features, modern rings, extra state, packed rings), or that has fewer
// queues than the device, cannot.
bool fits_writer(const Destination& dest, const Profile& writer);

}  // namespace migcheck::gen
