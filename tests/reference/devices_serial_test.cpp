// virtio-serial's device part against the serial-modern capture: the ports
// map, the active ports and their popped elements on both sides of each
// rule's boundary, and truncation at every offset (helpers: devices_support.h).
#include <gtest/gtest.h>

#include "devices_support.h"

namespace {

using namespace migcheck::test::devtest;

class DevicesSerialModern : public ::testing::Test {
 protected:
  Section s = read_section(kSerialModern);
  Bytes with_be32(std::size_t at, std::uint32_t v) const {
    Bytes b = s.body;
    put_be32(b, at, v);
    return b;
  }
};

TEST_F(DevicesSerialModern, PortsMapMustMatch) {
  const Result r = [&] {
    VirtioDevice d = serial_modern();
    return load(d, with_be32(kSerialPortsMapAt, 0x1), s.version);
  }();
  EXPECT_EQ(r.rule(), "virtio-serial.ports_map");
  EXPECT_EQ(r.ret, -EINVAL);
  // Silent in QEMU: only the outer "Failed to load" line.
  ASSERT_EQ(r.diag.messages.size(), 1u);
  EXPECT_EQ(r.diag.messages[0], "Failed to load virtio-console:virtio");
  // A destination with port 1 unplugged has map 0x1 and refuses the capture.
  VirtioDevice d = serial_modern();
  d.serial.ports_map = {0x1};
  d.serial.ports.pop_back();
  EXPECT_EQ(load(d, s.body, s.version).rule(), "virtio-serial.ports_map");
}

TEST_F(DevicesSerialModern, PortIdBoundary) {
  expect_rejected(serial_modern(), with_be32(kSerialPort1IdAt, 2), rules::kSerialPortId);
  // VIRTIO_CONSOLE_BAD_ID never names a port, even one that claims it.
  VirtioDevice d = serial_modern();
  d.serial.ports[1].id = 0xffffffff;
  EXPECT_EQ(load(d, with_be32(kSerialPort1IdAt, 0xffffffff), s.version).rule(), "virtio-serial.port_id");
}

TEST_F(DevicesSerialModern, MoreActivePortsThanEntries) {
  // 7.2.22: the next bytes (a subsection header) are read as port id
  // 0x05157669 and the load fails with -EINVAL.
  VirtioDevice d = serial_modern();
  const Result r = load(d, with_be32(kSerialNrActiveAt, 3), s.version);
  EXPECT_EQ(r.rule(), "virtio-serial.port_id");
  EXPECT_EQ(r.ret, -EINVAL);
}

TEST_F(DevicesSerialModern, ActivePortsAllocationBoundary) {
  // 16 * 2^30 bytes is where we call g_malloc0 fatal; at the limit the loop
  // runs (and fails on the bytes after the two real ports).
  VirtioDevice at_limit = serial_modern();
  EXPECT_EQ(load(at_limit, with_be32(kSerialNrActiveAt, 1u << 30), s.version).rule(),
            "virtio-serial.port_id");
  expect_rejected(serial_modern(), with_be32(kSerialNrActiveAt, (1u << 30) + 1),
                  rules::kSerialActivePortsAlloc);
  // 7.2.22: "failed to allocate 68719476720 bytes", process killed.
  expect_rejected(serial_modern(), with_be32(kSerialNrActiveAt, 0xffffffff), rules::kSerialActivePortsAlloc);
  EXPECT_EQ(rules::kSerialActivePortsAlloc.qemu, QemuFate::Abort);
}

TEST_F(DevicesSerialModern, ActivePortsPastTheEnd) {
  // Cut right after the two real entries: the rest read as id 0 (the console).
  auto cut_with = [&](std::uint32_t n) {
    Bytes b = with_be32(kSerialNrActiveAt, n);
    b.resize(kSerialPartEnd);
    return b;
  };
  // 1677721 entries past the end = 16777210 failed reads < 2^24: QEMU gets
  // through them and fails with -EIO (7.2.22 with 4096: Input/output error).
  VirtioDevice short_run = serial_modern();
  const Result r = load_cut(short_run, cut_with(2 + 1677721), kSerialPartEnd, s.version);
  EXPECT_EQ(r.rule(), "stream.truncated");
  EXPECT_LT(r.seconds, 2.0);
  // One more entry reaches 2^24 reads: a hang (7.2.22 with 2^24 ports).
  VirtioDevice long_run = serial_modern();
  const Result h = load_cut(long_run, cut_with(2 + 1677722), kSerialPartEnd, s.version);
  EXPECT_EQ(h.rule(), "virtio-serial.nr_active_ports.runaway");
  EXPECT_EQ(h.fate(), QemuFate::Hang);
  EXPECT_LT(h.seconds, 2.0);
  EXPECT_LE(long_run.serial.active_ports.size(), 2u);  // never sized from the count
}

TEST_F(DevicesSerialModern, PastTheEndWithoutPortZero) {
  // A destination with only port 1: entries past the end (id 0) fail at once.
  VirtioDevice src = serial_modern();
  ASSERT_TRUE(load(src, s.body, s.version).accepted());
  src.serial.ports_map = {0x2};
  src.serial.ports = {{1, "org.example.port1", false}};
  src.serial.active_ports.erase(src.serial.active_ports.begin());
  Bytes body = save(src);
  const std::size_t ports_at = kSerialNrActiveAt;
  put_be32(body, ports_at, 0x01000000);
  body.resize(ports_at + 4 + 10);
  VirtioDevice d = src;
  d.serial.active_ports.clear();
  const Result r = load_cut(d, body, body.size(), s.version);
  EXPECT_EQ(r.rule(), "virtio-serial.port_id");
  EXPECT_EQ(r.ret, -EINVAL);
}

TEST_F(DevicesSerialModern, PoppedElementRoundTrip) {
  VirtioDevice src = serial_modern();
  ASSERT_TRUE(load(src, s.body, s.version).accepted());
  devices::SerialPortState& p = src.serial.active_ports[1];
  p.elem_popped = true;
  p.iov_idx = 0;
  p.iov_offset = 16;
  p.elem.index = 5;
  p.elem.out_num = 1;
  p.elem.out_addr = {0x40000};
  p.elem.out_len = {16};
  const Bytes body = save(src);
  EXPECT_EQ(body.size(), s.body.size() + 4 + 8 + devices::kElementOldSize);

  const GuestMemory mem = serial_memory();
  VirtioDevice d = serial_modern();
  const Result r = load(d, body, s.version, &mem);
  ASSERT_TRUE(r.accepted()) << r.rule();
  EXPECT_FALSE(d.broken);
  EXPECT_FALSE(r.applied(rules::kSerialIovOffset));  // offset == length: nothing left, fine
  EXPECT_EQ(d.serial, src.serial);
  EXPECT_EQ(d.serial.active_ports[1].elem, p.elem);

  // iov_offset one past the buffer: accepted unchecked, flagged.
  src.serial.active_ports[1].iov_offset = 17;
  VirtioDevice w = serial_modern();
  const Result warned = load(w, save(src), s.version, &mem);
  EXPECT_TRUE(warned.accepted());
  EXPECT_TRUE(warned.applied(rules::kSerialIovOffset));

  // The element rules are shared with virtio-blk.
  src.serial.active_ports[1].elem.out_num = 1025;
  expect_rejected(serial_modern(), save(src), rules::kElementOutNum, &mem);
  src.serial.active_ports[1].elem.out_num = 1;
  src.serial.active_ports[1].elem.out_len = {0};
  expect_rejected(serial_modern(), save(src), rules::kElementMapMmio, &mem);
}

TEST_F(DevicesSerialModern, TruncatedEverywhereInTheDevicePart) {
  for (std::size_t cut = kSerialPartAt; cut < kSerialPartEnd; ++cut) {
    VirtioDevice d = serial_modern();
    const Result r = load_cut(d, s.body, cut, s.version);
    ASSERT_NE(r.ret, 0) << "cut at " << cut;
    ASSERT_LT(r.seconds, 2.0) << "cut at " << cut;
    // Up to the ports_map word a truncation reads 0 there, which is not
    // the destination's map: QEMU's silent -EINVAL. After it, -EIO.
    if (cut < kSerialNrActiveAt)
      EXPECT_EQ(r.rule(), "virtio-serial.ports_map") << "cut at " << cut;
    else
      EXPECT_EQ(r.rule(), "stream.truncated") << "cut at " << cut;
  }
}

}  // namespace
