// Property names and the small helpers every property uses.
#include <array>

#include "detail.h"
#include "migcheck/harness/state_rules.h"
#include "migcheck/virtio/rules.h"
#include "migcheck/vmstate/vmsd.h"

namespace migcheck::harness {

namespace {
constexpr std::array<Property, 5> kAll = {Property::RoundTripState, Property::RoundTripBytes, Property::OldReader,
                                          Property::Sanitization, Property::Totality};
constexpr std::array<std::string_view, 5> kNames = {"roundtrip-state", "roundtrip-bytes", "old-reader",
                                                    "sanitization", "totality"};
}  // namespace

std::span<const Property> all_properties() { return kAll; }

std::string_view name(Property p) { return kNames[static_cast<std::size_t>(p)]; }

std::optional<Property> parse_property(std::string_view text) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == text) return kAll[i];
  return std::nullopt;
}

namespace detail {

std::string describe_result(const LoadResult& r) {
  std::string s(to_string(r.verdict));
  if (r.diag.reject.rule) s += " by " + std::string(r.diag.reject.rule->id);
  if (!r.unsupported.empty()) s += " (" + r.unsupported + ")";
  if (!r.diag.unsupported.empty() && r.unsupported.empty()) s += " (" + r.diag.unsupported + ")";
  for (const std::string& m : r.diag.messages) s += " | " + m;
  return s;
}

bool has_message(const LoadResult& r, std::string_view text) {
  for (const std::string& m : r.diag.messages)
    if (m == text) return true;
  return false;
}

bool has_message_containing(const LoadResult& r, std::string_view text) {
  for (const std::string& m : r.diag.messages)
    if (m.find(text) != std::string::npos) return true;
  return false;
}

bool subsection_peek_past_end(std::span<const std::uint8_t> bytes, const LoadResult& r) {
  if (r.verdict != migcheck::Verdict::Rejected || r.diag.reject.rule != &vmstate::rules::kStreamTruncated) return false;
  const std::uint64_t at = r.diag.reject.offset;
  return at + 1 < bytes.size() && bytes[at] == 0x05 && at + 2 + bytes[at + 1] > bytes.size();
}

bool drops_queues(const virtio::VirtioDevice& d) { return d.wire_num_queues > saved_queue_count(d); }

bool saves_fewer_queues_than(const virtio::VirtioDevice& d, const virtio::VirtioDevice& reset) {
  return saved_queue_count(d) < saved_queue_count(reset);
}

bool features_low_word_superseded(const virtio::VirtioDevice& d) {
  return (d.wire_subsections & sub_bit(VirtioSub::Features64)) && d.wire_features_lo != (d.guest_features & 0xffffffffu);
}

bool packed_index_on_unset_ring(const virtio::VirtioDevice& d) {
  if (!(d.wire_subsections & sub_bit(VirtioSub::PackedVirtqueues))) return false;
  for (std::size_t i = 0; i < saved_queue_count(d); ++i)
    if (!d.vq.get(i).vring.desc && d.vq.get(i).last_avail_idx) return true;
  return false;
}

bool refused_packed_resave(const LoadResult& reloaded, const virtio::VirtioDevice& state) {
  return reloaded.verdict == migcheck::Verdict::Rejected &&
         reloaded.diag.reject.rule == &virtio::rules::kVqDescZeroWithIndex && packed_index_on_unset_ring(state);
}

const LoadedDevice* loaded(const LoadResult& r, std::size_t spec) {
  for (const LoadedDevice& d : r.devices)
    if (d.spec == spec) return &d;
  return nullptr;
}

}  // namespace detail

}  // namespace migcheck::harness
