// Decoding QEMU's QMP x-query-virtio-status names back into bits, so the
// captures' destination status can be compared with our integer words.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace migcheck::test {

// "VIRTIO_NET_F_MAC: Device has given MAC address" -> 5 (the symbol before
// ':' is what is looked up). nullopt for a name we do not know.
std::optional<unsigned> feature_bit(std::string_view qmp_name);

// {"dev-features": [...], "transports": [...], "unknown-dev-features": N}
// -> the 64-bit word. Throws std::runtime_error on an unknown name.
std::uint64_t feature_word(const nlohmann::json& decoded);

// {"statuses": ["VIRTIO_CONFIG_S_ACKNOWLEDGE: ...", ...]} -> status byte.
std::uint8_t status_byte(const nlohmann::json& decoded);

}  // namespace migcheck::test
