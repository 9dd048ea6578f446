// Virtio feature bits, status bits and device ids used by the loader.
#pragma once

#include <cstdint>

namespace migcheck::virtio {

constexpr std::uint64_t bit(unsigned n) { return std::uint64_t{1} << n; }

// Transport features (include/standard-headers/linux/virtio_config.h).
constexpr unsigned kFNotifyOnEmpty = 24;
constexpr unsigned kFAnyLayout = 27;
constexpr unsigned kRingFIndirectDesc = 28;
constexpr unsigned kRingFEventIdx = 29;
constexpr unsigned kFBadFeature = 30;
constexpr unsigned kFVersion1 = 32;
constexpr unsigned kFIommuPlatform = 33;
constexpr unsigned kFRingPacked = 34;
constexpr unsigned kFInOrder = 35;
constexpr unsigned kFOrderPlatform = 36;
constexpr unsigned kFSrIov = 37;
constexpr unsigned kFNotificationData = 38;
constexpr unsigned kFRingReset = 40;

// Device status (virtio_config.h).
constexpr std::uint8_t kStatusAcknowledge = 1;
constexpr std::uint8_t kStatusDriver = 2;
constexpr std::uint8_t kStatusDriverOk = 4;
constexpr std::uint8_t kStatusFeaturesOk = 8;
constexpr std::uint8_t kStatusNeedsReset = 0x40;
constexpr std::uint8_t kStatusFailed = 0x80;

// Virtio device ids (include/standard-headers/linux/virtio_ids.h).
constexpr std::uint16_t kIdNet = 1;
constexpr std::uint16_t kIdBlock = 2;
constexpr std::uint16_t kIdConsole = 3;
constexpr std::uint16_t kIdRng = 4;
constexpr std::uint16_t kIdBalloon = 5;
constexpr std::uint16_t kIdScsi = 8;

// device_endian (enum virtio_device_endian).
constexpr std::uint8_t kEndianUnknown = 0;
constexpr std::uint8_t kEndianLittle = 1;
constexpr std::uint8_t kEndianBig = 2;

}  // namespace migcheck::virtio
