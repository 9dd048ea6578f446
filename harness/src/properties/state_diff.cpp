// Field-level comparison of two device states through the schema: the same
// visit that generators use names every field, so a failing property can
// say which one differs.
#include <algorithm>
#include <span>
#include <vector>

#include "detail.h"
#include "migcheck/virtio/core.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::harness::detail {

namespace {

using vmstate::qemu_format;

// Every field a visit reaches, with its enclosing vmsds for the path.
class Recorder : public vmstate::Visitor {
 public:
  struct Frame {
    std::string_view vmsd;
    int index;
    int parent;
  };
  // Trivially copyable, the bytes kept in `pool`: a walk records every
  // slot of the 1024-entry queue arrays, twice per comparison, and entries
  // that own a vector made growing the list most of a fuzz run's time.
  struct Entry {
    int frame;
    std::string_view name;
    int index;
    std::uint64_t value;
    std::size_t bytes_at, bytes_len;
    bool is_bytes;
  };

  void scalar(std::string_view name, int index, vmstate::ScalarKind, std::uint64_t& value) override {
    entries.push_back({cur_, name, index, value, 0, 0, false});
  }
  void bytes(std::string_view name, int index, std::span<std::uint8_t> value) override { keep(name, index, value); }
  void vbytes(std::string_view name, int index, std::vector<std::uint8_t>& value, std::size_t) override {
    keep(name, index, value);
  }
  std::span<const std::uint8_t> bytes_of(const Entry& e) const {
    return std::span<const std::uint8_t>(pool).subspan(e.bytes_at, e.bytes_len);
  }
  // Same kind and value (bytes compared by content).
  bool same_value(const Entry& e, const Recorder& other, const Entry& o) const {
    return e.is_bytes == o.is_bytes && e.value == o.value && std::ranges::equal(bytes_of(e), other.bytes_of(o));
  }
  bool enter(std::string_view vmsd, int index) override {
    frames.push_back({vmsd, index, cur_});
    cur_ = static_cast<int>(frames.size()) - 1;
    return true;
  }
  void leave() override {
    if (cur_ >= 0) cur_ = frames[static_cast<std::size_t>(cur_)].parent;
  }

  std::string path(const Entry& e) const {
    std::vector<std::string> parts;
    for (int f = e.frame; f >= 0; f = frames[static_cast<std::size_t>(f)].parent) {
      const Frame& fr = frames[static_cast<std::size_t>(f)];
      parts.push_back(fr.index >= 0 ? qemu_format("%s[%d]", std::string(fr.vmsd), fr.index) : std::string(fr.vmsd));
    }
    std::string s;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) s += *it + "/";
    s += std::string(e.name);
    if (e.index >= 0) s += qemu_format("[%d]", e.index);
    return s;
  }

  // Same field at the same place of the walk (what path() compares,
  // without building the strings).
  bool same_place(const Entry& e, const Recorder& other, const Entry& o) const {
    if (e.name != o.name || e.index != o.index) return false;
    int f = e.frame, g = o.frame;
    for (; f >= 0 && g >= 0; f = frames[static_cast<std::size_t>(f)].parent,
                             g = other.frames[static_cast<std::size_t>(g)].parent) {
      const Frame &a = frames[static_cast<std::size_t>(f)], &b = other.frames[static_cast<std::size_t>(g)];
      if (a.vmsd != b.vmsd || a.index != b.index) return false;
    }
    return f < 0 && g < 0;
  }

  std::vector<Frame> frames;
  std::vector<Entry> entries;

 private:
  void keep(std::string_view name, int index, std::span<const std::uint8_t> value) {
    entries.push_back({cur_, name, index, 0, pool.size(), value.size(), true});
    pool.insert(pool.end(), value.begin(), value.end());
  }
  std::vector<std::uint8_t> pool;
  int cur_ = -1;
};

// `like`: a walk of a state of about the same shape, whose sizes are
// reserved (a 1024-queue walk has some 16k entries).
Recorder record(const virtio::VirtioDevice& d, const Profile* schema, const Recorder* like = nullptr) {
  virtio::VirtioDevice copy = d;
  if (schema) copy.profile = schema;
  Recorder r;
  if (like) {
    r.entries.reserve(like->entries.size());
    r.frames.reserve(like->frames.size());
  }
  vmstate::visit_state(r, virtio::section_vmsd(copy.kind), copy);
  return r;
}

std::string show(const Recorder& r, const Recorder::Entry& e) {
  if (!e.is_bytes) return qemu_format("0x%lx", e.value);
  return vmstate::describe_bytes(r.bytes_of(e));
}

// Members no visit reaches: destination properties and what the loader
// derives (ring bookkeeping, recomputed or re-armed values); "" when those
// listed here agree.
std::string unvisited_difference(const virtio::VirtioDevice& a, const virtio::VirtioDevice& b) {
#define MC_CMP(expr)                                                                                     \
  if (!(a.expr == b.expr)) return std::string(#expr) + " differs";
  MC_CMP(kind)
  MC_CMP(transport)
  MC_CMP(host_features)
  MC_CMP(queue_max)
  MC_CMP(broken)
  MC_CMP(started)
  MC_CMP(disabled)
  MC_CMP(device_endian)
  MC_CMP(config_vector)
  MC_CMP(net.saved_guest_offloads)
  MC_CMP(net.mac_table.first_multi)
  MC_CMP(net.vqs)
  MC_CMP(net.mac_table)
  MC_CMP(balloon.stats_timer_armed)
  MC_CMP(blk.rq)
  MC_CMP(serial.active_ports)
#undef MC_CMP
  const std::size_t n = std::max<std::size_t>(a.vq.materialised(), b.vq.materialised());
  for (std::size_t i = 0; i < n; ++i) {
    const virtio::VirtQueue &x = a.vq.get(i), &y = b.vq.get(i);
    if (x == y) continue;
#define MC_VQ(member)                                                                                   \
  if (!(x.member == y.member))                                                                          \
    return qemu_format("vq[%zu].%s: 0x%lx vs 0x%lx", i, #member, static_cast<std::uint64_t>(x.member), \
                       static_cast<std::uint64_t>(y.member));
    MC_VQ(vring.num)
    MC_VQ(vring.num_default)
    MC_VQ(vring.align)
    MC_VQ(vring.desc)
    MC_VQ(vring.avail)
    MC_VQ(vring.used)
    MC_VQ(last_avail_idx)
    MC_VQ(last_avail_wrap_counter)
    MC_VQ(shadow_avail_idx)
    MC_VQ(shadow_avail_wrap_counter)
    MC_VQ(used_idx)
    MC_VQ(used_wrap_counter)
    MC_VQ(inuse)
    MC_VQ(vector)
    MC_VQ(signalled_used_valid)
    MC_VQ(notification)
#undef MC_VQ
  }
  if (!(a.pci == b.pci)) return "pci proxy differs";
  if (!(a.mmio == b.mmio)) return "mmio proxy differs";
  if (!(a.ccw == b.ccw)) return "ccw proxy differs";
  return {};
}

}  // namespace

namespace {

// Writes into a walked state the values of the entries of `from` (a walk
// of another state of the same shape) that `take` marks; the rest is left.
class Overwriter : public vmstate::Visitor {
 public:
  Overwriter(const Recorder& from, const std::vector<bool>& take) : from_(from), take_(take) {}
  void scalar(std::string_view name, int index, vmstate::ScalarKind, std::uint64_t& value) override {
    if (const Recorder::Entry* e = next(name, index)) value = e->value;
  }
  void bytes(std::string_view name, int index, std::span<std::uint8_t> value) override {
    if (const Recorder::Entry* e = next(name, index); e && e->bytes_len == value.size())
      std::ranges::copy(from_.bytes_of(*e), value.begin());
  }
  void vbytes(std::string_view name, int index, std::vector<std::uint8_t>& value, std::size_t) override {
    if (const Recorder::Entry* e = next(name, index)) {
      const auto b = from_.bytes_of(*e);
      value.assign(b.begin(), b.end());
    }
  }
  bool enter(std::string_view, int) override { return true; }
  void leave() override {}

 private:
  // The entry at this step of the walk when it is to be taken and is the
  // same field (the walks stay in step while the shapes agree).
  const Recorder::Entry* next(std::string_view name, int index) {
    const std::size_t k = i_++;
    if (k >= from_.entries.size() || !take_[k]) return nullptr;
    const Recorder::Entry& e = from_.entries[k];
    return e.name == name && e.index == index ? &e : nullptr;
  }
  const Recorder& from_;
  const std::vector<bool>& take_;
  std::size_t i_ = 0;
};

// The first difference of two walks, over the entries `keep` accepts; then
// of the members no walk reaches, with the entries `keep` refused taken from
// b; "" when none.
template <class Keep>
std::string walk_difference(const virtio::VirtioDevice& a, const virtio::VirtioDevice& b, const Profile* schema,
                            Keep keep) {
  const Recorder ra = record(a, schema ? schema : a.profile), rb = record(b, schema ? schema : a.profile, &ra);
  std::size_t i = 0, j = 0;
  for (;; ++i, ++j) {
    while (i < ra.entries.size() && !keep(ra, ra.entries[i])) ++i;
    while (j < rb.entries.size() && !keep(rb, rb.entries[j])) ++j;
    if (i == ra.entries.size() || j == rb.entries.size()) break;
    const Recorder::Entry &x = ra.entries[i], &y = rb.entries[j];
    if (!ra.same_place(x, rb, y)) return "schema walk differs: " + ra.path(x) + " vs " + rb.path(y);
    if (!ra.same_value(x, rb, y)) return ra.path(x) + ": " + show(ra, x) + " vs " + show(rb, y);
  }
  if (i != ra.entries.size() || j != rb.entries.size()) return "schema walk differs: one state has more fields";
  // The members outside the walk are compared as a whole (unvisited_difference
  // also covers the queues' ring addresses and indices): the entries the walk
  // left out first take b's values in a copy of a.
  std::vector<bool> take(rb.entries.size());
  for (std::size_t k = 0; k < take.size(); ++k) take[k] = !keep(rb, rb.entries[k]);
  if (std::find(take.begin(), take.end(), true) == take.end()) return unvisited_difference(a, b);
  virtio::VirtioDevice a2 = a;
  a2.profile = schema ? schema : a.profile;
  Overwriter w(rb, take);
  vmstate::visit_state(w, virtio::section_vmsd(a2.kind), a2);
  a2.profile = a.profile;
  return unvisited_difference(a2, b);
}

}  // namespace

std::string first_difference(const virtio::VirtioDevice& a, const virtio::VirtioDevice& b, const Profile* schema) {
  if (a == b) return {};
  const std::string d = walk_difference(a, b, schema, [](const Recorder&, const Recorder::Entry&) { return true; });
  return d.empty() ? "a member outside the schema differs" : d;
}

std::string first_difference_outside(const virtio::VirtioDevice& a, const virtio::VirtioDevice& b,
                                     const std::vector<std::string_view>& subsections) {
  if (a == b) return {};
  return walk_difference(a, b, nullptr, [&](const Recorder& r, const Recorder::Entry& e) {
    for (int f = e.frame; f >= 0; f = r.frames[static_cast<std::size_t>(f)].parent)
      if (std::find(subsections.begin(), subsections.end(), r.frames[static_cast<std::size_t>(f)].vmsd) !=
          subsections.end())
        return false;
    return true;
  });
}

std::size_t differing_fields(const virtio::VirtioDevice& a, const virtio::VirtioDevice& b) {
  const Recorder ra = record(a, nullptr), rb = record(b, a.profile, &ra);
  const std::size_t n = std::min(ra.entries.size(), rb.entries.size());
  std::size_t count = std::max(ra.entries.size(), rb.entries.size()) - n;
  for (std::size_t i = 0; i < n; ++i) {
    const Recorder::Entry &x = ra.entries[i], &y = rb.entries[i];
    if (!ra.same_value(x, rb, y)) ++count;
  }
  return count;
}

}  // namespace migcheck::harness::detail
