// Shared by the device-part tests (devices_*_test.cpp): the real QEMU 7.2.22
// captures' section bodies (corpora/qemu-7.2/sections), destinations built by
// hand from the captures' JSON, and a device part loaded and saved the way
// QEMU meets it.
#pragma once

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

namespace migcheck::test::devtest {

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
inline Section read_section(const std::string& file) {
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

inline const char* const kBlkLegacy = "blk-legacy.0000_00_02.0_virtio-blk.section.bin";
inline const char* const kBlkInflight = "blk-modern-inflight.0000_00_02.0_virtio-blk.section.bin";
inline const char* const kBalloonLegacy = "balloon-legacy.0000_00_02.0_virtio-balloon.section.bin";
inline const char* const kSerialModern = "serial-modern.0000_00_02.0_virtio-console.section.bin";

// Body offsets from the annotated dumps (/work/shared/qemu-7.2/dumps).
inline constexpr std::size_t kBlkListAt = 0x190;        // blk-modern-inflight: first "more" byte
inline constexpr std::size_t kBlkElemAt = 0x191;        // its VirtQueueElementOld
inline constexpr std::size_t kBlkListEnd = 0xc1a2;      // after the u8 0 terminator
inline constexpr std::size_t kBlkLegacyListAt = 0x190;  // blk-legacy: the lone terminator
inline constexpr std::size_t kBalloonPartAt = 0x15e, kBalloonPartEnd = 0x166;
inline constexpr std::size_t kSerialPartAt = 0x1b3, kSerialPartEnd = 0x1d7;
inline constexpr std::size_t kSerialPortsMapAt = 0x1bb, kSerialNrActiveAt = 0x1bf, kSerialPort1IdAt = 0x1cd;
// Inside VirtQueueElementOld (LP64).
inline constexpr std::size_t kOutNum = 4, kInNum = 8, kInAddr = 16, kOutAddr = 8208, kInSg = 16400, kOutSg = 32784;

inline std::uint64_t bits(std::initializer_list<unsigned> list) {
  std::uint64_t v = 0;
  for (unsigned b : list) v |= virtio::bit(b);
  return v;
}

inline void put_le(Bytes& b, std::size_t at, std::uint64_t v, int width) {
  for (int i = 0; i < width; ++i)
    b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline void put_be32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

// ---- destinations, as the captures' JSON describes them -------------------------------

inline VirtioDevice destination(DeviceKind kind, std::uint16_t device_id, std::uint64_t host, std::uint32_t nvectors,
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
inline VirtioDevice blk_legacy() {
  VirtioDevice d =
      destination(DeviceKind::Blk, virtio::kIdBlock,
                  bits({2, 4, 6, 7, 9, 10, 11, 13, 14, 24, 28, 29, 30, 40}), 2, false, 57, {256});
  d.name = "virtio-blk";
  return d;
}
// -device virtio-blk-pci,disable-legacy=on.
inline VirtioDevice blk_modern(std::uint64_t extra_host = 0) {
  VirtioDevice d = destination(DeviceKind::Blk, virtio::kIdBlock,
                               bits({2, 4, 6, 9, 10, 11, 13, 14, 24, 27, 28, 29, 30, 32, 40}) | extra_host, 2,
                               true, 57, {256});
  d.name = "virtio-blk";
  return d;
}
// -device virtio-balloon-pci,disable-modern=on (no MSI-X).
inline VirtioDevice balloon_legacy() {
  VirtioDevice d = destination(DeviceKind::Balloon, virtio::kIdBalloon, bits({1, 4, 24, 27, 28, 29, 30, 40}),
                               0, false, 16, {128, 128, 128});
  d.name = "virtio-balloon";
  return d;
}
// -device virtio-serial-pci,disable-legacy=on,max_ports=2 + virtconsole +
// virtserialport,name=org.example.port1.
inline VirtioDevice serial_modern() {
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
inline Result load(VirtioDevice& d, std::span<const std::uint8_t> body, int version,
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
inline Result load_cut(VirtioDevice& d, std::span<const std::uint8_t> body, std::size_t cut, int version) {
  return load(d, body.first(cut), version, nullptr, nullptr, false);
}

inline Bytes save(const VirtioDevice& d) {
  wire::Writer out;
  vmstate::SaveContext ctx{out};
  vmstate::save_state(ctx, virtio::section_vmsd(d.kind), d);
  return out.take();
}

// Section version as the stream carries it (captures: blk 2, balloon 1, console 3).
inline int version_of(const VirtioDevice& d) { return virtio::device_ops(d.kind).version_id; }

// The capture's 2 MiB of guest RAM (-m 2) with the avail/used indices the
// rings of blk-modern-inflight had, so the core's ring checks pass.
inline GuestMemory blk_inflight_memory() {
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
inline GuestMemory serial_memory() {
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
inline void expect_rejected(VirtioDevice d, const Bytes& body, const LoadRule& rule,
                     const GuestMemory* memory = nullptr) {
  const Result r = load(d, body, version_of(d), memory);
  EXPECT_NE(r.ret, 0);
  EXPECT_EQ(r.rule(), rule.id);
  EXPECT_EQ(r.fate(), rule.qemu);
}

}  // namespace migcheck::test::devtest
