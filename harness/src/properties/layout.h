// The fields and subsection headers one load met, with their input offsets:
// what roundtrip-bytes explains a differing byte by (docs/properties.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "migcheck/vmstate/context.h"

namespace migcheck::harness::detail {

// Room for the subsections one device sends (a handful): the lists below
// are built on every fuzz_load run, and growth by doubling allocated thrice.
inline constexpr std::size_t kFewSubsections = 8;

// Fields and subsection headers of a load, with their input offsets.
class Layout : public vmstate::LoadObserver {
 public:
  struct Item {
    std::string_view name;  // field name, or subsection name for headers
    std::uint64_t begin, end;
    bool header;
  };
  // With fields = false only subsection headers are recorded: what
  // roundtrip-bytes needs of an input that re-encodes to itself, and the
  // engine then skips untouched queue slots as it does unobserved.
  explicit Layout(bool fields = true) : fields_(fields) { items.reserve(kFewSubsections); }
  bool wants_values() const override { return false; }
  bool wants_fields() const override { return fields_; }
  void field(std::string_view name, int, std::uint64_t begin, std::uint64_t end, const std::string&) override {
    items.push_back({name, begin, end, false});
  }
  void subsection(std::string_view name, std::uint32_t, std::uint64_t begin, std::uint64_t end) override {
    items.push_back({name, begin, end, true});
  }
  // The innermost item covering `offset` (fields are recorded innermost first
  // per position, so the shortest one wins).
  const Item* at(std::uint64_t offset) const {
    const Item* best = nullptr;
    for (const Item& it : items)
      if (offset >= it.begin && offset < it.end && (!best || it.end - it.begin < best->end - best->begin)) best = &it;
    return best;
  }
  std::vector<std::string_view> subsections(std::uint64_t from, std::uint64_t to) const {
    std::vector<std::string_view> out;
    out.reserve(kFewSubsections);
    for (const Item& it : items)
      if (it.header && it.begin >= from && it.begin < to) out.emplace_back(it.name);
    return out;
  }
  std::vector<Item> items;

 private:
  bool fields_;
};

}  // namespace migcheck::harness::detail
