// Shared by the transport tests (transports_{mmio,ccw}_test.cpp): wire images
// built by hand from the QEMU source, virtio_load/virtio_save as a section's
// "virtio" field calls them, truncation sweeps and a visitor record/replay.
//
// Normalisation on load, documented where the tests rely on it:
// - virtio_load poisons device_endian and defaults it to little-endian when
//   no virtio/device_endian subsection came: sources here are little-endian.
// - Legacy (non-VERSION_1) devices get vring.avail/used recomputed from
//   desc/num/align (virtio_queue_update_rings): sources carry those values.
// - start_on_kick and the wire_* bookkeeping are not part of equality.
#pragma once

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

namespace migcheck::test::transtest {

using namespace migcheck;
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

inline Bytes save(const VirtioDevice& d) {
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
inline Loaded load(std::span<const std::uint8_t> body, VirtioDevice& d) {
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
inline Loaded load_section(std::span<const std::uint8_t> body, VirtioDevice& d) {
  Loaded r;
  wire::Reader in(body);
  vmstate::LoadContext ctx{in, r.diag};
  r.ret = vmstate::load_state(ctx, virtio::section_vmsd(d.kind), d, 1);
  r.stream_error = in.error();
  return r;
}

inline std::string joined(const vmstate::Diagnostics& diag) {
  std::string s;
  for (const std::string& m : diag.messages) s += m + "\n";
  return s;
}

// save(src) loaded into `dst`: accepted, every byte read, no stream error
// (what each transport's round trip starts from).
inline Loaded round_trip(const VirtioDevice& src, VirtioDevice& dst, Bytes* body) {
  *body = save(src);
  Loaded r = load(*body, dst);
  EXPECT_EQ(r.ret, 0) << joined(r.diag);
  EXPECT_EQ(r.stream_error, 0);
  EXPECT_EQ(r.consumed, body->size());
  return r;
}

// Every strict prefix of `body` must be refused, without crash, reading no
// further than the prefix, in bounded time.
inline void expect_truncations_rejected(const Bytes& body, VirtioDevice (*destination)()) {
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
inline void set_queue(VirtioDevice& d, std::size_t i, std::uint32_t num, std::uint32_t align, std::uint64_t desc,
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

inline VirtioDevice rng(TransportKind t, std::uint64_t host_features) {
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
}  // namespace migcheck::test::transtest
