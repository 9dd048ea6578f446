// Big-endian writer: the qemu_put_* side of the wire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace migcheck::wire {

class Writer {
 public:
  Writer() = default;
  explicit Writer(std::size_t reserve) { buf_.reserve(reserve); }

  void u8(std::uint8_t v) { buf_.push_back(v); }
  void be16(std::uint16_t v) {
    buf_.push_back(static_cast<std::uint8_t>(v >> 8));
    buf_.push_back(static_cast<std::uint8_t>(v));
  }
  void be32(std::uint32_t v) {
    std::uint8_t b[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                         static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    buf_.insert(buf_.end(), b, b + 4);
  }
  void be64(std::uint64_t v) {
    be32(static_cast<std::uint32_t>(v >> 32));
    be32(static_cast<std::uint32_t>(v));
  }
  void le32(std::uint32_t v) {
    std::uint8_t b[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                         static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
    buf_.insert(buf_.end(), b, b + 4);
  }
  void le64(std::uint64_t v) {
    le32(static_cast<std::uint32_t>(v));
    le32(static_cast<std::uint32_t>(v >> 32));
  }
  void bytes(std::span<const std::uint8_t> b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
  void chars(std::string_view s) { buf_.insert(buf_.end(), s.begin(), s.end()); }
  void zeros(std::size_t n) { buf_.resize(buf_.size() + n, 0); }

  std::size_t size() const { return buf_.size(); }
  const std::vector<std::uint8_t>& data() const { return buf_; }
  std::vector<std::uint8_t> take() { return std::move(buf_); }
  void clear() { buf_.clear(); }

 private:
  std::vector<std::uint8_t> buf_;
};

}  // namespace migcheck::wire
