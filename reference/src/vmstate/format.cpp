#include "migcheck/vmstate/format.h"

#include <algorithm>

namespace migcheck::vmstate {

std::string qemu_vformat(std::string_view format, fmt::printf_args args) { return fmt::vsprintf(format, args); }

std::string hex(std::span<const std::uint8_t> bytes, std::size_t max) {
  std::string s;
  const std::size_t n = std::min(bytes.size(), max);
  s.reserve(n * 3 + 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += fmt::format("{:02x}", bytes[i]);
  }
  if (bytes.size() > n) s += " ...";
  return s;
}

std::string describe_bytes(std::span<const std::uint8_t> bytes) {
  const auto nonzero = std::count_if(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b != 0; });
  if (bytes.size() <= 16) return hex(bytes);
  return fmt::format("{} ({} bytes, {} nonzero)", hex(bytes), bytes.size(), nonzero);
}

}  // namespace migcheck::vmstate
