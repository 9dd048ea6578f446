// One virtio device as migration sees it: VirtIODevice, its transport proxy
// and its device part, plus the destination properties that decide how the
// stream is read (QEMU keeps those in the same objects, so do we).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "migcheck/devices/balloon.h"
#include "migcheck/devices/blk.h"
#include "migcheck/devices/net.h"
#include "migcheck/devices/serial.h"
#include "migcheck/pci/proxy.h"
#include "migcheck/transports/ccw_proxy.h"
#include "migcheck/transports/mmio_proxy.h"
#include "migcheck/virtio/features.h"
#include "migcheck/virtio/queue.h"

namespace migcheck {

struct Profile;

enum class DeviceKind : std::uint8_t { Net, Blk, Scsi, Balloon, Serial, Rng };
enum class TransportKind : std::uint8_t { Pci, Mmio, Ccw };

// mmio::Proxy and ccw::Proxy: migcheck/transports/{mmio,ccw}_proxy.h.

namespace virtio {

struct VirtioDevice {
  // --- identity and destination properties (never on the wire) ---
  DeviceKind kind = DeviceKind::Net;
  TransportKind transport = TransportKind::Pci;
  std::string name;               // QMP name, e.g. "virtio-net"
  std::uint16_t device_id = 0;    // virtio device id
  std::uint64_t host_features = 0;
  std::uint32_t queue_max = 1024;  // VIRTIO_QUEUE_MAX of the destination
  const Profile* profile = nullptr;
  bool use_started = true;

  // --- VirtIODevice ---
  std::uint8_t status = 0;
  std::uint8_t isr = 0;
  std::uint16_t queue_sel = 0;
  std::uint64_t guest_features = 0;
  std::vector<std::uint8_t> config;  // vdev->config, vdev->config_len bytes
  QueueArray vq;
  std::uint8_t device_endian = kEndianLittle;
  bool broken = false;
  bool started = false;
  bool disabled = false;
  bool start_on_kick = false;
  std::uint16_t config_vector = kNoVector;

  // --- what the stream said where QEMU keeps only a derived value ---
  std::uint32_t wire_features_lo = 0;  // the be32 word of the common part
  std::int32_t wire_config_len = 0;    // config_len as read
  std::uint32_t wire_num_queues = 0;   // virtqueue count as read
  int section_version = 0;             // version virtio_load was called with
  std::uint32_t wire_subsections = 0;  // VirtioSub bits of vmstate_virtio seen
  // The state as parsed, before post-load sanitization (LoadContext::keep_parsed).
  std::shared_ptr<const VirtioDevice> parsed;

  // --- transport and device parts ---
  pci::Proxy pci;
  mmio::Proxy mmio;
  ccw::Proxy ccw;
  devices::Net net;
  devices::Blk blk;
  devices::Serial serial;
  devices::Balloon balloon;

  bool host_has(unsigned feature) const { return host_features & bit(feature); }
  bool has_feature(unsigned feature) const { return guest_features & bit(feature); }
  bool operator==(const VirtioDevice&) const;
};

}  // namespace virtio
}  // namespace migcheck
