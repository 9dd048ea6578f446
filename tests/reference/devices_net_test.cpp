// virtio-net's queue layout on load, per release: 7.2 resizes from the loaded
// queue count (virtio_net_change_num_queues), the older releases lay the
// queues out again in every set_features (virtio_net_set_multiqueue).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "migcheck/profile/destination.h"
#include "migcheck/profile/profile.h"
#include "migcheck/stream/loader.h"

namespace {

using namespace migcheck;
using Bytes = std::vector<std::uint8_t>;

// corpora/seed/fuzz_load/net-mq-2pairs-curr2.section.bin: a virtio-net
// record as 7.2 saves mq=on,queues=2 with MQ negotiated, 5 queues (rx0 tx0
// rx1 tx1 ctrl), curr_queue_pairs 2 (corpora/seed/PROVENANCE.md).
constexpr std::size_t kBody = 0x25;                 // 04 id len "0000:00:02.0/virtio-net" instance version
constexpr std::size_t kCtrlNum = kBody + 0x166;     // vq[4].vring.num
constexpr std::size_t kPair1TxWaiting = kBody + 0x399;

Bytes seed() {
  std::ifstream f(std::string(MIGCHECK_SOURCE_DIR) + "/corpora/seed/fuzz_load/net-mq-2pairs-curr2.section.bin",
                  std::ios::binary);
  return Bytes{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void put_be32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

LoadResult load_as(const Bytes& record, const char* release, const char* machine) {
  std::string error;
  const Profile* profile = find_profile(release);
  EXPECT_TRUE(profile);
  const std::vector<std::string> devices{"virtio-net-pci,addr=2.0,disable-modern=on,vectors=0,mq=on,queues=2"};
  auto dest = make_destination(machine, devices, *profile, &error);
  EXPECT_TRUE(dest) << error;
  return dest ? load_section_record(record, *dest) : LoadResult{};
}

// The control queue loaded with 256 entries and the extra pair's tx_waiting 1:
// 7.2 keeps both (5 queues already, nothing to resize); 2.4 deletes slots
// 2..5 and adds rx1, tx1 and a 64-entry control queue after the device part,
// clearing tx_waiting.
TEST(NetQueueLayout, OlderReleasesLayTheQueuesOutAgainAfterTheLoad) {
  Bytes record = seed();
  ASSERT_GT(record.size(), kPair1TxWaiting + 4);
  ASSERT_EQ(record[kCtrlNum + 3], 0x40);  // the seed's control queue: 64
  put_be32(record, kCtrlNum, 256);
  put_be32(record, kPair1TxWaiting, 1);

  const LoadResult now = load_as(record, "qemu-7.2", "pc-i440fx-7.2");
  ASSERT_EQ(now.verdict, Verdict::Accepted);
  const virtio::VirtioDevice& d72 = now.devices.at(0).state;
  EXPECT_EQ(d72.vq.get(4).vring.num, 256u);
  EXPECT_EQ(d72.net.vqs.at(1).tx_waiting, 1u);

  const LoadResult old = load_as(record, "qemu-2.4", "pc-i440fx-2.4");
  ASSERT_EQ(old.verdict, Verdict::Accepted);
  const virtio::VirtioDevice& d24 = old.devices.at(0).state;
  EXPECT_EQ(d24.vq.get(4).vring.num, 64u);
  EXPECT_EQ(d24.vq.get(4).vring.align, virtio::kVringAlign);
  EXPECT_EQ(d24.vq.get(2).vring.num, 256u);
  EXPECT_EQ(d24.vq.count_leading(d24.queue_max), 5u);
  EXPECT_EQ(d24.net.vqs.at(1).tx_waiting, 0u);
}

// tx1 loaded with size 0: 7.2 resizes from the 3 leading queues and adds
// the control queue after the loaded one, 6 queues (the six-queues finding,
// docs/properties.md net-queue-layout-not-resavable); 2.4 lays out the same
// 5 queues as for any other count.
TEST(NetQueueLayout, OlderReleasesIgnoreTheLoadedCount) {
  Bytes record = seed();
  ASSERT_GT(record.size(), kCtrlNum + 4);
  put_be32(record, kCtrlNum - 14, 0);  // vq[3] (tx1) num: entries are 14 bytes (num, desc, last_avail_idx)

  const LoadResult now = load_as(record, "qemu-7.2", "pc-i440fx-7.2");
  ASSERT_EQ(now.verdict, Verdict::Accepted);
  const virtio::VirtioDevice& d72 = now.devices.at(0).state;
  EXPECT_EQ(d72.vq.count_leading(d72.queue_max), 6u);

  const LoadResult old = load_as(record, "qemu-2.4", "pc-i440fx-2.4");
  ASSERT_EQ(old.verdict, Verdict::Accepted);
  const virtio::VirtioDevice& d24 = old.devices.at(0).state;
  EXPECT_EQ(d24.vq.count_leading(d24.queue_max), 5u);
  EXPECT_EQ(d24.vq.get(3).vring.num, 256u);
  EXPECT_EQ(d24.vq.get(4).vring.num, 64u);
}

}  // namespace
