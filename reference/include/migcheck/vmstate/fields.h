// Field kinds of the schema engine, named after QEMU's VMSTATE_* macros.
//
// Tables are written the way QEMU writes them, e.g.
//   VMS_UINT32(VirtioNet, mac_table.in_use)
// gives a be32 field named "mac_table.in_use" over state.mac_table.in_use:
// the member path doubles as QEMU's field name, which is what appears in
// "Failed to load virtio-net-device:mac_table.in_use".
#pragma once

#include <array>
#include <cstdint>
#include <algorithm>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "migcheck/vmstate/format.h"
#include "migcheck/vmstate/scalar.h"
#include "migcheck/vmstate/vmsd.h"

namespace migcheck::vmstate {

namespace rules {
extern const LoadRule kEqualMismatch;
extern const LoadRule kInt32NotPositiveLe;
}  // namespace rules

template <class V>
constexpr ScalarKind kind_of() {
  if constexpr (std::is_same_v<V, bool>) return ScalarKind::Bool;
  else if constexpr (std::is_same_v<V, std::uint8_t>) return ScalarKind::U8;
  else if constexpr (std::is_same_v<V, std::uint16_t>) return ScalarKind::U16;
  else if constexpr (std::is_same_v<V, std::uint32_t>) return ScalarKind::U32;
  else if constexpr (std::is_same_v<V, std::uint64_t>) return ScalarKind::U64;
  else if constexpr (std::is_same_v<V, std::int32_t>) return ScalarKind::I32;
  else if constexpr (std::is_same_v<V, std::int64_t>) return ScalarKind::I64;
  else static_assert(sizeof(V) == 0, "unsupported scalar type");
}

template <class V>
V read_scalar(wire::Reader& in) {
  if constexpr (std::is_same_v<V, bool>) return in.u8() != 0;  // get_bool: any non-zero
  else if constexpr (sizeof(V) == 1) return static_cast<V>(in.u8());
  else if constexpr (sizeof(V) == 2) return static_cast<V>(in.be16());
  else if constexpr (sizeof(V) == 4) return static_cast<V>(in.be32());
  else return static_cast<V>(in.be64());
}

template <class V>
void write_scalar(wire::Writer& out, V v) {
  if constexpr (std::is_same_v<V, bool>) out.u8(v ? 1 : 0);
  else if constexpr (sizeof(V) == 1) out.u8(static_cast<std::uint8_t>(v));
  else if constexpr (sizeof(V) == 2) out.be16(static_cast<std::uint16_t>(v));
  else if constexpr (sizeof(V) == 4) out.be32(static_cast<std::uint32_t>(v));
  else out.be64(static_cast<std::uint64_t>(v));
}

template <class V>
void visit_scalar(Visitor& v, std::string_view name, int i, V& value) {
  std::uint64_t wide = static_cast<std::uint64_t>(value);
  if constexpr (std::is_signed_v<V>) wide = static_cast<std::uint64_t>(static_cast<std::int64_t>(value));
  v.scalar(name, i, kind_of<V>(), wide);
  if constexpr (std::is_same_v<V, bool>) value = wide != 0;
  else value = static_cast<V>(wide);
}

template <class T, class Acc>
using AccessedType = std::remove_cvref_t<decltype(std::declval<Acc>()(std::declval<T&>()))>;

// Element type of a scalar or of a std::array of scalars.
template <class S, bool kArray>
struct ElementOf {
  using type = S;
};
template <class S>
struct ElementOf<S, true> {
  using type = typename S::value_type;
};

// Where a field's value lives: at `offset` in the state, or, with a
// `holder`, in the object the holder finds from the state (a reference state
// pointing at its object). QEMU's VMStateField.offset.
template <class T>
struct Storage {
  std::size_t offset = 0;
  void* (*holder)(const T&) = nullptr;
  void* at(const T& t, std::size_t index, std::size_t stride) const {
    char* base = holder ? static_cast<char*>(holder(t)) : reinterpret_cast<char*>(const_cast<T*>(&t));
    return base + offset + index * stride;
  }
};

// The offset of what a member path selects in an H, measured once on a
// default H: paths through a pointer are not member paths (they would read
// the default's null) and take a holder instead.
template <class H>
const H& probe() {
  static const H p{};
  return p;
}
template <class H, class Acc>
std::size_t offset_in(Acc acc) {
  const auto base = reinterpret_cast<std::uintptr_t>(&probe<H>());
  const auto at = reinterpret_cast<std::uintptr_t>(&acc(probe<H>()));
  if (at < base || at >= base + sizeof(H)) throw std::logic_error("vmstate: a field outside its state");
  return at - base;
}

// A scalar (VMSTATE_UINT8/16/32/64, INT32, BOOL), or each element of a fixed
// scalar array. Known by kind and offset, so one class and one copy of its
// code serve every scalar of every table over T, not one per field.
template <class T>
class ScalarField final : public Field<T> {
 public:
  // `count` elements when the field is an array, else a single value.
  ScalarField(std::string_view name, ScalarKind kind, Storage<T> storage, std::optional<int> count)
      : Field<T>(name), info_(&scalar_info(kind)), storage_(storage), count_(count.value_or(1)), array_(count.has_value()) {}
  int elements(const T&) const override { return count_; }
  int load(LoadContext& ctx, T& t, int i) const override {
    info_->get(ctx.in, at(t, i));
    return 0;
  }
  void save(SaveContext& ctx, const T& t, int i) const override { info_->put(ctx.out, at(t, i)); }
  void visit(Visitor& v, T& t, int i) const override { info_->visit(v, this->name(), array_ ? i : -1, at(t, i)); }
  std::string describe(const T& t, int i) const override { return info_->describe(at(t, i)); }
  bool is_plain() const override { return true; }

 private:
  void* at(const T& t, int i) const { return storage_.at(t, static_cast<std::size_t>(i), info_->size); }
  const ScalarInfo* info_;
  Storage<T> storage_;
  // Plain members, not an optional: elements() runs per field per load, and
  // the fuzzers trace each test of an optional's engaged flag.
  int count_;
  bool array_;
};

// VMSTATE_*_EQUAL: the stream must carry the destination's own value.
template <class T, class Acc>
class EqualField final : public Field<T> {
  using V = AccessedType<T, Acc>;

 public:
  EqualField(std::string_view name, Acc acc) : Field<T>(name), acc_(acc) {}
  int load(LoadContext& ctx, T& t, int) const override {
    const V local = acc_(t);
    const V read = read_scalar<V>(ctx.in);
    if (local == read) return 0;
    // get_uint*_equal: "%x != %x" with the local value first.
    return ctx.reject(rules::kEqualMismatch, -EINVAL,
                      qemu_format(rules::kEqualMismatch.qemu_message, std::uint64_t{local},
                                  std::uint64_t{read}));
  }
  void save(SaveContext& ctx, const T& t, int) const override { write_scalar<V>(ctx.out, acc_(t)); }
  void visit(Visitor& v, T& t, int) const override { visit_scalar(v, this->name(), -1, acc_(t)); }
  std::string describe(const T& t, int) const override { return describe_scalar(acc_(t)); }

 private:
  Acc acc_;
};

// VMSTATE_INT32_POSITIVE_LE: 0 <= v <= local, and v replaces the local value.
template <class T, class Acc>
class Int32PositiveLeField final : public Field<T> {
 public:
  Int32PositiveLeField(std::string_view name, Acc acc) : Field<T>(name), acc_(acc) {}
  int load(LoadContext& ctx, T& t, int) const override {
    std::int32_t& cur = acc_(t);
    const auto loaded = static_cast<std::int32_t>(ctx.in.be32());
    if (loaded >= 0 && loaded <= cur) {
      cur = loaded;
      return 0;
    }
    return ctx.reject(rules::kInt32NotPositiveLe, -EINVAL,
                      qemu_format(rules::kInt32NotPositiveLe.qemu_message, loaded, cur));
  }
  void save(SaveContext& ctx, const T& t, int) const override {
    ctx.out.be32(static_cast<std::uint32_t>(acc_(t)));
  }
  void visit(Visitor& v, T& t, int) const override { visit_scalar(v, this->name(), -1, acc_(t)); }
  std::string describe(const T& t, int) const override { return describe_scalar(acc_(t)); }

 private:
  Acc acc_;
};

// VMSTATE_BUFFER / VMSTATE_VBUFFER: raw bytes. `Size` (optional) gives the
// length from the state; the accessor yields storage of the maximum size.
template <class T, class Acc>
class BufferField final : public Field<T> {
 public:
  using SizeFn = int (*)(const T&);
  BufferField(std::string_view name, Acc acc, SizeFn size = nullptr)
      : Field<T>(name), acc_(acc), size_(size) {}
  int load(LoadContext& ctx, T& t, int) const override {
    std::span<std::uint8_t> buf = span(t);
    ctx.in.bytes(buf.data(), buf.size());
    return 0;
  }
  void save(SaveContext& ctx, const T& t, int) const override {
    std::span<const std::uint8_t> buf = span(const_cast<T&>(t));
    ctx.out.bytes(buf);
  }
  void visit(Visitor& v, T& t, int) const override { v.bytes(this->name(), -1, span(t)); }
  std::string describe(const T& t, int) const override {
    return describe_bytes(span(const_cast<T&>(t)));
  }
  bool is_plain() const override { return size_ == nullptr; }

 private:
  std::span<std::uint8_t> span(T& t) const {
    auto& storage = acc_(t);
    std::span<std::uint8_t> all(storage.data(), storage.size());
    if (!size_) return all;
    const int n = size_(t);
    return all.first(n <= 0 ? 0 : std::min<std::size_t>(static_cast<std::size_t>(n), all.size()));
  }
  Acc acc_;
  SizeFn size_;
};

// VMSTATE_UNUSED / VMSTATE_UNUSED_VARRAY: bytes QEMU reads and discards and
// writes as zeros. `count` elements of `size` bytes each.
template <class T>
class UnusedField final : public Field<T> {
 public:
  using CountFn = int (*)(const T&);
  UnusedField(std::string_view name, int size, CountFn count = nullptr)
      : Field<T>(name), size_(size), count_(count) {}
  int elements(const T& t) const override { return count_ ? count_(t) : 1; }
  int load(LoadContext& ctx, T&, int) const override {
    ctx.in.skip(static_cast<std::size_t>(size_));
    return 0;
  }
  void save(SaveContext& ctx, const T&, int) const override {
    ctx.out.zeros(static_cast<std::size_t>(size_));
  }
  void visit(Visitor&, T&, int) const override {}
  bool is_plain() const override { return count_ == nullptr; }

 private:
  int size_;
  CountFn count_;
};

// VMSTATE_STRUCT / VMSTATE_STRUCT_ARRAY / VMSTATE_STRUCT_VARRAY_* /
// VMSTATE_WITH_TMP: each element is a nested vmsd loaded with that vmsd's
// own version (never on the wire), followed by its subsection peek.
template <class T, class U>
class StructField final : public Field<T> {
 public:
  using VmsdFn = const Vmsd<U>& (*)();
  using ElemFn = U& (*)(T&, int);
  using ConstElemFn = const U& (*)(const T&, int);
  using CountFn = int (*)(const T&);
  StructField(std::string_view name, VmsdFn vmsd, ElemFn elem, ConstElemFn celem, CountFn count)
      : Field<T>(name), vmsd_(vmsd), elem_(elem), celem_(celem), count_(count) {}
  int elements(const T& t) const override { return count_ ? count_(t) : 1; }
  int load(LoadContext& ctx, T& t, int i) const override {
    const Vmsd<U>& v = vmsd_();
    return load_state(ctx, v, elem_(t, i), v.version_id);
  }
  void save(SaveContext& ctx, const T& t, int i) const override {
    save_state(ctx, vmsd_(), celem_ ? celem_(t, i) : static_cast<const U&>(elem_(const_cast<T&>(t), i)));
  }
  void visit(Visitor& v, T& t, int i) const override {
    visit_state(v, vmsd_(), elem_(t, i), count_ ? i : -1);
  }
  bool is_struct() const override { return true; }

 private:
  VmsdFn vmsd_;
  ElemFn elem_;
  ConstElemFn celem_;
  CountFn count_;
};

// A struct array over slots most of which stay at their reset value (the
// 1024-entry virtqueue arrays): each element is loaded into a copy and
// stored back only if it differs from the reset value or is already held,
// so a load never materialises a thousand untouched slots.
template <class T, class U>
class SparseArrayField final : public Field<T> {
 public:
  using VmsdFn = const Vmsd<U>& (*)();
  using GetFn = const U& (*)(const T&, int);
  using SetFn = void (*)(T&, int, const U&);
  using CountFn = int (*)(const T&);
  SparseArrayField(std::string_view name, VmsdFn vmsd, GetFn get, SetFn set, CountFn count)
      : Field<T>(name), vmsd_(vmsd), get_(get), set_(set), count_(count) {}
  int elements(const T& t) const override { return count_(t); }
  int load(LoadContext& ctx, T& t, int i) const override {
    // Fast path: a slot still at its reset value, met by the bytes that
    // value encodes to and not followed by a subsection marker, would load
    // to itself; QEMU's loop would change nothing, so step over it.
    const Reset& r = reset();
    if (r.plain && !ctx.field_observer() && ctx.in.remaining() > r.bytes.size() && get_(t, i) == U{}) {
      const auto next = ctx.in.view(r.bytes.size() + 1);
      if (next[r.bytes.size()] != 0x05 && std::equal(r.bytes.begin(), r.bytes.end(), next.begin())) {
        ctx.in.skip(r.bytes.size());
        return 0;
      }
    }
    const Vmsd<U>& v = vmsd_();
    U element = get_(t, i);
    const int ret = load_state(ctx, v, element, v.version_id);
    set_(t, i, element);
    return ret;
  }
  void save(SaveContext& ctx, const T& t, int i) const override {
    const U& element = get_(t, i);
    const Reset& r = reset();
    if (r.plain && element == U{}) ctx.out.bytes(r.bytes);
    else save_state(ctx, vmsd_(), element);
  }
  void visit(Visitor& v, T& t, int i) const override {
    U element = get_(t, i);
    visit_state(v, vmsd_(), element, i);
    set_(t, i, element);
  }
  bool is_struct() const override { return true; }

 private:
  // The reset element's encoding, computed on first use (tables are
  // function-local statics; their vmsds may not exist at construction).
  struct Reset {
    bool plain = false;
    std::vector<std::uint8_t> bytes;
  };
  const Reset& reset() const {
    std::call_once(once_, [this] {
      reset_.plain = is_plain(vmsd_());
      wire::Writer w;
      SaveContext ctx{w};
      save_state(ctx, vmsd_(), U{});
      reset_.bytes = w.take();
    });
    return reset_;
  }
  VmsdFn vmsd_;
  GetFn get_;
  SetFn set_;
  CountFn count_;
  mutable std::once_flag once_;
  mutable Reset reset_;
};

// A field with hand-written get/put (QEMU's VMStateInfo), e.g. PCI config
// with its mask check, or "virtio" which runs virtio_load itself.
template <class T>
struct CustomOps {
  int (*get)(LoadContext&, T&) = nullptr;
  void (*put)(SaveContext&, const T&) = nullptr;
  void (*visit)(Visitor&, T&) = nullptr;
  std::string (*describe)(const T&) = nullptr;
  bool nested = false;  // runs vmsds of its own (dumps show those instead)
};

template <class T>
class CustomField final : public Field<T> {
 public:
  CustomField(std::string_view name, CustomOps<T> ops) : Field<T>(name), ops_(ops) {}
  int load(LoadContext& ctx, T& t, int) const override { return ops_.get(ctx, t); }
  void save(SaveContext& ctx, const T& t, int) const override { ops_.put(ctx, t); }
  void visit(Visitor& v, T& t, int) const override {
    if (ops_.visit) ops_.visit(v, t);
  }
  std::string describe(const T& t, int) const override {
    return ops_.describe ? ops_.describe(t) : std::string{};
  }
  bool is_struct() const override { return ops_.nested; }

 private:
  CustomOps<T> ops_;
};

// ---- builders ---------------------------------------------------------------

// A scalar over the object `holder` gives (H), its member path `acc` applied
// to an H.
template <class T, class H, class Acc>
FieldPtr<T> scalar_in(std::string_view name, void* (*holder)(const T&), Acc acc) {
  using Stored = AccessedType<H, Acc>;
  constexpr bool kArray = !std::is_arithmetic_v<Stored>;
  using Value = typename ElementOf<Stored, kArray>::type;
  std::optional<int> count;
  if constexpr (kArray) count = static_cast<int>(sizeof(Stored) / sizeof(Value));
  return std::make_shared<ScalarField<T>>(name, kind_of<Value>(), Storage<T>{offset_in<H>(acc), holder}, count);
}
template <class T, class Acc>
FieldPtr<T> scalar(std::string_view name, Acc acc) {
  return scalar_in<T, T>(name, nullptr, acc);
}
template <class T, class Acc>
FieldPtr<T> equal(std::string_view name, Acc acc) {
  return std::make_shared<EqualField<T, Acc>>(name, acc);
}
template <class T, class Acc>
FieldPtr<T> int32_positive_le(std::string_view name, Acc acc) {
  return std::make_shared<Int32PositiveLeField<T, Acc>>(name, acc);
}
template <class T, class Acc>
FieldPtr<T> buffer(std::string_view name, Acc acc, typename BufferField<T, Acc>::SizeFn size = nullptr) {
  return std::make_shared<BufferField<T, Acc>>(name, acc, size);
}
template <class T>
FieldPtr<T> unused(int size, typename UnusedField<T>::CountFn count = nullptr) {
  return std::make_shared<UnusedField<T>>("unused", size, count);
}
// A single nested struct (VMSTATE_STRUCT, VMSTATE_STRUCT_POINTER, WITH_TMP).
template <class T, class U>
FieldPtr<T> structure(std::string_view name, const Vmsd<U>& (*vmsd)(), U& (*elem)(T&, int)) {
  return std::make_shared<StructField<T, U>>(name, vmsd, elem, nullptr, nullptr);
}
// An array of structs with a count from the state (VMSTATE_STRUCT_ARRAY,
// VMSTATE_STRUCT_VARRAY_*); `celem` reads an element of a const state
// without materialising it.
template <class T, class U>
FieldPtr<T> structure_array(std::string_view name, const Vmsd<U>& (*vmsd)(), U& (*elem)(T&, int),
                            const U& (*celem)(const T&, int), int (*count)(const T&)) {
  return std::make_shared<StructField<T, U>>(name, vmsd, elem, celem, count);
}
template <class T, class U>
FieldPtr<T> sparse_array(std::string_view name, const Vmsd<U>& (*vmsd)(), const U& (*get)(const T&, int),
                         void (*set)(T&, int, const U&), int (*count)(const T&)) {
  return std::make_shared<SparseArrayField<T, U>>(name, vmsd, get, set, count);
}
template <class T>
FieldPtr<T> custom(std::string_view name, CustomOps<T> ops) {
  return std::make_shared<CustomField<T>>(name, ops);
}

// Adds a presence test or version to a built field (QEMU's _TEST/_V forms).
template <class T>
FieldPtr<T> when(FieldPtr<T> f, typename Field<T>::Exists test) {
  f->when(test);
  return f;
}
template <class T>
FieldPtr<T> since(FieldPtr<T> f, int version) {
  f->since(version);
  return f;
}

}  // namespace migcheck::vmstate

// Member path -> accessor, usable on const and non-const states.
#define MC_REF(path) [](auto& s_) -> auto& { return s_.path; }
// QEMU-style field declarations: the member path is the field name.
#define VMS_SCALAR(T, path) ::migcheck::vmstate::scalar<T>(#path, MC_REF(path))
#define VMS_EQUAL(T, path) ::migcheck::vmstate::equal<T>(#path, MC_REF(path))
#define VMS_BUFFER(T, path) ::migcheck::vmstate::buffer<T>(#path, MC_REF(path))
