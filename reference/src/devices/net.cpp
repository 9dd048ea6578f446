// virtio-net: vmstate "virtio-net-device" v11 and its load hooks
// (hw/net/virtio-net.c @ 7.2.22, spec §6.2).
#include "migcheck/defects/defects.h"
#include "migcheck/devices/net_rules.h"
#include "migcheck/virtio/core.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::devices {

using virtio::DeviceOps;
using virtio::VirtioDevice;
using vmstate::FieldPtr;
using vmstate::LoadContext;
using vmstate::Vmsd;
using vmstate::qemu_format;
using VDev = VirtioDevice;

namespace {

constexpr unsigned kCtrlGuestOffloads = 2;  // VIRTIO_NET_F_CTRL_GUEST_OFFLOADS
constexpr unsigned kCtrlVlan = 19;
constexpr unsigned kMq = 22;
constexpr unsigned kRss = 60;
constexpr std::uint64_t kGuestOffloadsMask =  // virtio_net_guest_offloads_by_features
    (1ull << 1) | (1ull << 7) | (1ull << 8) | (1ull << 9) | (1ull << 10);

// ---- per-queue tx_waiting ----------------------------------------------------

const Vmsd<NetQueue>& vmstate_queue_tx_waiting() {
  static const Vmsd<NetQueue> v{.name = "virtio-net-queue-tx_waiting",
                                .fields = {VMS_SCALAR(NetQueue, tx_waiting)}};
  return v;
}
NetQueue& first_queue(VDev& d, int) { return d.net.vqs[0]; }
NetQueue& queue_after_first(VDev& d, int i) { return d.net.vqs[static_cast<std::size_t>(i) + 1]; }
const NetQueue& cqueue_after_first(const VDev& d, int i) { return d.net.vqs[static_cast<std::size_t>(i) + 1]; }
// curr_queue_pairs_1 of VirtIONetMigTmp (uint16: never negative).
int tx_waiting_count(const VDev& d) { return d.net.curr_queue_pairs == 0 ? 0 : d.net.curr_queue_pairs - 1; }

// ---- field tests -------------------------------------------------------------

bool max_queue_pairs_gt_1(const VDev& d, int) { return d.net.max_queue_pairs > 1; }
bool has_ctrl_guest_offloads(const VDev& d, int) { return d.has_feature(kCtrlGuestOffloads); }
bool mac_table_fits(const VDev& d, int) {
  if (defects::on(defects::Defect::SignedMacInUse))  // the pre-2014 int
    return static_cast<std::int32_t>(d.net.mac_table.in_use) <= static_cast<std::int32_t>(kMacTableEntries);
  return d.net.mac_table.in_use <= kMacTableEntries;
}
bool mac_table_doesnt_fit(const VDev& d, int v) { return !mac_table_fits(d, v); }
int mac_table_bytes(const VDev& d) { return static_cast<int>(d.net.mac_table.in_use * 6u); }
// VMSTATE_UNUSED_VARRAY_UINT32: n_elems is an int, so in_use >= 2^31 skips nothing.
int mac_table_in_use_elems(const VDev& d) { return static_cast<int>(d.net.mac_table.in_use); }

// ---- VMSTATE_WITH_TMP helpers (version 0, run their own hooks) --------------

int vnet_post_load(LoadContext& ctx, VDev& d, int) {
  if (d.net.has_vnet_hdr && !d.net.peer_has_vnet_hdr)
    return ctx.reject(rules::kVnetHdr, -EINVAL, std::string(rules::kVnetHdr.qemu_message));
  return 0;
}
const Vmsd<VDev>& vmstate_has_vnet() {
  static const Vmsd<VDev> v{.name = "virtio-net-vnet",
                            .fields = {vmstate::scalar<VDev>("has_vnet_hdr", MC_REF(net.has_vnet_hdr))},
                            .post_load = vnet_post_load};
  return v;
}

int ufo_post_load(LoadContext& ctx, VDev& d, int) {
  if (d.net.has_ufo && !d.net.peer_has_ufo)
    return ctx.reject(rules::kUfo, -EINVAL, std::string(rules::kUfo.qemu_message));
  return 0;
}
const Vmsd<VDev>& vmstate_has_ufo() {
  static const Vmsd<VDev> v{.name = "virtio-net-ufo",
                            .fields = {vmstate::scalar<VDev>("has_ufo", MC_REF(net.has_ufo))},
                            .post_load = ufo_post_load};
  return v;
}

// CVE-2013-4150: checked before any tx_waiting flag is read.
int tx_waiting_pre_load(LoadContext& ctx, VDev& d) {
  if (defects::on(defects::Defect::CurrQueuePairsUnchecked) && d.net.curr_queue_pairs > d.net.max_queue_pairs) return defects::overflow("n->vqs[].tx_waiting written past max_queue_pairs");
  if (d.net.curr_queue_pairs > d.net.max_queue_pairs)
    return ctx.reject(rules::kCurrQueuePairs, -EINVAL,
                      qemu_format(rules::kCurrQueuePairs.qemu_message, d.net.curr_queue_pairs,
                                  d.net.max_queue_pairs));
  return 0;
}
const Vmsd<VDev>& vmstate_tx_waiting() {
  static const Vmsd<VDev> v{
      .name = "virtio-net-tx_waiting",
      .fields = {vmstate::structure_array<VDev, NetQueue>("vqs_1", vmstate_queue_tx_waiting, queue_after_first,
                                                          cqueue_after_first, tx_waiting_count)},
      .pre_load = tx_waiting_pre_load};
  return v;
}
VDev& self(VDev& d, int) { return d; }

// ---- virtio-net-device/rss ---------------------------------------------------

bool rss_needed(const VDev& d) { return d.net.rss_data.enabled; }
int rss_indirections(const VDev& d) { return d.net.rss_data.indirections_len; }
// VMSTATE_VARRAY_UINT16_ALLOC: the table is (re)allocated to the loaded length.
int get_indirection(LoadContext& ctx, VDev& d, int i) {
  auto& t = d.net.rss_data.indirections_table;
  if (i == 0) t.assign(d.net.rss_data.indirections_len, 0);
  t[static_cast<std::size_t>(i)] = ctx.in.be16();
  return 0;
}

class IndirectionsField final : public vmstate::Field<VDev> {
 public:
  IndirectionsField() : Field("rss_data.indirections_table") {}
  int elements(const VDev& d) const override { return rss_indirections(d); }
  int load(LoadContext& ctx, VDev& d, int i) const override { return get_indirection(ctx, d, i); }
  void save(vmstate::SaveContext& ctx, const VDev& d, int i) const override {
    const auto& t = d.net.rss_data.indirections_table;
    ctx.out.be16(static_cast<std::size_t>(i) < t.size() ? t[static_cast<std::size_t>(i)] : 0);
  }
  void visit(vmstate::Visitor& v, VDev& d, int i) const override {
    auto& t = d.net.rss_data.indirections_table;
    if (t.size() < d.net.rss_data.indirections_len) t.resize(d.net.rss_data.indirections_len);
    vmstate::visit_scalar(v, name(), i, t[static_cast<std::size_t>(i)]);
  }
};

const Vmsd<VDev>& vmstate_rss() {
  static const Vmsd<VDev> v{
      .name = "virtio-net-device/rss",
      .version_id = 1,
      .minimum_version_id = 1,
      .fields = {VMS_SCALAR(VDev, net.rss_data.enabled), VMS_SCALAR(VDev, net.rss_data.redirect),
                 VMS_SCALAR(VDev, net.rss_data.populate_hash), VMS_SCALAR(VDev, net.rss_data.hash_types),
                 VMS_SCALAR(VDev, net.rss_data.indirections_len),
                 VMS_SCALAR(VDev, net.rss_data.default_queue), VMS_BUFFER(VDev, net.rss_data.key),
                 std::make_shared<IndirectionsField>()},
      .needed = rss_needed};
  return v;
}

// ---- post-load ---------------------------------------------------------------

int post_load_device(LoadContext& ctx, VDev& d, int) {
  Net& n = d.net;
  if (defects::on(defects::Defect::SignedMacInUse) && static_cast<std::int32_t>(n.mac_table.in_use) < 0) return defects::overflow("mac_table.macs overrun: in_use * 6 bytes copied into 384");
  const bool too_many = defects::on(defects::Defect::SignedMacInUse)
                            ? static_cast<std::int32_t>(n.mac_table.in_use) > static_cast<std::int32_t>(kMacTableEntries)
                            : n.mac_table.in_use > kMacTableEntries;
  if (too_many) {
    ctx.apply(rules::kMacTableOverflow, {},
              qemu_format("mac_table.in_use 0x%x > %u: entries discarded, in_use := 0", n.mac_table.in_use,
                          kMacTableEntries));
    n.mac_table.in_use = 0;
  }
  if (!d.has_feature(kCtrlGuestOffloads)) n.curr_guest_offloads = d.guest_features & kGuestOffloadsMask;
  n.saved_guest_offloads = n.curr_guest_offloads;
  std::uint32_t i = 0;
  for (; i < n.mac_table.in_use; ++i)
    if (n.mac_table.macs[i * 6] & 1) break;
  n.mac_table.first_multi = i;
  if (n.rss_data.enabled && !n.rss_data.populate_hash)
    // warn_report: printed with QEMU's "warning: " prefix; the load goes on.
    ctx.apply(rules::kRssSoftware, "warning: " + std::string(rules::kRssSoftware.qemu_message));
  return 0;
}

const Vmsd<VDev>& vmstate_virtio_net_device() {
  static const Vmsd<VDev> v{
      .name = "virtio-net-device",
      .version_id = 11,  // VIRTIO_NET_VM_VERSION
      .minimum_version_id = 11,
      .fields =
          {
              vmstate::buffer<VDev>("mac", MC_REF(net.mac)),
              vmstate::structure<VDev, NetQueue>("vqs", vmstate_queue_tx_waiting, first_queue),
              vmstate::scalar<VDev>("mergeable_rx_bufs", MC_REF(net.mergeable_rx_bufs)),
              vmstate::scalar<VDev>("status", MC_REF(net.status)),
              vmstate::scalar<VDev>("promisc", MC_REF(net.promisc)),
              vmstate::scalar<VDev>("allmulti", MC_REF(net.allmulti)),
              vmstate::scalar<VDev>("mac_table.in_use", MC_REF(net.mac_table.in_use)),
              vmstate::when<VDev>(
                  vmstate::buffer<VDev>("mac_table.macs", MC_REF(net.mac_table.macs), mac_table_bytes),
                  mac_table_fits),
              vmstate::when<VDev>(vmstate::unused<VDev>(6, mac_table_in_use_elems), mac_table_doesnt_fit),
              vmstate::buffer<VDev>("vlans", MC_REF(net.vlans)),
              vmstate::structure<VDev, VDev>("tmp", vmstate_has_vnet, self),
              vmstate::scalar<VDev>("mac_table.multi_overflow", MC_REF(net.mac_table.multi_overflow)),
              vmstate::scalar<VDev>("mac_table.uni_overflow", MC_REF(net.mac_table.uni_overflow)),
              vmstate::scalar<VDev>("alluni", MC_REF(net.alluni)),
              vmstate::scalar<VDev>("nomulti", MC_REF(net.nomulti)),
              vmstate::scalar<VDev>("nouni", MC_REF(net.nouni)),
              vmstate::scalar<VDev>("nobcast", MC_REF(net.nobcast)),
              vmstate::structure<VDev, VDev>("tmp", vmstate_has_ufo, self),
              vmstate::when<VDev>(vmstate::equal<VDev>("max_queue_pairs", MC_REF(net.max_queue_pairs)),
                                  max_queue_pairs_gt_1),
              vmstate::when<VDev>(vmstate::scalar<VDev>("curr_queue_pairs", MC_REF(net.curr_queue_pairs)),
                                  max_queue_pairs_gt_1),
              vmstate::structure<VDev, VDev>("tmp", vmstate_tx_waiting, self),
              vmstate::when<VDev>(vmstate::scalar<VDev>("curr_guest_offloads", MC_REF(net.curr_guest_offloads)),
                                  has_ctrl_guest_offloads),
          },
      .subsections = {&vmstate_rss()},
      .post_load = post_load_device};
  return v;
}

// ---- queue layout (virtio_net_change_num_queues) ----------------------------

// virtio_add_queue: the first slot with vring.num == 0. QEMU scans from slot
// 0 each time; callers here add their queues after all deletions, so the
// scan goes on from `from`, the slot after the last one added (the slots
// before it are taken): resizing to 1024 queues is linear, not quadratic,
// which fuzz inputs with a large max_queue_pairs made a million traced
// comparisons per run.
int add_queue(VDev& d, std::uint32_t size, std::uint32_t& from) {
  for (std::uint32_t i = from; i < d.queue_max; ++i) {
    virtio::VRing& r = d.vq[i].vring;
    if (r.num == 0) {
      r.num = r.num_default = size;
      r.align = virtio::kVringAlign;
      from = i + 1;
      return static_cast<int>(i);
    }
  }
  from = d.queue_max;
  return -1;  // QEMU: abort()
}
void del_queue(VDev& d, std::uint32_t i) {
  if (i >= d.queue_max) return;
  d.vq[i].vring.num = 0;
  d.vq[i].vring.num_default = 0;
}

// Returns 0, or the QEMU fate when the resize corrupts memory or asserts.
int change_num_queues(LoadContext* ctx, VDev& d, int new_num) {
  Net& n = d.net;
  const int old_num = static_cast<int>(d.vq.count_leading(d.queue_max));
  auto defect = [&](const LoadRule& rule, std::string why) {
    return ctx ? ctx->reject(rule, -EINVAL, {}, std::move(why)) : -EINVAL;
  };
  if (old_num < 3 || old_num % 2 != 1)
    return defect(rules::kQueueLayoutAssert,
                  qemu_format("virtio_net_change_num_queues: %d queues before resizing to %d "
                              "(assert old_num_queues >= 3 && odd)", old_num, new_num));
  if (old_num == new_num) return 0;
  del_queue(d, static_cast<std::uint32_t>(old_num - 1));
  std::vector<bool> deleted(n.vqs.size(), false);
  for (int i = new_num - 1; i < old_num - 1; i += 2) {
    const int pair = i / 2;  // C division: -1 / 2 == 0
    if (pair < 0 || static_cast<std::size_t>(pair) >= n.vqs.size() || deleted[static_cast<std::size_t>(pair)])
      return defect(rules::kPreLoadQueues,
                    qemu_format("resizing %d -> %d queues deletes queue pair %d twice", old_num, new_num, pair));
    deleted[static_cast<std::size_t>(pair)] = true;
    del_queue(d, static_cast<std::uint32_t>(pair * 2));
    del_queue(d, static_cast<std::uint32_t>(pair * 2 + 1));
    n.vqs[static_cast<std::size_t>(pair)].tx_waiting = 0;
  }
  std::uint32_t free_from = 0;
  for (int i = old_num - 1; i < new_num - 1; i += 2) {
    const int pair = i / 2;
    if (static_cast<std::size_t>(pair) >= n.vqs.size())
      return defect(rules::kPreLoadQueues,
                    qemu_format("resizing %d -> %d queues writes n->vqs[%d] of %zu", old_num, new_num, pair,
                                n.vqs.size()));
    if (add_queue(d, n.rx_queue_size, free_from) < 0 || add_queue(d, n.tx_queue_size, free_from) < 0)
      return defect(rules::kQueueLayoutAssert, "virtio_add_queue: no free queue slot (abort)");
    n.vqs[static_cast<std::size_t>(pair)].tx_waiting = 0;
  }
  if (add_queue(d, 64, free_from) < 0)
    return defect(rules::kQueueLayoutAssert, "virtio_add_queue: no free queue slot (abort)");
  return 0;
}

// 7.2.20+: the device is resized to the stream's queue count before the
// per-queue entries are read, with no check of that count (spec §6.2.6).
int pre_load_queues(LoadContext& ctx, VDev& d, std::uint32_t n) {
  if (!d.profile || !d.profile->pre_load_queues) return 0;
  return change_num_queues(&ctx, d, static_cast<int>(n));
}

// virtio_net_set_multiqueue before f9d6dbf0bf (the 2014 and 2.4 profiles):
// slots 2..2*max_queues+1 are deleted and the extra pairs and the control
// queue added again on every set_features, so the layout does not depend on
// the queue count the stream loaded, and nothing asserts. Each extra pair's
// tx_waiting is cleared, also one the device part just loaded (2.4 sets the
// features after it).
void set_multiqueue_2014(VDev& d, bool mq) {
  Net& n = d.net;
  const std::uint32_t last = 2u * n.max_queue_pairs + 1;
  for (std::uint32_t i = 2; i <= last; ++i) del_queue(d, i);
  const std::size_t pairs = mq ? std::min<std::size_t>(n.max_queue_pairs, n.vqs.size()) : 1;
  std::uint32_t free_from = 0;
  for (std::size_t pair = 1; pair < pairs; ++pair) {
    // Two slots were freed for every pair added: virtio_add_queue cannot abort.
    add_queue(d, n.rx_queue_size, free_from);
    add_queue(d, n.tx_queue_size, free_from);
    n.vqs[pair].tx_waiting = 0;
  }
  add_queue(d, 64, free_from);
}

// vdc->set_features, from the post-load feature check: multiqueue decides the
// queue layout again, and the VLAN filter is reset with the features, also
// on the migration target, so a loaded filter does not survive.
int set_features(LoadContext& ctx, VDev& d, std::uint64_t features) {
  Net& n = d.net;
  const bool mq = (features & virtio::bit(kMq)) || (features & virtio::bit(kRss));
  if (d.profile && !d.profile->net_change_num_queues)
    set_multiqueue_2014(d, mq);
  else if (int ret = change_num_queues(&ctx, d, mq ? n.max_queue_pairs * 2 + 1 : 3))
    return ret;
  const auto before = n.vlans;
  n.vlans.fill((features & virtio::bit(kCtrlVlan)) ? 0x00 : 0xff);
  if (n.vlans != before)
    ctx.apply(rules::kVlansReset, {}, "virtio_net_set_features resets the VLAN filter loaded from the stream");
  n.rss_data.redirect = features & virtio::bit(kRss);
  if (n.has_vnet_hdr) n.curr_guest_offloads = features & kGuestOffloadsMask;
  return 0;
}

// vdc->post_load: restores the offloads the device part loaded.
int post_load(LoadContext&, VDev& d) {
  d.net.curr_guest_offloads = d.net.saved_guest_offloads;
  return 0;
}

}  // namespace

const DeviceOps& net_ops() {
  static const DeviceOps ops{.kind = DeviceKind::Net,
                             .vmsd_name = "virtio-net",
                             .version_id = 11,
                             .minimum_version_id = 11,
                             .vmsd = vmstate_virtio_net_device,
                             .pre_load_queues = pre_load_queues,
                             .set_features = set_features,
                             .post_load = post_load};
  return ops;
}

const Vmsd<VirtioDevice>& net_device_vmsd() { return vmstate_virtio_net_device(); }

}  // namespace migcheck::devices
