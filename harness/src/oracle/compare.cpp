// Field-by-field comparison of two "devices" arrays in the shape of
// `migcheck check --json`, reporting the JSON path of the first difference.
#include <algorithm>
#include <array>

#include "migcheck/harness/oracle.h"

namespace migcheck::harness {

namespace {

// QMP order: identity and counts first, so the first difference reported is
// the one the others follow from.
constexpr std::array<std::string_view, 14> kDeviceOrder = {
    "name",   "num-vqs", "device-endian", "status",   "isr",         "queue-sel",   "guest-features",
    "host-features", "broken", "started", "disabled", "start-on-kick", "use-started", "instance-id"};
constexpr std::array<std::string_view, 12> kQueueOrder = {
    "queue-index", "vring-num",  "vring-num-default", "vring-align", "vring-desc", "vring-avail",
    "vring-used",  "last-avail-idx", "shadow-avail-idx", "used-idx", "inuse",      "signalled-used-valid"};

template <std::size_t N>
std::vector<std::string> key_order(const nlohmann::json& obj, const std::array<std::string_view, N>& first) {
  std::vector<std::string> keys;
  for (std::string_view k : first)
    if (obj.contains(std::string(k))) keys.emplace_back(k);
  std::vector<std::string> rest;
  for (const auto& [k, v] : obj.items())
    if (std::find(first.begin(), first.end(), k) == first.end()) rest.push_back(k);
  std::sort(rest.begin(), rest.end());
  keys.insert(keys.end(), rest.begin(), rest.end());
  return keys;
}

struct Comparer {
  std::size_t compared = 0;

  std::optional<StateDiff> value(const nlohmann::json& ref, const nlohmann::json& ad, const std::string& path) {
    ++compared;
    if (ref == ad) return std::nullopt;
    return StateDiff{path, ref, ad};
  }

  template <std::size_t N>
  std::optional<StateDiff> object(const nlohmann::json& ref, const nlohmann::json& ad, const std::string& path,
                                  const std::array<std::string_view, N>& order) {
    if (!ref.is_object() || !ad.is_object()) return value(ref, ad, path);
    for (const std::string& k : key_order(ad, order)) {
      if (k == "idstr" || !ref.contains(k)) continue;  // idstr matched already; extras are the adapter's own
      const std::string p = path + "." + k;
      if (k == "queues") {
        if (auto d = array(ref[k], ad[k], p)) return d;
      } else if (auto d = value(ref[k], ad[k], p)) {
        return d;
      }
    }
    return std::nullopt;
  }

  std::optional<StateDiff> array(const nlohmann::json& ref, const nlohmann::json& ad, const std::string& path) {
    if (!ref.is_array() || !ad.is_array()) return value(ref, ad, path);
    ++compared;
    if (ref.size() != ad.size())
      return StateDiff{path, static_cast<std::uint64_t>(ref.size()), static_cast<std::uint64_t>(ad.size())};
    for (std::size_t i = 0; i < ref.size(); ++i)
      if (auto d = object(ref[i], ad[i], path + "[" + std::to_string(i) + "]", kQueueOrder)) return d;
    return std::nullopt;
  }
};

const nlohmann::json* find_idstr(const nlohmann::json& devices, const std::string& idstr) {
  for (const auto& d : devices)
    if (d.is_object() && d.value("idstr", std::string()) == idstr) return &d;
  return nullptr;
}

}  // namespace

std::optional<StateDiff> compare_devices(const nlohmann::json& reference, const nlohmann::json& adapter,
                                         std::size_t* compared) {
  Comparer c;
  std::optional<StateDiff> diff;
  const bool by_idstr = std::all_of(adapter.begin(), adapter.end(), [](const nlohmann::json& d) {
    return d.is_object() && d.contains("idstr") && d["idstr"].is_string();
  });
  ++c.compared;
  if (reference.size() != adapter.size()) {
    diff = StateDiff{"devices", static_cast<std::uint64_t>(reference.size()),
                     static_cast<std::uint64_t>(adapter.size())};
  } else {
    for (std::size_t i = 0; i < reference.size() && !diff; ++i) {
      const nlohmann::json& ref = reference[i];
      const nlohmann::json* ad = &adapter[i];
      if (by_idstr && !adapter.empty()) {
        ad = find_idstr(adapter, ref.value("idstr", std::string()));
        if (!ad) {
          diff = StateDiff{"devices[" + std::to_string(i) + "].idstr", ref.value("idstr", nlohmann::json()), nullptr};
          break;
        }
      }
      diff = c.object(ref, *ad, "devices[" + std::to_string(i) + "]", kDeviceOrder);
    }
  }
  if (compared) *compared = c.compared;
  return diff;
}

}  // namespace migcheck::harness
