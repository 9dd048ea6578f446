// Property inputs as files (regression cases) and the destinations they name.
#include "migcheck/harness/cases.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "migcheck/harness/oracle.h"
#include "migcheck/stream/save.h"
#include "migcheck/virtio/core.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::harness {

namespace {

using vmstate::qemu_format;
using virtio::VirtioDevice;

// ---- schema paths ----------------------------------------------------------------

// A visitor that knows the path of the field it is at ("vmsd[i]/.../name[j]").
class PathVisitor : public vmstate::Visitor {
 public:
  bool enter(std::string_view vmsd, int index) override {
    stack_.push_back(path_.size());
    path_ += index >= 0 ? qemu_format("%s[%d]/", std::string(vmsd), index) : std::string(vmsd) + "/";
    return true;
  }
  void leave() override {
    if (stack_.empty()) return;
    path_.resize(stack_.back());
    stack_.pop_back();
  }

 protected:
  std::string at(std::string_view name, int index) const {
    return path_ + std::string(name) + (index >= 0 ? qemu_format("[%d]", index) : std::string());
  }

 private:
  std::string path_;
  std::vector<std::size_t> stack_;
};

std::string hex(std::span<const std::uint8_t> b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (std::uint8_t x : b) {
    s += digits[x >> 4];
    s += digits[x & 15];
  }
  return s;
}
bool unhex(const std::string& s, std::vector<std::uint8_t>* out) {
  if (s.size() % 2) return false;
  out->clear();
  for (std::size_t i = 0; i < s.size(); i += 2) {
    auto nib = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    const int hi = nib(s[i]), lo = nib(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return true;
}

class Record : public PathVisitor {
 public:
  void scalar(std::string_view name, int index, vmstate::ScalarKind, std::uint64_t& value) override {
    values[at(name, index)] = value;
  }
  void bytes(std::string_view name, int index, std::span<std::uint8_t> value) override {
    values[at(name, index)] = hex(value);
  }
  void vbytes(std::string_view name, int index, std::vector<std::uint8_t>& value, std::size_t) override {
    values[at(name, index)] = hex(value);
  }
  std::map<std::string, nlohmann::json> values;
};

class Play : public PathVisitor {
 public:
  explicit Play(const nlohmann::json& fields) : fields_(fields) {}
  void scalar(std::string_view name, int index, vmstate::ScalarKind, std::uint64_t& value) override {
    auto it = fields_.find(at(name, index));
    if (it != fields_.end() && it->is_number_unsigned()) value = it->get<std::uint64_t>();
    else if (it != fields_.end() && it->is_number_integer()) value = static_cast<std::uint64_t>(it->get<std::int64_t>());
  }
  void bytes(std::string_view name, int index, std::span<std::uint8_t> value) override {
    std::vector<std::uint8_t> b;
    auto it = fields_.find(at(name, index));
    if (it != fields_.end() && it->is_string() && unhex(it->get<std::string>(), &b))
      std::copy_n(b.begin(), std::min(b.size(), value.size()), value.begin());
  }
  void vbytes(std::string_view name, int index, std::vector<std::uint8_t>& value, std::size_t max) override {
    std::vector<std::uint8_t> b;
    auto it = fields_.find(at(name, index));
    if (it != fields_.end() && it->is_string() && unhex(it->get<std::string>(), &b) && b.size() <= max) value = b;
  }

 private:
  const nlohmann::json& fields_;
};

// Visits with 7.2's subsections, whatever the state's release.
template <class V>
void visit_all(V& v, VirtioDevice& d) {
  const Profile* p = d.profile;
  d.profile = &profile_7_2();
  vmstate::visit_state(v, virtio::section_vmsd(d.kind), d);
  d.profile = p;
}

std::string mmio_idstr(std::size_t i, std::string_view vmsd) {
  return qemu_format("virtio-mmio@%016lx/%s", 0xfeb00000ul + 0x200ul * i, std::string(vmsd));
}

std::string_view vmsd_name_of(const std::string& idstr) {
  const std::size_t slash = idstr.rfind('/');
  return slash == std::string::npos ? std::string_view(idstr) : std::string_view(idstr).substr(slash + 1);
}

std::string hash_of(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return qemu_format("%016lx", h);
}

}  // namespace

std::string_view transport_name(TransportKind t) {
  switch (t) {
    case TransportKind::Pci: return "pci";
    case TransportKind::Mmio: return "mmio";
    case TransportKind::Ccw: return "ccw";
  }
  return "pci";
}

void rehome(Destination& dest, TransportKind transport) {
  if (transport == TransportKind::Pci) return;
  for (std::size_t i = 0; i < dest.devices.size(); ++i) {
    VirtioDeviceSpec& s = dest.devices[i];
    VirtioDevice& d = s.reset;
    const std::string vmsd(vmsd_name_of(s.idstr));
    d.transport = transport;
    if (transport == TransportKind::Mmio) {
      d.mmio = mmio::Proxy{};
      d.mmio.legacy = !d.host_has(virtio::kFVersion1);
      s.idstr = mmio_idstr(i, vmsd);
    } else {
      d.ccw = ccw::Proxy{};
      d.ccw.css_migration = dest.machine.version >= 210;
      d.ccw.sch.cssid = 0xfe;
      d.ccw.sch.ssid = 0;
      d.ccw.sch.devno = static_cast<std::uint16_t>(i);
      d.config_vector = static_cast<std::uint16_t>(d.queue_max);  // VIRTIO_QUEUE_MAX: the config "vector"
      s.idstr = qemu_format("fe.0.%04zx/%s", i, vmsd);
    }
  }
}

std::optional<Destination> build_destination(const DestinationSpec& spec, std::string* error) {
  const Profile* profile = find_profile(spec.profile);
  if (!profile) {
    *error = "unknown profile '" + spec.profile + "'";
    return std::nullopt;
  }
  auto dest = make_destination(spec.machine, spec.devices, *profile, error);
  if (dest) rehome(*dest, spec.transport);
  return dest;
}

std::optional<Destination> with_profile(const Destination& dest, const Profile& profile, std::string* error) {
  Destination d = dest;
  d.profile = &profile;
  for (VirtioDeviceSpec& s : d.devices) {
    if (s.reset.vq.count_leading(1024) > profile.queue_max) {
      *error = qemu_format("%s has more than %u queues", s.idstr, profile.queue_max);
      return std::nullopt;
    }
    s.reset.queue_max = profile.queue_max;
    s.reset.profile = &profile;
  }
  return d;
}

nlohmann::json to_json(const DestinationSpec& spec) {
  return {{"machine", spec.machine},
          {"devices", spec.devices},
          {"profile", spec.profile},
          {"transport", std::string(transport_name(spec.transport))}};
}

std::optional<DestinationSpec> destination_spec_from_json(const nlohmann::json& j, std::string* error) {
  try {
    DestinationSpec s;
    s.machine = j.at("machine").get<std::string>();
    s.devices = j.at("devices").get<std::vector<std::string>>();
    s.profile = j.value("profile", std::string("qemu-7.2"));
    const std::string t = j.value("transport", std::string("pci"));
    if (t == "pci") s.transport = TransportKind::Pci;
    else if (t == "mmio") s.transport = TransportKind::Mmio;
    else if (t == "ccw") s.transport = TransportKind::Ccw;
    else throw std::runtime_error("unknown transport '" + t + "'");
    return s;
  } catch (const std::exception& e) {
    *error = std::string("destination: ") + e.what();
    return std::nullopt;
  }
}

nlohmann::json state_to_json(const VirtioDevice& state, const VirtioDevice& reset) {
  VirtioDevice s = state, r = reset;
  Record rs, rr;
  visit_all(rs, s);
  visit_all(rr, r);
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& [path, value] : rs.values) {
    auto it = rr.values.find(path);
    if (it == rr.values.end() || it->second != value) fields[path] = value;
  }
  nlohmann::json queues = nlohmann::json::array();
  const std::size_t n = std::max(state.vq.materialised(), reset.vq.materialised());
  for (std::size_t i = 0; i < n; ++i) {
    const virtio::VirtQueue& q = state.vq.get(i);
    queues.push_back({{"num", q.vring.num},
                      {"num_default", q.vring.num_default},
                      {"align", q.vring.align},
                      {"vector", q.vector},
                      {"shadow_avail_idx", q.shadow_avail_idx},
                      {"shadow_avail_wrap_counter", q.shadow_avail_wrap_counter},
                      {"signalled_used_valid", q.signalled_used_valid},
                      {"notification", q.notification}});
  }
  return {{"queues", queues},
          {"rq", state.blk.rq.size()},
          {"ports", state.serial.active_ports.size()},
          {"net.saved_guest_offloads", state.net.saved_guest_offloads},
          {"net.mac_table.first_multi", state.net.mac_table.first_multi},
          {"balloon.stats_timer_armed", state.balloon.stats_timer_armed},
          {"start_on_kick", state.start_on_kick},
          {"fields", fields}};
}

std::optional<VirtioDevice> state_from_json(const nlohmann::json& j, const VirtioDevice& reset, std::string* error) {
  try {
    VirtioDevice d = reset;
    const auto& queues = j.at("queues");
    for (std::size_t i = 0; i < queues.size(); ++i) {
      virtio::VirtQueue& q = d.vq[i];
      const auto& e = queues[i];
      q.vring.num = e.at("num").get<std::uint32_t>();
      q.vring.num_default = e.at("num_default").get<std::uint32_t>();
      q.vring.align = e.at("align").get<std::uint32_t>();
      q.vector = e.at("vector").get<std::uint16_t>();
      q.shadow_avail_idx = e.at("shadow_avail_idx").get<std::uint16_t>();
      q.shadow_avail_wrap_counter = e.at("shadow_avail_wrap_counter").get<bool>();
      q.signalled_used_valid = e.at("signalled_used_valid").get<bool>();
      q.notification = e.at("notification").get<bool>();
    }
    d.blk.rq.resize(j.at("rq").get<std::size_t>());
    d.serial.active_ports.resize(j.at("ports").get<std::size_t>());
    Play play(j.at("fields"));
    visit_all(play, d);
    d.net.saved_guest_offloads = j.at("net.saved_guest_offloads").get<std::uint64_t>();
    d.net.mac_table.first_multi = j.at("net.mac_table.first_multi").get<std::uint32_t>();
    d.balloon.stats_timer_armed = j.at("balloon.stats_timer_armed").get<bool>();
    d.start_on_kick = j.at("start_on_kick").get<bool>();
    return d;
  } catch (const std::exception& e) {
    *error = std::string("state: ") + e.what();
    return std::nullopt;
  }
}

Verdict run_case(const Case& c) {
  std::string error;
  auto dest = build_destination(c.destination, &error);
  if (!dest) return Verdict::fail("cannot build the case's destination: " + error);
  switch (c.property) {
    case Property::RoundTripBytes: return roundtrip_bytes(c.bytes, *dest);
    case Property::Sanitization: return sanitization(c.bytes, *dest);
    case Property::Totality: return totality(c.bytes, *dest);
    case Property::RoundTripState:
    case Property::OldReader: {
      Scenario s{*dest, c.states, c.ram_bytes};
      if (c.property == Property::RoundTripState) return roundtrip_state(s);
      const Profile* reader = find_profile(c.reader);
      if (!reader) return Verdict::fail("unknown reader profile '" + c.reader + "'");
      return old_reader(s, *reader);
    }
  }
  return Verdict::fail("unknown property");
}

std::string write_case(const Case& c, const std::string& regression_dir, std::string* error) {
  std::string err;
  auto dest = build_destination(c.destination, &err);
  nlohmann::json j = {{"property", std::string(name(c.property))}, {"destination", to_json(c.destination)},
                      {"note", c.note}};
  std::vector<std::uint8_t> bin = c.bytes;
  if (c.property == Property::RoundTripState || c.property == Property::OldReader) {
    if (!dest) {
      *error = "cannot build the case's destination: " + err;
      return {};
    }
    nlohmann::json states = nlohmann::json::array();
    for (std::size_t i = 0; i < c.states.size() && i < dest->devices.size(); ++i)
      states.push_back(state_to_json(c.states[i], dest->devices[i].reset));
    j["states"] = states;
    j["ram_bytes"] = c.ram_bytes;
    if (c.property == Property::OldReader) j["reader"] = c.reader;
    bin = save_scenario(Scenario{*dest, c.states, c.ram_bytes});  // the writer's stream, for `migcheck check`
  }
  const std::string text = j.dump(1);
  const std::filesystem::path dir = std::filesystem::path(regression_dir) / std::string(name(c.property));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    *error = "cannot create '" + dir.string() + "': " + ec.message();
    return {};
  }
  const std::string base = (dir / hash_of(text + std::string(bin.begin(), bin.end()))).string();
  if (!write_atomic(base + ".bin", bin, error)) return {};
  if (!write_atomic(base + ".json", text + "\n", error)) return {};
  return base + ".json";
}

std::optional<Case> read_case(const std::string& json_path, std::string* error) {
  try {
    std::ifstream in(json_path);
    if (!in) throw std::runtime_error("cannot open " + json_path);
    const nlohmann::json j = nlohmann::json::parse(in);
    Case c;
    const auto p = parse_property(j.at("property").get<std::string>());
    if (!p) throw std::runtime_error("unknown property");
    c.property = *p;
    auto spec = destination_spec_from_json(j.at("destination"), error);
    if (!spec) return std::nullopt;
    c.destination = *spec;
    c.note = j.value("note", std::string());
    if (c.property == Property::RoundTripState || c.property == Property::OldReader) {
      auto dest = build_destination(c.destination, error);
      if (!dest) return std::nullopt;
      const auto& states = j.at("states");
      for (std::size_t i = 0; i < states.size() && i < dest->devices.size(); ++i) {
        auto s = state_from_json(states[i], dest->devices[i].reset, error);
        if (!s) return std::nullopt;
        c.states.push_back(std::move(*s));
      }
      c.ram_bytes = j.value("ram_bytes", std::uint64_t{0});
      c.reader = j.value("reader", std::string());
    } else {
      std::filesystem::path bin(json_path);
      bin.replace_extension(".bin");
      std::ifstream b(bin, std::ios::binary);
      if (!b) throw std::runtime_error("cannot open " + bin.string());
      c.bytes.assign(std::istreambuf_iterator<char>(b), std::istreambuf_iterator<char>());
    }
    return c;
  } catch (const std::exception& e) {
    *error = json_path + ": " + e.what();
    return std::nullopt;
  }
}

}  // namespace migcheck::harness
