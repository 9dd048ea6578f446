// Bounded big-endian reader with QEMUFile's failure semantics.
//
// QEMU's loader never sees a short read directly: qemu_get_byte() past the
// end returns 0, leaves the position where it was and records a sticky -EIO
// that is only noticed where the caller asks (qemu_file_get_error). Messages
// such as "Failed to load virtio-net-device:mac" after a truncation inside
// virtio_load's hand-written part depend on exactly that, so this reader
// reproduces it: reads past the end yield zeros, the first error and its
// offset stick, and nothing here allocates.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace migcheck::wire {

class Reader {
 public:
  Reader() = default;
  // `base` is the absolute stream offset of data[0], so every position and
  // error offset this reader reports is an offset into the user's file.
  explicit Reader(std::span<const std::uint8_t> data, std::uint64_t base = 0)
      : data_(data), base_(base) {}

  // Absolute offset of the next byte to be read.
  std::uint64_t offset() const { return base_ + pos_; }
  std::size_t position() const { return pos_; }
  std::size_t size() const { return data_.size(); }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ >= data_.size(); }
  std::span<const std::uint8_t> data() const { return data_; }
  std::uint64_t base() const { return base_; }

  // Sticky error: 0 or a negative errno (only the first one is kept, as
  // qemu_file_set_error does).
  int error() const { return error_; }
  std::uint64_t error_offset() const { return error_offset_; }
  void set_error(int err) {
    if (error_ == 0 && err < 0) {
      error_ = err;
      error_offset_ = offset();
    }
  }

  std::uint8_t u8() {
    if (pos_ < data_.size()) return data_[pos_++];
    hit_end();
    return 0;
  }
  std::uint16_t be16() {
    if (remaining() >= 2) {
      const std::uint8_t* p = data_.data() + pos_;
      pos_ += 2;
      return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
    }
    return static_cast<std::uint16_t>(slow(2));
  }
  std::uint32_t be32() {
    if (remaining() >= 4) {
      const std::uint8_t* p = data_.data() + pos_;
      pos_ += 4;
      return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 |
             std::uint32_t{p[2]} << 8 | p[3];
    }
    return static_cast<std::uint32_t>(slow(4));
  }
  std::uint64_t be64() {
    if (remaining() >= 8) {
      std::uint64_t hi = be32();
      return hi << 32 | be32();
    }
    return slow(8);
  }
  // Little-endian reads for raw host structs written with qemu_put_buffer.
  std::uint32_t le32() {
    std::uint8_t b[4];
    bytes(b, 4);
    return std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 |
           std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
  }
  std::uint64_t le64() {
    std::uint64_t lo = le32();
    return lo | std::uint64_t{le32()} << 32;
  }

  // qemu_get_buffer: copies what is there, zero-fills the rest, returns the
  // number of bytes really read.
  std::size_t bytes(std::uint8_t* dst, std::size_t n) {
    std::size_t have = remaining() < n ? remaining() : n;
    if (have) std::memcpy(dst, data_.data() + pos_, have);
    pos_ += have;
    if (have < n) {
      std::memset(dst + have, 0, n - have);
      hit_end();
    }
    return have;
  }
  // Discards up to n bytes (VMSTATE_UNUSED, excess config); bounded by the
  // data, never by n.
  std::size_t skip(std::size_t n) {
    std::size_t have = remaining() < n ? remaining() : n;
    pos_ += have;
    if (have < n) hit_end();
    return have;
  }

  // qemu_peek_byte: 0 past the end, and like QEMU the failed refill marks
  // the file as errored.
  std::uint8_t peek(std::size_t k) {
    if (k < remaining()) return data_[pos_ + k];
    hit_end();
    return 0;
  }
  // qemu_peek_buffer: up to n bytes at k, possibly fewer.
  std::span<const std::uint8_t> peek_span(std::size_t k, std::size_t n) {
    if (k >= remaining()) {
      hit_end();
      return {};
    }
    std::size_t have = remaining() - k < n ? remaining() - k : n;
    if (have < n) hit_end();
    return data_.subspan(pos_ + k, have);
  }
  // A view of the next n bytes without consuming (for dumps and observers).
  std::span<const std::uint8_t> view(std::size_t n) const {
    std::size_t have = remaining() < n ? remaining() : n;
    return data_.subspan(pos_, have);
  }
  // Repositions within the data (used by framing after a sized skip).
  void seek(std::size_t pos) { pos_ = pos <= data_.size() ? pos : data_.size(); }

 private:
  [[gnu::noinline]] void hit_end() { set_error(-EIO); }
  [[gnu::noinline]] std::uint64_t slow(int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = v << 8 | u8();
    return v;
  }

  std::span<const std::uint8_t> data_{};
  std::uint64_t base_ = 0;
  std::size_t pos_ = 0;
  int error_ = 0;
  std::uint64_t error_offset_ = 0;
};

}  // namespace migcheck::wire
