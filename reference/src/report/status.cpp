#include "migcheck/report/status.h"

namespace migcheck {

std::size_t num_vqs(const virtio::VirtioDevice& d) { return d.vq.count_leading(d.queue_max); }

nlohmann::json qmp_queue_status(const virtio::VirtioDevice& d, std::size_t i) {
  const virtio::VirtQueue& q = d.vq.get(i);
  return {{"queue-index", i},
          {"vring-num", q.vring.num},
          {"vring-num-default", q.vring.num_default},
          {"vring-align", q.vring.align},
          {"vring-desc", q.vring.desc},
          {"vring-avail", q.vring.avail},
          {"vring-used", q.vring.used},
          {"last-avail-idx", q.last_avail_idx},
          {"shadow-avail-idx", q.shadow_avail_idx},
          {"used-idx", q.used_idx},
          {"inuse", q.inuse},
          {"signalled-used-valid", q.signalled_used_valid}};
}

nlohmann::json qmp_status(const virtio::VirtioDevice& d) {
  // qmp_x_query_virtio_status: anything but 1 and 2 prints as "unknown".
  const char* endian = d.device_endian == virtio::kEndianLittle ? "little"
                       : d.device_endian == virtio::kEndianBig  ? "big"
                                                                : "unknown";
  nlohmann::json queues = nlohmann::json::array();
  const std::size_t n = num_vqs(d);
  for (std::size_t i = 0; i < n; ++i) queues.push_back(qmp_queue_status(d, i));
  return {{"name", d.name},
          {"device-endian", endian},
          {"num-vqs", n},
          {"status", d.status},
          {"isr", d.isr},
          {"queue-sel", d.queue_sel},
          {"guest-features", d.guest_features},
          {"host-features", d.host_features},
          {"broken", d.broken},
          {"started", d.started},
          {"disabled", d.disabled},
          {"start-on-kick", d.start_on_kick},
          {"use-started", d.use_started},
          {"queues", std::move(queues)}};
}

}  // namespace migcheck
