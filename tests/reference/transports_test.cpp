// virtio-mmio and virtio-ccw transports (QEMU 7.2): the bytes virtio_save
// writes against hand-annotated layouts taken from the QEMU source
// (hw/virtio/virtio.c virtio_save, hw/virtio/virtio-mmio.c,
// hw/s390x/{virtio-ccw,css,ccw-device}.c, hw/intc/s390_flic.c), load/save
// round trips, truncations, the ccw "equal" checks and the extra state.
//
// Normalisation on load, documented where the tests rely on it:
// - virtio_load poisons device_endian and defaults it to little-endian when
//   no virtio/device_endian subsection came: sources here are little-endian.
// - Legacy (non-VERSION_1) devices get vring.avail/used recomputed from
//   desc/num/align (virtio_queue_update_rings): sources carry those values.
// - start_on_kick and the wire_* bookkeeping are not part of equality.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "migcheck/profile/profile.h"
#include "migcheck/transports/ccw.h"
#include "migcheck/transports/ccw_rules.h"
#include "migcheck/transports/mmio.h"
#include "migcheck/virtio/core.h"
#include "migcheck/virtio/rules.h"
#include "migcheck/vmstate/fields.h"

namespace migcheck {
namespace {

using virtio::bit;
using virtio::VirtioDevice;
using Bytes = std::vector<std::uint8_t>;

// ---- helpers -------------------------------------------------------------------

// Builds an expected wire image piece by piece: annotated literals, names,
// and runs of zeros for the long reset tails.
struct Wire {
  Bytes b;
  Wire& operator()(std::initializer_list<std::uint8_t> bytes) {
    b.insert(b.end(), bytes);
    return *this;
  }
  Wire& str(std::string_view s) {
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Wire& zeros(std::size_t n) {
    b.insert(b.end(), n, 0);
    return *this;
  }
};

Bytes save(const VirtioDevice& d) {
  wire::Writer w;
  vmstate::SaveContext ctx{w};
  virtio::virtio_save(ctx, d);
  return w.take();
}

struct Loaded {
  int ret = 0;
  vmstate::Diagnostics diag;
  int stream_error = 0;
  std::size_t consumed = 0;
};

// virtio_load as the section's "virtio" field calls it (local version 1).
// In a stream the body is followed by the section footer (0x7e, be32
// section id); it is appended so the last subsection peeks see data, not EOF.
Loaded load(std::span<const std::uint8_t> body, VirtioDevice& d) {
  Bytes framed(body.begin(), body.end());
  framed.insert(framed.end(), {/* QEMU_VM_SECTION_FOOTER */ 0x7e, /* section_id */ 0x00, 0x00, 0x00, 0x02});
  Loaded r;
  wire::Reader in(framed);
  vmstate::LoadContext ctx{in, r.diag};
  ctx.memory = nullptr;
  r.ret = virtio::virtio_load(ctx, d, virtio::device_ops(d.kind).version_id);
  r.stream_error = in.error();
  r.consumed = in.position();
  return r;
}

// The whole section body through "virtio-rng" v1, so a stream error that the
// hand-written common part leaves pending is caught by the field check, as
// vmstate_load_state does in QEMU.
Loaded load_section(std::span<const std::uint8_t> body, VirtioDevice& d) {
  Loaded r;
  wire::Reader in(body);
  vmstate::LoadContext ctx{in, r.diag};
  r.ret = vmstate::load_state(ctx, virtio::section_vmsd(d.kind), d, 1);
  r.stream_error = in.error();
  return r;
}

std::string joined(const vmstate::Diagnostics& diag) {
  std::string s;
  for (const std::string& m : diag.messages) s += m + "\n";
  return s;
}

// Every strict prefix of `body` must be refused, without crash, reading no
// further than the prefix, in bounded time.
void expect_truncations_rejected(const Bytes& body, VirtioDevice (*destination)()) {
  using Clock = std::chrono::steady_clock;
  Clock::duration slowest{};
  for (std::size_t n = 0; n < body.size(); ++n) {
    VirtioDevice d = destination();
    const auto start = Clock::now();
    const Loaded r = load_section(std::span(body).first(n), d);
    slowest = std::max(slowest, Clock::now() - start);
    ASSERT_LT(r.ret, 0) << "prefix of " << n << " bytes accepted";
    ASSERT_TRUE(r.diag.rejected()) << "prefix of " << n << " bytes";
    ASSERT_EQ(r.stream_error, -EIO) << "prefix of " << n << " bytes";
  }
  // Work is linear in the prefix: no load may take long.
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count(), 1000);
}

// Records every scalar and buffer a table exposes, then plays them back.
class Recorder final : public vmstate::Visitor {
 public:
  void scalar(std::string_view, int, vmstate::ScalarKind, std::uint64_t& value) override {
    values.push_back(value);
  }
  void bytes(std::string_view, int, std::span<std::uint8_t> value) override {
    blobs.emplace_back(value.begin(), value.end());
  }
  bool enter(std::string_view, int) override {
    ++vmsds;
    return true;
  }
  std::vector<std::uint64_t> values;
  std::vector<Bytes> blobs;
  int vmsds = 0;
};

class Player final : public vmstate::Visitor {
 public:
  explicit Player(const Recorder& r) : rec_(r) {}
  void scalar(std::string_view, int, vmstate::ScalarKind, std::uint64_t& value) override {
    value = rec_.values.at(next_++);
  }
  void bytes(std::string_view, int, std::span<std::uint8_t> value) override {
    const Bytes& b = rec_.blobs.at(blob_++);
    std::copy(b.begin(), b.end(), value.begin());
  }
  std::size_t played() const { return next_; }

 private:
  const Recorder& rec_;
  std::size_t next_ = 0;
  std::size_t blob_ = 0;
};

// One queue slot, with num_default = num (so no virtio/ringsize).
void set_queue(VirtioDevice& d, std::size_t i, std::uint32_t num, std::uint32_t align, std::uint64_t desc,
               std::uint16_t last_avail_idx, std::uint64_t avail, std::uint64_t used) {
  virtio::VirtQueue& q = d.vq[i];
  q.vring.num = q.vring.num_default = num;
  q.vring.align = align;
  q.vring.desc = desc;
  q.vring.avail = avail;
  q.vring.used = used;
  q.last_avail_idx = last_avail_idx;
}

constexpr std::uint64_t kRngHostLegacy = bit(virtio::kFNotifyOnEmpty) | bit(virtio::kFAnyLayout) |
                                         bit(virtio::kRingFIndirectDesc) | bit(virtio::kRingFEventIdx);

VirtioDevice rng(TransportKind t, std::uint64_t host_features) {
  VirtioDevice d;
  d.kind = DeviceKind::Rng;
  d.transport = t;
  d.name = "virtio-rng";
  d.device_id = virtio::kIdRng;
  d.profile = &profile_7_2();
  d.host_features = host_features;
  d.config.clear();  // virtio-rng has no config space
  return d;
}

// =================================================================================
// virtio-mmio
// =================================================================================

// Destination: legacy (force-legacy=on, the default) virtio-rng-device with
// the two queues virtio_add_queue gave it.
VirtioDevice mmio_destination_legacy() {
  VirtioDevice d = rng(TransportKind::Mmio, kRngHostLegacy);
  d.mmio.legacy = true;
  set_queue(d, 0, 8, virtio::kVringAlign, 0, 0, 0, 0);
  set_queue(d, 1, 16, virtio::kVringAlign, 0, 0, 0, 0);
  return d;
}

VirtioDevice mmio_source_legacy() {
  VirtioDevice d = mmio_destination_legacy();
  d.mmio.host_features_sel = 1;
  d.mmio.guest_features_sel = 0;
  d.mmio.guest_page_shift = 12;
  d.status = virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusDriverOk;
  d.isr = 1;
  d.queue_sel = 1;
  d.guest_features = bit(virtio::kRingFIndirectDesc) | bit(virtio::kRingFEventIdx);
  // Legacy rings: avail = desc + 16*num, used = align_up(avail + 4 + 2*num, align).
  set_queue(d, 0, 8, 0x1000, 0x12340000, 5, 0x12340080, 0x12341000);
  set_queue(d, 1, 16, 0x100, 0x12350000, 0x0102, 0x12350100, 0x12350200);
  return d;
}

VirtioDevice mmio_destination_modern() {
  VirtioDevice d = rng(TransportKind::Mmio, kRngHostLegacy | bit(virtio::kFVersion1));
  d.mmio.legacy = false;  // virtio_mmio_pre_plugged offers VERSION_1
  set_queue(d, 0, 8, virtio::kVringAlign, 0, 0, 0, 0);
  set_queue(d, 1, 16, virtio::kVringAlign, 0, 0, 0, 0);
  return d;
}

VirtioDevice mmio_source_modern() {
  VirtioDevice d = mmio_destination_modern();
  d.mmio.host_features_sel = 1;
  d.mmio.guest_features_sel = 1;
  d.status = virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusDriverOk |
             virtio::kStatusFeaturesOk;
  d.isr = 1;
  d.queue_sel = 1;
  d.guest_features = bit(virtio::kFVersion1) | bit(virtio::kRingFIndirectDesc) | bit(virtio::kRingFEventIdx);
  set_queue(d, 0, 8, 0x1000, 0x12340000, 5, 0x12340080, 0x12341000);
  set_queue(d, 1, 16, 0x1000, 0x12350000, 0x0102, 0x12350100, 0x12350200);
  d.mmio.guest_features = {0x30000000, 0x00000001};
  d.mmio.vqs[0] = {.num = 8, .enabled = true, .desc = {0x12340000, 0}, .avail = {0x12340080, 0},
                     .used = {0x12341000, 0}};
  d.mmio.vqs[1] = {.num = 16, .enabled = true, .desc = {0x12350000, 0}, .avail = {0x12350100, 0},
                     .used = {0x12350200, 0}};
  return d;
}

// virtio_save for a legacy virtio-rng-device on virtio-mmio.
Bytes mmio_expected_legacy() {
  Wire e;
  e({/* save_config: host_features_sel */ 0x00, 0x00, 0x00, 0x01,
     /* guest_features_sel */ 0x00, 0x00, 0x00, 0x00,
     /* guest_page_shift */ 0x00, 0x00, 0x00, 0x0c,
     /* status */ 0x07,
     /* isr */ 0x01,
     /* queue_sel */ 0x00, 0x01,
     /* guest_features, low 32 bits */ 0x30, 0x00, 0x00, 0x00,
     /* config_len */ 0x00, 0x00, 0x00, 0x00,
     /* number of virtqueues */ 0x00, 0x00, 0x00, 0x02,
     /* vq[0].vring.num */ 0x00, 0x00, 0x00, 0x08,
     /* vq[0].vring.align (variable alignment) */ 0x00, 0x00, 0x10, 0x00,
     /* vq[0].vring.desc */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x00,
     /* vq[0].last_avail_idx */ 0x00, 0x05,
     /* vq[1].vring.num */ 0x00, 0x00, 0x00, 0x10,
     /* vq[1].vring.align */ 0x00, 0x00, 0x01, 0x00,
     /* vq[1].vring.desc */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x35, 0x00, 0x00,
     /* vq[1].last_avail_idx */ 0x01, 0x02});
  // No save_queue; virtio-rng has no device part; vmstate "virtio" has no
  // fields and needs no subsection (little-endian, no high features, no
  // VERSION_1, ring sizes at default, not broken, legacy: no extra state).
  return e.b;
}

// Same device, non-legacy: VERSION_1 brings 64bit_features and virtqueues,
// !legacy brings the extra state.
Bytes mmio_expected_modern() {
  Wire e;
  e({/* host_features_sel */ 0x00, 0x00, 0x00, 0x01,
     /* guest_features_sel */ 0x00, 0x00, 0x00, 0x01,
     /* guest_page_shift */ 0x00, 0x00, 0x00, 0x00,
     /* status */ 0x0f,
     /* isr */ 0x01,
     /* queue_sel */ 0x00, 0x01,
     /* guest_features, low 32 bits */ 0x30, 0x00, 0x00, 0x00,
     /* config_len */ 0x00, 0x00, 0x00, 0x00,
     /* number of virtqueues */ 0x00, 0x00, 0x00, 0x02,
     /* vq[0].vring.num */ 0x00, 0x00, 0x00, 0x08,
     /* vq[0].vring.align */ 0x00, 0x00, 0x10, 0x00,
     /* vq[0].vring.desc */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x00,
     /* vq[0].last_avail_idx */ 0x00, 0x05,
     /* vq[1].vring.num */ 0x00, 0x00, 0x00, 0x10,
     /* vq[1].vring.align */ 0x00, 0x00, 0x10, 0x00,
     /* vq[1].vring.desc */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x35, 0x00, 0x00,
     /* vq[1].last_avail_idx */ 0x01, 0x02,
     /* QEMU_VM_SUBSECTION */ 0x05, /* name length */ 21});
  e.str("virtio/64bit_features");
  e({/* subsection version */ 0x00, 0x00, 0x00, 0x01,
     /* guest_features */ 0x00, 0x00, 0x00, 0x01, 0x30, 0x00, 0x00, 0x00,
     /* QEMU_VM_SUBSECTION */ 0x05, /* name length */ 17});
  e.str("virtio/virtqueues");
  e({/* subsection version */ 0x00, 0x00, 0x00, 0x01,
     /* vq[0].vring.avail */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x80,
     /* vq[0].vring.used */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x10, 0x00,
     /* vq[1].vring.avail */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x35, 0x01, 0x00,
     /* vq[1].vring.used */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x35, 0x02, 0x00});
  e.zeros(16 * 1022);  // vq[2..1023].vring.avail/used: unused slots
  e({/* QEMU_VM_SUBSECTION */ 0x05, /* name length */ 18});
  e.str("virtio/extra_state");
  e({/* subsection version */ 0x00, 0x00, 0x00, 0x01,
     // vmstate "virtio_mmio" v1: no fields; its subsection has no needed().
     /* QEMU_VM_SUBSECTION */ 0x05, /* name length */ 17});
  e.str("virtio_mmio/state");
  e({/* subsection version */ 0x00, 0x00, 0x00, 0x01,
     /* guest_features[0] */ 0x30, 0x00, 0x00, 0x00,
     /* guest_features[1] */ 0x00, 0x00, 0x00, 0x01,
     /* vqs[0].num */ 0x00, 0x08,
     /* vqs[0].enabled */ 0x01,
     /* vqs[0].desc[0], desc[1] */ 0x12, 0x34, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     /* vqs[0].avail[0], avail[1] */ 0x12, 0x34, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
     /* vqs[0].used[0], used[1] */ 0x12, 0x34, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
     /* vqs[1].num */ 0x00, 0x10,
     /* vqs[1].enabled */ 0x01,
     /* vqs[1].desc[0], desc[1] */ 0x12, 0x35, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     /* vqs[1].avail[0], avail[1] */ 0x12, 0x35, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
     /* vqs[1].used[0], used[1] */ 0x12, 0x35, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00});
  e.zeros(27 * 1022);  // vqs[2..1023]: 27 bytes each, reset
  return e.b;
}

TEST(TransportsMmio, LegacySaveMatchesQemuLayout) {
  const Bytes body = save(mmio_source_legacy());
  EXPECT_EQ(body, mmio_expected_legacy());
  EXPECT_EQ(body.size(), 64u);
}

TEST(TransportsMmio, LegacyRoundTrip) {
  const VirtioDevice src = mmio_source_legacy();
  const Bytes body = save(src);
  VirtioDevice dst = mmio_destination_legacy();
  const Loaded r = load(body, dst);
  ASSERT_EQ(r.ret, 0) << joined(r.diag);
  EXPECT_EQ(r.stream_error, 0);
  EXPECT_EQ(r.consumed, body.size());
  EXPECT_FALSE(r.diag.rejected());
  EXPECT_EQ(dst, src);
  EXPECT_EQ(save(dst), body);
}

TEST(TransportsMmio, ModernSaveMatchesQemuLayout) {
  const Bytes body = save(mmio_source_modern());
  const Bytes expected = mmio_expected_modern();
  ASSERT_EQ(body.size(), expected.size());
  EXPECT_EQ(body, expected);
  // common 64, 64bit_features 35, virtqueues 16407, extra_state header 24,
  // virtio_mmio/state header 23, guest_features 8, 1024 queue states.
  EXPECT_EQ(body.size(), 64u + 35u + 16407u + 24u + 23u + 8u + 1024u * 27u);
}

TEST(TransportsMmio, ModernRoundTrip) {
  const VirtioDevice src = mmio_source_modern();
  const Bytes body = save(src);
  VirtioDevice dst = mmio_destination_modern();
  const Loaded r = load(body, dst);
  ASSERT_EQ(r.ret, 0) << joined(r.diag);
  EXPECT_EQ(r.stream_error, 0);
  EXPECT_EQ(r.consumed, body.size());
  EXPECT_TRUE(dst.wire_subsections & sub_bit(VirtioSub::ExtraState));
  EXPECT_EQ(dst, src);
  EXPECT_EQ(save(dst), body);
}

TEST(TransportsMmio, EveryTruncationIsRejected) {
  expect_truncations_rejected(save(mmio_source_legacy()), mmio_destination_legacy);
  expect_truncations_rejected(save(mmio_source_modern()), mmio_destination_modern);
}

// virtio_mmio_bus_class_init sets load_extra_state for every proxy, so a
// legacy destination takes a non-legacy stream's extra state (the registers
// it loads are unused in legacy mode): no virtio.extra_state.no_loader.
TEST(TransportsMmio, LegacyDestinationAcceptsExtraState) {
  const VirtioDevice src = mmio_source_modern();
  VirtioDevice dst = mmio_destination_modern();
  dst.mmio.legacy = true;
  const Loaded r = load(save(src), dst);
  ASSERT_EQ(r.ret, 0) << joined(r.diag);
  EXPECT_TRUE(dst.wire_subsections & sub_bit(VirtioSub::ExtraState));
  EXPECT_EQ(dst.mmio.guest_features, src.mmio.guest_features);
  EXPECT_EQ(dst.mmio.vqs.get(1), src.mmio.vqs.get(1));
  // Its own save has no extra state: has_extra_state is !legacy.
  const Bytes resaved = save(dst);
  EXPECT_EQ(resaved.size(), save(src).size() - 24 - 23 - 8 - 1024 * 27);
  dst.mmio.legacy = false;
  EXPECT_EQ(dst, src);
}

// A legacy stream has no extra state; a non-legacy destination does not
// require it (subsection presence is not enforced) and keeps its reset
// register state.
TEST(TransportsMmio, ModernDestinationWithoutExtraState) {
  VirtioDevice src = mmio_source_legacy();
  VirtioDevice dst = mmio_destination_legacy();
  dst.mmio.legacy = false;
  const Loaded r = load(save(src), dst);
  ASSERT_EQ(r.ret, 0) << joined(r.diag);
  EXPECT_FALSE(dst.wire_subsections & sub_bit(VirtioSub::ExtraState));
  EXPECT_EQ(dst.mmio.guest_features, (std::array<std::uint32_t, 2>{}));
  EXPECT_EQ(dst.mmio.vqs.get(0), mmio::QueueState{});
  src.mmio.legacy = false;
  EXPECT_EQ(dst, src);
}

TEST(TransportsMmio, VisitRoundTrip) {
  VirtioDevice src = mmio_source_modern();
  Recorder rec;
  vmstate::visit_state(rec, mmio::save_config_table(), src);
  vmstate::visit_state(rec, mmio::vmstate_virtio_mmio(), src.mmio);
  // 3 registers; 2 feature words + 1024 x (num, enabled, 2 desc, 2 avail, 2 used).
  EXPECT_EQ(rec.values.size(), 3u + 2u + 1024u * 8u);
  // save_config, virtio_mmio, virtio_mmio/state, 1024 queue states.
  EXPECT_EQ(rec.vmsds, 3 + 1024);

  VirtioDevice dst = mmio_destination_modern();
  Player play(rec);
  vmstate::visit_state(play, mmio::save_config_table(), dst);
  vmstate::visit_state(play, mmio::vmstate_virtio_mmio(), dst.mmio);
  EXPECT_EQ(play.played(), rec.values.size());
  EXPECT_EQ(dst.mmio, src.mmio);
}

// =================================================================================
// virtio-ccw
// =================================================================================

// Destination: virtio-rng-ccw at fe.1.1234 on a css-migration machine; queue
// sizes and the 4096 alignment virtio_add_queue gives (not migrated on ccw).
VirtioDevice ccw_destination() {
  VirtioDevice d = rng(TransportKind::Ccw, kRngHostLegacy | bit(virtio::kFVersion1));
  d.ccw.css_migration = true;
  d.ccw.sch.cssid = 0xfe;
  d.ccw.sch.ssid = 0x01;
  d.ccw.sch.devno = 0x1234;
  set_queue(d, 0, 8, virtio::kVringAlign, 0, 0, 0, 0);
  set_queue(d, 1, 16, virtio::kVringAlign, 0, 0, 0, 0);
  d.config_vector = 0x400;  // VIRTIO_QUEUE_MAX: the config-change "vector"
  return d;
}

VirtioDevice ccw_source() {
  VirtioDevice d = ccw_destination();
  d.status = virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusDriverOk |
             virtio::kStatusFeaturesOk;
  d.guest_features = bit(virtio::kFVersion1) | bit(virtio::kRingFIndirectDesc) | bit(virtio::kRingFEventIdx);
  set_queue(d, 0, 8, virtio::kVringAlign, 0x12340000, 5, 0x12340080, 0x12341000);
  set_queue(d, 1, 16, virtio::kVringAlign, 0x12350000, 0x0102, 0x12350100, 0x12350200);
  d.vq[0].vector = 0;
  d.vq[1].vector = 1;

  ccw::SubchDev& s = d.ccw.sch;
  s.migrated_schid = 0x0003;
  s.thinint_active = true;
  s.curr_status.pmcw = {.intparm = 0x11223344, .flags = 0x0080, .devno = 0x1234, .lpm = 0x80, .pnom = 0,
                        .lpum = 0x80, .pim = 0x80, .mbi = 0, .pom = 0xff, .pam = 0x80,
                        .chpid = {0x05}, .chars = 0x01020304};
  s.curr_status.scsw = {.flags = 0x0102, .ctrl = 0x0304, .cpa = 0x05060708, .dstat = 0x0c, .cstat = 0,
                        .count = 0x0009};
  s.curr_status.mba = 0x1122334455667788;
  s.curr_status.mda = {1, 2, 3, 4};
  s.sense_data[0] = 0x40;
  s.channel_prog = 0x7f001000;
  s.last_cmd = {.cmd_code = 0x83, .flags = 0x20, .count = 0x0010, .cda = 0x7f002000};
  s.last_cmd_valid = true;
  s.id.reserved = 0xff;
  s.id.cu_type = 0x3832;
  s.id.cu_model = 0x04;
  s.id.ciw[0] = {.type = 0x01, .command = 0x02, .count = 0x0304};
  s.ccw_fmt_1 = true;
  s.ccw_no_data_cnt = 2;
  s.orb = {.intparm = 0xdeadbeef, .ctrl0 = 0x0080, .lpm = 0x80, .ctrl1 = 0, .cpa = 0x7f001000};
  d.ccw.indicators = {.len = 8, .addr = 0x7f003000};
  d.ccw.indicators2 = {.len = 8, .addr = 0x7f003008};
  d.ccw.summary_indicator = {.len = 1, .addr = 0x7f004000};
  d.ccw.routes.adapter = {.ind_offset = 0x10, .summary_offset = 3};
  d.ccw.thinint_isc = 3;
  d.ccw.revision = 1;
  return d;
}

// vmstate "s390_virtio_ccw_dev" v1 for ccw_source(): 495 bytes.
Bytes ccw_expected_config() {
  Wire e;
  // parent_obj: "s390_ccw_dev" -> sch: "s390_subch_dev"
  e({/* cssid (equal) */ 0xfe,
     /* ssid (equal) */ 0x01,
     /* migrated_schid */ 0x00, 0x03,
     /* devno (equal) */ 0x12, 0x34,
     /* thinint_active */ 0x01,
     /* curr_status.pmcw.intparm */ 0x11, 0x22, 0x33, 0x44,
     /* curr_status.pmcw.flags */ 0x00, 0x80,
     /* curr_status.pmcw.devno */ 0x12, 0x34,
     /* curr_status.pmcw.lpm */ 0x80,
     /* curr_status.pmcw.pnom */ 0x00,
     /* curr_status.pmcw.lpum */ 0x80,
     /* curr_status.pmcw.pim */ 0x80,
     /* curr_status.pmcw.mbi */ 0x00, 0x00,
     /* curr_status.pmcw.pom */ 0xff,
     /* curr_status.pmcw.pam */ 0x80,
     /* curr_status.pmcw.chpid[8] */ 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     /* curr_status.pmcw.chars */ 0x01, 0x02, 0x03, 0x04,
     /* curr_status.scsw.flags */ 0x01, 0x02,
     /* curr_status.scsw.ctrl */ 0x03, 0x04,
     /* curr_status.scsw.cpa */ 0x05, 0x06, 0x07, 0x08,
     /* curr_status.scsw.dstat */ 0x0c,
     /* curr_status.scsw.cstat */ 0x00,
     /* curr_status.scsw.count */ 0x00, 0x09,
     /* curr_status.mba */ 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
     /* curr_status.mda[4] */ 0x01, 0x02, 0x03, 0x04,
     /* sense_data[0] */ 0x40});
  e.zeros(31);  // sense_data[1..31]
  e({/* channel_prog */ 0x00, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x10, 0x00,
     /* last_cmd.cmd_code */ 0x83,
     /* last_cmd.flags */ 0x20,
     /* last_cmd.count */ 0x00, 0x10,
     /* last_cmd.cda */ 0x7f, 0x00, 0x20, 0x00,
     /* last_cmd_valid */ 0x01,
     /* id.reserved */ 0xff,
     /* id.cu_type */ 0x38, 0x32,
     /* id.cu_model */ 0x04,
     /* id.dev_type */ 0x00, 0x00,
     /* id.dev_model */ 0x00,
     /* id.unused */ 0x00,
     /* id.ciw[0].type */ 0x01,
     /* id.ciw[0].command */ 0x02,
     /* id.ciw[0].count */ 0x03, 0x04});
  e.zeros(61 * 4);  // id.ciw[1..61] (MAX_CIWS = 62)
  e({/* ccw_fmt_1 */ 0x01,
     /* ccw_no_data_cnt */ 0x02,
     /* QEMU_VM_SUBSECTION */ 0x05, /* name length */ 18});
  e.str("s390_subch_dev/orb");  // needed: css_migration_enabled()
  e({/* subsection version */ 0x00, 0x00, 0x00, 0x01,
     /* orb.intparm */ 0xde, 0xad, 0xbe, 0xef,
     /* orb.ctrl0 */ 0x00, 0x80,
     /* orb.lpm */ 0x80,
     /* orb.ctrl1 */ 0x00,
     /* orb.cpa */ 0x7f, 0x00, 0x10, 0x00,
     /* indicators: tmp.len */ 0x00, 0x00, 0x00, 0x08,
     /* indicators: tmp.addr */ 0x00, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x30, 0x00,
     /* indicators2: tmp.len */ 0x00, 0x00, 0x00, 0x08,
     /* indicators2: tmp.addr */ 0x00, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x30, 0x08,
     /* summary_indicator: tmp.len */ 0x00, 0x00, 0x00, 0x01,
     /* summary_indicator: tmp.addr */ 0x00, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x40, 0x00,
     /* tmp.config_vector */ 0x04, 0x00,
     /* routes.adapter.ind_offset */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
     /* QEMU_VM_SUBSECTION */ 0x05, /* name length */ 32});
  e.str("s390_adapter_info/summary_offset");  // needed: css_migration_enabled()
  e({/* subsection version */ 0x00, 0x00, 0x00, 0x01,
     /* routes.adapter.summary_offset */ 0x00, 0x00, 0x00, 0x03,
     /* thinint_isc */ 0x03,
     /* revision */ 0x00, 0x00, 0x00, 0x01});
  return e.b;
}

Bytes ccw_expected() {
  Wire e;
  e.b = ccw_expected_config();
  e({/* status */ 0x0f,
     /* isr */ 0x00,
     /* queue_sel */ 0x00, 0x00,
     /* guest_features, low 32 bits */ 0x30, 0x00, 0x00, 0x00,
     /* config_len */ 0x00, 0x00, 0x00, 0x00,
     /* number of virtqueues */ 0x00, 0x00, 0x00, 0x02,
     /* vq[0].vring.num (no align on ccw) */ 0x00, 0x00, 0x00, 0x08,
     /* vq[0].vring.desc */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x00,
     /* vq[0].last_avail_idx */ 0x00, 0x05,
     /* save_queue: vq[0] vector */ 0x00, 0x00,
     /* vq[1].vring.num */ 0x00, 0x00, 0x00, 0x10,
     /* vq[1].vring.desc */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x35, 0x00, 0x00,
     /* vq[1].last_avail_idx */ 0x01, 0x02,
     /* save_queue: vq[1] vector */ 0x00, 0x01,
     /* QEMU_VM_SUBSECTION */ 0x05, /* name length */ 21});
  e.str("virtio/64bit_features");
  e({/* subsection version */ 0x00, 0x00, 0x00, 0x01,
     /* guest_features */ 0x00, 0x00, 0x00, 0x01, 0x30, 0x00, 0x00, 0x00,
     /* QEMU_VM_SUBSECTION */ 0x05, /* name length */ 17});
  e.str("virtio/virtqueues");
  e({/* subsection version */ 0x00, 0x00, 0x00, 0x01,
     /* vq[0].vring.avail */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x80,
     /* vq[0].vring.used */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x10, 0x00,
     /* vq[1].vring.avail */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x35, 0x01, 0x00,
     /* vq[1].vring.used */ 0x00, 0x00, 0x00, 0x00, 0x12, 0x35, 0x02, 0x00});
  e.zeros(16 * 1022);  // vq[2..1023]
  // No extra state on ccw.
  return e.b;
}

TEST(TransportsCcw, SaveMatchesQemuLayout) {
  const Bytes body = save(ccw_source());
  const Bytes expected = ccw_expected();
  EXPECT_EQ(ccw_expected_config().size(), 495u);
  ASSERT_EQ(body.size(), expected.size());
  EXPECT_EQ(body, expected);
}

TEST(TransportsCcw, RoundTrip) {
  const VirtioDevice src = ccw_source();
  const Bytes body = save(src);
  VirtioDevice dst = ccw_destination();
  const Loaded r = load(body, dst);
  ASSERT_EQ(r.ret, 0) << joined(r.diag);
  EXPECT_EQ(r.stream_error, 0);
  EXPECT_EQ(r.consumed, body.size());
  for (const vmstate::RuleHit& h : r.diag.applied) EXPECT_FALSE(h.rule->id.starts_with("ccw.")) << h.rule->id;
  EXPECT_EQ(dst, src);
  EXPECT_EQ(save(dst), body);
}

TEST(TransportsCcw, EveryTruncationIsRejected) {
  expect_truncations_rejected(save(ccw_source()), ccw_destination);
}

// get_uint8_equal / get_uint16_equal: "%x != %x" (destination first), the
// field's err_hint, then the "Failed to load" chain.
TEST(TransportsCcw, EqualFieldsRejectAnotherSubchannel) {
  const Bytes body = save(ccw_source());
  struct Case {
    void (*change)(ccw::SubchDev&);
    std::vector<std::string> messages;
  };
  const std::string hint_devno =
      "Devno mismatch, tried to load wrong section! Likely reason: some sequences of plug and unplug  "
      "can break migration for machine versions prior to  2.7 (known design flaw).";
  const std::vector<std::string> tail = {"Failed to load s390_ccw_dev:sch",
                                         "Failed to load s390_virtio_ccw_dev:parent_obj"};
  const Case cases[] = {
      {[](ccw::SubchDev& s) { s.cssid = 0x00; }, {"0 != fe", "Bug!", "Failed to load s390_subch_dev:cssid"}},
      {[](ccw::SubchDev& s) { s.ssid = 0x03; }, {"3 != 1", "Bug!", "Failed to load s390_subch_dev:ssid"}},
      {[](ccw::SubchDev& s) { s.devno = 0xabcd; },
       {"abcd != 1234", hint_devno, "Failed to load s390_subch_dev:devno"}},
  };
  for (const Case& c : cases) {
    VirtioDevice dst = ccw_destination();
    c.change(dst.ccw.sch);
    const Loaded r = load(body, dst);
    EXPECT_EQ(r.ret, -EINVAL);
    ASSERT_TRUE(r.diag.rejected());
    EXPECT_EQ(r.diag.reject.rule, &vmstate::rules::kEqualMismatch);
    std::vector<std::string> want = c.messages;
    want.insert(want.end(), tail.begin(), tail.end());
    EXPECT_EQ(r.diag.messages, want);
  }
}

// No load_extra_state on the ccw bus: get_extra_state returns -1.
TEST(TransportsCcw, ExtraStateSubsectionIsRejected) {
  Wire body;
  body.b = save(ccw_source());
  body({/* QEMU_VM_SUBSECTION */ 0x05, /* name length */ 18});
  body.str("virtio/extra_state");
  body({/* subsection version */ 0x00, 0x00, 0x00, 0x01});
  VirtioDevice dst = ccw_destination();
  const Loaded r = load(body.b, dst);
  EXPECT_EQ(r.ret, -1);
  ASSERT_TRUE(r.diag.rejected());
  EXPECT_EQ(r.diag.reject.rule, &virtio::rules::kExtraStateNoLoader);
}

// A pre-2.10 machine (css migration off) writes neither "s390_subch_dev/orb"
// nor ".../summary_offset"; a destination with it on loads the stream and
// keeps its own values for both (presence is not enforced).
TEST(TransportsCcw, WithoutCssMigrationSubsections) {
  VirtioDevice src = ccw_source();
  src.ccw.css_migration = false;
  const Bytes body = save(src);
  EXPECT_EQ(body.size(), ccw_expected().size() - (24 + 12) - (38 + 4));
  VirtioDevice dst = ccw_destination();
  const Loaded r = load(body, dst);
  ASSERT_EQ(r.ret, 0) << joined(r.diag);
  EXPECT_EQ(dst.ccw.sch.orb, ccw::Orb{});
  EXPECT_EQ(dst.ccw.routes.adapter.summary_offset, 0u);
  dst.ccw.css_migration = false;
  dst.ccw.sch.orb = src.ccw.sch.orb;
  dst.ccw.routes.adapter.summary_offset = src.ccw.routes.adapter.summary_offset;
  EXPECT_EQ(dst, src);
}

// post_load_ind_addr / get_indicator: len 0 is NULL (address lost); an
// address already registered keeps its first len.
TEST(TransportsCcw, IndicatorNormalisation) {
  VirtioDevice src = ccw_source();
  src.ccw.indicators2 = {.len = 0, .addr = 0x7f005000};
  src.ccw.summary_indicator = {.len = 1, .addr = 0x7f003000};  // same as indicators (len 8)
  VirtioDevice dst = ccw_destination();
  const Loaded r = load(save(src), dst);
  ASSERT_EQ(r.ret, 0) << joined(r.diag);
  EXPECT_EQ(dst.ccw.indicators2, (ccw::IndAddr{.len = 0, .addr = 0}));
  EXPECT_EQ(dst.ccw.summary_indicator, (ccw::IndAddr{.len = 8, .addr = 0x7f003000}));
  std::vector<RuleRef> applied;
  for (const vmstate::RuleHit& h : r.diag.applied)
    if (h.rule->id.starts_with("ccw.")) applied.push_back(h.rule);
  EXPECT_EQ(applied, (std::vector<RuleRef>{&ccw::rules::kIndAddrNullDropsAddr, &ccw::rules::kIndAddrSharedLen}));
  EXPECT_NE(find_rule("ccw.ind_addr.shared_len"), nullptr);
  EXPECT_NE(find_rule("ccw.ind_addr.null_drops_addr"), nullptr);
}

TEST(TransportsCcw, VisitRoundTrip) {
  VirtioDevice src = ccw_source();
  Recorder rec;
  vmstate::visit_state(rec, ccw::vmstate_virtio_ccw_dev(), src);
  // subch 272 (5 + schib 30 + sense 32 + 1 + ccw1 4 + 1 + sense id 6 + 62 x 3
  // + 2 + orb 5), indicators 3 x 2, config_vector, 2 offsets, isc, revision.
  EXPECT_EQ(rec.values.size(), 283u);
  // ccw_dev, ccw_dev, subch_dev, schib, pmcw, scsw, ccw1, sense_id, 62 ciw,
  // orb subsection + orb, 3 x 2 ind_addr, tmp, routes, adapter_info + subsection.
  EXPECT_EQ(rec.vmsds, 82);

  VirtioDevice dst = ccw_destination();
  Player play(rec);
  vmstate::visit_state(play, ccw::vmstate_virtio_ccw_dev(), dst);
  EXPECT_EQ(play.played(), rec.values.size());
  EXPECT_EQ(dst.ccw, src.ccw);
  EXPECT_EQ(dst.config_vector, src.config_vector);
}

}  // namespace
}  // namespace migcheck
