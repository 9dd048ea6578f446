// A QMP client over a Unix socket with a deadline on every read: a QEMU
// busy in its incoming-migration coroutine stops answering, and that must
// end in "timeout", not in a harness stuck on read().
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace migcheck::harness::qemu {

using Deadline = std::chrono::steady_clock::time_point;

enum class QmpStatus { Ok, Error, Closed, Timeout };

struct QmpReply {
  QmpStatus status = QmpStatus::Closed;
  nlohmann::json value;  // "return" (Ok) or "error" (Error)
  std::string message;   // for anything but Ok
};

class QmpClient {
 public:
  QmpClient() = default;
  ~QmpClient();
  QmpClient(const QmpClient&) = delete;
  QmpClient& operator=(const QmpClient&) = delete;

  // Connects to `path` (QEMU listens there once it is up), retrying until
  // the deadline or until `gone()` says the process has exited; then reads
  // the greeting and negotiates capabilities.
  QmpReply open(const std::string& path, Deadline deadline, const std::function<bool()>& gone);
  QmpReply execute(const std::string& command, const nlohmann::json& arguments, Deadline deadline);
  const std::vector<nlohmann::json>& events() const { return events_; }

 private:
  QmpReply read_message(Deadline deadline);
  int fd_ = -1;
  std::string buffer_;
  std::vector<nlohmann::json> events_;
};

}  // namespace migcheck::harness::qemu
