// virtio-net device state as migrated (VirtIONet, hw/net/virtio-net.c).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace migcheck::devices {

constexpr std::uint32_t kMacTableEntries = 64;  // MAC_TABLE_ENTRIES
constexpr std::size_t kVlanBytes = 4096 >> 3;   // MAX_VLAN >> 3
constexpr std::size_t kRssMaxKeySize = 40;      // VIRTIO_NET_RSS_MAX_KEY_SIZE

struct NetQueue {  // VirtIONetQueue, migrated part
  std::uint32_t tx_waiting = 0;
  bool operator==(const NetQueue&) const = default;
};

struct MacTable {
  std::uint32_t in_use = 0;
  std::uint32_t first_multi = 0;
  std::uint8_t multi_overflow = 0;
  std::uint8_t uni_overflow = 0;
  std::array<std::uint8_t, kMacTableEntries * 6> macs{};
  bool operator==(const MacTable&) const = default;
};

struct RssData {
  bool enabled = false;
  bool redirect = false;
  bool populate_hash = false;
  std::uint32_t hash_types = 0;
  std::uint16_t indirections_len = 0;
  std::uint16_t default_queue = 0;
  std::array<std::uint8_t, kRssMaxKeySize> key{};
  std::vector<std::uint16_t> indirections_table;
  bool operator==(const RssData&) const = default;
};

struct Net {
  // --- destination configuration (not on the wire) ---
  std::uint16_t max_queue_pairs = 1;  // queues=N of the netdev / mq
  bool peer_has_vnet_hdr = false;     // -nic none: no peer
  bool peer_has_ufo = false;
  std::uint16_t rx_queue_size = 256;
  std::uint16_t tx_queue_size = 256;

  // --- vmstate "virtio-net-device" v11 ---
  std::array<std::uint8_t, 6> mac{};
  std::vector<NetQueue> vqs = std::vector<NetQueue>(1);  // max_queue_pairs entries
  std::uint32_t mergeable_rx_bufs = 0;
  std::uint16_t status = 0;
  std::uint8_t promisc = 0;
  std::uint8_t allmulti = 0;
  MacTable mac_table;
  std::array<std::uint8_t, kVlanBytes> vlans{};
  std::uint32_t has_vnet_hdr = 0;  // VirtIONetMigTmp
  std::uint8_t has_ufo = 0;        // VirtIONetMigTmp
  std::uint8_t alluni = 0;
  std::uint8_t nomulti = 0;
  std::uint8_t nouni = 0;
  std::uint8_t nobcast = 0;
  std::uint16_t curr_queue_pairs = 1;
  std::uint64_t curr_guest_offloads = 0;
  std::uint64_t saved_guest_offloads = 0;  // kept across set_features (post-load)
  RssData rss_data;

  bool operator==(const Net&) const = default;
};

}  // namespace migcheck::devices
