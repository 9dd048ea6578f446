// Deliberate loader defects, for showing that the properties and fuzzers
// have teeth (the mutation check of the property harness, time-to-find of
// the fuzzers). Compiled in only with MIGCHECK_DEFECTS (the
// migcheck::reference_defects library); in the product every check below is
// a constant false and the compiler removes it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace migcheck::defects {

enum class Defect : std::uint8_t {
  None,
  DropFeaturesCheck,       // L14: guest features not checked against the host
  SignedMacInUse,          // CVE-2013-4148: mac_table.in_use compared as int32
  QueueMaxOffByOne,        // L3/L6: '>' instead of '>=' on VIRTIO_QUEUE_MAX (queue_sel)
  EndianNotDefaulted,      // L13: poisoned device_endian never defaulted
  UnknownSubsectionSkipped,  // §2.4: a prefixed unknown subsection ends the loop instead of -ENOENT
  IndexDeltaNoWrap,        // L16b: avail - last_avail computed without 16-bit wrap
  SubsectionOrderReversed,   // save: vmstate_virtio subsections written in reverse order
  NeededAlwaysTrue,        // save: every subsection written, needed() ignored
  // The 2013/2014 CVE batch, for the seeded-bug adapters (harness/seeded):
  CurrQueuePairsUnchecked,  // CVE-2013-4150: curr_queue_pairs > max_queue_pairs not refused
  NumQueuesUnchecked,       // CVE-2013-4151: virtqueue count > VIRTIO_QUEUE_MAX not refused
  QueueSelUnchecked,        // CVE-2013-6399: queue_sel >= VIRTIO_QUEUE_MAX not refused
  ConfigLenOverflow,        // CVE-2014-0182: config_len bytes copied into the local config
};

std::span<const std::string_view> names();  // index = Defect value
std::optional<Defect> parse(std::string_view name);
std::string_view name(Defect);

// Where a defective loader would write out of bounds (QEMU: heap
// corruption), the model stops instead: overflow() records what would have
// been overrun and returns -EFAULT for the loader to return, so the process
// itself stays sound and the seeded-bug adapters report a crash, as an ASan
// build of the buggy QEMU would. Thread-local; cleared with take_overflow().
#ifdef MIGCHECK_DEFECTS
int overflow(std::string_view what);
std::string take_overflow();  // "" if none since the last call
#else
constexpr int overflow(std::string_view) { return 0; }
#endif

#ifdef MIGCHECK_DEFECTS
// The defect switched on for this process (MIGCHECK_DEFECT=<name> in the
// environment, or set()).
Defect active();
void set(Defect);
inline bool on(Defect d) { return active() == d; }
#else
constexpr bool on(Defect) { return false; }
#endif

}  // namespace migcheck::defects
