#include "result_json.h"

#include <array>
#include <utility>

namespace migcheck::harness {

namespace {

enum class Kind { Uint, Bool, String };

// The keys of `migcheck check --json`'s device entries and their types.
// Unknown keys are allowed (and not compared); known ones must be typed right.
constexpr std::array<std::pair<std::string_view, Kind>, 15> kDeviceKeys = {{
    {"idstr", Kind::String},           {"instance-id", Kind::Uint},   {"name", Kind::String},
    {"device-endian", Kind::String},   {"num-vqs", Kind::Uint},       {"status", Kind::Uint},
    {"isr", Kind::Uint},               {"queue-sel", Kind::Uint},     {"guest-features", Kind::Uint},
    {"host-features", Kind::Uint},     {"broken", Kind::Bool},        {"started", Kind::Bool},
    {"disabled", Kind::Bool},          {"start-on-kick", Kind::Bool}, {"use-started", Kind::Bool},
}};
constexpr std::array<std::pair<std::string_view, Kind>, 12> kQueueKeys = {{
    {"queue-index", Kind::Uint},      {"vring-num", Kind::Uint},        {"vring-num-default", Kind::Uint},
    {"vring-align", Kind::Uint},      {"vring-desc", Kind::Uint},       {"vring-avail", Kind::Uint},
    {"vring-used", Kind::Uint},       {"last-avail-idx", Kind::Uint},   {"shadow-avail-idx", Kind::Uint},
    {"used-idx", Kind::Uint},         {"inuse", Kind::Uint},            {"signalled-used-valid", Kind::Bool},
}};

bool has_kind(const nlohmann::json& v, Kind k) {
  switch (k) {
    case Kind::Uint: return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
    case Kind::Bool: return v.is_boolean();
    case Kind::String: return v.is_string();
  }
  return false;
}

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Uint: return "a non-negative integer";
    case Kind::Bool: return "a boolean";
    case Kind::String: return "a string";
  }
  return "?";
}

template <std::size_t N>
std::string check_object(const nlohmann::json& obj, const std::array<std::pair<std::string_view, Kind>, N>& keys,
                         const std::string& path) {
  if (!obj.is_object()) return path + ": not an object";
  for (const auto& [key, kind] : keys) {
    auto it = obj.find(std::string(key));
    if (it != obj.end() && !has_kind(*it, kind))
      return path + "." + std::string(key) + ": " + excerpt(it->dump(), 40) + " is not " + kind_name(kind);
  }
  return {};
}

}  // namespace

std::string excerpt(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > max) out += "...";
  return out;
}

std::string validate_devices(const nlohmann::json& devices) {
  if (!devices.is_array()) return "devices: not an array";
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const std::string path = "devices[" + std::to_string(i) + "]";
    if (std::string e = check_object(devices[i], kDeviceKeys, path); !e.empty()) return e;
    auto q = devices[i].find("queues");
    if (q == devices[i].end()) continue;
    if (!q->is_array()) return path + ".queues: not an array";
    for (std::size_t j = 0; j < q->size(); ++j)
      if (std::string e = check_object((*q)[j], kQueueKeys, path + ".queues[" + std::to_string(j) + "]");
          !e.empty())
        return e;
  }
  return {};
}

std::string parse_state(std::string_view text, nlohmann::json& devices) {
  devices = nlohmann::json::array();
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return {};
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "state is not JSON: " + excerpt(text, 80);
  if (j.is_object()) {
    auto it = j.find("devices");
    if (it == j.end()) return "state has no \"devices\"";
    devices = *it;
  } else {
    devices = std::move(j);
  }
  return validate_devices(devices);
}

AdapterResult parse_result(std::string_view text, bool any_outcome) {
  AdapterResult r;
  r.outcome = AdapterOutcome::Malformed;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    r.reason = text.empty() ? "no output" : "output is not a JSON object: " + excerpt(text, 80);
    return r;
  }
  auto outcome = j.find("outcome");
  if (outcome == j.end() || !outcome->is_string()) {
    r.reason = "no \"outcome\" string";
    return r;
  }
  const std::string o = outcome->get<std::string>();
  AdapterOutcome parsed;
  if (o == "accepted") parsed = AdapterOutcome::Accepted;
  else if (o == "rejected") parsed = AdapterOutcome::Rejected;
  else if (o == "unsupported") parsed = AdapterOutcome::Unsupported;
  else if (any_outcome && o == "crash") parsed = AdapterOutcome::Crash;
  else if (any_outcome && o == "timeout") parsed = AdapterOutcome::Timeout;
  else if (any_outcome && o == "malformed") parsed = AdapterOutcome::Malformed;
  else {
    r.reason = "outcome \"" + excerpt(o, 40) + "\" is not accepted, rejected or unsupported";
    return r;
  }
  if (auto rule = j.find("rule"); rule != j.end()) {
    if (rule->is_string()) r.rule = rule->get<std::string>();
    else if (!rule->is_null()) { r.reason = "\"rule\" is neither a string nor null"; return r; }
  }
  if (auto m = j.find("messages"); m != j.end()) {
    if (!m->is_array()) { r.reason = "\"messages\" is not an array"; return r; }
    for (const auto& line : *m)
      if (!line.is_string()) { r.reason = "\"messages\" holds a non-string"; return r; }
    if (!m->empty()) r.reason = (*m)[0].get<std::string>();
  }
  if (auto d = j.find("detail"); r.reason.empty() && d != j.end() && d->is_string()) r.reason = d->get<std::string>();
  for (const char* key : {"reason", "unsupported"})
    if (auto it = j.find(key); it != j.end() && it->is_string() && !it->get<std::string>().empty())
      r.reason = it->get<std::string>();
  if (auto l = j.find("log"); l != j.end() && l->is_string()) r.log = l->get<std::string>();
  if (auto s = j.find("seconds"); s != j.end() && s->is_number()) r.seconds = s->get<double>();
  auto devices = j.find("devices");
  if (devices != j.end()) {
    if (std::string e = validate_devices(*devices); !e.empty()) {
      r.reason = e;
      return r;
    }
    if (parsed == AdapterOutcome::Accepted) r.devices = *devices;
  } else if (parsed == AdapterOutcome::Accepted) {
    r.reason = "accepted without \"devices\"";
    return r;
  }
  r.outcome = parsed;
  return r;
}

nlohmann::json to_json(const AdapterResult& r) {
  nlohmann::json j = {{"outcome", std::string(to_string(r.outcome))},
                      {"rule", r.rule.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.rule)},
                      {"reason", r.reason},
                      {"devices", r.devices},
                      {"seconds", r.seconds}};
  if (!r.log.empty()) j["log"] = r.log;
  return j;
}

}  // namespace migcheck::harness
