#include "qmp_names.h"

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

namespace migcheck::test {

namespace {

// Bit numbers from include/standard-headers/linux/virtio_*.h (QEMU 7.2).
constexpr std::array<std::pair<std::string_view, unsigned>, 81> kBits = {{
    {"VHOST_F_LOG_ALL", 26},
    {"VHOST_NET_F_VIRTIO_NET_HDR", 27},
    {"VHOST_USER_F_PROTOCOL_FEATURES", 30},
    {"VIRTIO_BALLOON_F_DEFLATE_ON_OOM", 2},
    {"VIRTIO_BALLOON_F_FREE_PAGE_HINT", 3},
    {"VIRTIO_BALLOON_F_MUST_TELL_HOST", 0},
    {"VIRTIO_BALLOON_F_PAGE_POISON", 4},
    {"VIRTIO_BALLOON_F_REPORTING", 5},
    {"VIRTIO_BALLOON_F_STATS_VQ", 1},
    {"VIRTIO_BLK_F_BARRIER", 0},
    {"VIRTIO_BLK_F_BLK_SIZE", 6},
    {"VIRTIO_BLK_F_CONFIG_WCE", 11},
    {"VIRTIO_BLK_F_DISCARD", 13},
    {"VIRTIO_BLK_F_FLUSH", 9},
    {"VIRTIO_BLK_F_GEOMETRY", 4},
    {"VIRTIO_BLK_F_MQ", 12},
    {"VIRTIO_BLK_F_RO", 5},
    {"VIRTIO_BLK_F_SCSI", 7},
    {"VIRTIO_BLK_F_SEG_MAX", 2},
    {"VIRTIO_BLK_F_SIZE_MAX", 1},
    {"VIRTIO_BLK_F_TOPOLOGY", 10},
    {"VIRTIO_BLK_F_WRITE_ZEROES", 14},
    {"VIRTIO_CONSOLE_F_EMERG_WRITE", 2},
    {"VIRTIO_CONSOLE_F_MULTIPORT", 1},
    {"VIRTIO_CONSOLE_F_SIZE", 0},
    {"VIRTIO_GPU_F_CONTEXT_INIT", 4},
    {"VIRTIO_GPU_F_EDID", 1},
    {"VIRTIO_GPU_F_RESOURCE_BLOB", 3},
    {"VIRTIO_GPU_F_RESOURCE_UUID", 2},
    {"VIRTIO_GPU_F_VIRGL", 0},
    {"VIRTIO_I2C_F_ZERO_LENGTH_REQUEST", 0},
    {"VIRTIO_IOMMU_F_BYPASS", 3},
    {"VIRTIO_IOMMU_F_BYPASS_CONFIG", 6},
    {"VIRTIO_IOMMU_F_DOMAIN_RANGE", 1},
    {"VIRTIO_IOMMU_F_INPUT_RANGE", 0},
    {"VIRTIO_IOMMU_F_MAP_UNMAP", 2},
    {"VIRTIO_IOMMU_F_MMIO", 5},
    {"VIRTIO_IOMMU_F_PROBE", 4},
    {"VIRTIO_MEM_F_ACPI_PXM", 0},
    {"VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE", 1},
    {"VIRTIO_NET_F_CSUM", 0},
    {"VIRTIO_NET_F_CTRL_GUEST_OFFLOADS", 2},
    {"VIRTIO_NET_F_CTRL_MAC_ADDR", 23},
    {"VIRTIO_NET_F_CTRL_RX", 18},
    {"VIRTIO_NET_F_CTRL_RX_EXTRA", 20},
    {"VIRTIO_NET_F_CTRL_VLAN", 19},
    {"VIRTIO_NET_F_CTRL_VQ", 17},
    {"VIRTIO_NET_F_GSO", 6},
    {"VIRTIO_NET_F_GUEST_ANNOUNCE", 21},
    {"VIRTIO_NET_F_GUEST_CSUM", 1},
    {"VIRTIO_NET_F_GUEST_ECN", 9},
    {"VIRTIO_NET_F_GUEST_TSO4", 7},
    {"VIRTIO_NET_F_GUEST_TSO6", 8},
    {"VIRTIO_NET_F_GUEST_UFO", 10},
    {"VIRTIO_NET_F_HASH_REPORT", 57},
    {"VIRTIO_NET_F_HOST_ECN", 13},
    {"VIRTIO_NET_F_HOST_TSO4", 11},
    {"VIRTIO_NET_F_HOST_TSO6", 12},
    {"VIRTIO_NET_F_HOST_UFO", 14},
    {"VIRTIO_NET_F_MAC", 5},
    {"VIRTIO_NET_F_MQ", 22},
    {"VIRTIO_NET_F_MRG_RXBUF", 15},
    {"VIRTIO_NET_F_MTU", 3},
    {"VIRTIO_NET_F_RSC_EXT", 61},
    {"VIRTIO_NET_F_RSS", 60},
    {"VIRTIO_NET_F_SPEED_DUPLEX", 63},
    {"VIRTIO_NET_F_STANDBY", 62},
    {"VIRTIO_NET_F_STATUS", 16},
    {"VIRTIO_SCSI_F_CHANGE", 2},
    {"VIRTIO_SCSI_F_HOTPLUG", 1},
    {"VIRTIO_SCSI_F_INOUT", 0},
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
}};

constexpr std::array<std::pair<std::string_view, unsigned>, 7> kStatus = {{
    {"VIRTIO_CONFIG_S_ACKNOWLEDGE", 1},
    {"VIRTIO_CONFIG_S_DRIVER", 2},
    {"VIRTIO_CONFIG_S_DRIVER_OK", 4},
    {"VIRTIO_CONFIG_S_FEATURES_OK", 8},
    {"VIRTIO_CONFIG_S_NEEDS_RESET", 0x40},
    {"VIRTIO_CONFIG_S_FAILED", 0x80},
    {"VIRTIO_CONFIG_S_DEVICE_STOPPED", 0x20},
}};

std::string_view symbol(std::string_view name) { return name.substr(0, name.find(':')); }

}  // namespace

std::optional<unsigned> feature_bit(std::string_view qmp_name) {
  const std::string_view sym = symbol(qmp_name);
  for (const auto& [s, b] : kBits)
    if (s == sym) return b;
  return std::nullopt;
}

std::uint64_t feature_word(const nlohmann::json& decoded) {
  std::uint64_t word = decoded.value("unknown-dev-features", std::uint64_t{0});
  for (const char* list : {"dev-features", "transports"}) {
    if (!decoded.contains(list)) continue;
    for (const auto& name : decoded[list]) {
      auto bit = feature_bit(name.get<std::string>());
      if (!bit) throw std::runtime_error("unknown QMP feature name: " + name.get<std::string>());
      word |= std::uint64_t{1} << *bit;
    }
  }
  return word;
}

std::uint8_t status_byte(const nlohmann::json& decoded) {
  std::uint8_t s = 0;
  for (const auto& name : decoded.at("statuses")) {
    const std::string text = name.get<std::string>();
    bool found = false;
    for (const auto& [sym, b] : kStatus)
      if (sym == symbol(text)) {
        s |= static_cast<std::uint8_t>(b);
        found = true;
      }
    if (!found) throw std::runtime_error("unknown QMP status name: " + text);
  }
  return s;
}

}  // namespace migcheck::test
