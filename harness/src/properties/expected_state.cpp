// What a load must give for a saved state: the saved state, except where
// QEMU's loader (of the writer's release) does not restore a field from the
// stream or recomputes it. Each such place is a named normalisation
// (docs/properties.md, "roundtrip-state"); nothing here reads the loader's
// code, only what QEMU does.
#include <algorithm>

#include "detail.h"
#include "migcheck/harness/state_rules.h"
#include "migcheck/virtio/core.h"

namespace migcheck::harness::detail {

namespace {

using virtio::VirtioDevice;
using virtio::VirtQueue;

constexpr unsigned kNetCtrlGuestOffloads = 2;  // VIRTIO_NET_F_CTRL_GUEST_OFFLOADS
constexpr unsigned kNetCtrlVlan = 19;          // VIRTIO_NET_F_CTRL_VLAN
constexpr unsigned kNetRss = 60;               // VIRTIO_NET_F_RSS
constexpr std::uint64_t kGuestOffloadsMask =   // virtio_net_guest_offloads_by_features
    (1ull << 1) | (1ull << 7) | (1ull << 8) | (1ull << 9) | (1ull << 10);
constexpr std::uint32_t kMacTableEntries = 64;

struct Ctx {
  const VirtioDevice& saved;
  const VirtioDevice& pre;  // the destination device just before the body is read
  const Profile& writer;
  bool has_ram;
  std::uint64_t ram_size;
  std::size_t nvq;  // queues the common part carries
  std::vector<std::string>* applied;
};

template <class Fn>
void step(Ctx& c, VirtioDevice& e, std::string_view name, Fn&& fn) {
  if (fn(e) && c.applied) c.applied->emplace_back(name);
}

// Sets `field` to `value`, saying whether that changed it.
// (an int, so that `set(a, x) | set(b, y)` evaluates both).
template <class T, class U>
int set(T& field, const U& value) {
  if (field == value) return 0;
  field = value;
  return 1;
}

bool carried(const Ctx& c, VirtioSub s) {
  if (!c.writer.virtio_vmstate || !(c.writer.virtio_subsections & sub_bit(s))) return false;
  const auto& vmsd = virtio::virtio_subsection(s);
  return !vmsd.needed || vmsd.needed(c.saved);
}

std::size_t slots(const VirtioDevice& a, const VirtioDevice& b) {
  return std::max<std::size_t>({a.vq.materialised(), b.vq.materialised(), 1}) ;
}

// The destination before the body: reset, with virtio-net's queues already
// laid out by pre_load_queues (7.2.20+) or by the early feature check
// (before 2.4) for the queue count / features the stream carries.
VirtioDevice preload(const VirtioDevice& reset, const VirtioDevice& saved, const Profile& writer) {
  VirtioDevice p = reset;
  if (p.kind != DeviceKind::Net) return p;
  if (writer.pre_load_queues) {
    const std::size_t nvq = saved.vq.count_leading(saved.queue_max);
    if (nvq >= 3 && nvq % 2 == 1) net_queue_layout(p, static_cast<unsigned>(nvq / 2));
  } else if (writer.features_check_early) {
    VirtioDevice f = p;
    f.guest_features = saved.guest_features & 0xffffffffu;
    net_queue_layout(p, net_layout_pairs(f));
  }
  return p;
}

// ---- the common part ------------------------------------------------------------

bool queues_beyond_nvq(const Ctx& c, VirtioDevice& e) {
  bool changed = false;
  for (std::size_t i = c.nvq; i < slots(e, c.pre); ++i) {
    VirtQueue q = e.vq.get(i);
    const VirtQueue& p = c.pre.vq.get(i);
    changed |= set(q.vring.num, p.vring.num) | set(q.vring.align, p.vring.align) |
               set(q.vring.desc, p.vring.desc) | set(q.last_avail_idx, p.last_avail_idx) |
               set(q.vector, p.vector);
    e.vq.set(i, q);
  }
  return changed;
}

// Per-queue fields the transport's queue entry does not carry.
bool entry_fields_not_on_wire(const Ctx& c, VirtioDevice& e) {
  bool changed = false;
  for (std::size_t i = 0; i < c.nvq; ++i) {
    VirtQueue& q = e.vq[i];
    const VirtQueue& p = c.pre.vq.get(i);
    if (e.transport != TransportKind::Mmio) changed |= set(q.vring.align, p.vring.align);  // mmio carries align
    if (e.transport == TransportKind::Mmio) changed |= set(q.vector, p.vector);            // mmio has no vector
  }
  if (e.transport == TransportKind::Mmio) changed |= set(e.config_vector, c.pre.config_vector);
  return changed;
}

bool no_msix_vectors(const Ctx& c, VirtioDevice& e) {
  if (e.transport != TransportKind::Pci || e.pci.msix_present()) return false;
  bool changed = set(e.config_vector, virtio::kNoVector);
  for (std::size_t i = 0; i < c.nvq; ++i) changed |= set(e.vq[i].vector, virtio::kNoVector);
  return changed;
}

// ---- subsections the writer does not send ----------------------------------------

bool unsent_virtio_subsection(const Ctx& c, VirtioDevice& e, VirtioSub s) {
  if (carried(c, s)) return false;
  const VirtioDevice& p = c.pre;
  bool changed = false;
  switch (s) {
    case VirtioSub::DeviceEndian:  // poisoned, then defaulted (endian-default)
    case VirtioSub::Features64:    // the 32-bit word only (features-low-word)
      break;
    case VirtioSub::Virtqueues:
      for (std::size_t i = 0; i < slots(e, p); ++i) {
        VirtQueue q = e.vq.get(i);
        changed |= set(q.vring.avail, p.vq.get(i).vring.avail) | set(q.vring.used, p.vq.get(i).vring.used);
        e.vq.set(i, q);
      }
      break;
    case VirtioSub::Ringsize:
      for (std::size_t i = 0; i < slots(e, p); ++i) {
        VirtQueue q = e.vq.get(i);
        changed |= set(q.vring.num_default, p.vq.get(i).vring.num_default);
        e.vq.set(i, q);
      }
      break;
    case VirtioSub::Broken: changed = set(e.broken, p.broken); break;
    case VirtioSub::ExtraState:
      if (e.transport == TransportKind::Pci) {
        changed = set(e.pci.dfselect, p.pci.dfselect) | set(e.pci.gfselect, p.pci.gfselect) |
                  set(e.pci.guest_features, p.pci.guest_features) | set(e.pci.vqs, p.pci.vqs);
      } else if (e.transport == TransportKind::Mmio) {
        changed = set(e.mmio.guest_features, p.mmio.guest_features) | set(e.mmio.vqs, p.mmio.vqs);
      }
      break;
    case VirtioSub::Started: changed = set(e.started, p.started); break;
    case VirtioSub::PackedVirtqueues:
      for (std::size_t i = 0; i < slots(e, p); ++i) {
        VirtQueue q = e.vq.get(i);
        const VirtQueue& r = p.vq.get(i);
        changed |= set(q.used_idx, r.used_idx) | set(q.used_wrap_counter, r.used_wrap_counter) |
                   set(q.last_avail_wrap_counter, r.last_avail_wrap_counter) | set(q.inuse, r.inuse);
        e.vq.set(i, q);
      }
      break;
    case VirtioSub::Disabled: changed = set(e.disabled, p.disabled); break;
    case VirtioSub::kCount: break;
  }
  return changed;
}

// Subsections nested in the transport and device parts.
bool unsent_nested(const Ctx& c, VirtioDevice& e, std::string_view name) {
  const VirtioDevice& p = c.pre;
  const std::vector<SubsectionUse> sent = needed_subsections(c.saved, c.writer);
  for (const SubsectionUse& s : sent)
    if (s.name == name) return false;
  if (name == "virtio_pci/modern_state" && e.transport == TransportKind::Pci && carried(c, VirtioSub::ExtraState))
    return set(e.pci.dfselect, p.pci.dfselect) | set(e.pci.gfselect, p.pci.gfselect) |
           set(e.pci.guest_features, p.pci.guest_features) | set(e.pci.vqs, p.pci.vqs);
  if (name == "virtio-net-device/rss" && e.kind == DeviceKind::Net) return set(e.net.rss_data, p.net.rss_data);
  if (name == "virtio-balloon-device/free-page-report" && e.kind == DeviceKind::Balloon)
    return set(e.balloon.free_page_hint_cmd_id, p.balloon.free_page_hint_cmd_id) |
           set(e.balloon.free_page_hint_status, p.balloon.free_page_hint_status);
  if (name == "virtio-balloon-device/page-poison" && e.kind == DeviceKind::Balloon)
    return set(e.balloon.poison_val, p.balloon.poison_val);
  if (name == "s390_subch_dev/orb" && e.transport == TransportKind::Ccw) return set(e.ccw.sch.orb, p.ccw.sch.orb);
  if (name == "s390_adapter_info/summary_offset" && e.transport == TransportKind::Ccw)
    return set(e.ccw.routes.adapter.summary_offset, p.ccw.routes.adapter.summary_offset);
  return false;
}

// ---- virtio_load after the subsections -----------------------------------------------

bool endian_default(const Ctx& c, VirtioDevice& e) {
  if (!carried(c, VirtioSub::DeviceEndian) || e.device_endian == virtio::kEndianUnknown)
    return set(e.device_endian, virtio::kEndianLittle);
  return false;
}

bool features_low_word(const Ctx& c, VirtioDevice& e) {
  const bool high = carried(c, VirtioSub::Features64) && (e.host_features >> 32) != 0;
  return high ? false : set(e.guest_features, e.guest_features & 0xffffffffu);
}

bool notification_reset(const Ctx& c, VirtioDevice& e) {
  bool changed = false;
  for (std::size_t i = 0; i < c.nvq; ++i)
    changed |= set(e.vq[i].signalled_used_valid, false) | set(e.vq[i].notification, true);
  return changed;
}

bool legacy_rings(const Ctx& c, VirtioDevice& e) {
  if (e.has_feature(virtio::kFVersion1)) return false;
  bool changed = false;
  for (std::size_t i = 0; i < c.nvq; ++i) {
    virtio::VRing& r = e.vq[i].vring;
    std::uint64_t avail, used;
    const bool skip_unaligned = !e.profile || e.profile->rings_skip_unaligned;
    if (legacy_ring_addresses(r, &avail, &used, skip_unaligned)) changed |= set(r.avail, avail) | set(r.used, used);
  }
  return changed;
}

// The shadow index is never on the wire: it is the pre-load value unless a
// ring check below recomputes it.
bool shadow_not_migrated(const Ctx& c, VirtioDevice& e) {
  bool changed = false;
  for (std::size_t i = 0; i < slots(e, c.pre); ++i) {
    VirtQueue q = e.vq.get(i);
    changed |= set(q.shadow_avail_idx, c.pre.vq.get(i).shadow_avail_idx) |
               set(q.shadow_avail_wrap_counter, c.pre.vq.get(i).shadow_avail_wrap_counter);
    e.vq.set(i, q);
  }
  return changed;
}

bool packed_shadow(const Ctx& c, VirtioDevice& e) {
  if (!e.has_feature(virtio::kFRingPacked)) return false;
  bool changed = false;
  for (std::size_t i = 0; i < c.nvq; ++i) {
    VirtQueue& q = e.vq[i];
    if (!q.vring.desc) continue;
    changed |= set(q.shadow_avail_idx, q.last_avail_idx) |
               set(q.shadow_avail_wrap_counter, q.last_avail_wrap_counter);
  }
  return changed;
}

// A split ring's indices as virtio_load reads them from guest memory (7.2:
// the in-use check's bookkeeping). The memory is the scenario's (ram_of):
// avail->idx is the saved shadow index, used->idx the saved used index.
bool ring_indices_from_memory(const Ctx& c, VirtioDevice& e) {
  if (!c.has_ram || !c.writer.inuse_check || e.has_feature(virtio::kFRingPacked)) return false;
  bool changed = false;
  for (std::size_t i = 0; i < c.nvq; ++i) {
    VirtQueue& q = e.vq[i];
    if (!q.vring.desc) continue;
    const VirtQueue& s = c.saved.vq.get(i);
    changed |= set(q.shadow_avail_idx, s.shadow_avail_idx) | set(q.used_idx, s.used_idx) |
               set(q.inuse, static_cast<std::uint16_t>(q.last_avail_idx - s.used_idx));
  }
  return changed;
}

// ---- device parts ------------------------------------------------------------------------

bool net_unsent_queue_state(const Ctx& c, VirtioDevice& e) {
  if (e.kind != DeviceKind::Net) return false;
  devices::Net& n = e.net;
  bool changed = false;
  if (n.max_queue_pairs <= 1) changed |= set(n.curr_queue_pairs, c.pre.net.curr_queue_pairs);
  for (std::size_t k = std::max<std::size_t>(n.curr_queue_pairs, 1); k < n.vqs.size(); ++k)
    changed |= set(n.vqs[k].tx_waiting, k < c.pre.net.vqs.size() ? c.pre.net.vqs[k].tx_waiting : 0u);
  return changed;
}

bool net_mac_table_overflow(const Ctx& c, VirtioDevice& e) {
  if (e.kind != DeviceKind::Net || e.net.mac_table.in_use <= kMacTableEntries) return false;
  e.net.mac_table.in_use = 0;
  e.net.mac_table.macs = c.pre.net.mac_table.macs;  // the buffer was not read
  return true;
}

bool net_first_multi(const Ctx&, VirtioDevice& e) {
  if (e.kind != DeviceKind::Net) return false;
  const devices::MacTable& t = e.net.mac_table;
  std::uint32_t i = 0;
  while (i < t.in_use && i < kMacTableEntries && !(t.macs[i * 6] & 1)) ++i;
  return set(e.net.mac_table.first_multi, i);
}

bool net_offloads_from_features(const Ctx&, VirtioDevice& e) {
  if (e.kind != DeviceKind::Net || e.has_feature(kNetCtrlGuestOffloads)) return false;
  return set(e.net.curr_guest_offloads, e.guest_features & kGuestOffloadsMask);
}

bool net_saved_offloads(const Ctx&, VirtioDevice& e) {
  if (e.kind != DeviceKind::Net) return false;
  return set(e.net.saved_guest_offloads, e.net.curr_guest_offloads);
}

// virtio_net_set_features from the post-load feature check (7.2; before
// 2.4 it ran before the device part, which then loaded the filter).
bool net_vlans_reset(const Ctx& c, VirtioDevice& e) {
  if (e.kind != DeviceKind::Net || c.writer.features_check_early) return false;
  auto vlans = e.net.vlans;
  vlans.fill(e.has_feature(kNetCtrlVlan) ? 0x00 : 0xff);
  return set(e.net.vlans, vlans);
}

// Before f9d6dbf0bf set_features lays virtio-net's queues out again
// (virtio_net_set_multiqueue); from 2.4 it runs after the queue loop, so
// the layout, not the stream, decides num and align of slots 2 and up, and
// the extra pairs' tx_waiting (before 2.4 it ran first: preload).
bool net_set_multiqueue_relayout(const Ctx& c, VirtioDevice& e) {
  if (e.kind != DeviceKind::Net || !net_relays_queues_after_load(c.writer)) return false;
  const VirtioDevice before = e;
  net_set_multiqueue_2014(e);
  return !(e == before);
}

bool net_rss_redirect(const Ctx& c, VirtioDevice& e) {
  if (e.kind != DeviceKind::Net || c.writer.features_check_early) return false;
  return set(e.net.rss_data.redirect, e.has_feature(kNetRss));
}

bool balloon_stats_timer(const Ctx& c, VirtioDevice& e) {
  if (e.kind != DeviceKind::Balloon) return false;
  return set(e.balloon.stats_timer_armed, e.balloon.stats_poll_interval > 0 || c.pre.balloon.stats_timer_armed);
}

bool blk_vq_index_unsent(const Ctx&, VirtioDevice& e) {
  if (e.kind != DeviceKind::Blk || e.blk.num_queues > 1) return false;
  bool changed = false;
  for (devices::BlkRequest& r : e.blk.rq) changed |= set(r.vq_index, 0u);
  return changed;
}

// Element fields only on the wire for a packed-ring host (ndescs) or only
// kept for the buffers counted (in_num/out_num entries).
bool element_unsent(const Ctx&, VirtioDevice& e) {
  bool changed = false;
  auto fix = [&](devices::VirtQueueElement& el) {
    if (!e.host_has(virtio::kFRingPacked)) changed |= set(el.ndescs, 0u);
    const std::size_t in = std::min<std::size_t>(el.in_num, 1024), out = std::min<std::size_t>(el.out_num, 1024);
    for (auto* v : {&el.in_addr, &el.in_len})
      if (v->size() != in) v->resize(in), changed = true;
    for (auto* v : {&el.out_addr, &el.out_len})
      if (v->size() != out) v->resize(out), changed = true;
  };
  for (devices::BlkRequest& r : e.blk.rq) fix(r.elem);
  for (devices::SerialPortState& p : e.serial.active_ports) {
    if (p.elem_popped) {
      fix(p.elem);
    } else {
      changed |= set(p.iov_idx, 0u) | set(p.iov_offset, 0ull) | set(p.elem, devices::VirtQueueElement{});
    }
  }
  return changed;
}

bool ccw_indicators(const Ctx&, VirtioDevice& e) {
  if (e.transport != TransportKind::Ccw) return false;
  bool changed = false;
  ccw::Proxy& p = e.ccw;
  for (ccw::IndAddr* a : {&p.indicators, &p.indicators2, &p.summary_indicator})
    if (a->len == 0) changed |= set(a->addr, 0ull);
  auto share = [&](ccw::IndAddr& later, const ccw::IndAddr& earlier) {
    if (later.len && earlier.len && later.addr == earlier.addr) changed |= set(later.len, earlier.len);
  };
  share(p.indicators2, p.indicators);
  share(p.summary_indicator, p.indicators);
  share(p.summary_indicator, p.indicators2);
  return changed;
}

}  // namespace

virtio::VirtioDevice expected_after_load(const VirtioDevice& saved, const VirtioDeviceSpec& spec,
                                         const Profile& writer, bool has_ram, std::vector<std::string>* applied) {
  const VirtioDevice pre = preload(spec.reset, saved, writer);
  Ctx c{saved, pre, writer, has_ram, 0, saved.vq.count_leading(saved.queue_max), applied};
  VirtioDevice e = saved;
  e.profile = &writer;
  step(c, e, "queues-beyond-count", [&](VirtioDevice& x) { return queues_beyond_nvq(c, x); });
  step(c, e, "queue-entry-fields-not-on-wire", [&](VirtioDevice& x) { return entry_fields_not_on_wire(c, x); });
  step(c, e, "no-msix-vectors", [&](VirtioDevice& x) { return no_msix_vectors(c, x); });
  step(c, e, "net-unsent-queue-state", [&](VirtioDevice& x) { return net_unsent_queue_state(c, x); });
  step(c, e, "net-mac-table-overflow", [&](VirtioDevice& x) { return net_mac_table_overflow(c, x); });
  step(c, e, "net-first-multi", [&](VirtioDevice& x) { return net_first_multi(c, x); });
  step(c, e, "net-offloads-from-features", [&](VirtioDevice& x) { return net_offloads_from_features(c, x); });
  step(c, e, "net-saved-offloads", [&](VirtioDevice& x) { return net_saved_offloads(c, x); });
  step(c, e, "blk-vq-index-not-on-wire", [&](VirtioDevice& x) { return blk_vq_index_unsent(c, x); });
  step(c, e, "element-fields-not-on-wire", [&](VirtioDevice& x) { return element_unsent(c, x); });
  step(c, e, "balloon-stats-timer", [&](VirtioDevice& x) { return balloon_stats_timer(c, x); });
  step(c, e, "ccw-indicators", [&](VirtioDevice& x) { return ccw_indicators(c, x); });
  for (std::string_view nested : {"s390_subch_dev/orb", "s390_adapter_info/summary_offset", "virtio-net-device/rss",
                                  "virtio-balloon-device/free-page-report", "virtio-balloon-device/page-poison",
                                  "virtio_pci/modern_state"})
    step(c, e, std::string("unsent-subsection:") + std::string(nested),
         [&](VirtioDevice& x) { return unsent_nested(c, x, nested); });
  for (unsigned s = 0; s < static_cast<unsigned>(VirtioSub::kCount); ++s) {
    const auto sub = static_cast<VirtioSub>(s);
    step(c, e, std::string("unsent-subsection:") + std::string(virtio::virtio_subsection(sub).name),
         [&](VirtioDevice& x) { return unsent_virtio_subsection(c, x, sub); });
  }
  step(c, e, "endian-default", [&](VirtioDevice& x) { return endian_default(c, x); });
  step(c, e, "features-low-word", [&](VirtioDevice& x) { return features_low_word(c, x); });
  step(c, e, "net-vlans-reset", [&](VirtioDevice& x) { return net_vlans_reset(c, x); });
  step(c, e, "net-set-multiqueue-relayout", [&](VirtioDevice& x) { return net_set_multiqueue_relayout(c, x); });
  step(c, e, "net-rss-redirect", [&](VirtioDevice& x) { return net_rss_redirect(c, x); });
  step(c, e, "notification-reset", [&](VirtioDevice& x) { return notification_reset(c, x); });
  step(c, e, "legacy-rings", [&](VirtioDevice& x) { return legacy_rings(c, x); });
  step(c, e, "shadow-not-migrated", [&](VirtioDevice& x) { return shadow_not_migrated(c, x); });
  step(c, e, "packed-shadow", [&](VirtioDevice& x) { return packed_shadow(c, x); });
  step(c, e, "ring-indices-from-memory", [&](VirtioDevice& x) { return ring_indices_from_memory(c, x); });
  return e;
}

virtio::VirtioDevice project_to_reader(const VirtioDevice& state, const VirtioDevice& reset, const Profile& reader) {
  VirtioDevice e = state;
  e.profile = &reader;
  e.queue_max = reset.queue_max;
  // A subsection the reader does not define: its fields are the reset's.
  for (unsigned s = 0; s < static_cast<unsigned>(VirtioSub::kCount); ++s) {
    const auto sub = static_cast<VirtioSub>(s);
    if (reader.virtio_vmstate && (reader.virtio_subsections & sub_bit(sub))) continue;
    Profile none = reader;
    none.virtio_subsections = 0;
    Ctx u{state, reset, none, false, 0, 0, nullptr};
    unsent_virtio_subsection(u, e, sub);
  }
  // Ring bookkeeping only 7.2's in-use check recomputes.
  if (!reader.inuse_check) {
    for (std::size_t i = 0; i < slots(e, reset); ++i) {
      VirtQueue q = e.vq.get(i);
      const VirtQueue& r = reset.vq.get(i);
      q.used_idx = r.used_idx;
      q.inuse = r.inuse;
      q.shadow_avail_idx = r.shadow_avail_idx;
      q.shadow_avail_wrap_counter = r.shadow_avail_wrap_counter;
      e.vq.set(i, q);
    }
  }
  return e;
}

}  // namespace migcheck::harness::detail
