// virtio-balloon's device part against the balloon-legacy capture: its
// subsections follow the guest features, post-load re-arms the stats timer,
// and truncation at every offset (helpers: devices_support.h).
#include <gtest/gtest.h>

#include "devices_support.h"

namespace {

using namespace migcheck::test::devtest;

TEST(DevicesBalloon, SubsectionsFollowGuestFeatures) {
  const Section s = read_section(kBalloonLegacy);
  VirtioDevice src = balloon_legacy();
  src.host_features |= virtio::bit(3);  // free-page-hint=on
  ASSERT_TRUE(load(src, s.body, s.version).accepted());
  src.guest_features |= virtio::bit(3) | virtio::bit(4);
  src.balloon.free_page_hint_cmd_id = 0x80000007;
  src.balloon.free_page_hint_status = 3;  // DONE
  src.balloon.poison_val = 0xaa;
  const Bytes body = save(src);
  // 05 len name be32-version + 8 bytes of free-page-report (52), then
  // 05 len name be32-version + 4 bytes of page-poison (43).
  EXPECT_EQ(body.size(), s.body.size() + 52 + 43);
  const std::string sub1 = "virtio-balloon-device/free-page-report";
  EXPECT_EQ(std::string(body.begin() + kBalloonPartEnd + 2, body.begin() + kBalloonPartEnd + 2 + sub1.size()),
            sub1);

  VirtioDevice d = balloon_legacy();
  d.host_features = src.host_features;
  const Result r = load(d, body, s.version);
  ASSERT_TRUE(r.accepted()) << r.rule();
  EXPECT_FALSE(r.applied(rules::kBalloonHintStatus));
  EXPECT_EQ(d.balloon, src.balloon);
  EXPECT_EQ(save(d), body);

  // A status past DONE is stored as is and flagged.
  src.balloon.free_page_hint_status = 4;
  VirtioDevice w = balloon_legacy();
  w.host_features = src.host_features;
  const Result warned = load(w, save(src), s.version);
  EXPECT_TRUE(warned.accepted());
  EXPECT_TRUE(warned.applied(rules::kBalloonHintStatus));
  EXPECT_EQ(w.balloon.free_page_hint_status, 4u);

  // Subsections load by name whatever the features say; the feature check
  // after them decides (bit 3 is not offered by the capture's host).
  VirtioDevice strict = balloon_legacy();
  src.balloon.free_page_hint_status = 0;
  EXPECT_EQ(load(strict, save(src), s.version).rule(), "virtio.features.unsupported");
}

TEST(DevicesBalloon, PostLoadRearmsStatsTimer) {
  const Section s = read_section(kBalloonLegacy);
  VirtioDevice off = balloon_legacy();
  ASSERT_TRUE(load(off, s.body, s.version).accepted());
  EXPECT_FALSE(off.balloon.stats_timer_armed);
  VirtioDevice on = balloon_legacy();
  on.balloon.stats_poll_interval = 5;
  ASSERT_TRUE(load(on, s.body, s.version).accepted());
  EXPECT_TRUE(on.balloon.stats_timer_armed);
}

TEST(DevicesBalloon, TruncatedEverywhereInTheDevicePart) {
  const Section s = read_section(kBalloonLegacy);
  for (std::size_t cut = kBalloonPartAt; cut < kBalloonPartEnd; ++cut) {
    VirtioDevice d = balloon_legacy();
    const Result r = load_cut(d, s.body, cut, s.version);
    ASSERT_NE(r.ret, 0) << "cut at " << cut;
    EXPECT_EQ(r.rule(), "stream.truncated");
    // A VMState device part names the field that ran out.
    EXPECT_TRUE(r.printed(cut < kBalloonPartAt + 4 ? "Failed to load virtio-balloon-device:num_pages"
                                                   : "Failed to load virtio-balloon-device:actual"))
        << "cut at " << cut;
  }
}

}  // namespace
