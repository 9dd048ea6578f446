// Near-valid inputs from real captures: mutations aimed at the fields the
// reference decodes, so most mutants get past the framing and reach the
// checks (the differential batch against real QEMU, the RapidCheck engine
// of `migcheck seeded`).
#include <algorithm>
#include <array>
#include <random>
#include <span>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "migcheck/harness/oracle.h"

namespace migcheck::harness {

namespace {

class Collector final : public vmstate::LoadObserver {
 public:
  std::vector<FieldSpan> spans;
  bool wants_values() const override { return false; }
  void field(std::string_view name, int index, std::uint64_t begin, std::uint64_t end, const std::string&) override {
    if (end <= begin) return;
    std::string n(name);
    if (index >= 0) n += "[" + std::to_string(index) + "]";
    spans.push_back({begin, end, std::move(n)});
  }
  void subsection(std::string_view name, std::uint32_t, std::uint64_t begin, std::uint64_t end) override {
    // 0x05 | u8 len | name | be32 version: the name bytes.
    if (begin + 2 + name.size() <= end) spans.push_back({begin + 2, begin + 2 + name.size(), "subsection " + std::string(name)});
  }
};

// Big-endian integer of `width` bytes at `at`.
std::uint64_t get_be(const std::vector<std::uint8_t>& b, std::size_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) v = v << 8 | b[at + i];
  return v;
}
void put_be(std::vector<std::uint8_t>& b, std::size_t at, std::size_t width, std::uint64_t v) {
  for (std::size_t i = 0; i < width; ++i) b[at + width - 1 - i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint64_t interesting(std::mt19937_64& rng, std::uint64_t old, std::size_t width) {
  const std::uint64_t mask = width >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * width)) - 1;
  const std::array<std::uint64_t, 14> pick = {0,
                                              1,
                                              mask,
                                              mask - 1,
                                              std::uint64_t{1} << (8 * width - 1),
                                              (std::uint64_t{1} << (8 * width - 1)) - 1,
                                              old + 1,
                                              old - 1,
                                              old ^ (std::uint64_t{1} << (rng() % (8 * width))),
                                              1023,
                                              1024,
                                              1025,
                                              old + 0x40,
                                              rng()};
  return pick[rng() % pick.size()] & mask;
}

// The fields QEMU's load checks guard (counts, indices,
// lengths, features, endianness): a real capture has a hundred fields and
// these few are where the 2014 CVEs and the sanitization rules live.
bool is_checked_field(std::string_view n) {
  static constexpr std::array<std::string_view, 14> kChecked = {
      "curr_queue_pairs", "max_queue_pairs", "in_use",  "config_len",    "queue_sel",
      "features",         "num",             "inuse",   "last_avail_idx", "device_endian",
      "before ",          "nvectors",        "num_ports", "vector"};
  return std::any_of(kChecked.begin(), kChecked.end(), [&](std::string_view k) { return n.find(k) != n.npos; });
}

// What a field's name says, worked out once per name: its group key (the
// unnamed words between fields, "before <field>", are one group) and
// whether it is checked. The names repeat from one mutant to the next, so
// the table lives as long as the thread (`migcheck diff -j` has several):
// one lookup per field instead of fourteen substring searches and a map
// node per name on every mutant (two thirds of a mutant's instructions).
class NameTable {
 public:
  struct Info {
    std::uint32_t key;  // the same for names of one group
    bool checked;
  };
  // Bounded (the names are schema names with an index, but bound them
  // anyway); only between builds, while no key is held.
  void trim() {
    if (info_.size() < 8192) return;
    info_.clear();
    keys_.clear();
  }
  const Info& operator[](const std::string& name) {
    if (const auto it = info_.find(name); it != info_.end()) return it->second;
    const std::string key = name.rfind("before ", 0) == 0 ? std::string("before") : name;
    const auto k = keys_.emplace(key, static_cast<std::uint32_t>(keys_.size())).first;
    return info_.emplace(name, Info{k->second, is_checked_field(name)}).first->second;
  }

 private:
  std::unordered_map<std::string, Info> info_;
  std::unordered_map<std::string, std::uint32_t> keys_;
};

// Fields grouped by name, each group in load order: for a per-queue field,
// instance i is queue i's. Built on first use, once per mutant rather than
// once per pick; a name is checked or not as a whole, so the checked groups
// are a selection of them. Groups come in the order their names first
// appear (a seed's mutant depends on it); their members share one array.
class FieldGroups {
 public:
  using Group = std::span<const FieldSpan* const>;
  explicit FieldGroups(const std::vector<FieldSpan>& fields) : fields_(fields) {}
  const std::vector<Group>& all() { return build(), all_; }
  const std::vector<const Group*>& checked() { return build(), checked_; }
  // A modern device sends all 1024 queue slots and uses a few; the common
  // part's queue loop sends "vring.num" once per queue in use.
  std::size_t live_slots() { return build(), live_; }

 private:
  void build() {
    if (built_) return;
    built_ = true;
    thread_local NameTable names;
    thread_local std::vector<std::uint32_t> group_of_key;  // 1 + group index in this build, 0: none yet
    names.trim();
    // Group indices in order of first appearance, then the members laid
    // out group after group in one array (a counting sort).
    std::vector<std::uint32_t> group_of(fields_.size());
    std::vector<std::uint32_t> key_of_group;
    std::vector<std::uint32_t> checked_groups;
    std::vector<std::size_t> start;  // group sizes, then where each begins
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      const NameTable::Info& info = names[fields_[i].name];
      if (info.key >= group_of_key.size()) group_of_key.resize(info.key + 1, 0);
      std::uint32_t& g = group_of_key[info.key];
      if (g == 0) {
        key_of_group.push_back(info.key);
        start.push_back(0);
        g = static_cast<std::uint32_t>(start.size());
        if (info.checked) checked_groups.push_back(g - 1);
      }
      ++start[g - 1];
      group_of[i] = g - 1;
    }
    for (const std::uint32_t k : key_of_group) group_of_key[k] = 0;
    std::size_t at = 0;
    for (std::size_t& s : start) at += std::exchange(s, at);
    members_.resize(fields_.size());
    all_.reserve(start.size());
    for (std::size_t g = 0; g < start.size(); ++g)
      all_.emplace_back(members_.data() + start[g], (g + 1 < start.size() ? start[g + 1] : members_.size()) - start[g]);
    for (std::size_t i = 0; i < fields_.size(); ++i) members_[start[group_of[i]]++] = &fields_[i];
    for (const std::uint32_t g : checked_groups) checked_.push_back(&all_[g]);
    for (const Group& group : all_)
      if (group.front()->name == "vring.num") live_ = group.size();
  }

  const std::vector<FieldSpan>& fields_;
  std::vector<const FieldSpan*> members_;
  std::vector<Group> all_;
  std::vector<const Group*> checked_;
  std::size_t live_ = 1;
  bool built_ = false;
};

// Picked uniformly, almost every per-queue mutation of a modern device would
// land in a slot no check reads: three instance picks in four go to the
// live slots.
std::size_t pick_instance(std::size_t n, std::size_t live, std::mt19937_64& rng) {
  if (n > live && rng() % 4) return rng() % live;
  return rng() % n;
}

// Half the picks go to a checked field, half to any field; either way a name
// first, then an instance: otherwise the per-queue fields (nine queues of an
// mq NIC, 1024 slots of a modern device) drown the device's single ones
// (curr_queue_pairs, mac_table.in_use).
const FieldSpan& pick_field(FieldGroups& groups, std::mt19937_64& rng) {
  const FieldGroups::Group* same;
  if (rng() % 2 && !groups.checked().empty())
    same = groups.checked()[rng() % groups.checked().size()];
  else
    same = &groups.all()[rng() % groups.all().size()];
  return *(*same)[pick_instance(same->size(), groups.live_slots(), rng)];
}

}  // namespace

std::vector<FieldSpan> field_spans(std::span<const std::uint8_t> input, const Destination& dest) {
  Collector c;
  // About a field per 8 input bytes (a modern device's 1024 queue slots are
  // thousands): reserved rather than grown, each growth moving the names.
  c.spans.reserve(std::min<std::size_t>(input.size() / 8 + 16, 16384));
  LoadOptions o;
  o.observer = &c;
  reference_load(input, dest, o);
  std::vector<FieldSpan> spans = std::move(c.spans);
  // The common part's "config" is config_len and the bytes: the length is a
  // field of its own (CVE-2014-0182 lives there).
  for (std::size_t i = 0, n = spans.size(); i < n; ++i)
    if (spans[i].name == "config" && spans[i].end - spans[i].begin >= 4)
      spans.push_back({spans[i].begin, spans[i].begin + 4, "config_len"});
  // Words read outside any field (the virtqueue count between config and
  // the first queue) show up as short gaps between fields.
  // (Sorted as indices: the spans themselves carry names, costly to copy.)
  std::vector<std::uint32_t> order(spans.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return spans[a].begin < spans[b].begin; });
  std::uint64_t covered = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::uint64_t begin = spans[order[i]].begin, end = spans[order[i]].end;
    const std::uint64_t gap = begin > covered ? begin - covered : 0;
    if (i > 0 && (gap == 2 || gap == 4 || gap == 8)) spans.push_back({covered, begin, "before " + spans[order[i]].name});
    covered = std::max(covered, end);
  }
  return spans;
}

std::vector<std::uint8_t> mutate(std::span<const std::uint8_t> input, const std::vector<FieldSpan>& fields,
                                 std::uint64_t seed, std::string* what) {
  std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull + 1);
  std::vector<std::uint8_t> out(input.begin(), input.end());
  FieldGroups groups(fields);
  // The description is built only for a caller that asks: the engines'
  // mutators call this on every fourth mutation and never read it.
  std::string log;
  const auto note = [&](std::string_view format, const auto&... args) {
    if (!what) return;
    if (!log.empty()) log += "; ";
    log += fmt::vformat(format, fmt::make_format_args(args...));
  };
  const int count = 1 + static_cast<int>(rng() % 3);
  for (int n = 0; n < count && !out.empty(); ++n) {
    const unsigned kind = rng() % 20;
    if (fields.empty() || kind == 0) {
      const std::size_t at = rng() % out.size();
      out[at] = static_cast<std::uint8_t>(rng());
      note("byte @0x{:x}", at);
      continue;
    }
    const FieldSpan& f = pick_field(groups, rng);
    if (f.end > out.size()) continue;
    const auto at = static_cast<std::size_t>(f.begin);
    const auto width = static_cast<std::size_t>(f.end - f.begin);
    if (kind == 1 && n == count - 1) {  // truncation ends the mutant
      out.resize(at);
      note("truncated at {}", f.name);
      break;
    }
    if (f.name.rfind("subsection ", 0) == 0) {
      out[at + rng() % width] ^= static_cast<std::uint8_t>(1 + rng() % 0x7f);
      note("renamed {}", f.name);
    } else if (width == 1 || width == 2 || width == 4 || width == 8) {
      const std::uint64_t old = get_be(out, at, width);
      const std::uint64_t v = interesting(rng, old, width);
      put_be(out, at, width, v);
      note("{} 0x{:x} -> 0x{:x}", f.name, old, v);
    } else {
      const std::size_t i = at + rng() % width;
      out[i] = static_cast<std::uint8_t>(rng());
      note("{} byte {}", f.name, i - at);
    }
  }
  if (what) *what = std::move(log);
  return out;
}

}  // namespace migcheck::harness
