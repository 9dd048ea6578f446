// virtio-mmio (QEMU 7.2): the bytes virtio_save writes against layouts
// annotated from hw/virtio/virtio.c and hw/virtio/virtio-mmio.c, round
// trips, truncations, the extra state and the visitor.
#include "transports_support.h"

namespace migcheck::test::transtest {
namespace {

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
  VirtioDevice dst = mmio_destination_legacy();
  Bytes body;
  const Loaded r = round_trip(src, dst, &body);
  ASSERT_EQ(r.ret, 0);
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
  VirtioDevice dst = mmio_destination_modern();
  Bytes body;
  const Loaded r = round_trip(src, dst, &body);
  ASSERT_EQ(r.ret, 0);
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

}  // namespace
}  // namespace migcheck::test::transtest
