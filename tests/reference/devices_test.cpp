// Device parts of virtio-blk, virtio-balloon and virtio-serial against real
// QEMU 7.2.22 captures (corpora/qemu-7.2/sections): each section body loads
// into a destination built by hand from the capture's JSON, consumes the body
// exactly, yields the captured values and re-encodes byte for byte. Then
// every rule on both sides of its boundary, and truncation at every offset
// of each device part.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "migcheck/devices/balloon_rules.h"
#include "migcheck/devices/blk_rules.h"
#include "migcheck/devices/serial_rules.h"
#include "migcheck/memory/guest_memory.h"
#include "migcheck/virtio/core.h"
#include "migcheck/vmstate/context.h"

namespace {

using namespace migcheck;
using virtio::VirtioDevice;
using Bytes = std::vector<std::uint8_t>;
namespace rules = devices::rules;

// ---- captures -----------------------------------------------------------------------

struct Section {
  Bytes body;
  int version = 0;
};

// A FULL section record: 04 | be32 id | u8 len | idstr | be32 instance |
// be32 version | body | 7e | be32 id.
Section read_section(const std::string& file) {
  std::ifstream f(std::string(MIGCHECK_SOURCE_DIR) + "/corpora/qemu-7.2/sections/" + file, std::ios::binary);
  Bytes all{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  EXPECT_GT(all.size(), 20u) << file;
  if (all.size() <= 20) return {};
  auto be32 = [&](std::size_t at) {
    return static_cast<int>(std::uint32_t{all[at]} << 24 | std::uint32_t{all[at + 1]} << 16 |
                            std::uint32_t{all[at + 2]} << 8 | all[at + 3]);
  };
  EXPECT_EQ(all[0], 0x04);
  const std::size_t header = 1 + 4 + 1 + all[5] + 4 + 4;
  EXPECT_EQ(all[all.size() - 5], 0x7e);
  return {Bytes(all.begin() + static_cast<long>(header), all.end() - 5), be32(header - 4)};
}

const char* const kBlkLegacy = "blk-legacy.0000_00_02.0_virtio-blk.section.bin";
const char* const kBlkInflight = "blk-modern-inflight.0000_00_02.0_virtio-blk.section.bin";
const char* const kBalloonLegacy = "balloon-legacy.0000_00_02.0_virtio-balloon.section.bin";
const char* const kSerialModern = "serial-modern.0000_00_02.0_virtio-console.section.bin";

// Body offsets from the annotated dumps (/work/shared/qemu-7.2/dumps).
constexpr std::size_t kBlkListAt = 0x190;        // blk-modern-inflight: first "more" byte
constexpr std::size_t kBlkElemAt = 0x191;        // its VirtQueueElementOld
constexpr std::size_t kBlkListEnd = 0xc1a2;      // after the u8 0 terminator
constexpr std::size_t kBlkLegacyListAt = 0x190;  // blk-legacy: the lone terminator
constexpr std::size_t kBalloonPartAt = 0x15e, kBalloonPartEnd = 0x166;
constexpr std::size_t kSerialPartAt = 0x1b3, kSerialPartEnd = 0x1d7;
constexpr std::size_t kSerialPortsMapAt = 0x1bb, kSerialNrActiveAt = 0x1bf, kSerialPort1IdAt = 0x1cd;
// Inside VirtQueueElementOld (LP64).
constexpr std::size_t kOutNum = 4, kInNum = 8, kInAddr = 16, kOutAddr = 8208, kInSg = 16400, kOutSg = 32784;

std::uint64_t bits(std::initializer_list<unsigned> list) {
  std::uint64_t v = 0;
  for (unsigned b : list) v |= virtio::bit(b);
  return v;
}

void put_le(Bytes& b, std::size_t at, std::uint64_t v, int width) {
  for (int i = 0; i < width; ++i)
    b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}
void put_be32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

// ---- destinations, as the captures' JSON describes them -------------------------------

VirtioDevice destination(DeviceKind kind, std::uint16_t device_id, std::uint64_t host, std::uint32_t nvectors,
                         bool modern, std::size_t config_len, std::initializer_list<std::uint32_t> queues) {
  VirtioDevice d;
  d.kind = kind;
  d.transport = TransportKind::Pci;
  d.device_id = device_id;
  d.host_features = host;
  d.profile = &profile_7_2();
  d.config.assign(config_len, 0);
  d.pci.nvectors = nvectors;
  d.pci.modern = modern;
  d.pci.legacy = !modern;
  d.pci.migrate_extra = true;
  d.pci.config.assign(pci::kConfigSize, 0);
  d.pci.msix_table.assign(pci::kMsixEntrySize * nvectors, 0);
  d.pci.msix_pba.assign((nvectors + 7) / 8, 0);
  std::size_t i = 0;
  for (std::uint32_t num : queues) {
    virtio::VRing& r = d.vq[i++].vring;
    r.num = r.num_default = num;
    r.align = virtio::kVringAlign;
  }
  return d;
}

// -device virtio-blk-pci,disable-modern=on (host-features of the QMP status).
VirtioDevice blk_legacy() {
  VirtioDevice d =
      destination(DeviceKind::Blk, virtio::kIdBlock,
                  bits({2, 4, 6, 7, 9, 10, 11, 13, 14, 24, 28, 29, 30, 40}), 2, false, 57, {256});
  d.name = "virtio-blk";
  return d;
}
// -device virtio-blk-pci,disable-legacy=on.
VirtioDevice blk_modern(std::uint64_t extra_host = 0) {
  VirtioDevice d = destination(DeviceKind::Blk, virtio::kIdBlock,
                               bits({2, 4, 6, 9, 10, 11, 13, 14, 24, 27, 28, 29, 30, 32, 40}) | extra_host, 2,
                               true, 57, {256});
  d.name = "virtio-blk";
  return d;
}
// -device virtio-balloon-pci,disable-modern=on (no MSI-X).
VirtioDevice balloon_legacy() {
  VirtioDevice d = destination(DeviceKind::Balloon, virtio::kIdBalloon, bits({1, 4, 24, 27, 28, 29, 30, 40}),
                               0, false, 16, {128, 128, 128});
  d.name = "virtio-balloon";
  return d;
}
// -device virtio-serial-pci,disable-legacy=on,max_ports=2 + virtconsole +
// virtserialport,name=org.example.port1.
VirtioDevice serial_modern() {
  VirtioDevice d =
      destination(DeviceKind::Serial, virtio::kIdConsole, bits({1, 2, 24, 27, 28, 29, 30, 32, 40}), 2, true,
                  12, {128, 128, 32, 32, 128, 128});
  d.name = "virtio-serial";
  d.serial.max_virtserial_ports = 2;
  d.serial.ports_map = {0x3};
  d.serial.ports = {{0, "", true}, {1, "org.example.port1", false}};
  return d;
}

// ---- load / save ----------------------------------------------------------------------

struct Result {
  int ret = 0;
  vmstate::Diagnostics diag;
  std::size_t consumed = 0;
  int stream_error = 0;
  double seconds = 0;

  std::string_view rule() const { return diag.reject.rule ? diag.reject.rule->id : std::string_view{}; }
  QemuFate fate() const { return diag.reject.rule ? diag.reject.rule->qemu : QemuFate::AsOutcome; }
  bool accepted() const { return ret == 0 && !diag.rejected() && stream_error == 0; }
  bool applied(const LoadRule& r) const {
    for (const vmstate::RuleHit& h : diag.applied)
      if (h.rule == &r) return true;
    return false;
  }
  bool printed(std::string_view line) const {
    for (const std::string& m : diag.messages)
      if (m == line) return true;
    return false;
  }
};

// Loads a section body the way QEMU meets it: followed by the section
// footer (the last subsection peek sees 0x7e and stops). `consumed` excludes it.
Result load(VirtioDevice& d, std::span<const std::uint8_t> body, int version,
            const GuestMemory* memory = nullptr, vmstate::LoadObserver* observer = nullptr,
            bool footer = true) {
  Result r;
  Bytes framed;
  if (footer) {
    framed.assign(body.begin(), body.end());
    framed.insert(framed.end(), {0x7e, 0x00, 0x00, 0x00, 0x27});
  }
  wire::Reader in(footer ? std::span<const std::uint8_t>(framed) : body);
  vmstate::LoadContext ctx{.in = in, .diag = r.diag, .observer = observer, .memory = memory};
  const auto t0 = std::chrono::steady_clock::now();
  r.ret = vmstate::load_state(ctx, virtio::section_vmsd(d.kind), d, version);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.consumed = std::min(in.position(), body.size());
  r.stream_error = in.error();
  return r;
}

// A body cut short: the input (the whole stream) ends there.
Result load_cut(VirtioDevice& d, std::span<const std::uint8_t> body, std::size_t cut, int version) {
  return load(d, body.first(cut), version, nullptr, nullptr, false);
}

Bytes save(const VirtioDevice& d) {
  wire::Writer out;
  vmstate::SaveContext ctx{out};
  vmstate::save_state(ctx, virtio::section_vmsd(d.kind), d);
  return out.take();
}

// Section version as the stream carries it (captures: blk 2, balloon 1, console 3).
int version_of(const VirtioDevice& d) { return virtio::device_ops(d.kind).version_id; }

// The capture's 2 MiB of guest RAM (-m 2) with the avail/used indices the
// rings of blk-modern-inflight had, so the core's ring checks pass.
GuestMemory blk_inflight_memory() {
  GuestMemory m;
  m.add_region("pc.ram", 0, 2 << 20);
  Bytes page(kPageSize, 0);
  page[0x402] = 2;  // avail 0x10400: idx 2
  m.write_page("pc.ram", 0x10000, page);
  Bytes used(kPageSize, 0);
  used[0x2] = 1;  // used 0x11000: idx 1
  m.write_page("pc.ram", 0x11000, used);
  return m;
}

// serial-modern's RAM: the control queues (2, 3) had consumed 4 and 5 buffers.
GuestMemory serial_memory() {
  GuestMemory m;
  m.add_region("pc.ram", 0, 2 << 20);
  auto index_page = [&](std::uint64_t gpa, std::uint8_t idx) {
    Bytes page(kPageSize, 0);
    page[(gpa % kPageSize) + 2] = idx;
    m.write_page("pc.ram", gpa - gpa % kPageSize, page);
  };
  index_page(0x20100, 4);  // avail
  index_page(0x21000, 4);  // used
  index_page(0x28100, 5);
  index_page(0x29000, 5);
  return m;
}

// Loads `body` into a fresh destination and expects a rejection by `rule`.
void expect_rejected(VirtioDevice d, const Bytes& body, const LoadRule& rule,
                     const GuestMemory* memory = nullptr) {
  const Result r = load(d, body, version_of(d), memory);
  EXPECT_NE(r.ret, 0);
  EXPECT_EQ(r.rule(), rule.id);
  EXPECT_EQ(r.fate(), rule.qemu);
}

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
// virtio-blk and its elements
// ======================================================================================

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

// ======================================================================================
// virtio-serial
// ======================================================================================

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

// ======================================================================================
// virtio-balloon
// ======================================================================================

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
