// Big-endian writer: the qemu_put_* side of the wire.
//
// Appends go straight into a growing buffer (no per-byte container calls):
// re-encoding is on the fuzzers' hot path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>
#include <span>
#include <string_view>
#include <vector>

namespace migcheck::wire {

// Grows storage without zero-filling it: every byte is written before use.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

class Writer {
 public:
  Writer() = default;
  explicit Writer(std::size_t reserve) { buf_.resize(reserve); }

  void u8(std::uint8_t v) { *grow(1) = v; }
  void be16(std::uint16_t v) {
    std::uint8_t* p = grow(2);
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
  }
  void be32(std::uint32_t v) {
    std::uint8_t* p = grow(4);
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
  }
  void be64(std::uint64_t v) {
    be32(static_cast<std::uint32_t>(v >> 32));
    be32(static_cast<std::uint32_t>(v));
  }
  void le32(std::uint32_t v) {
    std::uint8_t* p = grow(4);
    for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
  void le64(std::uint64_t v) {
    le32(static_cast<std::uint32_t>(v));
    le32(static_cast<std::uint32_t>(v >> 32));
  }
  void bytes(std::span<const std::uint8_t> b) {
    if (!b.empty()) std::memcpy(grow(b.size()), b.data(), b.size());
  }
  void chars(std::string_view s) {
    if (!s.empty()) std::memcpy(grow(s.size()), s.data(), s.size());
  }
  void zeros(std::size_t n) {
    if (n) std::memset(grow(n), 0, n);
  }

  std::size_t size() const { return len_; }
  std::span<const std::uint8_t> written() const { return {buf_.data(), len_}; }
  std::vector<std::uint8_t> take() {
    std::vector<std::uint8_t> out(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(len_));
    len_ = 0;
    return out;
  }
  void clear() { len_ = 0; }

 private:
  std::uint8_t* grow(std::size_t n) {
    if (buf_.size() - len_ < n) buf_.resize(std::max(buf_.size() * 2, len_ + n));
    std::uint8_t* p = buf_.data() + len_;
    len_ += n;
    return p;
  }
  std::vector<std::uint8_t, UninitializedAllocator<std::uint8_t>> buf_;  // bytes past len_ are scratch
  std::size_t len_ = 0;
};

}  // namespace migcheck::wire
