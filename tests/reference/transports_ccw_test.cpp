// virtio-ccw (QEMU 7.2): the bytes virtio_save writes against layouts
// annotated from hw/s390x/{virtio-ccw,css,ccw-device}.c and
// hw/intc/s390_flic.c, round trips, truncations, the ccw "equal" checks
// and the visitor.
#include "transports_support.h"

namespace migcheck::test::transtest {
namespace {

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
  VirtioDevice dst = ccw_destination();
  Bytes body;
  const Loaded r = round_trip(src, dst, &body);
  ASSERT_EQ(r.ret, 0);
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
}  // namespace migcheck::test::transtest
