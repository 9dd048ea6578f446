// The destination model (profile/destination.h) against real QEMU 7.2.22:
// every capture in corpora/qemu-7.2 (its dest_cmdline rebuilt with
// make_destination and compared with QMP x-query-virtio-status and with the
// stream's virtio section), the negative cases h4 / c1 / c2, and the probes
// in corpora/qemu-7.2-dest (configurations without a capture: every PCI
// config byte at reset and every byte the loader checks, with its masks).
#include "migcheck/profile/destination.h"

#include <gtest/gtest.h>

#include "../support/qmp_names.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "migcheck/pci/rules.h"
#include "migcheck/vmstate/format.h"

namespace migcheck {
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

struct Args {
  std::string machine;
  std::vector<std::string> devices;
};
Args destination_args(const json& cmdline) {
  Args a;
  for (std::size_t i = 0; i + 1 < cmdline.size(); ++i) {
    if (cmdline[i] == "-machine") a.machine = cmdline[i + 1].get<std::string>();
    if (cmdline[i] == "-device") a.devices.push_back(cmdline[i + 1].get<std::string>());
  }
  return a;
}

Destination make(const Args& a) {
  std::string error;
  std::optional<Destination> d = make_destination(a.machine, a.devices, profile_7_2(), &error);
  EXPECT_TRUE(d) << error;
  return d ? std::move(*d) : Destination{};
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

// ---- machine types and -device parsing ------------------------------------------

TEST(DestinationMachine, NamesAndAliases) {
  std::string error;
  EXPECT_EQ(parse_machine("pc", &error)->name, "pc-i440fx-7.2");
  EXPECT_EQ(parse_machine("q35", &error)->name, "pc-q35-7.2");
  EXPECT_EQ(parse_machine("pc-q35-4.0.1", &error)->version, 400);
  EXPECT_EQ(parse_machine("pc-i440fx-1.4", &error)->family, MachineFamily::I440fx);
  for (const char* bad : {"pc-q35-2.3", "pc-i440fx-1.3", "pc-i440fx-7.3", "pc-i440fx-2.13", "pc-i440fx-07.2",
                          "virt", "pc-i440fx-4.0.1", ""}) {
    error.clear();
    EXPECT_FALSE(parse_machine(bad, &error)) << bad;
    EXPECT_NE(error.find("pc-q35-X.Y"), std::string::npos) << error;
  }
  // hw_compat_2_6 / 4_0 / 4_2 / 7_1 thresholds
  EXPECT_TRUE(parse_machine("pc-i440fx-2.6", nullptr)->virtio_pci_disable_modern);
  EXPECT_FALSE(parse_machine("pc-i440fx-2.7", nullptr)->virtio_pci_disable_modern);
  EXPECT_FALSE(parse_machine("pc-q35-4.0", nullptr)->virtio_use_started);
  EXPECT_TRUE(parse_machine("pc-q35-4.1", nullptr)->virtio_use_started);
  EXPECT_FALSE(parse_machine("pc-i440fx-4.2", nullptr)->virtio_use_disabled_flag);
  EXPECT_FALSE(parse_machine("pc-i440fx-7.1", nullptr)->virtio_queue_reset);
  EXPECT_FALSE(parse_machine("pc-i440fx-2.4", nullptr)->virtio_pci_migrate_extra);
  EXPECT_TRUE(parse_machine("pc-i440fx-2.5", nullptr)->virtio_pci_migrate_extra);
  EXPECT_TRUE(parse_machine("pc-i440fx-2.2", nullptr)->suppress_vmdesc);
  EXPECT_FALSE(parse_machine("pc-i440fx-1.7", nullptr)->suppress_vmdesc);
}

std::string build_error(std::string_view machine, std::vector<std::string> args) {
  std::string error;
  EXPECT_FALSE(make_destination(machine, args, profile_7_2(), &error));
  return error;
}

// Error texts as real QEMU 7.2.22 printed them for the same command lines
// (after "qemu-system-x86_64: "; QEMU's hint lines are not modelled).
TEST(DestinationDevice, RejectsLikeQemu) {
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,foo=1"}),
            "-device virtio-net-pci,foo=1: Property 'virtio-net-pci.foo' not found");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,mq=maybe"}),
            "-device virtio-net-pci,mq=maybe: Parameter 'mq' expects 'on' or 'off'");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,vectors=abc"}),
            "-device virtio-net-pci,vectors=abc: Parameter 'vectors' expects integer");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,vectors=-1"}),
            "-device virtio-net-pci,vectors=-1: Parameter 'vectors' expects uint32_t");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,rx_queue_size=70000"}),
            "-device virtio-net-pci,rx_queue_size=70000: Parameter 'rx_queue_size' expects uint16_t");
  EXPECT_EQ(
      build_error("pc", {"virtio-net-pci,disable-legacy=maybe"}),
      "-device virtio-net-pci,disable-legacy=maybe: Parameter 'disable-legacy' does not accept value 'maybe'");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci-transitional,disable-modern=on"}),
            "-device virtio-net-pci-transitional,disable-modern=on: Property "
            "'virtio-net-pci-transitional.disable-modern' not found");
  EXPECT_EQ(build_error("pc", {"virtio-balloon-pci,vectors=2"}),
            "-device virtio-balloon-pci,vectors=2: Property 'virtio-balloon-pci.vectors' not found");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,mac=zz"}),
            "-device virtio-net-pci,mac=zz: Property 'virtio-net-device.mac' doesn't take value 'zz'");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,addr=1.1"}),
            "-device virtio-net-pci,addr=1.1: PCI: slot 1 function 1 not available for virtio-net-pci, in use by "
            "piix3-ide,id=(null)");
  EXPECT_EQ(build_error("q35", {"virtio-net-pci,addr=1f.2"}),
            "-device virtio-net-pci,addr=1f.2: PCI: slot 31 function 2 not available for virtio-net-pci, in use "
            "by ich9-ahci,id=(null)");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,addr=0x2,id=a", "virtio-rng-pci,addr=2"}),
            "-device virtio-rng-pci,addr=2: PCI: slot 2 function 0 not available for virtio-rng-pci, in use by "
            "virtio-net-pci,id=a");
  EXPECT_EQ(build_error("q35", {"virtio-rng-pci,bus=nope"}),
            "-device virtio-rng-pci,bus=nope: Bus 'nope' not found");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,rx_queue_size=100"}),
            "-device virtio-net-pci,rx_queue_size=100: Invalid rx_queue_size (= 100), must be a power of 2 "
            "between 256 and 1024.");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,disable-modern=on,disable-legacy=on"}),
            "-device virtio-net-pci,disable-modern=on,disable-legacy=on: device cannot work as neither modern nor "
            "legacy mode is enabled");
  EXPECT_EQ(build_error("pc", {"virtio-blk-pci,scsi=on,disable-legacy=on"}),
            "-device virtio-blk-pci,scsi=on,disable-legacy=on: Please set scsi=off for virtio-blk devices in "
            "order to use virtio 1.0");
  EXPECT_EQ(build_error("pc", {"virtio-balloon-pci", "virtio-balloon-pci"}),
            "-device virtio-balloon-pci: Only one balloon device is supported");
  EXPECT_EQ(build_error("pc", {"virtserialport"}),
            "-device virtserialport: No 'virtio-serial-bus' bus found for device 'virtserialport'");
  EXPECT_EQ(build_error("pc", {"virtio-serial-pci,max_ports=2", "virtserialport,nr=2"}),
            "-device virtserialport,nr=2: virtio-serial-bus: Out-of-range port id specified, max. allowed: 1");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,tx_queue_size=2048"}),
            "-device virtio-net-pci,tx_queue_size=2048: Invalid tx_queue_size (= 2048), must be a power of 2 "
            "between 256 and 1024");
  EXPECT_EQ(
      build_error("pc", {"virtio-scsi-pci,num_queues=0"}),
      "-device virtio-scsi-pci,num_queues=0: Invalid number of queues (= 0), must be a positive integer less "
      "than 1022.");
  EXPECT_EQ(build_error("pc", {"virtio-rng-pci,period=0"}),
            "-device virtio-rng-pci,period=0: 'period' parameter expects a positive integer");
  EXPECT_EQ(build_error("pc", {"virtio-serial-pci,max_ports=600"}),
            "-device virtio-serial-pci,max_ports=600: maximum ports supported: 511");
  EXPECT_EQ(build_error("pc", {"virtio-net-pci,duplex=x"}),
            "-device virtio-net-pci,duplex=x: 'duplex' must be 'half' or 'full'");
  EXPECT_EQ(build_error("pc", {"virtio-balloon-pci,free-page-hint=on"}),
            "-device virtio-balloon-pci,free-page-hint=on: 'free-page-hint' requires 'iothread' to be set");
  EXPECT_EQ(
      build_error("pc", {"virtio-net-pci,iommu_platform=on"}),
      "-device virtio-net-pci,iommu_platform=on: VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor "
      "transitional device");
  EXPECT_NE(build_error("pc", {"e1000"}).find("not a device migcheck models"), std::string::npos);
  EXPECT_NE(build_error("pc", {"virtio-net-pci,netdev=n0"}).find("queues=N"), std::string::npos);
}

TEST(DestinationDevice, OptionParsing) {
  // Flags ("mq" = mq=on, "nofoo" = foo=off), yes/no/true/false, last value wins.
  const Destination d =
      make({"pc", {"virtio-rng-pci", "virtio-net-pci,mq,noevent_idx,packed=yes,packed=no,any_layout=false,romfile="}});
  ASSERT_EQ(d.devices.size(), 2u);
  const VirtioDeviceSpec* spec = &d.devices[1];
  const std::uint64_t f = spec->reset.host_features;
  EXPECT_TRUE(f & virtio::bit(22));
  EXPECT_FALSE(f & virtio::bit(virtio::kRingFEventIdx));
  EXPECT_FALSE(f & virtio::bit(virtio::kFRingPacked));
  EXPECT_FALSE(f & virtio::bit(virtio::kFAnyLayout));
  EXPECT_EQ(spec->idstr, "0000:00:03.0/virtio-net");
  EXPECT_EQ(spec->properties, "mq,noevent_idx,packed=yes,packed=no,any_layout=false,romfile=");
  EXPECT_EQ(spec->reset.config.size(), 10u);  // MQ adds max_virtqueue_pairs
}

TEST(DestinationDevice, NetQueuesAndMac) {
  const Destination d = make({"q35",
                              {"virtio-net-pci,mq=on,queues=4,romfile=", "virtio-net-pci,romfile=",
                               "virtio-net-pci,romfile=,mac=52:54:00:12:34:58"}});
  ASSERT_EQ(d.devices.size(), 3u);
  const devices::Net& n = d.devices[0].reset.net;
  EXPECT_EQ(n.max_queue_pairs, 4);
  EXPECT_EQ(n.vqs.size(), 4u);
  EXPECT_EQ(n.curr_queue_pairs, 1);
  EXPECT_EQ(d.devices[0].reset.pci.nvectors, 10u);
  EXPECT_EQ(d.devices[0].reset.vq.count_leading(1024), 3u);  // realize adds one pair + ctrl
  EXPECT_EQ(d.devices[0].idstr, "0000:00:01.0/virtio-net");
  EXPECT_EQ(d.devices[1].idstr, "0000:00:02.0/virtio-net");
  // qemu_macaddr_default_if_unset: 52:54:00:12:34:56, :57, ... skipping those given.
  EXPECT_EQ(n.mac, (std::array<std::uint8_t, 6>{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}));
  EXPECT_EQ(d.devices[1].reset.net.mac, (std::array<std::uint8_t, 6>{0x52, 0x54, 0x00, 0x12, 0x34, 0x57}));
  EXPECT_EQ(d.devices[2].reset.net.mac, (std::array<std::uint8_t, 6>{0x52, 0x54, 0x00, 0x12, 0x34, 0x58}));
  EXPECT_EQ(n.vlans.front(), 0xff);  // virtio_reset -> set_features(0): no CTRL_VLAN
  EXPECT_EQ(n.status, 1);
  EXPECT_EQ(n.promisc, 1);
}

TEST(DestinationDevice, SerialPorts) {
  const Destination d = make({"pc",
                              {"virtio-serial-pci,id=s0,max_ports=40", "virtserialport,name=a",
                               "virtconsole,bus=s0.0", "virtserialport,nr=35,name=b"}});
  ASSERT_EQ(d.devices.size(), 1u);
  // Real QEMU 7.2.22 saved this destination with ports_map {0x3, 0x8} and
  // the active ports in plug order: ids 1, 0, 35.
  const devices::Serial& s = d.devices[0].reset.serial;
  EXPECT_EQ(s.max_virtserial_ports, 40u);
  ASSERT_EQ(s.ports.size(), 3u);
  EXPECT_EQ(s.ports[0].id, 1u);  // id 0 stays reserved for a console
  EXPECT_EQ(s.ports[1].id, 0u);
  EXPECT_TRUE(s.ports[1].console);
  EXPECT_EQ(s.ports[2].id, 35u);
  EXPECT_EQ(s.ports_map, (std::vector<std::uint32_t>{0x3, 0x8}));
  EXPECT_EQ(d.devices[0].reset.pci.nvectors, 2u);
  EXPECT_EQ(d.devices[0].reset.vq.count_leading(1024), 82u);  // 2 per port + 2 control
  EXPECT_EQ(d.command_line(),
            "--machine pc-i440fx-7.2 --device virtio-serial-pci,id=s0,max_ports=40 "
            "--device virtserialport,name=a --device virtconsole,bus=s0.0 "
            "--device virtserialport,nr=35,name=b");
}

TEST(DestinationDevice, SupportedDrivers) {
  const auto drivers = supported_drivers();
  EXPECT_EQ(drivers.size(), 21u);
  for (std::string_view d : drivers) {
    if (d == "pcie-root-port" || d == "virtconsole" || d == "virtserialport") continue;
    std::string error;
    EXPECT_TRUE(
        make_destination("pc", std::vector<std::string>{std::string(d) + ",romfile="}, profile_7_2(), &error))
        << d << ": " << error;
  }
}

}  // namespace
}  // namespace migcheck
