// virtio-net-pci (hw/virtio/virtio-net-pci.c, hw/net/virtio-net.c @ 7.2):
// properties, realize, get_features without a peer, reset.
//
// There is no netdev: QEMU says "nic dev0 has no peer" and get_features
// drops the offloads that need a vnet header. migcheck's own property
// `queues=N` stands for the peer's queue count (-netdev tap,queues=N with
// vnet_hdr=off): it sets max_queue_pairs and the default vector count the
// way the netdev's `queues` does, without bringing the offloads back.
#include "model.h"

namespace migcheck::profile {

namespace {

// VIRTIO_NET_F_* (include/standard-headers/linux/virtio_net.h).
enum : unsigned {
  kCsum = 0,
  kGuestCsum = 1,
  kCtrlGuestOffloads = 2,
  kMtu = 3,
  kMac = 5,
  kGso = 6,
  kGuestTso4 = 7,
  kGuestTso6 = 8,
  kGuestEcn = 9,
  kGuestUfo = 10,
  kHostTso4 = 11,
  kHostTso6 = 12,
  kHostEcn = 13,
  kHostUfo = 14,
  kMrgRxbuf = 15,
  kStatus = 16,
  kCtrlVq = 17,
  kCtrlRx = 18,
  kCtrlVlan = 19,
  kCtrlRxExtra = 20,
  kGuestAnnounce = 21,
  kMq = 22,
  kCtrlMacAddr = 23,
  kHashReport = 57,
  kRss = 60,
  kRscExt = 61,
  kStandby = 62,
  kSpeedDuplex = 63,
};

constexpr std::uint16_t kQueueMinSize = 256;    // VIRTIO_NET_{RX,TX}_QUEUE_MIN_SIZE
constexpr std::uint16_t kTxQueueDefault = 256;  // virtio_net_max_tx_queue_size without vhost-user
constexpr std::uint16_t kCtrlQueueSize = 64;


constexpr PropDef kProxyProps[] = {
    {"ioeventfd", PropType::Bool, -1, -1, prop_ignored},
    {"vectors", PropType::U32, -1, -1, prop_vectors},
};

constexpr PropDef kNetProps[] = {
    {"csum", PropType::Bool, kCsum},
    {"guest_csum", PropType::Bool, kGuestCsum},
    {"gso", PropType::Bool, kGso},
    {"guest_tso4", PropType::Bool, kGuestTso4},
    {"guest_tso6", PropType::Bool, kGuestTso6},
    {"guest_ecn", PropType::Bool, kGuestEcn},
    {"guest_ufo", PropType::Bool, kGuestUfo},
    {"guest_announce", PropType::Bool, kGuestAnnounce},
    {"host_tso4", PropType::Bool, kHostTso4},
    {"host_tso6", PropType::Bool, kHostTso6},
    {"host_ecn", PropType::Bool, kHostEcn},
    {"host_ufo", PropType::Bool, kHostUfo},
    {"mrg_rxbuf", PropType::Bool, kMrgRxbuf},
    {"status", PropType::Bool, kStatus},
    {"ctrl_vq", PropType::Bool, kCtrlVq},
    {"ctrl_rx", PropType::Bool, kCtrlRx},
    {"ctrl_vlan", PropType::Bool, kCtrlVlan},
    {"ctrl_rx_extra", PropType::Bool, kCtrlRxExtra},
    {"ctrl_mac_addr", PropType::Bool, kCtrlMacAddr},
    {"ctrl_guest_offloads", PropType::Bool, kCtrlGuestOffloads},
    {"mq", PropType::Bool, kMq},
    {"rss", PropType::Bool, kRss},
    {"hash", PropType::Bool, kHashReport},
    {"guest_rsc_ext", PropType::Bool, kRscExt},
    {"rsc_interval", PropType::U32, -1, -1, prop_ignored},
    {"mac", PropType::Mac, -1, -1, [](Build& b, const PropValue& v) { b.net.mac = v.mac; }},
    {"netdev", PropType::Str, -1, -1,
     [](Build& b, const PropValue&) {
       b.prop_error =
           "netdev= is not modelled by migcheck (the destination NIC has no peer; "
           "use queues=N for a multiqueue netdev without vnet header)";
     }},
    {"x-txtimer", PropType::U32, -1, -1, prop_ignored},
    {"x-txburst", PropType::I32, -1, -1, prop_ignored},
    {"tx", PropType::Str, -1, -1, prop_ignored},  // only a warning if unknown
    {"rx_queue_size", PropType::U16, -1, -1,
     [](Build& b, const PropValue& v) { b.net.rx_queue_size = static_cast<std::uint16_t>(v.u); }},
    {"tx_queue_size", PropType::U16, -1, -1,
     [](Build& b, const PropValue& v) { b.net.tx_queue_size = static_cast<std::uint16_t>(v.u); }},
    {"host_mtu", PropType::U16, -1, -1,
     [](Build& b, const PropValue& v) { b.net.mtu = static_cast<std::uint16_t>(v.u); }},
    {"x-mtu-bypass-backend", PropType::Bool, -1, -1, prop_ignored},  // vhost only
    {"speed", PropType::I32, -1, -1,
     [](Build& b, const PropValue& v) { b.net.speed = static_cast<std::int32_t>(v.i); }},
    {"duplex", PropType::Str, -1, -1, [](Build& b, const PropValue& v) { b.net.duplex = v.s; }},
    {"failover", PropType::Bool, -1, -1, [](Build& b, const PropValue& v) { b.net.failover = v.b; }},
    {"bootindex", PropType::I32, -1, -1, prop_ignored},
    // migcheck: the peer's queue count (the netdev's queues=N).
    {"queues", PropType::U32, -1, -1,
     [](Build& b, const PropValue& v) { b.net.peer_queues = static_cast<std::uint32_t>(v.u); }},
};

void init(Build& b) {
  for (unsigned f :
       {kCsum,          kGuestCsum, kGso,      kGuestTso4,   kGuestTso6,   kGuestEcn,         kGuestUfo,
        kGuestAnnounce, kHostTso4,  kHostTso6, kHostEcn,     kHostUfo,     kMrgRxbuf,         kStatus,
        kCtrlVq,        kCtrlRx,    kCtrlVlan, kCtrlRxExtra, kCtrlMacAddr, kCtrlGuestOffloads})
    b.dev_features |= virtio::bit(f);
}

bool is_pow2(std::uint32_t v) { return v && !(v & (v - 1)); }

// virtio_net_pci_realize
bool pci_realize(Build& b, std::string*) {
  if (!b.nvectors) b.nvectors = 2 * std::max<std::uint32_t>(b.net.peer_queues, 1) + 2;
  return true;
}

// virtio_net_set_config_size: the end of the last field a feature enables.
std::size_t config_size(std::uint64_t f) {
  f |= virtio::bit(kMac);
  std::size_t size = 6;  // endof(mac)
  if (f & virtio::bit(kStatus)) size = std::max<std::size_t>(size, 8);
  if (f & virtio::bit(kMq)) size = std::max<std::size_t>(size, 10);
  if (f & virtio::bit(kMtu)) size = std::max<std::size_t>(size, 12);
  if (f & virtio::bit(kSpeedDuplex)) size = std::max<std::size_t>(size, 17);
  if (f & (virtio::bit(kRss) | virtio::bit(kHashReport))) size = std::max<std::size_t>(size, 24);
  return size;
}

// virtio_net_device_realize
bool realize(Build& b, std::string* error) {
  NetConf& n = b.net;
  if (n.mtu) b.dev_features |= virtio::bit(kMtu);
  if (n.duplex) {
    if (*n.duplex != "half" && *n.duplex != "full") {
      *error = "'duplex' must be 'half' or 'full'";
      return false;
    }
    b.dev_features |= virtio::bit(kSpeedDuplex);
  }
  if (n.speed < -1) {
    *error = "'speed' must be between 0 and INT_MAX";
    return false;
  }
  if (n.speed >= 0) b.dev_features |= virtio::bit(kSpeedDuplex);
  if (n.failover) b.dev_features |= virtio::bit(kStandby);
  b.d.config.assign(config_size(b.dev_features), 0);
  if (n.rx_queue_size < kQueueMinSize || n.rx_queue_size > virtio::kQueueMaxSize || !is_pow2(n.rx_queue_size)) {
    *error = "Invalid rx_queue_size (= " + std::to_string(n.rx_queue_size) +
             "), must be a power of 2 between 256 and 1024.";
    return false;
  }
  if (n.tx_queue_size < kQueueMinSize || n.tx_queue_size > virtio::kQueueMaxSize || !is_pow2(n.tx_queue_size)) {
    *error = "Invalid tx_queue_size (= " + std::to_string(n.tx_queue_size) +
             "), must be a power of 2 between 256 and 1024";
    return false;
  }
  const std::uint32_t pairs = std::max<std::uint32_t>(n.peer_queues, 1);
  if (std::uint64_t{pairs} * 2 + 1 > 1024) {
    *error = "Invalid number of queue pairs (= " + std::to_string(pairs) +
             "), must be a positive integer less than 511.";
    return false;
  }
  n.tx_queue_size = std::min(kTxQueueDefault, n.tx_queue_size);
  // virtio_net_add_queue(n, 0) and the control queue: only the first pair
  // exists until the guest negotiates MQ.
  add_queue(b, n.rx_queue_size);
  add_queue(b, n.tx_queue_size);
  add_queue(b, kCtrlQueueSize);
  return true;
}

// virtio_net_get_features with no peer (no vnet header, no UFO, no vhost).
std::uint64_t get_features(Build& b, std::uint64_t features, std::string*) {
  features |= b.dev_features;
  features |= virtio::bit(kMac);
  for (unsigned f : {kCsum, kHostTso4, kHostTso6, kHostEcn, kGuestCsum, kGuestTso4, kGuestTso6, kGuestEcn,
                     kHashReport, kGuestUfo, kHostUfo})
    features &= ~virtio::bit(f);
  return features;
}

// qemu_macaddr_default_if_unset
std::array<std::uint8_t, 6> assign_mac(Build& b) {
  std::array<std::uint8_t, 256> local{};
  std::array<std::uint8_t, 256>& used = b.place.mac_used ? *b.place.mac_used : local;
  std::array<std::uint8_t, 6> mac = b.net.mac.value_or(std::array<std::uint8_t, 6>{});
  const bool zero = mac == std::array<std::uint8_t, 6>{};
  const bool base = mac[0] == 0x52 && mac[1] == 0x54 && mac[2] == 0x00 && mac[3] == 0x12 && mac[4] == 0x34;
  if (!zero) {
    if (base && mac[5] >= 0x56 && mac[5] < 0xff) ++used[mac[5]];
    return mac;
  }
  std::uint8_t free = 0xff;  // qemu_macaddr_get_free() == -1
  for (unsigned i = 0x56; i < 0xff; ++i)
    if (!used[i]) {
      free = static_cast<std::uint8_t>(i);
      break;
    }
  mac = {0x52, 0x54, 0x00, 0x12, 0x34, free};
  if (free != 0xff) ++used[free];
  return mac;
}

// virtio_net_reset + virtio_net_set_features(0) from virtio_reset.
void reset(Build& b) {
  devices::Net& n = b.d.net;
  n = devices::Net{};
  n.max_queue_pairs = static_cast<std::uint16_t>(std::max<std::uint32_t>(b.net.peer_queues, 1));
  n.rx_queue_size = b.net.rx_queue_size;
  n.tx_queue_size = b.net.tx_queue_size;
  n.peer_has_vnet_hdr = false;
  n.peer_has_ufo = false;
  n.mac = assign_mac(b);
  n.vqs.assign(n.max_queue_pairs, devices::NetQueue{});
  n.status = 1;  // VIRTIO_NET_S_LINK_UP
  n.promisc = 1;
  n.curr_queue_pairs = 1;
  n.vlans.fill(0xff);  // no CTRL_VLAN negotiated: every VLAN passes
}

}  // namespace

const DriverModel& net_model() {
  static const DriverModel m{.kind = DeviceKind::Net,
                             .base = "virtio-net-pci-base",
                             .generic = "virtio-net-pci",
                             .transitional = "virtio-net-pci-transitional",
                             .non_transitional = "virtio-net-pci-non-transitional",
                             .vdev_type = "virtio-net-device",
                             .qmp_name = "virtio-net",
                             .vmsd_name = "virtio-net",
                             .virtio_id = virtio::kIdNet,
                             .pci_device_id = 0x1000,
                             .class_id = 0x0200,  // PCI_CLASS_NETWORK_ETHERNET
                             .revision = 0,
                             .default_romfile = "efi-virtio.rom",
                             .proxy_props = kProxyProps,
                             .vdev_props = kNetProps,
                             .init = init,
                             .pci_realize = pci_realize,
                             .realize = realize,
                             .get_features = get_features,
                             .reset = reset};
  return m;
}

}  // namespace migcheck::profile
