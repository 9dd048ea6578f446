// Internal helpers shared by the property functions (harness/src/properties).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "migcheck/harness/properties.h"
#include "migcheck/stream/loader.h"
#include "migcheck/stream/save_ram.h"
#include "layout.h"

namespace migcheck::harness::detail {

// ---- field-level comparison (state_diff.cpp) ----------------------------------

// Where two states differ, for humans: "<path>: <a> vs <b>" for the first
// field of a schema visit (with `schema`'s subsections, or each state's own
// profile) that differs, else the first differing member the visit does not
// reach; "" when operator== holds.
std::string first_difference(const virtio::VirtioDevice& a, const virtio::VirtioDevice& b,
                             const Profile* schema = nullptr);

// Number of fields (scalars and buffers) of a visit that differ between two
// states of the same destination: the size of a counterexample.
std::size_t differing_fields(const virtio::VirtioDevice& a, const virtio::VirtioDevice& b);

// first_difference over the fields outside the named subsections (and the
// members no walk reaches); "" when only fields inside them differ: what a
// re-save that legitimately drops those subsections may change.
std::string first_difference_outside(const virtio::VirtioDevice& a, const virtio::VirtioDevice& b,
                                     const std::vector<std::string_view>& subsections);

// ---- what a writer sends (emission.cpp) ------------------------------------------

// One subsection a section carries, in wire order.
struct SubsectionUse {
  std::string_view name;    // "virtio/broken", "virtio-net-device/rss", "virtio_pci/modern_state", ...
  int virtio_sub = -1;      // VirtioSub index for vmstate_virtio's own, else -1
};

// The subsections QEMU's `writer` release writes for this state, in wire
// order: vmstate_virtio's (those the release defines whose needed() holds)
// and the device and transport ones nested in the body.
std::vector<SubsectionUse> needed_subsections(const virtio::VirtioDevice& state, const Profile& writer);
// Their names only, in the same order.
std::vector<std::string_view> needed_subsection_names(const virtio::VirtioDevice& state, const Profile& writer);

// Does a loader of release `reader` know this subsection?
bool reader_knows(const Profile& reader, const SubsectionUse& sub);

// The subsection headers a load meets, with their offsets (an observer).
class SubsectionRecorder : public vmstate::LoadObserver {
 public:
  bool wants_values() const override { return false; }
  void subsection(std::string_view name, std::uint32_t, std::uint64_t begin, std::uint64_t) override {
    seen.emplace_back(std::string(name), begin);
  }
  // Names of those in [from, to), in order.
  std::vector<std::string_view> between(std::uint64_t from, std::uint64_t to) const {
    std::vector<std::string_view> out;
    for (const auto& [name, at] : seen)
      if (at >= from && at < to) out.push_back(name);
    return out;
  }
  std::vector<std::pair<std::string, std::uint64_t>> seen;
};

// ---- the writer's side (scenario.cpp) ----------------------------------------------

// The guest memory a scenario's states imply: each set-up split ring's
// avail->idx and used->idx (see Scenario::ram_bytes).
RamImage ram_of(const Scenario& scenario);

// ---- what a load must give (expected_state.cpp) ------------------------------------

// The state loading `saved` must produce when QEMU release `writer` wrote
// it for destination device `spec` and the same release loads it, with
// `has_ram` saying whether the stream carried the guest memory of
// ram_of(). Each named normalisation that changed something is appended to
// *applied.
virtio::VirtioDevice expected_after_load(const virtio::VirtioDevice& saved, const VirtioDeviceSpec& spec,
                                         const Profile& writer, bool has_ram, std::vector<std::string>* applied);

// The fields a loader of release `reader` restores, as a projection: every
// field it does not (subsections it does not define, ring bookkeeping it
// does not recompute, its queue limit) set to `reset`'s value.
virtio::VirtioDevice project_to_reader(const virtio::VirtioDevice& state, const virtio::VirtioDevice& reset,
                                       const Profile& reader);

// ---- messages ----------------------------------------------------------------------

std::string describe_result(const LoadResult& r);  // verdict, rule, messages (one line)
bool has_message(const LoadResult& r, std::string_view text);  // exact line
bool has_message_containing(const LoadResult& r, std::string_view text);

// QEMU's subsection loop peeks at every vmsd's end: a data byte 0x05 there
// followed by a length byte makes it peek that many bytes ahead, and near
// the end of the stream that read fails (qemu_fill_buffer: -EIO). True when
// `r` is such a failure ("subsection-peek-past-end", docs/properties.md).
bool subsection_peek_past_end(std::span<const std::uint8_t> bytes, const LoadResult& r);

// The stream carried more queue entries than virtio_save writes again (it
// stops at the first vring.num == 0): the next migration drops the rest
// ("queue-count-truncated", docs/properties.md).
bool drops_queues(const virtio::VirtioDevice& d);

// A re-save of `d` writes fewer queue entries than the destination sets up
// (`reset`): a slot inside its layout has vring.num 0, e.g. where 2.4's
// relayout moved the control queue into a slot the stream emptied. The
// re-load keeps the destination's later slots ("queue-count-from-destination",
// docs/properties.md).
bool saves_fewer_queues_than(const virtio::VirtioDevice& d, const virtio::VirtioDevice& reset);

// virtio/64bit_features was loaded and the common part's 32-bit feature
// word differs from its low half: the word was only a temporary (virtio-net
// derives its offloads from it), and a re-save writes the low half
// ("features-low-word-superseded", docs/properties.md).
bool features_low_word_superseded(const virtio::VirtioDevice& d);

// virtio/packed_virtqueues was loaded and left a queue with desc == 0 and
// last_avail_idx != 0 (it runs after the common part's L8a check); a
// re-save puts that index in the common part, where QEMU's load refuses it
// ("packed-overrides-last-avail", docs/properties.md).
bool packed_index_on_unset_ring(const virtio::VirtioDevice& d);
// `reloaded`, the load of QEMU's re-save of `state`, was refused for that
// reason: rejected by L8a (desc 0 with an index) while `state` has such a queue.
bool refused_packed_resave(const LoadResult& reloaded, const virtio::VirtioDevice& state);

// ---- the byte-input properties over a load done once (load_properties.cpp) ----

// What roundtrip_bytes needs of a load (its Layout and the parsed states):
// the options of the one load that P2, P4 and P5 share.
LoadOptions shared_load_options(Layout* layout);
// A release never met a machine type newer than itself: roundtrip-bytes is
// vacuous there, and needs no load.
bool machine_newer_than_release(const Destination& dest);
// P5, P4 and P2 over `r`, the load of `bytes` into `dest` (P2 with the
// options above; P5 with the load's duration in seconds).
Verdict totality_of(std::span<const std::uint8_t> bytes, const LoadResult& r, double seconds);
Verdict sanitization_of(std::span<const std::uint8_t> bytes, const Destination& dest, const LoadResult& r);
Verdict roundtrip_bytes_of(std::span<const std::uint8_t> bytes, const Destination& dest, const LoadResult& r,
                           const Layout& layout);

// P3 with `r` (an accepted load into `dest`) as the writer's scenario:
// vacuous unless every device of `dest` was loaded.
Verdict old_reader_of(const Destination& dest, const LoadResult& r, const Profile& reader);

// The destination's device index of a loaded device, or -1.
const LoadedDevice* loaded(const LoadResult& r, std::size_t spec);

}  // namespace migcheck::harness::detail
