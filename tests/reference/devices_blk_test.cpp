// virtio-blk's device part against the blk-modern-inflight and blk-legacy
// captures: every rule of the in-flight request list and of
// VirtQueueElementOld on both sides of its boundary, and truncation at every
// offset (helpers: devices_support.h).
#include <gtest/gtest.h>

#include "devices_support.h"

namespace {

using namespace migcheck::test::devtest;

class DevicesBlkInflight : public ::testing::Test {
 protected:
  Section s = read_section(kBlkInflight);
  Bytes patched(std::size_t elem_offset, std::uint64_t v, int width = 4) const {
    Bytes b = s.body;
    put_le(b, kBlkElemAt + elem_offset, v, width);
    return b;
  }
};

TEST_F(DevicesBlkInflight, InNumBoundary) {
  VirtioDevice ok = blk_modern();
  const Result r = load(ok, patched(kInNum, 1024), s.version);
  EXPECT_TRUE(r.accepted()) << r.rule();
  EXPECT_EQ(ok.blk.rq[0].elem.in_num, 1024u);
  EXPECT_EQ(ok.blk.rq[0].elem.in_addr.size(), 1024u);
  expect_rejected(blk_modern(), patched(kInNum, 1025), rules::kElementInNum);
  VirtioDevice d = blk_modern();
  EXPECT_EQ(load(d, patched(kInNum, 1025), s.version).diag.reject.offset, kBlkElemAt + kInNum);
  expect_rejected(blk_modern(), patched(kInNum, 0xffffffff), rules::kElementInNum);
}

TEST_F(DevicesBlkInflight, OutNumBoundary) {
  VirtioDevice ok = blk_modern();
  EXPECT_TRUE(load(ok, patched(kOutNum, 1024), s.version).accepted());
  expect_rejected(blk_modern(), patched(kOutNum, 1025), rules::kElementOutNum);
  // QEMU asserts on in_num first.
  Bytes both = patched(kOutNum, 2000);
  put_le(both, kBlkElemAt + kInNum, 3000, 4);
  expect_rejected(blk_modern(), both, rules::kElementInNum);
  EXPECT_EQ(rules::kElementInNum.qemu, QemuFate::Abort);
  EXPECT_EQ(rules::kElementInNum.cve, "CVE-2013-4535, CVE-2013-4536");
}

TEST_F(DevicesBlkInflight, MapZeroLength) {
  const GuestMemory mem = blk_inflight_memory();
  expect_rejected(blk_modern(), patched(kInSg + 8, 0, 8), rules::kElementMapMmio, &mem);
  VirtioDevice d = blk_modern();
  const Result r = load(d, patched(kInSg + 8, 0, 8), s.version, &mem);
  EXPECT_TRUE(r.printed("virtio: error trying to map MMIO memory"));
  EXPECT_EQ(r.fate(), QemuFate::Exit);
  EXPECT_EQ(r.diag.reject.offset, kBlkElemAt + kInAddr);  // points at in_addr[0]
  // Without RAM nothing is mapped: accepted, with a warning.
  VirtioDevice no_ram = blk_modern();
  EXPECT_TRUE(load(no_ram, patched(kInSg + 8, 0, 8), s.version).accepted());
}

TEST_F(DevicesBlkInflight, MapEndOfRam) {
  const GuestMemory mem = blk_inflight_memory();
  Bytes b = patched(kInAddr, 0x1ff000, 8);
  put_le(b, kBlkElemAt + kInSg + 8, 0x1000, 8);  // up to the last byte of the 2 MiB
  VirtioDevice ok = blk_modern();
  EXPECT_TRUE(load(ok, b, s.version, &mem).accepted());
  put_le(b, kBlkElemAt + kInSg + 8, 0x1001, 8);  // one byte past it
  expect_rejected(blk_modern(), b, rules::kElementMapSplit, &mem);
  VirtioDevice d = blk_modern();
  EXPECT_TRUE(load(d, b, s.version, &mem).printed("virtio: unexpected memory split"));
}

TEST_F(DevicesBlkInflight, MapBounceBuffer) {
  const GuestMemory mem = blk_inflight_memory();
  // One non-RAM buffer of at most a page goes through the bounce buffer
  // (7.2.22 loads this stream) ...
  Bytes b = patched(kInAddr, 0x10000000, 8);
  put_le(b, kBlkElemAt + kInSg + 8, 4096, 8);
  VirtioDevice ok = blk_modern();
  const Result r = load(ok, b, s.version, &mem);
  EXPECT_TRUE(r.accepted()) << r.rule();
  EXPECT_TRUE(r.applied(rules::kElementBounce));
  // ... a longer one is split (7.2.22: "unexpected memory split") ...
  put_le(b, kBlkElemAt + kInSg + 8, 4097, 8);
  expect_rejected(blk_modern(), b, rules::kElementMapSplit, &mem);
  // ... and a second one finds the bounce buffer taken (7.2.22: "error
  // trying to map MMIO memory").
  Bytes two = patched(kInAddr, 0x10000000, 8);
  put_le(two, kBlkElemAt + kOutAddr, 0x10001000, 8);
  expect_rejected(blk_modern(), two, rules::kElementMapMmio, &mem);
}

TEST_F(DevicesBlkInflight, ElementTailIsNotKept) {
  // Padding, iov_base and entries past the counts are read and dropped,
  // as qemu_get_virtqueue_element does; the writer emits zeros there.
  Bytes b = s.body;
  put_le(b, kBlkElemAt + 12, 0xdeadbeef, 4);           // padding
  put_le(b, kBlkElemAt + kInSg, 0x7fff12345678, 8);    // in_sg[0].iov_base
  put_le(b, kBlkElemAt + kOutAddr + 8, 0x999, 8);      // out_addr[1], out_num is 1
  put_le(b, kBlkElemAt + kOutSg + 16 * 5 + 8, 77, 8);  // out_sg[5].iov_len
  VirtioDevice d = blk_modern();
  ASSERT_TRUE(load(d, b, s.version).accepted());
  VirtioDevice ref = blk_modern();
  ASSERT_TRUE(load(ref, s.body, s.version).accepted());
  EXPECT_EQ(d.blk, ref.blk);
  EXPECT_EQ(save(d), s.body);
}

TEST_F(DevicesBlkInflight, AnyNonZeroMarkerContinues) {
  Bytes b = s.body;
  b[kBlkListAt] = 0x80;  // qemu_get_sbyte: negative, still "more"
  VirtioDevice d = blk_modern();
  EXPECT_TRUE(load(d, b, s.version).accepted());
  EXPECT_EQ(d.blk.rq.size(), 1u);
}

TEST_F(DevicesBlkInflight, VqIndexBoundary) {
  // num-queues=2: each request carries be32 vq_index before its element.
  VirtioDevice src = blk_modern();
  ASSERT_TRUE(load(src, s.body, s.version).accepted());
  src.blk.num_queues = 2;
  src.blk.rq[0].vq_index = 1;
  const Bytes body = save(src);
  EXPECT_EQ(body.size(), s.body.size() + 4);

  VirtioDevice dest = blk_modern();
  dest.blk.num_queues = 2;
  const Result ok = load(dest, body, s.version);
  ASSERT_TRUE(ok.accepted()) << ok.rule();
  EXPECT_EQ(dest.blk.rq[0].vq_index, 1u);
  EXPECT_EQ(dest.blk, src.blk);

  Bytes bad = body;
  put_be32(bad, kBlkListAt + 1, 2);
  VirtioDevice d = dest;
  d.blk.rq.clear();
  const Result r = load(d, bad, s.version);
  EXPECT_EQ(r.rule(), "virtio-blk.request_vq_index");
  EXPECT_EQ(r.ret, -EINVAL);
  EXPECT_EQ(r.fate(), QemuFate::AsOutcome);
  EXPECT_TRUE(r.printed("Invalid virtqueue index in request list: 0x2"));
  EXPECT_TRUE(r.printed("Failed to load virtio-blk:virtio"));
}

TEST_F(DevicesBlkInflight, SeveralRequestsKeepStreamOrder) {
  VirtioDevice src = blk_modern();
  ASSERT_TRUE(load(src, s.body, s.version).accepted());
  devices::BlkRequest second = src.blk.rq[0];
  second.elem.index = 9;
  second.elem.in_num = 1;
  second.elem.in_addr = {0x20000};
  second.elem.in_len = {1};
  src.blk.rq.push_back(second);
  const Bytes body = save(src);
  EXPECT_EQ(body.size(), s.body.size() + 1 + devices::kElementOldSize);
  VirtioDevice d = blk_modern();
  ASSERT_TRUE(load(d, body, s.version).accepted());
  EXPECT_EQ(d.blk, src.blk);
  EXPECT_EQ(save(d), body);
}

// Spec §6.1 ORDER BUG: we accept the writer's order (ndescs before the
// struct) and flag it; the reader's order misparses.
TEST_F(DevicesBlkInflight, PackedNdescsWriterOrder) {
  const std::uint64_t packed = virtio::bit(virtio::kFRingPacked);
  // The capture's host had no RING_PACKED; take its state to a host that has.
  VirtioDevice src = blk_modern();
  ASSERT_TRUE(load(src, s.body, s.version).accepted());
  src.host_features |= packed;
  src.blk.rq[0].elem.ndescs = 2;
  const Bytes body = save(src);
  // u8 1 | be32 ndescs | struct: qemu_put_virtqueue_element's order.
  EXPECT_EQ(body[kBlkListAt], 1);
  EXPECT_EQ((std::vector<std::uint8_t>(body.begin() + kBlkListAt + 1, body.begin() + kBlkListAt + 5)),
            (std::vector<std::uint8_t>{0, 0, 0, 2}));
  VirtioDevice d = blk_modern(packed);
  const Result r = load(d, body, s.version);
  ASSERT_TRUE(r.accepted()) << r.rule();
  EXPECT_TRUE(r.applied(rules::kElementPackedOrder));
  EXPECT_EQ(rules::kElementPackedOrder.qemu, QemuFate::Exit);
  EXPECT_EQ(d.blk, src.blk);
  EXPECT_EQ(save(d), body);

  // QEMU 7.2 reader's order: struct, then ndescs. Read in the writer's
  // order the first four struct bytes become ndescs and the rest shifts.
  Bytes reader_order = body;
  const auto first = reader_order.begin() + static_cast<long>(kBlkListAt) + 1;
  std::rotate(first, first + 4, first + 4 + static_cast<long>(devices::kElementOldSize));
  VirtioDevice m = blk_modern(packed);
  const Result mis = load(m, reader_order, s.version);
  ASSERT_TRUE(mis.accepted()) << mis.rule();  // no RAM: nothing to map
  EXPECT_EQ(m.blk.rq[0].elem.ndescs, 0x03000000u);
  EXPECT_EQ(m.blk.rq[0].elem.index, 1u);    // was out_num
  EXPECT_EQ(m.blk.rq[0].elem.out_num, 2u);  // was in_num
  VirtioDevice m2 = blk_modern(packed);
  const GuestMemory mem = blk_inflight_memory();
  const Result mapped = load(m2, reader_order, s.version, &mem);
  EXPECT_EQ(mapped.rule(), "virtqueue_element.map_mmio");  // shifted out_sg lengths are 0
}

TEST_F(DevicesBlkInflight, TruncatedEverywhereInTheDevicePart) {
  // Every prefix that ends inside the request list (marker, element,
  // terminator) is rejected as a truncation, quickly.
  double worst = 0;
  for (std::size_t cut = kBlkListAt; cut < kBlkListEnd; ++cut) {
    VirtioDevice d = blk_modern();
    const Result r = load_cut(d, s.body, cut, s.version);
    worst = std::max(worst, r.seconds);
    ASSERT_NE(r.ret, 0) << "cut at " << cut;
    ASSERT_EQ(r.rule(), "stream.truncated") << "cut at " << cut;
  }
  EXPECT_LT(worst, 2.0);
}

TEST(DevicesBlk, LegacyTerminatorTruncated) {
  const Section s = read_section(kBlkLegacy);
  VirtioDevice d = blk_legacy();
  const Result r = load_cut(d, s.body, kBlkLegacyListAt, s.version);
  EXPECT_EQ(r.rule(), "stream.truncated");
  EXPECT_TRUE(r.printed("Failed to load virtio-blk:virtio"));
}

}  // namespace
