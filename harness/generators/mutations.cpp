// The named structured corruptions of mutations.h.
#include "migcheck/generators/mutations.h"

#include <algorithm>
#include <array>
#include <map>

#include <rapidcheck.h>

#include "migcheck/harness/state_rules.h"
#include "migcheck/stream/loader.h"
#include "migcheck/virtio/features.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::gen {

namespace {

using Bytes = std::vector<std::uint8_t>;
using vmstate::qemu_format;

constexpr std::array<std::string_view, 12> kNames = {
    "flip-feature-bit",     "set-field",       "index-near-num",  "queue-count",
    "rename-subsection",    "drop-subsection", "duplicate-subsection", "swap-subsections",
    "add-unknown-subsection", "config-len",    "truncate",        "section-header"};

// Where things are in a stream: fields, subsections (header and body).
class Layout : public vmstate::LoadObserver {
 public:
  bool wants_values() const override { return false; }
  struct Field {
    std::string_view name, vmsd;
    std::uint64_t begin, end;
  };
  struct Sub {
    std::string name;
    std::uint64_t begin, header_end, body_end;
    int parent;
  };
  void enter(std::string_view name, int, std::uint64_t offset) override {
    frames_.push_back({name, cur_, pending_ >= 0 && subs[static_cast<std::size_t>(pending_)].name == name ? pending_ : -1});
    (void)offset;
    pending_ = -1;
    cur_ = static_cast<int>(frames_.size()) - 1;
  }
  void leave(std::uint64_t offset) override {
    if (cur_ < 0) return;
    const Frame& f = frames_[static_cast<std::size_t>(cur_)];
    if (f.sub >= 0) subs[static_cast<std::size_t>(f.sub)].body_end = offset;
    cur_ = f.parent;
  }
  void field(std::string_view name, int, std::uint64_t begin, std::uint64_t end, const std::string&) override {
    fields.push_back({name, cur_ >= 0 ? frames_[static_cast<std::size_t>(cur_)].name : std::string_view{}, begin, end});
  }
  void subsection(std::string_view name, std::uint32_t, std::uint64_t begin, std::uint64_t end) override {
    subs.push_back({std::string(name), begin, end, end, cur_});
    pending_ = static_cast<int>(subs.size()) - 1;
  }
  std::vector<Field> fields;
  std::vector<Sub> subs;

 private:
  struct Frame {
    std::string_view name;
    int parent;
    int sub;
  };
  std::vector<Frame> frames_;
  int cur_ = -1, pending_ = -1;
};

void put_be(Bytes& b, std::uint64_t at, unsigned width, std::uint64_t v) {
  for (unsigned i = 0; i < width && at + i < b.size(); ++i)
    b[at + i] = static_cast<std::uint8_t>(v >> (8 * (width - 1 - i)));
}
std::uint64_t get_be(const Bytes& b, std::uint64_t at, unsigned width) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < width && at + i < b.size(); ++i) v = v << 8 | b[at + i];
  return v;
}

// An index in [0, n), uniform at every size: gen::inRange scales its range
// with the case's size, so early (small) cases would only ever pick the
// first fields of a stream and the first mutation kinds.
std::size_t uniform_index(std::size_t n) {
  return *rc::gen::resize(rc::kNominalSize, rc::gen::inRange<std::size_t>(0, n));
}

template <class T>
const T& pick(const std::vector<T>& v) {
  return v[uniform_index(v.size())];
}

// Values worth trying in a field of `width` bytes: the width's boundaries
// and the destination's own limits (QMAX, queue sizes, MAC table size...).
std::vector<std::uint64_t> interesting(unsigned width, const Destination& dest) {
  const std::uint64_t max = width >= 8 ? ~0ull : (1ull << (8 * width)) - 1;
  std::vector<std::uint64_t> v = {0, 1, max, max / 2, max / 2 + 1, 64, 65};
  for (const VirtioDeviceSpec& s : dest.devices) {
    const std::uint32_t qmax = s.reset.queue_max, num = s.reset.vq.get(0).vring.num;
    for (std::uint64_t x : {qmax - 1ull, qmax + 0ull, qmax + 1ull, num - 1ull, num + 0ull, num + 1ull,
                            s.reset.pci.nvectors + 0ull, s.reset.config.size() + 1ull,
                            s.reset.net.max_queue_pairs + 1ull})
      v.push_back(x);
  }
  std::erase_if(v, [&](std::uint64_t x) { return x > max; });
  return v;
}

// Layout offsets come from a load that may have stopped early or misread a
// length: a range is used only when it lies within the bytes.
bool within(const Bytes& b, std::uint64_t from, std::uint64_t to) { return from <= to && to <= b.size(); }

const LoadedDevice* device_at(const LoadResult& r, std::uint64_t offset) {
  for (const LoadedDevice& d : r.devices)
    if (offset >= d.body_begin && offset < d.body_end) return &d;
  return nullptr;
}

std::string flip_feature_bit(Bytes& b, const Layout& l) {
  std::vector<const Layout::Field*> f;
  for (const auto& x : l.fields)
    if (x.name == "guest_features_lo" || (x.name == "guest_features" && x.vmsd == "virtio/64bit_features"))
      f.push_back(&x);
  if (f.empty()) return {};
  const Layout::Field& t = *pick(f);
  const unsigned width = static_cast<unsigned>(t.end - t.begin), bit = static_cast<unsigned>(uniform_index(8 * width));
  put_be(b, t.begin, width, get_be(b, t.begin, width) ^ (1ull << bit));
  return qemu_format("flip-feature-bit:%s^bit%u", std::string(t.name), bit);
}

// Fields a load rule bounds (QMAX, MAC table size, queue pairs, ring
// indices, endianness, vectors): a set-field picks among them half the time,
// so a one-off check is met in hundreds of cases rather than tens of thousands.
constexpr std::string_view kCheckedFields[] = {
    "queue_sel", "mac_table.in_use", "curr_queue_pairs", "max_queue_pairs", "device_endian", "vring.num",
    "last_avail_idx", "config_vector", "vector", "status", "isr", "inuse", "used_idx", "num_queues"};

std::string set_field(Bytes& b, const Layout& l, const Destination& dest) {
  std::vector<const Layout::Field*> f, checked;
  for (const auto& x : l.fields) {
    if (x.end - x.begin > 8 || x.end <= x.begin) continue;
    f.push_back(&x);
    if (std::find(std::begin(kCheckedFields), std::end(kCheckedFields), x.name) != std::end(kCheckedFields))
      checked.push_back(&x);
  }
  if (f.empty()) return {};
  if (!checked.empty() && *rc::gen::arbitrary<bool>()) {
    // By name first: each check gets the same share however many queue
    // entries repeat vring.num or last_avail_idx.
    std::vector<std::string_view> names;
    for (const Layout::Field* x : checked)
      if (std::find(names.begin(), names.end(), x->name) == names.end()) names.push_back(x->name);
    const std::string_view name = pick(names);
    std::erase_if(checked, [&](const Layout::Field* x) { return x->name != name; });
    f = std::move(checked);
  }
  const Layout::Field& t = *pick(f);
  const auto width = static_cast<unsigned>(t.end - t.begin);
  std::vector<std::uint64_t> values = interesting(width == 3 || (width > 4 && width < 8) ? 1 : width, dest);
  // A bounded field: its bound's neighbours and the sign bit, most of the time.
  const std::uint64_t max = width >= 8 ? ~0ull : (1ull << (8 * width)) - 1;
  if (t.name == "mac_table.in_use" && uniform_index(4))
    values = {64, 65, 0x80000000u, 0xffffffffu};
  else if (t.name == "queue_sel" && !dest.devices.empty() && uniform_index(4))
    values = {dest.devices[0].reset.queue_max - 1u, dest.devices[0].reset.queue_max + 0u,
              dest.devices[0].reset.queue_max + 1u, max};
  const std::uint64_t value = pick(values);
  put_be(b, t.begin, width, value);
  // in_use >= 2^31 makes QEMU read no MAC bytes at all (an int count of
  // unused entries); dropping the old ones keeps the rest of the record in
  // step, so the load reaches post_load, where the sign of in_use matters.
  if (t.name == "mac_table.in_use" && value >= 0x80000000u)
    for (const auto& x : l.fields)
      if (x.name == "mac_table.macs" && x.begin == t.end && x.end > x.begin && within(b, x.begin, x.end)) {
        b.erase(b.begin() + static_cast<std::ptrdiff_t>(x.begin), b.begin() + static_cast<std::ptrdiff_t>(x.end));
        return qemu_format("set-field:%s=0x%lx-macs", std::string(t.name), value);
      }
  return qemu_format("set-field:%s=0x%lx", std::string(t.name), value);
}

std::string index_near_num(Bytes& b, const Layout& l, const LoadResult& r) {
  struct Target {
    const Layout::Field* f;
    std::uint16_t avail_idx;
    std::uint32_t num;
  };
  std::vector<Target> targets;
  std::map<const LoadedDevice*, std::size_t> queue;  // queue entries seen per device
  for (const auto& x : l.fields) {
    if (x.name != "last_avail_idx" || !x.vmsd.ends_with(" queue")) continue;
    const LoadedDevice* dev = device_at(r, x.begin);
    if (!dev) continue;
    const std::size_t i = queue[dev]++;
    const virtio::VirtQueue& q = dev->state.vq.get(i);
    const bool be = harness::ring_big_endian(dev->state);
    const std::uint16_t avail = r.has_ram ? r.memory.load16(q.vring.avail + 2, be) : 0;
    targets.push_back({&x, avail, q.vring.num});
  }
  if (targets.empty()) return {};
  const Target& t = pick(targets);
  const std::uint32_t delta = *rc::gen::element<std::uint32_t>(0, 1, t.num, t.num + 1, 0x8000, 0xffff, 0x10000 - t.num,
                                                               0x10000 - t.num - 1);
  const auto last = static_cast<std::uint16_t>(t.avail_idx - delta);
  put_be(b, t.f->begin, 2, last);
  return qemu_format("index-near-num:avail 0x%x - 0x%x", t.avail_idx, delta);
}

std::string queue_count(Bytes& b, const Layout& l, const Destination& dest) {
  std::vector<const Layout::Field*> f;
  for (const auto& x : l.fields)
    if (x.name == "config" && x.vmsd == "virtio_save") f.push_back(&x);
  if (f.empty()) return {};
  const Layout::Field& t = *pick(f);  // the queue count follows the config bytes
  const std::uint32_t n = static_cast<std::uint32_t>(get_be(b, t.end, 4));
  const std::uint32_t qmax = dest.devices.empty() ? 1024 : dest.devices[0].reset.queue_max;
  const std::uint32_t v = *rc::gen::element<std::uint32_t>(0, n - 1, n + 1, qmax, qmax + 1, 0xffffffffu);
  put_be(b, t.end, 4, v);
  return qemu_format("queue-count:0x%x", v);
}

std::string rename_subsection(Bytes& b, const Layout& l) {
  if (l.subs.empty()) return {};
  const Layout::Sub& s = pick(l.subs);
  if (!within(b, s.begin + 6, s.header_end)) return {};
  const std::size_t len = s.header_end - s.begin - 6;
  if (!len) return {};
  // The first byte gives a foreign prefix; the last one an unknown name with the same prefix.
  const std::size_t pos = *rc::gen::element<std::size_t>(len - 1, 0, *rc::gen::inRange<std::size_t>(0, len));
  std::uint8_t& c = b[s.begin + 2 + pos];
  c = c == 'X' ? 'Y' : 'X';
  return "rename-subsection:" + s.name + "@" + std::to_string(pos);
}

std::string drop_subsection(Bytes& b, const Layout& l) {
  if (l.subs.empty()) return {};
  const Layout::Sub& s = pick(l.subs);
  if (!within(b, s.begin, s.body_end)) return {};
  b.erase(b.begin() + static_cast<std::ptrdiff_t>(s.begin), b.begin() + static_cast<std::ptrdiff_t>(s.body_end));
  return "drop-subsection:" + s.name;
}

std::string duplicate_subsection(Bytes& b, const Layout& l) {
  if (l.subs.empty()) return {};
  const Layout::Sub& s = pick(l.subs);
  if (!within(b, s.begin, s.body_end)) return {};
  const Bytes copy(b.begin() + static_cast<std::ptrdiff_t>(s.begin), b.begin() + static_cast<std::ptrdiff_t>(s.body_end));
  b.insert(b.begin() + static_cast<std::ptrdiff_t>(s.body_end), copy.begin(), copy.end());
  return "duplicate-subsection:" + s.name;
}

std::string swap_subsections(Bytes& b, const Layout& l) {
  std::vector<std::pair<const Layout::Sub*, const Layout::Sub*>> pairs;
  for (const auto& x : l.subs)
    for (const auto& y : l.subs)
      if (&x != &y && x.parent == y.parent && y.begin == x.body_end && within(b, x.begin, x.body_end) &&
          within(b, y.begin, y.body_end))
        pairs.push_back({&x, &y});
  if (pairs.empty()) return {};
  const auto [x, y] = pick(pairs);
  const Bytes first(b.begin() + static_cast<std::ptrdiff_t>(x->begin), b.begin() + static_cast<std::ptrdiff_t>(x->body_end));
  const Bytes second(b.begin() + static_cast<std::ptrdiff_t>(y->begin), b.begin() + static_cast<std::ptrdiff_t>(y->body_end));
  Bytes swapped = second;
  swapped.insert(swapped.end(), first.begin(), first.end());
  std::copy(swapped.begin(), swapped.end(), b.begin() + static_cast<std::ptrdiff_t>(x->begin));
  return "swap-subsections:" + x->name + "<->" + y->name;
}

std::string add_unknown_subsection(Bytes& b, const Layout& l, const LoadResult& r) {
  std::uint64_t at;
  std::string prefix = "virtio";
  if (!l.subs.empty() && *rc::gen::arbitrary<bool>()) {
    const Layout::Sub& s = pick(l.subs);
    at = s.begin;
    prefix = s.name.substr(0, s.name.find('/'));
  } else if (!r.devices.empty()) {
    at = pick(r.devices).body_end;
  } else {
    return {};
  }
  const std::string name = prefix + "/" + *rc::gen::element<std::string>("unknown", "stXrted", "128bit_features");
  Bytes header = {0x05, static_cast<std::uint8_t>(name.size())};
  header.insert(header.end(), name.begin(), name.end());
  header.insert(header.end(), {0, 0, 0, 1});
  b.insert(b.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(at, b.size())), header.begin(), header.end());
  return "add-unknown-subsection:" + name;
}

std::string config_len(Bytes& b, const Layout& l) {
  std::vector<const Layout::Field*> f;
  for (const auto& x : l.fields)
    if (x.name == "config" && x.vmsd == "virtio_save") f.push_back(&x);
  if (f.empty()) return {};
  const Layout::Field& t = *pick(f);
  // be32 config_len then the bytes: a field cut short by the end of the
  // input has no length word to change (and would wrap `local`).
  if (!within(b, t.begin + 4, t.end)) return {};
  const auto local = static_cast<std::uint32_t>(t.end - t.begin - 4);
  const std::uint32_t v = *rc::gen::element<std::uint32_t>(0, local - 1, local + 1, local + 64, 0x7fffffffu,
                                                           0x80000000u, 0xffffffffu);
  put_be(b, t.begin, 4, v);
  const bool resize = *rc::gen::arbitrary<bool>();
  if (resize && v > local && v - local <= 64)
    b.insert(b.begin() + static_cast<std::ptrdiff_t>(t.end), v - local, 0);
  else if (resize && v < local)
    b.erase(b.begin() + static_cast<std::ptrdiff_t>(t.end - (local - v)), b.begin() + static_cast<std::ptrdiff_t>(t.end));
  return qemu_format("config-len:0x%x%s", v, resize ? "+bytes" : "");
}

std::string truncate(Bytes& b, const Layout& l) {
  if (b.empty()) return {};
  std::uint64_t at;
  if (!l.fields.empty() && *rc::gen::arbitrary<bool>()) {
    const Layout::Field& f = pick(l.fields);
    at = *rc::gen::arbitrary<bool>() ? f.begin : f.begin + (f.end - f.begin) / 2;
  } else {
    at = uniform_index(b.size());
  }
  b.resize(std::min<std::uint64_t>(at, b.size()));
  return qemu_format("truncate:%lu", at);
}

std::string section_header(Bytes& b, const LoadResult& r) {
  std::vector<const SectionInfo*> s;
  for (const SectionInfo& x : r.sections)
    if (x.handling == SectionInfo::Handling::Virtio && (x.type == 0x01 || x.type == 0x04)) s.push_back(&x);
  if (s.empty()) return {};
  const SectionInfo& t = *pick(s);
  const std::uint64_t version_at = t.body_begin - 4, instance_at = t.body_begin - 8;
  switch (uniform_index(4)) {
    case 0: put_be(b, version_at, 4, t.version_id + 1); return "section-header:version+1";
    case 1: put_be(b, instance_at, 4, t.instance_id + 1); return "section-header:instance+1";
    case 2:
      if (t.end >= t.body_end + 5) {
        put_be(b, t.body_end + 1, 4, t.section_id + 1);
        return "section-header:footer-id+1";
      }
      return {};
    default:
      if (t.end > t.body_end && t.body_end < b.size()) {
        b[t.body_end] = 0x7f;
        return "section-header:footer-byte";
      }
      return {};
  }
}

}  // namespace

std::span<const std::string_view> mutation_names() { return kNames; }

std::string mutate(Bytes& bytes, const Destination& dest) {
  Layout layout;
  LoadOptions options;
  options.observer = &layout;
  const LoadResult r = load_any(bytes, dest, options);
  const std::size_t kind = uniform_index(kNames.size());
  switch (kind) {
    case 0: return flip_feature_bit(bytes, layout);
    case 1: return set_field(bytes, layout, dest);
    case 2: return index_near_num(bytes, layout, r);
    case 3: return queue_count(bytes, layout, dest);
    case 4: return rename_subsection(bytes, layout);
    case 5: return drop_subsection(bytes, layout);
    case 6: return duplicate_subsection(bytes, layout);
    case 7: return swap_subsections(bytes, layout);
    case 8: return add_unknown_subsection(bytes, layout, r);
    case 9: return config_len(bytes, layout);
    case 10: return truncate(bytes, layout);
    default: return section_header(bytes, r);
  }
}

}  // namespace migcheck::gen
