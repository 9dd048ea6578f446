// A loaded device as QEMU's QMP shows it (x-query-virtio-status,
// x-query-virtio-queue-status), with integer feature and status words: the
// shape every implementation's result is compared in.
#pragma once

#include <nlohmann/json.hpp>

#include "migcheck/virtio/device.h"

namespace migcheck {

// {"name", "device-endian", "num-vqs", "status", "isr", "queue-sel",
//  "guest-features", "host-features", "broken", "started", "disabled",
//  "start-on-kick", "use-started", "queues": [...]}
nlohmann::json qmp_status(const virtio::VirtioDevice& d);

// x-query-virtio-queue-status of queue i (only for i < num-vqs).
nlohmann::json qmp_queue_status(const virtio::VirtioDevice& d, std::size_t i);

// virtio_get_num_queues: leading queues with vring.num != 0.
std::size_t num_vqs(const virtio::VirtioDevice& d);

}  // namespace migcheck
