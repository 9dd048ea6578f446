// The named constraints of constraints.h.
#include "migcheck/generators/constraints.h"

#include <algorithm>
#include <array>

#include "migcheck/harness/state_rules.h"
#include "migcheck/profile/profile.h"
#include "migcheck/virtio/core.h"
#include "migcheck/virtio/features.h"

namespace migcheck::gen {

namespace {

using virtio::VirtioDevice;
using virtio::VirtQueue;

constexpr unsigned kNetCtrlGuestOffloads = 2;
constexpr unsigned kNetCtrlVlan = 19;
constexpr unsigned kNetRss = 60;
constexpr std::uint64_t kGuestOffloadsMask = (1ull << 1) | (1ull << 7) | (1ull << 8) | (1ull << 9) | (1ull << 10);
constexpr unsigned kBalloonFreePageHint = 3;
constexpr unsigned kBalloonPagePoison = 4;

std::size_t queue_count(const VirtioDevice& d) { return d.vq.count_leading(d.queue_max); }

bool knows(const Profile& p, VirtioSub s) { return p.virtio_vmstate && (p.virtio_subsections & sub_bit(s)); }

// Can the guest have resized this queue? Only a modern driver can write the
// queue size (VIRTIO_PCI_COMMON_Q_SIZE, mmio QueueNum, ccw CCW_CMD_SET_VQ).
bool resizable(const VirtioDevice& d) {
  if (!d.has_feature(virtio::kFVersion1)) return false;
  if (d.transport == TransportKind::Pci) return d.pci.modern;
  if (d.transport == TransportKind::Mmio) return !d.mmio.legacy;
  return true;
}

void queue_sel_below_qmax(VirtioDevice& d, ConstraintContext& c) {
  std::uint32_t qmax = std::min(d.queue_max, c.writer.queue_max);
  // Old-reader cases keep it within the reader's limit too, except now and
  // then (the reader-qmax exception of old-reader).
  if (c.reader && c.next() % 8) qmax = std::min(qmax, c.reader->queue_max);
  d.queue_sel = static_cast<std::uint16_t>(d.queue_sel % qmax);
}

void features_within_host(VirtioDevice& d, ConstraintContext& c) {
  d.guest_features &= d.host_features;
  if (!knows(c.writer, VirtioSub::Features64)) d.guest_features &= 0xffffffffu;
}

void net_queue_layout(VirtioDevice& d, ConstraintContext&) {
  if (d.kind == DeviceKind::Net) harness::net_queue_layout(d, harness::net_layout_pairs(d));
}

void queues_beyond_count_reset(VirtioDevice& d, ConstraintContext& c) {
  const std::size_t n = queue_count(d);
  for (std::size_t i = n; i < d.vq.materialised(); ++i) {
    VirtQueue q = c.spec.reset.vq.get(i);
    // Keep what the layout gave the slot (a deleted queue has num 0).
    q.vring.num = d.vq.get(i).vring.num;
    q.vring.num_default = d.vq.get(i).vring.num_default;
    q.vring.align = d.vq.get(i).vring.align;
    d.vq.set(i, q);
  }
  if (d.transport == TransportKind::Pci)
    for (std::size_t i = n; i < d.pci.vqs.materialised(); ++i) d.pci.vqs.set(i, pci::ModernQueue{});
  if (d.transport == TransportKind::Mmio)
    for (std::size_t i = n; i < d.mmio.vqs.materialised(); ++i) d.mmio.vqs.set(i, mmio::QueueState{});
}

void ring_size(VirtioDevice& d, ConstraintContext& c) {
  const VirtioDevice& layout = c.layout ? *c.layout : c.spec.reset;
  const std::size_t n = layout.vq.count_leading(layout.queue_max);
  const std::size_t slots = std::max(d.vq.materialised(), n);
  for (std::size_t i = 0; i < slots; ++i) {
    virtio::VRing& r = d.vq[i].vring;
    const virtio::VRing& l = layout.vq.get(i).vring;
    r.num = l.num;
    r.num_default = l.num_default;
    r.align = l.align ? l.align : virtio::kVringAlign;
    if (i >= n) continue;
    if (resizable(d) && c.next() % 3 == 0) r.num = 1u << (c.next() % 11);  // 1 .. 1024
    if (d.transport == TransportKind::Mmio && c.next() % 2) r.align = 1u << (2 + c.next() % 11);
  }
}

void ring_placement(VirtioDevice& d, ConstraintContext& c) {
  const std::size_t n = queue_count(d);
  const bool modern = d.has_feature(virtio::kFVersion1);
  for (std::size_t i = 0; i < n; ++i) {
    virtio::VRing& r = d.vq[i].vring;
    const std::uint64_t base = c.ring_base + i * kRingWindow;
    if (c.next() % 4 == 0) {  // not set up by the driver yet
      r.desc = r.avail = r.used = 0;
      continue;
    }
    r.desc = base;
    if (!modern) {
      harness::legacy_ring_addresses(r, &r.avail, &r.used);
    } else {
      r.avail = base + 16ull * r.num + 2 * (c.next() % 64);  // 2-aligned
      r.used = base + 0x4c00 + 4 * (c.next() % 64);           // 4-aligned, past avail
    }
  }
}

void ring_indices(VirtioDevice& d, ConstraintContext& c) {
  const std::size_t n = queue_count(d);
  const bool packed = d.has_feature(virtio::kFRingPacked);
  for (std::size_t i = 0; i < n; ++i) {
    VirtQueue& q = d.vq[i];
    q.signalled_used_valid = c.next() % 2;
    q.notification = c.next() % 2;
    if (!q.vring.desc) {
      q.last_avail_idx = q.used_idx = q.shadow_avail_idx = 0;
      q.inuse = 0;
      q.last_avail_wrap_counter = q.used_wrap_counter = q.shadow_avail_wrap_counter = true;
      continue;
    }
    const std::uint32_t num = q.vring.num;
    if (packed) {
      q.last_avail_idx = static_cast<std::uint16_t>(q.last_avail_idx % num);
      q.used_idx = static_cast<std::uint16_t>(q.used_idx % num);
      q.inuse = q.inuse % (num + 1);
      q.shadow_avail_idx = q.last_avail_idx;
      q.shadow_avail_wrap_counter = q.last_avail_wrap_counter;
    } else {
      const std::uint32_t nheads = c.next() % (num + 1), inuse = c.next() % (num + 1);
      q.shadow_avail_idx = static_cast<std::uint16_t>(q.last_avail_idx + nheads);
      q.used_idx = static_cast<std::uint16_t>(q.last_avail_idx - inuse);
      q.inuse = inuse;
      q.last_avail_wrap_counter = q.used_wrap_counter = q.shadow_avail_wrap_counter = true;
    }
  }
}

void queue_vectors(VirtioDevice& d, ConstraintContext& c) {
  const std::size_t n = queue_count(d);
  auto fix = [&](std::uint16_t& v, std::uint16_t reset) {
    if (d.transport == TransportKind::Mmio) v = reset;
    else if (d.transport == TransportKind::Pci && !d.pci.msix_present()) v = virtio::kNoVector;
    else if (d.transport == TransportKind::Pci && v != virtio::kNoVector && v >= d.pci.nvectors)
      v = c.next() % 2 ? virtio::kNoVector : static_cast<std::uint16_t>(v % d.pci.nvectors);
  };
  fix(d.config_vector, c.spec.reset.config_vector);
  for (std::size_t i = 0; i < n; ++i) fix(d.vq[i].vector, c.spec.reset.vq.get(i).vector);
}

void pci_config(VirtioDevice& d, ConstraintContext& c) {
  if (d.transport != TransportKind::Pci) return;
  pci::Proxy& p = d.pci;
  const pci::Proxy& reset = c.spec.reset.pci;
  if (reset.reset && p.config.size() == reset.reset->config.size())
    for (std::size_t i = 0; i < p.config.size(); ++i)
      p.config[i] = static_cast<std::uint8_t>((reset.reset->config[i] & reset.reset->checked[i]) |
                                              (p.config[i] & ~reset.reset->checked[i]));
  for (std::int32_t& level : p.irq_state) level &= 1;
  p.version_id = reset.version_id;
}

void transport_state(VirtioDevice& d, ConstraintContext& c) {
  const VirtioDevice& reset = c.spec.reset;
  if (d.transport == TransportKind::Pci && !d.pci.modern) {
    d.pci.dfselect = reset.pci.dfselect;
    d.pci.gfselect = reset.pci.gfselect;
    d.pci.guest_features = reset.pci.guest_features;
    d.pci.vqs = reset.pci.vqs;
  }
  if (d.transport == TransportKind::Mmio && d.mmio.legacy) {
    d.mmio.guest_features = reset.mmio.guest_features;
    d.mmio.vqs = reset.mmio.vqs;
  }
  if (d.transport == TransportKind::Ccw) {
    ccw::Proxy& p = d.ccw;
    p.sch.cssid = reset.ccw.sch.cssid;
    p.sch.ssid = reset.ccw.sch.ssid;
    p.sch.devno = reset.ccw.sch.devno;
    if (!p.css_migration) {
      p.sch.orb = reset.ccw.sch.orb;
      p.routes.adapter.summary_offset = reset.ccw.routes.adapter.summary_offset;
    }
    std::array<ccw::IndAddr*, 3> ind = {&p.indicators, &p.indicators2, &p.summary_indicator};
    for (ccw::IndAddr* a : ind)
      if (a->len <= 0) *a = ccw::IndAddr{};  // pre_save writes len 0, addr 0 for NULL
    for (std::size_t i = 1; i < ind.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (ind[i]->len && ind[j]->len && ind[i]->addr == ind[j]->addr) ind[i]->len = ind[j]->len;
  }
}

void endian_known(VirtioDevice& d, ConstraintContext&) {
  if (d.device_endian != virtio::kEndianBig) d.device_endian = virtio::kEndianLittle;
}

void started_needs_use_started(VirtioDevice& d, ConstraintContext&) {
  if (!d.use_started) d.started = false;
}

void disabled_needs_flag(VirtioDevice& d, ConstraintContext& c) {
  if (!c.dest.machine.virtio_use_disabled_flag || d.transport != TransportKind::Pci) d.disabled = false;
}

void within_writer_release(VirtioDevice& d, ConstraintContext& c) {
  const Profile& w = c.writer;
  if (!knows(w, VirtioSub::DeviceEndian)) d.device_endian = virtio::kEndianLittle;
  if (!knows(w, VirtioSub::Broken)) d.broken = false;
  if (!knows(w, VirtioSub::Started)) d.started = false;
  if (!knows(w, VirtioSub::Disabled)) d.disabled = false;
  if (!knows(w, VirtioSub::Ringsize))
    for (std::size_t i = 0; i < queue_count(d); ++i) d.vq[i].vring.num = d.vq[i].vring.num_default;
}

void net_state(VirtioDevice& d, ConstraintContext& c) {
  if (d.kind != DeviceKind::Net) return;
  devices::Net& n = d.net;
  const devices::Net& reset = c.spec.reset.net;
  n.max_queue_pairs = reset.max_queue_pairs;  // VMSTATE_UINT16_EQUAL: the destination's own
  n.has_vnet_hdr = 0;  // no peer: the destination refuses a vnet header
  n.has_ufo = 0;
  const unsigned pairs = harness::net_layout_pairs(d);
  n.curr_queue_pairs = static_cast<std::uint16_t>(pairs > 1 ? 1 + c.next() % pairs : 1);
  n.vqs.resize(reset.vqs.size());
  for (std::size_t k = n.curr_queue_pairs; k < n.vqs.size(); ++k) n.vqs[k] = devices::NetQueue{};
  if (n.mac_table.in_use > 64) n.mac_table.in_use %= 65;
  for (std::size_t b = n.mac_table.in_use * 6; b < n.mac_table.macs.size(); ++b) n.mac_table.macs[b] = 0;
  std::uint32_t first = 0;
  while (first < n.mac_table.in_use && !(n.mac_table.macs[first * 6] & 1)) ++first;
  n.mac_table.first_multi = first;
  if (!d.has_feature(kNetCtrlVlan)) n.vlans.fill(0xff);
  const std::uint64_t offloads = d.guest_features & kGuestOffloadsMask;
  n.curr_guest_offloads = d.has_feature(kNetCtrlGuestOffloads) ? n.curr_guest_offloads & offloads : offloads;
  n.saved_guest_offloads = n.curr_guest_offloads;
  if (!d.has_feature(kNetRss)) {
    n.rss_data = reset.rss_data;
  } else {
    n.rss_data.redirect = true;
    n.rss_data.indirections_table.resize(n.rss_data.indirections_len);
  }
}

void element(devices::VirtQueueElement& e, const VirtioDevice& d, std::uint32_t queue_num, ConstraintContext& c) {
  e.index = queue_num ? e.index % queue_num : 0;
  e.in_num = std::min<std::uint32_t>(e.in_num, 4);
  e.out_num = std::min<std::uint32_t>(e.out_num, 4);
  if (e.in_num + e.out_num == 0) e.out_num = 1;
  auto buffers = [&](std::vector<std::uint64_t>& addr, std::vector<std::uint64_t>& len, std::uint32_t num) {
    addr.resize(num);
    len.resize(num);
    for (std::uint32_t i = 0; i < num; ++i) {
      len[i] = 1 + c.next() % 4096;
      addr[i] = c.buffer_base + (c.next() % (kBufferSpace - 4096));
    }
  };
  buffers(e.in_addr, e.in_len, e.in_num);
  buffers(e.out_addr, e.out_len, e.out_num);
  e.ndescs = d.host_has(virtio::kFRingPacked) ? 1 + c.next() % 4 : 0;
}

void blk_requests(VirtioDevice& d, ConstraintContext& c) {
  if (d.kind != DeviceKind::Blk) return;
  const std::size_t n = std::max<std::size_t>(queue_count(d), 1);
  for (devices::BlkRequest& r : d.blk.rq) {
    r.vq_index = d.blk.num_queues > 1 ? r.vq_index % std::min<std::size_t>(d.blk.num_queues, n) : 0;
    element(r.elem, d, d.vq.get(r.vq_index).vring.num, c);
  }
}

void serial_ports(VirtioDevice& d, ConstraintContext& c) {
  if (d.kind != DeviceKind::Serial) return;
  auto& ports = d.serial.active_ports;
  const auto& have = c.spec.reset.serial.ports;
  if (ports.size() > have.size()) ports.resize(have.size());
  for (std::size_t i = 0; i < ports.size(); ++i) {
    devices::SerialPortState& p = ports[i];
    p.id = have[i].id;
    if (!p.elem_popped) {
      p.iov_idx = 0;
      p.iov_offset = 0;
      p.elem = devices::VirtQueueElement{};
      continue;
    }
    element(p.elem, d, d.vq.get(0).vring.num, c);
    p.iov_idx = p.elem.out_num ? p.iov_idx % p.elem.out_num : 0;
    const std::uint64_t len = p.iov_idx < p.elem.out_len.size() ? p.elem.out_len[p.iov_idx] : 0;
    p.iov_offset = len ? p.iov_offset % (len + 1) : 0;
  }
}

void balloon_state(VirtioDevice& d, ConstraintContext& c) {
  if (d.kind != DeviceKind::Balloon) return;
  const devices::Balloon& reset = c.spec.reset.balloon;
  if (!d.has_feature(kBalloonFreePageHint)) {
    d.balloon.free_page_hint_cmd_id = reset.free_page_hint_cmd_id;
    d.balloon.free_page_hint_status = reset.free_page_hint_status;
  } else {
    d.balloon.free_page_hint_status %= 4;  // STOP, REQUESTED, START, DONE
  }
  if (!d.has_feature(kBalloonPagePoison)) d.balloon.poison_val = reset.poison_val;
  d.balloon.stats_timer_armed = reset.stats_timer_armed || d.balloon.stats_poll_interval > 0;
}

constexpr Constraint kConstraints[] = {
    {"queue-sel-below-qmax", "QEMU stores queue_sel only when it is below VIRTIO_QUEUE_MAX", queue_sel_below_qmax},
    {"features-within-host", "virtio_set_features refuses bits the host does not offer", features_within_host},
    {"net-queue-layout", "virtio_net_set_features lays out 2*pairs+1 queues for MQ/RSS, else 3", net_queue_layout},
    {"queues-beyond-count-reset", "slots after the last queue were never set up", queues_beyond_count_reset},
    {"ring-size", "num_default is the device's size; only a modern driver resizes, to a power of two <= 1024",
     ring_size},
    {"within-writer-release", "a release has no state for subsections it does not define", within_writer_release},
    {"ring-placement", "rings lie in guest RAM; legacy avail/used follow desc, num and align", ring_placement},
    {"ring-indices", "desc == 0 => indices 0; avail - last_avail <= num; last_avail - used = inuse <= num",
     ring_indices},
    {"queue-vectors", "an MSI-X vector names an entry (or NO_VECTOR); no MSI-X: NO_VECTOR", queue_vectors},
    {"pci-config", "checked config bits are the device's; IRQ levels are 0/1; PCIDevice version is 2", pci_config},
    {"transport-state", "modern register state only on modern proxies; ccw subchannel and indicators as QEMU keeps",
     transport_state},
    {"endian-known", "device_endian is LITTLE or BIG after reset (never UNKNOWN)", endian_known},
    {"started-needs-use-started", "vdev->started is only set with use-started", started_needs_use_started},
    {"disabled-needs-flag", "vdev->disabled is only set with use-disabled-flag (machines >= 5.0, virtio-pci)",
     disabled_needs_flag},
    {"net-state", "no vnet header without a peer; curr_queue_pairs <= max; MAC table <= 64; VLAN filter and "
                  "offloads follow features; RSS only when negotiated",
     net_state},
    {"blk-requests", "in-flight requests name an existing queue and map to guest RAM", blk_requests},
    {"serial-ports", "active ports are the destination's; a popped element maps to guest RAM", serial_ports},
    {"balloon-state", "free-page and poison state only with their features; the stats timer follows polling",
     balloon_state},
};

}  // namespace

std::span<const Constraint> constraints() { return kConstraints; }

std::size_t max_queues(const VirtioDevice& reset) {
  const std::size_t n = reset.vq.count_leading(reset.queue_max);
  return reset.kind == DeviceKind::Net ? std::max<std::size_t>(n, 2ull * reset.net.max_queue_pairs + 1) : n;
}

bool fits_writer(const Destination& dest, const Profile& writer) {
  for (const VirtioDeviceSpec& s : dest.devices) {
    if (s.reset.vq.count_leading(1024) > writer.queue_max) return false;
    for (VirtioSub sub : {VirtioSub::Features64, VirtioSub::Virtqueues, VirtioSub::ExtraState,
                          VirtioSub::PackedVirtqueues}) {
      if (writer.virtio_vmstate && (writer.virtio_subsections & sub_bit(sub))) continue;
      const auto& vmsd = virtio::virtio_subsection(sub);
      if (vmsd.needed && vmsd.needed(s.reset)) return false;
    }
  }
  return true;
}

void apply_constraints(VirtioDevice& d, ConstraintContext& ctx) {
  for (const Constraint& c : kConstraints) c.apply(d, ctx);
}

}  // namespace migcheck::gen
