#include "qmp_decode.h"

#include <array>
#include <string_view>
#include <utility>

namespace migcheck::harness::qemu {

namespace {

// Bit numbers of the names QEMU 7.2's qmp_decode_features prints
// (include/standard-headers/linux/virtio_*.h); bits it has no name for come
// back as "unknown-dev-features".
constexpr std::array<std::pair<std::string_view, unsigned>, 86> kFeatureBits = {{
    {"VHOST_F_LOG_ALL", 26},
    {"VHOST_NET_F_VIRTIO_NET_HDR", 27},
    {"VHOST_USER_F_PROTOCOL_FEATURES", 30},
    {"VIRTIO_F_BAD_FEATURE", 30},
    {"VIRTIO_BALLOON_F_MUST_TELL_HOST", 0},
    {"VIRTIO_BALLOON_F_STATS_VQ", 1},
    {"VIRTIO_BALLOON_F_DEFLATE_ON_OOM", 2},
    {"VIRTIO_BALLOON_F_FREE_PAGE_HINT", 3},
    {"VIRTIO_BALLOON_F_PAGE_POISON", 4},
    {"VIRTIO_BALLOON_F_REPORTING", 5},
    {"VIRTIO_BLK_F_BARRIER", 0},
    {"VIRTIO_BLK_F_SIZE_MAX", 1},
    {"VIRTIO_BLK_F_SEG_MAX", 2},
    {"VIRTIO_BLK_F_GEOMETRY", 4},
    {"VIRTIO_BLK_F_RO", 5},
    {"VIRTIO_BLK_F_BLK_SIZE", 6},
    {"VIRTIO_BLK_F_SCSI", 7},
    {"VIRTIO_BLK_F_FLUSH", 9},
    {"VIRTIO_BLK_F_TOPOLOGY", 10},
    {"VIRTIO_BLK_F_CONFIG_WCE", 11},
    {"VIRTIO_BLK_F_MQ", 12},
    {"VIRTIO_BLK_F_DISCARD", 13},
    {"VIRTIO_BLK_F_WRITE_ZEROES", 14},
    {"VIRTIO_CONSOLE_F_SIZE", 0},
    {"VIRTIO_CONSOLE_F_MULTIPORT", 1},
    {"VIRTIO_CONSOLE_F_EMERG_WRITE", 2},
    {"VIRTIO_GPU_F_VIRGL", 0},
    {"VIRTIO_GPU_F_EDID", 1},
    {"VIRTIO_GPU_F_RESOURCE_UUID", 2},
    {"VIRTIO_GPU_F_RESOURCE_BLOB", 3},
    {"VIRTIO_GPU_F_CONTEXT_INIT", 4},
    {"VIRTIO_I2C_F_ZERO_LENGTH_REQUEST", 0},
    {"VIRTIO_IOMMU_F_INPUT_RANGE", 0},
    {"VIRTIO_IOMMU_F_DOMAIN_RANGE", 1},
    {"VIRTIO_IOMMU_F_MAP_UNMAP", 2},
    {"VIRTIO_IOMMU_F_BYPASS", 3},
    {"VIRTIO_IOMMU_F_PROBE", 4},
    {"VIRTIO_IOMMU_F_MMIO", 5},
    {"VIRTIO_IOMMU_F_BYPASS_CONFIG", 6},
    {"VIRTIO_MEM_F_ACPI_PXM", 0},
    {"VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE", 1},
    {"VIRTIO_NET_F_CSUM", 0},
    {"VIRTIO_NET_F_GUEST_CSUM", 1},
    {"VIRTIO_NET_F_CTRL_GUEST_OFFLOADS", 2},
    {"VIRTIO_NET_F_MTU", 3},
    {"VIRTIO_NET_F_MAC", 5},
    {"VIRTIO_NET_F_GSO", 6},
    {"VIRTIO_NET_F_GUEST_TSO4", 7},
    {"VIRTIO_NET_F_GUEST_TSO6", 8},
    {"VIRTIO_NET_F_GUEST_ECN", 9},
    {"VIRTIO_NET_F_GUEST_UFO", 10},
    {"VIRTIO_NET_F_HOST_TSO4", 11},
    {"VIRTIO_NET_F_HOST_TSO6", 12},
    {"VIRTIO_NET_F_HOST_ECN", 13},
    {"VIRTIO_NET_F_HOST_UFO", 14},
    {"VIRTIO_NET_F_MRG_RXBUF", 15},
    {"VIRTIO_NET_F_STATUS", 16},
    {"VIRTIO_NET_F_CTRL_VQ", 17},
    {"VIRTIO_NET_F_CTRL_RX", 18},
    {"VIRTIO_NET_F_CTRL_VLAN", 19},
    {"VIRTIO_NET_F_CTRL_RX_EXTRA", 20},
    {"VIRTIO_NET_F_GUEST_ANNOUNCE", 21},
    {"VIRTIO_NET_F_MQ", 22},
    {"VIRTIO_NET_F_CTRL_MAC_ADDR", 23},
    {"VIRTIO_NET_F_HASH_REPORT", 57},
    {"VIRTIO_NET_F_RSS", 60},
    {"VIRTIO_NET_F_RSC_EXT", 61},
    {"VIRTIO_NET_F_STANDBY", 62},
    {"VIRTIO_NET_F_SPEED_DUPLEX", 63},
    {"VIRTIO_SCSI_F_INOUT", 0},
    {"VIRTIO_SCSI_F_HOTPLUG", 1},
    {"VIRTIO_SCSI_F_CHANGE", 2},
    {"VIRTIO_SCSI_F_T10_PI", 3},
    {"VIRTIO_VSOCK_F_SEQPACKET", 1},
    {"VIRTIO_F_NOTIFY_ON_EMPTY", 24},
    {"VIRTIO_F_ANY_LAYOUT", 27},
    {"VIRTIO_RING_F_INDIRECT_DESC", 28},
    {"VIRTIO_RING_F_EVENT_IDX", 29},
    {"VIRTIO_F_VERSION_1", 32},
    {"VIRTIO_F_IOMMU_PLATFORM", 33},
    {"VIRTIO_F_RING_PACKED", 34},
    {"VIRTIO_F_IN_ORDER", 35},
    {"VIRTIO_F_ORDER_PLATFORM", 36},
    {"VIRTIO_F_SR_IOV", 37},
    {"VIRTIO_F_NOTIFICATION_DATA", 38},
    {"VIRTIO_F_RING_RESET", 40},
}};

constexpr std::array<std::pair<std::string_view, unsigned>, 7> kStatusBits = {{
    {"VIRTIO_CONFIG_S_ACKNOWLEDGE", 0x01},
    {"VIRTIO_CONFIG_S_DRIVER", 0x02},
    {"VIRTIO_CONFIG_S_DRIVER_OK", 0x04},
    {"VIRTIO_CONFIG_S_FEATURES_OK", 0x08},
    {"VIRTIO_CONFIG_S_DEVICE_STOPPED", 0x20},
    {"VIRTIO_CONFIG_S_NEEDS_RESET", 0x40},
    {"VIRTIO_CONFIG_S_FAILED", 0x80},
}};

// "VIRTIO_NET_F_MAC: Device has given MAC address" -> "VIRTIO_NET_F_MAC"
std::string_view symbol(std::string_view text) { return text.substr(0, text.find(':')); }

template <std::size_t N>
std::optional<unsigned> lookup(const std::array<std::pair<std::string_view, unsigned>, N>& table, std::string_view s) {
  for (const auto& [name, v] : table)
    if (name == s) return v;
  return std::nullopt;
}

std::uint64_t uint_or(const nlohmann::json& j, const char* key, std::uint64_t fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : fallback;
}

}  // namespace

std::optional<unsigned> feature_bit(std::string_view qmp_name) { return lookup(kFeatureBits, symbol(qmp_name)); }

std::optional<std::uint64_t> feature_word(const nlohmann::json& decoded, std::string* error) {
  if (!decoded.is_object()) {
    *error = "feature set is not an object";
    return std::nullopt;
  }
  std::uint64_t word = uint_or(decoded, "unknown-dev-features", 0);
  for (const char* list : {"dev-features", "transports"}) {
    auto it = decoded.find(list);
    if (it == decoded.end()) continue;
    for (const auto& name : *it) {
      const auto bit = name.is_string() ? lookup(kFeatureBits, symbol(name.get<std::string>())) : std::nullopt;
      if (!bit) {
        *error = "unknown QMP feature name " + name.dump();
        return std::nullopt;
      }
      word |= std::uint64_t{1} << *bit;
    }
  }
  return word;
}

std::optional<std::uint8_t> status_byte(const nlohmann::json& decoded, std::string* error) {
  if (!decoded.is_object() || !decoded.contains("statuses")) {
    *error = "status is not {\"statuses\": [...]}";
    return std::nullopt;
  }
  auto s = static_cast<std::uint8_t>(uint_or(decoded, "unknown-statuses", 0));
  for (const auto& name : decoded["statuses"]) {
    const auto bit = name.is_string() ? lookup(kStatusBits, symbol(name.get<std::string>())) : std::nullopt;
    if (!bit) {
      *error = "unknown QMP status name " + name.dump();
      return std::nullopt;
    }
    s = static_cast<std::uint8_t>(s | *bit);
  }
  return s;
}

std::optional<nlohmann::json> device_json(const nlohmann::json& st, const std::vector<nlohmann::json>& queues,
                                          std::string* error) {
  if (!st.is_object()) {
    *error = "x-query-virtio-status reply is not an object";
    return std::nullopt;
  }
  const auto guest = feature_word(st.value("guest-features", nlohmann::json()), error);
  if (!guest) return std::nullopt;
  const auto host = feature_word(st.value("host-features", nlohmann::json()), error);
  if (!host) return std::nullopt;
  const auto status = status_byte(st.value("status", nlohmann::json()), error);
  if (!status) return std::nullopt;
  nlohmann::json d = {{"guest-features", *guest}, {"host-features", *host}, {"status", *status}};
  for (const char* k : {"name", "device-endian", "num-vqs", "isr", "queue-sel", "broken", "started", "disabled",
                        "start-on-kick", "use-started"})
    if (st.contains(k)) d[k] = st[k];
  nlohmann::json qs = nlohmann::json::array();
  for (const nlohmann::json& q : queues) {
    if (!q.is_object()) {
      *error = "x-query-virtio-queue-status reply is not an object";
      return std::nullopt;
    }
    nlohmann::json out = nlohmann::json::object();
    for (const char* k : {"queue-index", "vring-num", "vring-num-default", "vring-align", "vring-desc", "vring-avail",
                          "vring-used", "last-avail-idx", "shadow-avail-idx", "used-idx", "inuse",
                          "signalled-used-valid"})
      if (q.contains(k)) out[k] = q[k];
    qs.push_back(std::move(out));
  }
  d["queues"] = std::move(qs);
  return d;
}

}  // namespace migcheck::harness::qemu
