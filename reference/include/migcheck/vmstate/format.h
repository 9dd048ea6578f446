// Message formatting with QEMU's own printf formats.
//
// Rules carry QEMU's format string verbatim ("VQ %d address 0x0 inconsistent
// with Host index 0x%x"); formatting it printf-style with the same arguments
// is what makes our messages byte-identical to QEMU's stderr.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include <fmt/printf.h>

namespace migcheck::vmstate {

// The printf engine, compiled once (format.cpp) rather than in every file
// that formats a message: fmt's own type-erased-arguments pattern.
std::string qemu_vformat(std::string_view format, fmt::printf_args args);

template <class... Args>
std::string qemu_format(std::string_view format, const Args&... args) {
  return qemu_vformat(format, fmt::make_printf_args(args...));
}

template <class V>
std::string describe_scalar(V v) {
  if constexpr (std::is_same_v<V, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_signed_v<V>) {
    return fmt::format("{}", static_cast<std::int64_t>(v));
  } else {
    const auto u = static_cast<std::uint64_t>(v);
    return u < 10 ? fmt::format("{}", u) : fmt::format("0x{:x} ({})", u, u);
  }
}

std::string hex(std::span<const std::uint8_t> bytes, std::size_t max = 16);
std::string describe_bytes(std::span<const std::uint8_t> bytes);

}  // namespace migcheck::vmstate
