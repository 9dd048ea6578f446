// The schema-derived part of a state: a visitor that gives every field the
// schema reaches a value drawn by RapidCheck from its kind (scalar width,
// bool, buffer), so generation follows the tables, not a list of fields.
#include "fields.h"

#include <algorithm>
#include <array>

namespace migcheck::gen {

namespace {

using vmstate::ScalarKind;

// Per-queue element vmsds of the 1024-slot arrays: only the device's own
// queues are given values (the rest were never set up).
constexpr std::array<std::string_view, 5> kPerQueueArrays = {"virtqueue_state", "ringsize_state",
                                                             "packed_virtqueue_state", "virtio_pci/modern_queue_state",
                                                             "virtio_mmio/queue_state"};

template <class T>
std::uint64_t draw() {
  // Mostly anything (shrinks to 0), sometimes a width boundary.
  constexpr T kMax = std::numeric_limits<T>::max();
  return static_cast<std::uint64_t>(*rc::gen::weightedOneOf<T>(
      {{6, rc::gen::arbitrary<T>()},
       {1, rc::gen::element<T>(T{1}, static_cast<T>(kMax / 2), static_cast<T>(kMax / 2 + 1), kMax)}}));
}

std::uint64_t draw(ScalarKind kind) {
  switch (kind) {
    case ScalarKind::Bool: return *rc::gen::arbitrary<bool>() ? 1 : 0;
    case ScalarKind::U8: return draw<std::uint8_t>();
    case ScalarKind::U16: return draw<std::uint16_t>();
    case ScalarKind::U32: return draw<std::uint32_t>();
    case ScalarKind::U64: return draw<std::uint64_t>();
    case ScalarKind::I32: return static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(draw<std::uint32_t>())));
    case ScalarKind::I64: return draw<std::uint64_t>();
  }
  return 0;
}

// A buffer keeps its reset contents but for a few bytes (shrinks to none).
void patch(std::span<std::uint8_t> buf) {
  if (buf.empty()) return;
  const int k = *rc::gen::inRange(0, 5);
  for (int i = 0; i < k; ++i) buf[*rc::gen::inRange<std::size_t>(0, buf.size())] = *rc::gen::arbitrary<std::uint8_t>();
}

}  // namespace

AssignFields::AssignFields(const virtio::VirtioDevice& device, std::size_t queues)
    : device_(device), queues_(queues) {}

void AssignFields::scalar(std::string_view name, int, ScalarKind kind, std::uint64_t& value) {
  // VMSTATE_VARRAY counts: the array that follows is sized by this value.
  if (name == "in_num" || name == "out_num") value = *rc::gen::inRange(0, 5);
  else if (name == "mac_table.in_use") value = *rc::gen::inRange(0, 65);
  else if (name == "rss_data.indirections_len") value = *rc::gen::element(1, 2, 4, 8, 16);
  else if (name == "curr_queue_pairs") value = *rc::gen::inRange(1, std::max(device_.net.max_queue_pairs, std::uint16_t{1}) + 1);
  else value = draw(kind);
  ++fields;
}

void AssignFields::bytes(std::string_view, int, std::span<std::uint8_t> value) {
  patch(value);
  ++fields;
}

void AssignFields::vbytes(std::string_view, int, std::vector<std::uint8_t>& value, std::size_t) {
  patch(value);
  ++fields;
}

bool AssignFields::enter(std::string_view vmsd, int index) {
  if (index >= 0 && static_cast<std::size_t>(index) >= queues_ &&
      std::find(kPerQueueArrays.begin(), kPerQueueArrays.end(), vmsd) != kPerQueueArrays.end())
    return false;
  return true;
}

}  // namespace migcheck::gen
