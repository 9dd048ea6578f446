// Deliberate loader defects, for showing that the properties and fuzzers
// have teeth (the mutation check of the property harness, time-to-find of
// the fuzzers). Compiled in only with MIGCHECK_DEFECTS (the
// migcheck::reference_defects library); in the product every check below is
// a constant false and the compiler removes it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
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
};

std::span<const std::string_view> names();  // index = Defect value
std::optional<Defect> parse(std::string_view name);
std::string_view name(Defect);

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
