#include "forked_adapter.h"

#include "result_json.h"

namespace migcheck::harness {

namespace {

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

class ForkedAdapter final : public Adapter {
 public:
  ForkedAdapter(std::unique_ptr<Adapter> inner, const proc::Limits& limits)
      : inner_(std::move(inner)), limits_(limits), info_(inner_->info()) {
    info_.isolated = true;
    if (info_.spec.find(",fork") == std::string::npos) info_.spec += ",fork";
  }
  const AdapterInfo& info() const override { return info_; }

  AdapterResult load(std::span<const std::uint8_t> stream, const Destination& dest) override {
    const proc::Outcome o = proc::run_forked(
        [&](int fd) { proc::write_all(fd, dump(to_json(inner_->load(stream, dest)))); }, limits_);
    return classify_worker(o, limits_.timeout_seconds);
  }

  std::optional<std::vector<std::uint8_t>> save(std::span<const std::uint8_t> stream, const Destination& dest,
                                                std::string* error) override {
    // One status byte ('S' saved, 'E' error), then the bytes or the message.
    const proc::Outcome o = proc::run_forked(
        [&](int fd) {
          std::string why;
          auto bytes = inner_->save(stream, dest, &why);
          if (bytes)
            proc::write_all(fd, "S" + std::string(bytes->begin(), bytes->end()));
          else
            proc::write_all(fd, "E" + why);
        },
        limits_);
    if (!o.exited_cleanly() || o.exit_code != 0 || o.output.empty()) {
      *error = "save worker: " + o.how();
      return std::nullopt;
    }
    if (o.output[0] != 'S') {
      *error = o.output.substr(1);
      return std::nullopt;
    }
    return std::vector<std::uint8_t>(o.output.begin() + 1, o.output.end());
  }

 private:
  std::unique_ptr<Adapter> inner_;
  proc::Limits limits_;
  AdapterInfo info_;
};

}  // namespace

AdapterResult classify_worker(const proc::Outcome& o, double timeout_seconds) {
  AdapterResult r;
  if (!o.started) {
    r.outcome = AdapterOutcome::Malformed;
    r.reason = "worker not started: " + o.error;
  } else if (o.timed_out) {
    r.outcome = AdapterOutcome::Timeout;
    r.reason = "no answer within " + std::to_string(timeout_seconds) + " s; killed";
  } else if (o.output_overflow) {
    r.outcome = AdapterOutcome::Malformed;
    r.reason = "answer longer than the output limit; killed";
  } else if (o.signal) {
    r.outcome = AdapterOutcome::Crash;
    r.reason = o.how();
  } else if (o.exit_code != 0 || o.output.empty()) {
    // Sanitizers and exit() end a worker without a signal.
    r.outcome = AdapterOutcome::Crash;
    r.reason = o.how() + " without an answer";
  } else {
    r = parse_result(o.output, /*any_outcome=*/true);
  }
  if (!o.log.empty()) r.log = o.log;
  r.seconds = o.seconds;
  return r;
}

std::unique_ptr<Adapter> make_forked(std::unique_ptr<Adapter> inner, const proc::Limits& limits) {
  return std::make_unique<ForkedAdapter>(std::move(inner), limits);
}

proc::Limits current_limits() {
  const AdapterLimits& l = adapter_limits();
  proc::Limits p;
  p.timeout_seconds = l.timeout_seconds;
  p.memory_bytes = l.memory_bytes;
  p.output_bytes = l.output_bytes;
  return p;
}

}  // namespace migcheck::harness
