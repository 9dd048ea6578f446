// The schema engine against migration/vmstate.c's rules, test-vmstate.c
// style: a table, its wire bytes annotated per field, save and load both ways,
// and every truncation rejected.
#include <gtest/gtest.h>

#include <vector>

#include "migcheck/vmstate/fields.h"

namespace vs = migcheck::vmstate;
using vs::Vmsd;

namespace {

struct Elem {
  std::uint16_t a = 0;
  bool operator==(const Elem&) const = default;
};

struct Thing {
  std::uint8_t u8 = 0;
  std::uint32_t u32 = 0;
  std::uint16_t v2 = 0;  // only from version 2: "in the middle, so we catch bugs"
  std::uint64_t u64 = 0;
  std::vector<Elem> elems = std::vector<Elem>(2);
  std::uint32_t sub = 0;  // lives in subsection "thing/sub"
  bool want_sub = false;
  bool operator==(const Thing&) const = default;
};

const Vmsd<Elem>& elem_vmsd() {
  static const Vmsd<Elem> v{.name = "elem", .version_id = 1, .minimum_version_id = 1,
                            .fields = {VMS_SCALAR(Elem, a)}};
  return v;
}
Elem& elem(Thing& t, int i) { return t.elems[static_cast<std::size_t>(i)]; }
const Elem& celem(const Thing& t, int i) { return t.elems[static_cast<std::size_t>(i)]; }
int two(const Thing&) { return 2; }

const Vmsd<Thing>& sub_vmsd() {
  static const Vmsd<Thing> v{.name = "thing/sub", .version_id = 1, .minimum_version_id = 1,
                             .fields = {VMS_SCALAR(Thing, sub)},
                             .needed = [](const Thing& t) { return t.want_sub; }};
  return v;
}

const Vmsd<Thing>& thing_vmsd() {
  static const Vmsd<Thing> v{
      .name = "thing",
      .version_id = 2,
      .minimum_version_id = 1,
      .fields = {VMS_SCALAR(Thing, u8), VMS_SCALAR(Thing, u32), vs::since<Thing>(VMS_SCALAR(Thing, v2), 2),
                 VMS_SCALAR(Thing, u64),
                 vs::structure_array<Thing, Elem>("elems", elem_vmsd, elem, celem, two)},
      .subsections = {&sub_vmsd()}};
  return v;
}

// clang-format off
const std::vector<std::uint8_t> kWire = {
    /* u8 */        0x11,
    /* u32 */       0x22, 0x22, 0x22, 0x22,
    /* v2 */        0x33, 0x33,
    /* u64 */       0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
    /* elems[0].a */ 0x00, 0x01,
    /* elems[1].a */ 0x00, 0x02,
    /* subsection */ 0x05, 9, 't', 'h', 'i', 'n', 'g', '/', 's', 'u', 'b',
    /* version */    0x00, 0x00, 0x00, 0x01,
    /* sub */        0xde, 0xad, 0xbe, 0xef,
};
// clang-format on

Thing sample() {
  Thing t;
  t.u8 = 0x11;
  t.u32 = 0x22222222;
  t.v2 = 0x3333;
  t.u64 = 0x4444444444444444;
  t.elems = {{1}, {2}};
  t.sub = 0xdeadbeef;
  t.want_sub = true;
  return t;
}

struct Loaded {
  int ret;
  Thing t;
  vs::Diagnostics diag;
  std::size_t consumed;
};

Loaded load(std::span<const std::uint8_t> bytes, int version = 2) {
  Loaded l{0, {}, {}, 0};
  l.t.want_sub = true;
  migcheck::wire::Reader in(bytes);
  vs::LoadContext ctx{in, l.diag};
  l.ret = vs::load_state(ctx, thing_vmsd(), l.t, version);
  l.consumed = in.position();
  return l;
}

}  // namespace

TEST(VmstateSave, WritesFieldsThenNeededSubsectionsInOrder) {
  migcheck::wire::Writer w;
  vs::SaveContext ctx{w};
  vs::save_state(ctx, thing_vmsd(), sample());
  EXPECT_EQ(w.take(), kWire);
}

TEST(VmstateSave, SkipsASubsectionThatIsNotNeeded) {
  Thing t = sample();
  t.want_sub = false;
  migcheck::wire::Writer w;
  vs::SaveContext ctx{w};
  vs::save_state(ctx, thing_vmsd(), t);
  EXPECT_EQ(w.size(), 19u);
}

TEST(VmstateLoad, ReadsBackEveryField) {
  Loaded l = load(kWire);
  ASSERT_EQ(l.ret, 0);
  EXPECT_EQ(l.t, sample());
  EXPECT_EQ(l.consumed, kWire.size());
  EXPECT_TRUE(l.diag.messages.empty());
}

TEST(VmstateLoad, FieldAfterItsVersionIsAbsentFromOlderStreams) {
  std::vector<std::uint8_t> v1(kWire);
  v1.erase(v1.begin() + 5, v1.begin() + 7);  // drop v2
  Loaded l = load(v1, 1);
  ASSERT_EQ(l.ret, 0);
  EXPECT_EQ(l.t.v2, 0);
  EXPECT_EQ(l.t.u64, 0x4444444444444444u);
}

TEST(VmstateLoad, VersionTooNewIsRejectedWithQemusMessage) {
  Loaded l = load(kWire, 3);
  EXPECT_EQ(l.ret, -EINVAL);
  ASSERT_EQ(l.diag.messages.size(), 1u);
  EXPECT_EQ(l.diag.messages[0], "thing: incoming version_id 3 is too new for local version_id 2");
  EXPECT_EQ(l.diag.reject.rule->id, "vmstate.version_too_new");
}

TEST(VmstateLoad, VersionTooOldKeepsQemusTwoSpaces) {
  Loaded l = load(kWire, 0);
  ASSERT_EQ(l.diag.messages.size(), 1u);
  EXPECT_EQ(l.diag.messages[0], "thing: incoming version_id 0 is too old for local minimum version_id  1");
}

TEST(VmstateLoad, EveryTruncationFails) {
  // A cut inside the fields fails there ("Failed to load thing:u32"); a cut
  // in the subsection header leaves the peek short and the sticky -EIO for
  // the caller; a cut inside its be32 version reads version 0 (too old), as
  // QEMU does.
  for (std::size_t n = 0; n < kWire.size(); ++n) {
    migcheck::wire::Reader in(std::span(kWire).first(n));
    vs::Diagnostics diag;
    vs::LoadContext ctx{in, diag};
    Thing t;
    t.want_sub = true;
    const int ret = vs::load_state(ctx, thing_vmsd(), t, 2);
    EXPECT_TRUE(ret < 0 || in.error() == -EIO) << "length " << n;
    EXPECT_LE(in.position(), n);
    if (n < 19) EXPECT_EQ(diag.reject.rule->id, "stream.truncated") << "length " << n;
    if (n >= 30 && n < 34) EXPECT_EQ(diag.reject.rule->id, "vmstate.version_too_old") << "length " << n;
  }
  EXPECT_EQ(load(std::span(kWire).first(3)).diag.messages.back(), "Failed to load thing:u32");
  EXPECT_EQ(load(std::span(kWire).first(16)).diag.messages.front(), "Failed to load elem:a");
  EXPECT_EQ(load(std::span(kWire).first(16)).diag.messages.back(), "Failed to load thing:elems");
}

TEST(SubsectionLoad, UnknownNameWithParentPrefixIsRejected) {
  std::vector<std::uint8_t> b(kWire);
  b[19 + 2 + 6] = 'X';  // "thing/Xub"
  Loaded l = load(b);
  EXPECT_EQ(l.ret, -ENOENT);
  EXPECT_EQ(l.diag.reject.rule->id, "vmstate.subsection_unknown");
  EXPECT_TRUE(l.diag.messages.empty()) << "QEMU 7.2 prints nothing at this level";
}

TEST(SubsectionLoad, ForeignPrefixIsLeftToParent) {
  std::vector<std::uint8_t> b(kWire);
  b[19 + 2] = 'T';  // "Thing/sub"
  Loaded l = load(b);
  EXPECT_EQ(l.ret, 0);
  EXPECT_EQ(l.consumed, 19u) << "the subsection bytes stay in the stream";
  EXPECT_EQ(l.t.sub, 0u);
}

TEST(SubsectionLoad, NameShorterThanParentPlusOneIsLeftToParent) {
  std::vector<std::uint8_t> b(kWire.begin(), kWire.begin() + 19);
  for (std::uint8_t c : std::initializer_list<std::uint8_t>{0x05, 0x05, 't', 'h', 'i', 'n', 'g'}) b.push_back(c);
  Loaded l = load(b);
  EXPECT_EQ(l.ret, 0);
  EXPECT_EQ(l.consumed, 19u);
}

TEST(SubsectionLoad, EmbeddedNulEndsTheNameAsInC) {
  // "thing/sub\0zz" (len 12) compares equal to "thing/sub" with strcmp.
  std::vector<std::uint8_t> b(kWire.begin(), kWire.begin() + 19);
  for (std::uint8_t c : std::initializer_list<std::uint8_t>{0x05, 12, 't', 'h', 'i', 'n', 'g', '/', 's', 'u', 'b', 0, 'z', 'z'}) b.push_back(c);
  for (std::uint8_t c : {0, 0, 0, 1, 0, 0, 0, 7}) b.push_back(c);
  Loaded l = load(b);
  ASSERT_EQ(l.ret, 0);
  EXPECT_EQ(l.t.sub, 7u);
}

TEST(SubsectionLoad, CStringStopsAtTheFirstNulOrTheEnd) {
  const std::uint8_t bytes[] = {'a', 'b', 0, 'c', 0};
  const std::span<const std::uint8_t> all(bytes);
  EXPECT_EQ(vs::c_string(all), "ab");
  EXPECT_EQ(vs::c_string(all.first(2)), "ab");
  EXPECT_EQ(vs::c_string(all.subspan(2)), "");
  EXPECT_EQ(vs::c_string(all.subspan(3, 1)), "c");
  EXPECT_EQ(vs::c_string({}), "");
}

TEST(SubsectionLoad, VersionIsTheLowByteOfTheBe32) {
  std::vector<std::uint8_t> b(kWire);
  b[30] = 0x01;  // version 0x01000001 -> (uint8_t) 1
  Loaded l = load(b);
  EXPECT_EQ(l.ret, 0);
  EXPECT_EQ(l.t.sub, 0xdeadbeefu);
}

TEST(SubsectionLoad, MayAppearTwiceAndIsAppliedTwice) {
  std::vector<std::uint8_t> b(kWire);
  b.insert(b.end(), kWire.begin() + 19, kWire.end());
  b[b.size() - 1] = 0xf0;
  Loaded l = load(b);
  ASSERT_EQ(l.ret, 0);
  EXPECT_EQ(l.t.sub, 0xdeadbef0u);
}

namespace {
struct Counter final : vs::Visitor {
  int scalars = 0;
  void scalar(std::string_view, int, vs::ScalarKind, std::uint64_t& v) override {
    ++scalars;
    v += 1;
  }
};
}  // namespace

TEST(VmstateVisit, SeesEveryFieldAndCanChangeIt) {
  Thing t = sample();
  Counter c;
  vs::visit_state(c, thing_vmsd(), t);
  EXPECT_EQ(c.scalars, 7);  // u8 u32 v2 u64 elems[0..1].a sub
  EXPECT_EQ(t.u8, 0x12);
  EXPECT_EQ(t.elems[1].a, 3);
  EXPECT_EQ(t.sub, 0xdeadbef0u);
}
