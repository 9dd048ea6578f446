#include "qmp_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "../adapters/subprocess.h"

namespace migcheck::harness::qemu {

namespace {

constexpr std::size_t kMaxMessage = 16u << 20;

int millis_left(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

QmpReply fail(QmpStatus s, std::string message) { return {s, nullptr, std::move(message)}; }

}  // namespace

QmpClient::~QmpClient() {
  if (fd_ >= 0) close(fd_);
}

QmpReply QmpClient::open(const std::string& path, Deadline deadline, const std::function<bool()>& gone) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return fail(QmpStatus::Error, "socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  while (true) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return fail(QmpStatus::Error, std::string("socket: ") + strerror(errno));
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) break;
    close(fd_);
    fd_ = -1;
    if (gone()) return fail(QmpStatus::Closed, "QEMU exited before QMP was up");
    if (millis_left(deadline) == 0) return fail(QmpStatus::Timeout, "QMP socket did not come up");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  QmpReply greeting = read_message(deadline);
  if (greeting.status != QmpStatus::Ok) return greeting;
  if (!greeting.value.contains("QMP")) return fail(QmpStatus::Error, "no QMP greeting");
  return execute("qmp_capabilities", nullptr, deadline);
}

QmpReply QmpClient::execute(const std::string& command, const nlohmann::json& arguments, Deadline deadline) {
  if (fd_ < 0) return fail(QmpStatus::Closed, "not connected");
  nlohmann::json msg = {{"execute", command}};
  if (!arguments.is_null()) msg["arguments"] = arguments;
  const std::string line = msg.dump() + "\n";
  if (!proc::write_all(fd_, line)) return fail(QmpStatus::Closed, "QMP write failed (QEMU gone)");
  while (true) {
    QmpReply r = read_message(deadline);
    if (r.status != QmpStatus::Ok) return r;
    if (r.value.contains("event")) {
      events_.push_back(std::move(r.value));
      continue;
    }
    if (auto e = r.value.find("error"); e != r.value.end())
      return {QmpStatus::Error, *e, command + ": " + e->value("desc", std::string("error"))};
    if (auto ret = r.value.find("return"); ret != r.value.end()) return {QmpStatus::Ok, *ret, {}};
  }
}

QmpReply QmpClient::read_message(Deadline deadline) {
  while (true) {
    if (const std::size_t nl = buffer_.find('\n'); nl != std::string::npos) {
      const std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) return fail(QmpStatus::Error, "QMP sent something that is not JSON");
      return {QmpStatus::Ok, std::move(j), {}};
    }
    if (buffer_.size() > kMaxMessage) return fail(QmpStatus::Error, "QMP message too long");
    pollfd p{fd_, POLLIN, 0};
    const int left = millis_left(deadline);
    if (left == 0) return fail(QmpStatus::Timeout, "no QMP answer in time");
    const int r = poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return fail(QmpStatus::Timeout, "no QMP answer in time");
    char buf[65536];
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(QmpStatus::Closed, "QMP connection closed");
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace migcheck::harness::qemu
