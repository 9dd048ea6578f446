// QEMU 7.2's x-query-virtio-status / x-query-virtio-queue-status replies in
// the shape of `migcheck check --json`: feature lists and status names back
// to the integer words the reference reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace migcheck::harness::qemu {

// "VIRTIO_NET_F_MAC: Device has given MAC address" (or the symbol alone) ->
// 5; nullopt for a name QEMU 7.2 does not print.
std::optional<unsigned> feature_bit(std::string_view qmp_name);

// {"dev-features": [...], "transports": [...], "unknown-dev-features": N}
// -> the 64-bit word; nullopt with *error naming an unknown feature.
std::optional<std::uint64_t> feature_word(const nlohmann::json& decoded, std::string* error);
// {"statuses": [...], "unknown-statuses": N} -> the status byte.
std::optional<std::uint8_t> status_byte(const nlohmann::json& decoded, std::string* error);

// One device: the status reply plus one reply per queue (0 .. num-vqs-1).
// nullopt with *error when a reply is not what 7.2 sends.
std::optional<nlohmann::json> device_json(const nlohmann::json& status, const std::vector<nlohmann::json>& queues,
                                          std::string* error);

}  // namespace migcheck::harness::qemu
