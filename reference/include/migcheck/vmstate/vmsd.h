// The schema engine: a typed VMStateDescription and the one loop that loads,
// saves and visits it.
//
// Mirrors migration/vmstate.c (QEMU 7.2): version checks, field presence by
// test or version, per-element sticky-error checks with "Failed to load %s:%s",
// the peek-driven subsection loop with its prefix/lookup rules, pre_load and
// post_load. A table is written once and serves load, save, dump and visit.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migcheck/defects/defects.h"
#include "migcheck/vmstate/context.h"
#include "migcheck/vmstate/visitor.h"

namespace migcheck::vmstate {

template <class T>
struct Vmsd;

// One VMStateField. Concrete kinds live in fields.h.
template <class T>
class Field {
 public:
  using Exists = bool (*)(const T&, int version_id);

  explicit Field(std::string_view name) : name_(name) {}
  virtual ~Field() = default;

  std::string_view name() const { return name_; }
  // Present from this vmsd version on (QEMU's field->version_id).
  Field& since(int version) {
    version_id_ = version;
    return *this;
  }
  // Present when the test says so (QEMU's field_exists), whatever the version.
  Field& when(Exists test) {
    exists_ = test;
    return *this;
  }
  Field& must_exist() {
    must_exist_ = true;
    return *this;
  }

  bool present(const T& t, int version_id) const {
    return exists_ ? exists_(t, version_id) : version_id_ <= version_id;
  }
  bool is_must_exist() const { return must_exist_; }

  // Number of elements, as QEMU computes it: an int, so a uint32 count of
  // 2^31 or more is negative and means no element at all.
  virtual int elements(const T&) const { return 1; }
  // Loads element i; returns 0 or a negative errno like VMStateInfo::get.
  virtual int load(LoadContext&, T&, int i) const = 0;
  virtual void save(SaveContext&, const T&, int i) const = 0;
  virtual void visit(Visitor&, T&, int i) const = 0;
  // Short value text for dumps (not called on the fast path).
  virtual std::string describe(const T&, int) const { return {}; }
  // Struct fields run their own vmsd and report through enter/leave.
  virtual bool is_struct() const { return false; }
  // A fixed-size field whose load only stores what it reads (no checks, no
  // side effects): a run of such fields can be skipped when its bytes are
  // known to decode to the value already held.
  virtual bool is_plain() const { return false; }

 private:
  std::string_view name_;
  int version_id_ = 0;
  Exists exists_ = nullptr;
  bool must_exist_ = false;
};

template <class T>
using FieldPtr = std::shared_ptr<Field<T>>;

template <class T>
struct Vmsd {
  std::string_view name;
  int version_id = 0;
  int minimum_version_id = 0;
  std::vector<FieldPtr<T>> fields;
  std::vector<const Vmsd<T>*> subsections;  // in save (wire) order
  bool (*needed)(const T&) = nullptr;       // for use as a subsection
  int (*pre_load)(LoadContext&, T&) = nullptr;
  int (*post_load)(LoadContext&, T&, int version_id) = nullptr;
  // Not a VMStateDescription but a hand-written QEMU loader described with
  // the same tables (virtio_load's common part): no version check, no error
  // check between fields, no subsection peek, no "Failed to load" line.
  bool hand_written = false;
};

// A vmsd whose load is a pure function of its bytes (see Field::is_plain).
template <class T>
bool is_plain(const Vmsd<T>& v) {
  if (v.pre_load || v.post_load || !v.subsections.empty() || v.hand_written) return false;
  for (const FieldPtr<T>& f : v.fields)
    if (!f->is_plain()) return false;
  return true;
}

// Rules of the engine itself (migration/vmstate.c).
namespace rules {
extern const LoadRule kVersionTooNew;
extern const LoadRule kVersionTooOld;
extern const LoadRule kMustExist;
extern const LoadRule kSubsectionUnknown;
extern const LoadRule kFieldFailed;
extern const LoadRule kStreamTruncated;
}  // namespace rules

std::string format_too_new(std::string_view name, int version, int local);
std::string format_too_old(std::string_view name, int version, int local_min);

// The name as QEMU sees it: copied into a NUL-terminated buffer, so any
// embedded NUL ends it (strcmp/strncmp semantics). memchr rather than a
// loop: the fuzzers would trace a comparison per byte of every name.
inline std::string_view c_string(std::span<const std::uint8_t> raw) {
  const char* p = reinterpret_cast<const char*>(raw.data());
  const void* nul = raw.empty() ? nullptr : std::memchr(p, '\0', raw.size());
  return {p, nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - p) : raw.size()};
}

// The steps of the load loop that do not depend on the state type, compiled
// once (vmsd.cpp) rather than in every instantiation of load_state.
namespace engine {
// vmstate_load_state's version checks failed: the rejection.
int version_refused(LoadContext& ctx, std::string_view vmsd, int version_id, int local, int local_min);
int must_exist_missing(LoadContext& ctx, std::string_view vmsd, std::string_view field);
// A field's get failed (ret < 0) or left the stream in error: records it,
// with QEMU's "Failed to load vmsd:field" line.
int field_failed(LoadContext& ctx, int ret, std::string_view vmsd, std::string_view field);
// vmstate_subsection_load's peek, past QEMU_VM_SUBSECTION: the idstr of the
// subsection the stream holds next if it may be one of `vmsd`'s (a length
// that fits, the vmsd's name as prefix), else nothing: the caller returns 0.
std::optional<std::string_view> peek_subsection(wire::Reader& f, std::string_view vmsd);
int subsection_unknown(LoadContext& ctx, std::string_view idstr, std::string_view vmsd);
// Steps over the header of the subsection peek_subsection found (`name`
// is the vmsd it selected); its version, as the uint8_t QEMU keeps.
int enter_subsection(LoadContext& ctx, std::string_view name);
}  // namespace engine

template <class T>
int subsection_load(LoadContext& ctx, const Vmsd<T>& vmsd, T& state);

template <class T>
int load_state(LoadContext& ctx, const Vmsd<T>& vmsd, T& state, int version_id) {
  wire::Reader& f = ctx.in;
  if (ctx.observer) ctx.observer->enter(vmsd.name, version_id, f.offset());
  if (!vmsd.hand_written && (version_id > vmsd.version_id || version_id < vmsd.minimum_version_id))
    return engine::version_refused(ctx, vmsd.name, version_id, vmsd.version_id, vmsd.minimum_version_id);
  if (vmsd.pre_load) {
    if (int ret = vmsd.pre_load(ctx, state)) return ret;
  }
  for (const FieldPtr<T>& field : vmsd.fields) {
    if (!field->present(state, version_id)) {
      if (field->is_must_exist() && !vmsd.hand_written)
        return engine::must_exist_missing(ctx, vmsd.name, field->name());
      continue;
    }
    const int n = field->elements(state);
    for (int i = 0; i < n; ++i) {
      const std::uint64_t begin = f.offset();
      ctx.item_begin = begin;
      int ret = field->load(ctx, state, i);
      if (vmsd.hand_written) {
        if (ret < 0) return ret;
      } else {
        if (ret >= 0) ret = f.error();
        if (ret < 0) return engine::field_failed(ctx, ret, vmsd.name, field->name());
      }
      if (LoadObserver* o = ctx.field_observer(); o && !field->is_struct())
        o->field(field->name(), n > 1 ? i : -1, begin, f.offset(),
                 o->wants_values() ? field->describe(state, i) : std::string());
    }
  }
  if (!vmsd.hand_written) {
    if (int ret = subsection_load(ctx, vmsd, state)) return ret;
  }
  int ret = vmsd.post_load ? vmsd.post_load(ctx, state, version_id) : 0;
  if (ctx.observer) ctx.observer->leave(f.offset());
  return ret;
}

template <class T>
int subsection_load(LoadContext& ctx, const Vmsd<T>& vmsd, T& state) {
  // QEMU_VM_SUBSECTION tested here: most loads end on anything else.
  while (ctx.in.peek(0) == 0x05) {
    const std::optional<std::string_view> idstr = engine::peek_subsection(ctx.in, vmsd.name);
    if (!idstr) return 0;
    const Vmsd<T>* sub = nullptr;
    for (const Vmsd<T>* s : vmsd.subsections)
      if (s->name == *idstr) sub = s;
    if (!sub && defects::on(defects::Defect::UnknownSubsectionSkipped)) return 0;
    if (!sub) return engine::subsection_unknown(ctx, *idstr, vmsd.name);
    if (int ret = load_state(ctx, *sub, state, engine::enter_subsection(ctx, sub->name))) return ret;
  }
  return 0;
}

template <class T>
void save_state(SaveContext& ctx, const Vmsd<T>& vmsd, const T& state);

template <class T>
void subsection_save(SaveContext& ctx, const Vmsd<T>& vmsd, const T& state) {
  const bool reversed = defects::on(defects::Defect::SubsectionOrderReversed);
  const bool always = defects::on(defects::Defect::NeededAlwaysTrue);
  for (std::size_t k = 0; k < vmsd.subsections.size(); ++k) {
    const Vmsd<T>* sub = vmsd.subsections[reversed ? vmsd.subsections.size() - 1 - k : k];
    if (!always && sub->needed && !sub->needed(state)) continue;
    ctx.out.u8(0x05);
    ctx.out.u8(static_cast<std::uint8_t>(sub->name.size()));
    ctx.out.chars(sub->name);
    ctx.out.be32(static_cast<std::uint32_t>(sub->version_id));
    save_state(ctx, *sub, state);
  }
}

template <class T>
void save_state(SaveContext& ctx, const Vmsd<T>& vmsd, const T& state) {
  for (const FieldPtr<T>& field : vmsd.fields) {
    if (!field->present(state, vmsd.version_id)) continue;
    const int n = field->elements(state);
    for (int i = 0; i < n; ++i) field->save(ctx, state, i);
  }
  if (!vmsd.hand_written) subsection_save(ctx, vmsd, state);
}

// Visits every field and every subsection (needed or not): generators and
// mutators decide presence through the state that needed() reads.
template <class T>
void visit_state(Visitor& v, const Vmsd<T>& vmsd, T& state, int index = -1) {
  if (!v.enter(vmsd.name, index)) return;
  for (const FieldPtr<T>& field : vmsd.fields) {
    if (!field->present(state, vmsd.version_id)) continue;
    const int n = field->elements(state);
    for (int i = 0; i < n; ++i) field->visit(v, state, i);
  }
  for (const Vmsd<T>* sub : vmsd.subsections) visit_state(v, *sub, state);
  v.leave();
}

}  // namespace migcheck::vmstate
