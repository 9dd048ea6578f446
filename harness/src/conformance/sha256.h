// SHA-256 (FIPS 180-4) of a byte span, as lowercase hex: vectors pin the
// exact bytes they were observed with, so a drifted base file is caught.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace migcheck::conformance {

std::string sha256_hex(std::span<const std::uint8_t> data);

}  // namespace migcheck::conformance
