// Device parts of virtio-blk, virtio-balloon and virtio-serial against real
// QEMU 7.2.22 captures (corpora/qemu-7.2/sections): each section body loads
// into a destination built by hand from the capture's JSON, consumes the body
// exactly, yields the captured values and re-encodes byte for byte; and the
// parts' rule registry. Every rule on both sides of its boundary, and
// truncation at every offset of each part: devices_{blk,serial,balloon}_test.cpp.
#include <gtest/gtest.h>

#include "devices_support.h"

namespace {

using namespace migcheck::test::devtest;

// ======================================================================================
// Captures
//
// Re-encoding saves the loaded state itself, not a copy from before
// virtio_post_load: for these captures post-load only changes what is not on
// the wire (device_endian defaults to little, legacy avail/used are recomputed
// from desc and legacy streams carry no virtio/virtqueues, start_on_kick, and
// the masked features equal the loaded ones), and without RAM no ring index
// is read. So the whole body must come back byte for byte.
// ======================================================================================

TEST(DevicesCapture, BlkLegacyEmptyList) {
  const Section s = read_section(kBlkLegacy);
  ASSERT_EQ(s.version, 2);
  ASSERT_EQ(s.body.size(), 481u);
  EXPECT_EQ(s.body[kBlkLegacyListAt], 0x00);
  VirtioDevice d = blk_legacy();
  const Result r = load(d, s.body, s.version);
  ASSERT_TRUE(r.accepted()) << r.rule();
  EXPECT_EQ(r.consumed, s.body.size());
  EXPECT_TRUE(d.blk.rq.empty());
  EXPECT_EQ(d.guest_features, 0xa44u);
  EXPECT_EQ(save(d), s.body);
}

TEST(DevicesCapture, BlkModernInflightElement) {
  const Section s = read_section(kBlkInflight);
  ASSERT_EQ(s.version, 2);
  ASSERT_EQ(s.body.size(), 98891u);
  VirtioDevice d = blk_modern();
  const Result r = load(d, s.body, s.version);
  ASSERT_TRUE(r.accepted()) << r.rule();
  EXPECT_EQ(r.consumed, s.body.size());
  EXPECT_TRUE(r.applied(rules::kElementNoGuestMemory));  // no RAM given: mapping skipped
  EXPECT_FALSE(r.applied(rules::kElementPackedOrder));   // the host has no RING_PACKED
  ASSERT_EQ(d.blk.rq.size(), 1u);
  const devices::VirtQueueElement& e = d.blk.rq[0].elem;
  EXPECT_EQ(d.blk.rq[0].vq_index, 0u);
  EXPECT_EQ(e.index, 3u);
  EXPECT_EQ(e.out_num, 1u);
  EXPECT_EQ(e.in_num, 2u);
  EXPECT_EQ(e.in_addr, (std::vector<std::uint64_t>{0x151200, 0x151fff}));
  EXPECT_EQ(e.in_len, (std::vector<std::uint64_t>{512, 1}));
  EXPECT_EQ(e.out_addr, (std::vector<std::uint64_t>{0x151000}));
  EXPECT_EQ(e.out_len, (std::vector<std::uint64_t>{16}));
  EXPECT_EQ(d.vq.get(0).last_avail_idx, 2);
  EXPECT_EQ(save(d), s.body);

  // With the capture's RAM every buffer maps and nothing is flagged.
  VirtioDevice with_ram = blk_modern();
  const GuestMemory mem = blk_inflight_memory();
  const Result m = load(with_ram, s.body, s.version, &mem);
  ASSERT_TRUE(m.accepted()) << m.rule();
  EXPECT_FALSE(m.applied(rules::kElementBounce));
  EXPECT_FALSE(m.applied(rules::kElementNoGuestMemory));
  EXPECT_FALSE(with_ram.broken);
  EXPECT_EQ(with_ram.blk, d.blk);
}

TEST(DevicesCapture, BalloonLegacy) {
  const Section s = read_section(kBalloonLegacy);
  ASSERT_EQ(s.version, 1);
  VirtioDevice d = balloon_legacy();
  const Result r = load(d, s.body, s.version);
  ASSERT_TRUE(r.accepted()) << r.rule();
  EXPECT_EQ(r.consumed, s.body.size());
  EXPECT_EQ(d.balloon.num_pages, 256u);
  EXPECT_EQ(d.balloon.actual, 5u);
  // Neither subsection is in the stream: reset values stay.
  EXPECT_EQ(d.balloon.free_page_hint_cmd_id, 0x80000000u);
  EXPECT_EQ(d.balloon.poison_val, 0u);
  EXPECT_FALSE(d.balloon.stats_timer_armed);
  EXPECT_EQ(d.guest_features, 0x2u);
  EXPECT_EQ(save(d), s.body);
}

TEST(DevicesCapture, DevicesSerialModern) {
  const Section s = read_section(kSerialModern);
  ASSERT_EQ(s.version, 3);
  VirtioDevice d = serial_modern();
  const Result r = load(d, s.body, s.version);
  ASSERT_TRUE(r.accepted()) << r.rule();
  EXPECT_EQ(r.consumed, s.body.size());
  ASSERT_EQ(d.serial.active_ports.size(), 2u);
  const devices::SerialPortState& console = d.serial.active_ports[0];
  const devices::SerialPortState& port1 = d.serial.active_ports[1];
  EXPECT_EQ(console.id, 0u);
  EXPECT_TRUE(console.guest_connected);
  EXPECT_EQ(console.host_connected, 1);
  EXPECT_FALSE(console.elem_popped);
  EXPECT_EQ(port1.id, 1u);
  EXPECT_TRUE(port1.guest_connected);
  EXPECT_EQ(port1.host_connected, 0);
  EXPECT_FALSE(port1.elem_popped);
  EXPECT_EQ(save(d), s.body);
}

// The dump observer and visitors come from the same tables.
TEST(DevicesCapture, ObserverAndVisitorSeeTheElement) {
  struct Names : vmstate::LoadObserver {
    std::vector<std::string> fields, vmsds;
    void enter(std::string_view name, int, std::uint64_t) override { vmsds.emplace_back(name); }
    void field(std::string_view name, int, std::uint64_t, std::uint64_t, const std::string&) override {
      fields.emplace_back(name);
    }
  };
  const Section s = read_section(kBlkInflight);
  VirtioDevice d = blk_modern();
  Names seen;
  ASSERT_TRUE(load(d, s.body, s.version, nullptr, &seen).accepted());
  auto has = [](const std::vector<std::string>& v, std::string_view x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  for (const char* f : {"more", "index", "out_num", "in_num", "in_addr", "out_addr", "in_sg", "out_sg"})
    EXPECT_TRUE(has(seen.fields, f)) << f;
  EXPECT_TRUE(has(seen.vmsds, "VirtQueueElementOld"));
  EXPECT_TRUE(has(seen.vmsds, "VirtIOBlockReq"));

  struct Scalars : vmstate::Visitor {
    std::vector<std::string> names;
    void scalar(std::string_view name, int index, vmstate::ScalarKind, std::uint64_t& value) override {
      names.push_back(std::string(name) + "[" + std::to_string(index) + "]=" + std::to_string(value));
    }
  };
  Scalars v;
  vmstate::visit_state(v, devices::blk_ops().vmsd(), d);
  EXPECT_TRUE(has(v.names, "index[-1]=3"));
  EXPECT_TRUE(has(v.names, "in_addr[1]=1384447"));  // 0x151fff
  EXPECT_TRUE(has(v.names, "in_sg[0]=512"));
  EXPECT_FALSE(has(v.names, "elem.ndescs[-1]=0"));  // not packed
}

// ======================================================================================
// Rule registry
// ======================================================================================

TEST(DevicesRules, ListedAndComplete) {
  const auto mine = rules::blk_balloon_serial();
  EXPECT_EQ(mine.size(), rules::blk().size() + rules::balloon().size() + rules::serial().size());
  for (RuleRef r : mine) {
    EXPECT_EQ(find_rule(r->id), r) << r->id;
    EXPECT_FALSE(r->origin.empty()) << r->id;
    EXPECT_FALSE(r->spec.empty()) << r->id;
  }
  EXPECT_EQ(find_rule("virtio-blk.request_vq_index")->qemu_message,
            "Invalid virtqueue index in request list: %#x");
  EXPECT_EQ(find_rule("virtqueue_element.map_split")->qemu, QemuFate::Exit);
  EXPECT_EQ(find_rule("virtio-serial.nr_active_ports.runaway")->qemu, QemuFate::Hang);
}

}  // namespace
