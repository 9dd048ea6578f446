// The destination model (profile/destination.h) against real QEMU 7.2.22:
// every capture in corpora/qemu-7.2 (its dest_cmdline rebuilt with
// make_destination and compared with QMP x-query-virtio-status and with the
// stream's virtio section), the negative cases h4 / c1 / c2, and the probes
// in corpora/qemu-7.2-dest (configurations without a capture: every PCI
// config byte at reset and every byte the loader checks, with its masks).
#include "migcheck/profile/destination.h"

#include <gtest/gtest.h>

#include "../support/qmp_names.h"
#include "destination_support.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "migcheck/pci/rules.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path source_dir() { return MIGCHECK_SOURCE_DIR; }
fs::path captures() { return source_dir() / "corpora" / "qemu-7.2"; }
fs::path probes() { return source_dir() / "corpora" / "qemu-7.2-dest"; }

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
json read_json(const fs::path& p) {
  std::ifstream f(p);
  return json::parse(f);
}

// "VIRTIO_NET_F_MAC: Device has given MAC address" (or just the symbol).
std::uint64_t name_bit(std::string_view entry) {
  const auto bit = migcheck::test::feature_bit(entry);
  EXPECT_TRUE(bit) << "unknown QMP feature name " << entry;
  return bit ? std::uint64_t{1} << *bit : 0;
}

std::uint64_t decode_features(const json& decoded) {
  std::uint64_t word = decoded.value("unknown-dev-features", std::uint64_t{0});
  for (const char* key : {"transports", "dev-features"})
    for (const auto& e : decoded.value(key, json::array())) word |= name_bit(e.get<std::string>());
  return word;
}

// ---- command lines ------------------------------------------------------------

Args destination_args(const json& cmdline) {
  Args a;
  for (std::size_t i = 0; i + 1 < cmdline.size(); ++i) {
    if (cmdline[i] == "-machine") a.machine = cmdline[i + 1].get<std::string>();
    if (cmdline[i] == "-device") a.devices.push_back(cmdline[i + 1].get<std::string>());
  }
  return a;
}

// ---- the virtio section of a stream -------------------------------------------

std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 | std::uint32_t{b[at + 2]} << 8 | b[at + 3];
}

struct Section {
  std::string idstr;
  std::vector<std::uint8_t> pci_config;  // PCIDevice.config as saved
  unsigned msix = 0;                     // entries of the MSI-X table (0: no capability)
  std::uint32_t config_len = 0;
};

// Reads `bytes` from the section header at `at` (0x04 | be32 id | len idstr |
// be32 instance | be32 version) up to config_len. The config space is 4096
// bytes when it lists a PCI Express capability, MSI-X size from its cap.
std::optional<Section> parse_section(const std::vector<std::uint8_t>& b, std::size_t at) {
  if (at + 6 > b.size() || b[at] != 0x04) return std::nullopt;
  Section s;
  const std::size_t len = b[at + 5];
  s.idstr.assign(b.begin() + static_cast<std::ptrdiff_t>(at + 6),
                 b.begin() + static_cast<std::ptrdiff_t>(at + 6 + len));
  std::size_t p = at + 6 + len + 8;
  if (be32(b, p) != 2) return std::nullopt;  // PCIDevice.version_id
  p += 4;
  std::size_t size = 256;
  for (unsigned cap = b[p + 0x34], guard = 0; cap && guard < 48; cap = b[p + cap + 1], ++guard) {
    if (b[p + cap] == 0x10) size = 4096;
    if (b[p + cap] == 0x11) s.msix = ((b[p + cap + 2] | b[p + cap + 3] << 8) & 0x7ff) + 1u;
  }
  s.pci_config.assign(b.begin() + static_cast<std::ptrdiff_t>(p),
                      b.begin() + static_cast<std::ptrdiff_t>(p + size));
  p += size + 16;
  if (s.msix) p += 16u * s.msix + (s.msix + 7) / 8 + 2;
  p += 1 + 1 + 2 + 4;  // status, isr, queue_sel, guest features (low)
  s.config_len = be32(b, p);
  return s;
}

// The section of `idstr` inside a whole stream.
std::optional<Section> find_section(const std::vector<std::uint8_t>& b, const std::string& idstr) {
  for (std::size_t i = 0; i + 6 + idstr.size() < b.size(); ++i) {
    if (b[i] != 0x04 || b[i + 5] != idstr.size()) continue;
    if (std::equal(idstr.begin(), idstr.end(), b.begin() + static_cast<std::ptrdiff_t>(i + 6)))
      return parse_section(b, i);
  }
  return std::nullopt;
}

std::uint8_t checked(const pci::ConfigSpace& s, std::size_t i) {
  return s.cmask[i] & static_cast<std::uint8_t>(~s.wmask[i]) & static_cast<std::uint8_t>(~s.w1cmask[i]);
}

// get_pci_config_device on the destination's reset space: QEMU's message for
// the first checked byte that differs, or "" when the bytes pass.
std::string config_check(const pci::ConfigSpace& local, const std::vector<std::uint8_t>& in) {
  for (std::size_t i = 0; i < in.size() && i < local.config.size(); ++i)
    if ((in[i] ^ local.config[i]) & checked(local, i))
      return vmstate::qemu_format(pci::rules::kBadConfigData.qemu_message, static_cast<unsigned>(i), in[i],
                                  local.config[i], local.cmask[i], local.wmask[i], local.w1cmask[i]);
  return {};
}

// ---- captures ---------------------------------------------------------------

std::vector<std::string> stream_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(captures() / "streams"))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<Section> capture_section(const std::string& name) {
  for (const auto& e : fs::directory_iterator(captures() / "sections")) {
    const std::string f = e.path().filename().string();
    if (f.rfind(name + ".", 0) == 0 && f.size() > 12 && f.substr(f.size() - 12) == ".section.bin" &&
        f.find('.', name.size() + 1) != std::string::npos && f.substr(name.size() + 1, 4) == "0000")
      return parse_section(read_bytes(e.path()), 0);
  }
  return std::nullopt;
}

TEST(DestinationCaptures, EveryCaptureIsRebuiltExactly) {
  const std::vector<std::string> names = stream_names();
  ASSERT_GE(names.size(), 14u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const json meta = read_json(captures() / "streams" / (name + ".json"));
    const Destination dest = make(destination_args(meta["dest_cmdline"]));
    ASSERT_EQ(dest.devices.size(), 1u);
    const VirtioDeviceSpec& spec = dest.devices[0];
    const virtio::VirtioDevice& d = spec.reset;
    const json& status = meta["dest_virtio_status"];
    const std::optional<Section> sec = capture_section(name);
    ASSERT_TRUE(sec);

    EXPECT_EQ(spec.idstr, sec->idstr);
    EXPECT_EQ(spec.instance_id, 0u);
    EXPECT_EQ(d.name, status["name"].get<std::string>());
    EXPECT_EQ(d.device_id, status["device-id"].get<int>());
    EXPECT_EQ(d.use_started, status["use-started"].get<bool>());
    EXPECT_EQ(status["device-endian"], "little");
    EXPECT_EQ(d.device_endian, virtio::kEndianLittle);
    // (a) host features
    EXPECT_EQ(d.host_features, decode_features(status["host-features"]))
        << std::hex << d.host_features << " vs " << decode_features(status["host-features"]);
    // (b) queues
    EXPECT_EQ(d.vq.count_leading(d.queue_max), status["num-vqs"].get<std::size_t>());
    for (const json& q : meta["dest_queue_status"]) {
      if (!q.contains("vring-num-default")) continue;
      const auto i = q["queue-index"].get<std::size_t>();
      EXPECT_EQ(d.vq.get(i).vring.num_default, q["vring-num-default"].get<std::uint32_t>()) << "queue " << i;
      EXPECT_EQ(d.vq.get(i).vring.align, q["vring-align"].get<std::uint32_t>()) << "queue " << i;
    }
    // (c) config size
    EXPECT_EQ(d.config.size(), sec->config_len);
    // (d) MSI-X vectors
    EXPECT_EQ(d.pci.nvectors, sec->msix);
    EXPECT_EQ(d.pci.msix_table.size(), 16u * sec->msix);
    EXPECT_EQ(d.pci.msix_pba.size(), (sec->msix + 7) / 8);
    // (e) every byte the loader checks matches the destination at reset
    ASSERT_TRUE(d.pci.reset);
    ASSERT_EQ(d.pci.reset->config.size(), sec->pci_config.size());
    EXPECT_EQ(d.pci.config, d.pci.reset->config);
    EXPECT_EQ(config_check(*d.pci.reset, sec->pci_config), "");
    EXPECT_EQ(d.pci.express, sec->pci_config.size() == 4096);
  }
}

// The machine's compat flags for the two machines captured.
TEST(DestinationCaptures, MachineCompatFlags) {
  const std::optional<MachineType> m72 = parse_machine("pc-i440fx-7.2", nullptr);
  const std::optional<MachineType> m23 = parse_machine("pc-i440fx-2.3", nullptr);
  ASSERT_TRUE(m72 && m23);
  EXPECT_TRUE(m72->send_configuration && m72->send_section_footer && m72->store_global_state);
  EXPECT_FALSE(m23->send_configuration || m23->send_section_footer || m23->store_global_state);
  EXPECT_TRUE(m72->virtio_queue_reset && m72->virtio_use_started && m72->virtio_pci_migrate_extra);
  EXPECT_FALSE(m23->virtio_queue_reset || m23->virtio_use_started || m23->virtio_pci_migrate_extra);
  EXPECT_TRUE(m23->virtio_pci_disable_modern);
}

// ---- negative cases -----------------------------------------------------------

json negative_case(const std::string& name) {
  const json all = read_json(captures() / "negative" / "results.json");
  return all.at(name);
}

// (f) a modern stream into a disable-modern=on destination: QEMU's first
// mismatch is the device id (0x1041 vs 0x1000), with these masks.
TEST(DestinationNegative, H4ModernStreamIntoLegacyOnlyDevice) {
  const json c = negative_case("h4_modern_stream_into_legacy_only_device");
  const Destination dest = make(destination_args(c["dest_cmdline"]));
  ASSERT_EQ(dest.devices.size(), 1u);
  const VirtioDeviceSpec& spec = dest.devices[0];
  const std::vector<std::uint8_t> stream = read_bytes(captures() / "negative" / c["file"].get<std::string>());
  const std::optional<Section> sec = find_section(stream, spec.idstr);
  ASSERT_TRUE(sec);
  const std::string msg = config_check(*spec.reset.pci.reset, sec->pci_config);
  EXPECT_EQ(msg, "get_pci_config_device: Bad config data: i=0x2 read: 41 device: 0 cmask: ff wmask: 0 w1cmask:0");
  EXPECT_NE(c["stderr"].get<std::string>().find(msg), std::string::npos);
}

// (g) "Allowed features" is the destination's host_features.
TEST(DestinationNegative, AllowedFeaturesOfC1AndC2) {
  const std::regex allowed("Allowed features: 0x([0-9a-f]+)");
  for (const std::string name : {"c1_features_lo_outside_host_legacy", "c2_features64_outside_host_modern"}) {
    SCOPED_TRACE(name);
    const json c = negative_case(name);
    std::smatch m;
    const std::string err = c["stderr"].get<std::string>();
    ASSERT_TRUE(std::regex_search(err, m, allowed));
    const Destination dest = make(destination_args(c["dest_cmdline"]));
    ASSERT_EQ(dest.devices.size(), 1u);
    EXPECT_EQ(dest.devices[0].reset.host_features, std::stoull(m[1].str(), nullptr, 16));
  }
}

// Every negative case's destination builds, and unmodified streams (the
// machine-type mismatches aside) pass its PCI config check.
TEST(DestinationNegative, EveryDestinationBuilds) {
  const json all = read_json(captures() / "negative" / "results.json");
  for (const auto& [name, c] : all.items()) {
    SCOPED_TRACE(name);
    const Destination dest = make(destination_args(c["dest_cmdline"]));
    EXPECT_EQ(dest.devices.size(), 1u);
  }
}

// ---- probes of configurations without a capture (corpora/qemu-7.2-dest) --------

struct ProbeDevice {
  std::string idstr, name;
  unsigned device_id = 0;
  std::uint64_t host_features = 0;
  bool use_started = true;
  std::size_t num_vqs = 0;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> queues;  // num, num_default
  std::size_t config_len = 0;
  unsigned msix = 0;
  std::size_t pci_config_size = 0;
  std::map<unsigned, std::uint8_t> config;  // non-zero bytes
  struct Checked {
    std::uint8_t device, cmask, wmask, w1cmask;
  };
  std::map<unsigned, Checked> checked;
  std::string net;  // "mac M max_queue_pairs N curr_queue_pairs N status N promisc N vlans XX"
};
struct Probe {
  std::string machine;
  std::vector<std::string> args;   // what QEMU was given (-device values and raw options)
  std::vector<std::string> model;  // the -device list for migcheck, when it differs
  std::vector<ProbeDevice> devices;
};

std::uint64_t probe_features(const std::string& text) {
  // "T1,T2 | D1,D2 | unknown 0x..."
  std::uint64_t word = 0;
  std::stringstream ss(text);
  std::string part;
  int field = 0;
  while (std::getline(ss, part, '|')) {
    const auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
      return s;
    };
    part = trim(part);
    if (field++ == 2) {
      word |= std::stoull(part.substr(part.find("0x") + 2), nullptr, 16);
      continue;
    }
    std::stringstream names(part);
    std::string n;
    while (std::getline(names, n, ','))
      if (!n.empty()) word |= name_bit(n);
  }
  return word;
}

Probe read_probe(const fs::path& p) {
  Probe probe;
  std::ifstream f(p);
  std::string line;
  ProbeDevice* dev = nullptr;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::string key = line.substr(0, line.find(' '));
    const std::string rest = line.size() > key.size() ? line.substr(key.size() + 1) : std::string();
    std::istringstream in(rest);
    if (key == "machine")
      probe.machine = rest;
    else if (key == "arg")
      probe.args.push_back(rest);
    else if (key == "model")
      probe.model.push_back(rest);
    else if (key == "device") {
      probe.devices.emplace_back();
      dev = &probe.devices.back();
      dev->idstr = rest;
    } else if (!dev) {
      continue;
    } else if (key == "name")
      dev->name = rest;
    else if (key == "device_id")
      in >> dev->device_id;
    else if (key == "host_features")
      dev->host_features = probe_features(rest);
    else if (key == "use_started")
      in >> dev->use_started;
    else if (key == "num_vqs")
      in >> dev->num_vqs;
    else if (key == "queue") {
      unsigned i = 0;
      std::uint32_t num = 0, def = 0;
      in >> i >> num >> def;
      dev->queues.emplace_back(num, def);
    } else if (key == "config_len")
      in >> dev->config_len;
    else if (key == "msix")
      in >> dev->msix;
    else if (key == "pci_config_size")
      in >> dev->pci_config_size;
    else if (key == "net")
      dev->net = rest;
    else if (key == "config") {
      std::string item;
      while (in >> item) {
        const auto colon = item.find(':');
        dev->config[static_cast<unsigned>(std::stoul(item.substr(0, colon), nullptr, 16))] =
            static_cast<std::uint8_t>(std::stoul(item.substr(colon + 1), nullptr, 16));
      }
    } else if (key == "checked") {
      unsigned i = 0, v[4] = {};
      in >> std::hex >> i >> v[0] >> v[1] >> v[2] >> v[3];
      dev->checked[i] = {static_cast<std::uint8_t>(v[0]), static_cast<std::uint8_t>(v[1]),
                         static_cast<std::uint8_t>(v[2]), static_cast<std::uint8_t>(v[3])};
    }
  }
  return probe;
}

TEST(DestinationProbes, ConfigSpaceAndMasksMatchRealQemu) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(probes()))
    if (e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 20u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    const Probe probe = read_probe(file);
    Args args{probe.machine, probe.model};
    if (probe.model.empty())
      for (const std::string& a : probe.args)
        if (a[0] != '-') args.devices.push_back(a);
    const Destination dest = make(args);
    ASSERT_EQ(dest.devices.size(), probe.devices.size());
    for (std::size_t k = 0; k < probe.devices.size(); ++k) {
      const ProbeDevice& want = probe.devices[k];
      SCOPED_TRACE(want.idstr);
      const VirtioDeviceSpec& spec = dest.devices[k];
      const virtio::VirtioDevice& d = spec.reset;
      EXPECT_EQ(spec.idstr, want.idstr);
      EXPECT_EQ(d.name, want.name);
      EXPECT_EQ(d.device_id, want.device_id);
      EXPECT_EQ(d.host_features, want.host_features)
          << std::hex << d.host_features << " vs " << want.host_features;
      EXPECT_EQ(d.use_started, want.use_started);
      EXPECT_EQ(d.vq.count_leading(d.queue_max), want.num_vqs);
      for (std::size_t i = 0; i < want.queues.size(); ++i) {
        EXPECT_EQ(d.vq.get(i).vring.num, want.queues[i].first) << "queue " << i;
        EXPECT_EQ(d.vq.get(i).vring.num_default, want.queues[i].second) << "queue " << i;
      }
      EXPECT_EQ(d.config.size(), want.config_len);
      EXPECT_EQ(d.pci.nvectors, want.msix);
      if (!want.net.empty()) {
        const devices::Net& n = d.net;
        char text[160];
        std::snprintf(text, sizeof text,
                      "mac %02x:%02x:%02x:%02x:%02x:%02x max_queue_pairs %u curr_queue_pairs %u status %u "
                      "promisc %u vlans %02x",
                      n.mac[0], n.mac[1], n.mac[2], n.mac[3], n.mac[4], n.mac[5], n.max_queue_pairs,
                      n.curr_queue_pairs, n.status, n.promisc, n.vlans[0]);
        EXPECT_EQ(text, want.net);
        EXPECT_EQ(n.vqs.size(), n.max_queue_pairs);
      }
      ASSERT_TRUE(d.pci.reset);
      const pci::ConfigSpace& s = *d.pci.reset;
      ASSERT_EQ(s.config.size(), want.pci_config_size);
      for (unsigned i = 0; i < s.config.size(); ++i) {
        const auto it = want.config.find(i);
        EXPECT_EQ(s.config[i], it == want.config.end() ? 0 : it->second) << "config byte 0x" << std::hex << i;
        const auto c = want.checked.find(i);
        if (c == want.checked.end()) {
          EXPECT_EQ(checked(s, i), 0) << "byte 0x" << std::hex << i << " is not checked by QEMU";
          continue;
        }
        EXPECT_EQ(s.config[i], c->second.device) << "byte 0x" << std::hex << i;
        EXPECT_EQ(s.cmask[i], c->second.cmask) << "cmask 0x" << std::hex << i;
        EXPECT_EQ(s.wmask[i], c->second.wmask) << "wmask 0x" << std::hex << i;
        EXPECT_EQ(s.w1cmask[i], c->second.w1cmask) << "w1cmask 0x" << std::hex << i;
      }
    }
  }
}

}  // namespace
}  // namespace migcheck::test
