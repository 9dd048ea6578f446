// Inferring the destination a stream was written for (see infer.h).
//
// Everything here only reads; nothing it finds is trusted beyond choosing
// -device properties, and the real load then checks the stream against the
// destination those properties build.
#include "migcheck/stream/infer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "migcheck/stream/loader.h"
#include "migcheck/virtio/features.h"
#include "migcheck/vmstate/format.h"
#include "vmdesc.h"

namespace migcheck {

using vmstate::qemu_format;

namespace {

struct Bytes {
  std::span<const std::uint8_t> b;
  bool has(std::size_t at, std::size_t n) const { return at <= b.size() && n <= b.size() - at; }
  std::uint8_t u8(std::size_t at) const { return at < b.size() ? b[at] : 0; }
  std::uint16_t be16(std::size_t at) const { return static_cast<std::uint16_t>(u8(at) << 8 | u8(at + 1)); }
  std::uint32_t be32(std::size_t at) const { return std::uint32_t{be16(at)} << 16 | be16(at + 2); }
  std::uint64_t be64(std::size_t at) const { return std::uint64_t{be32(at)} << 32 | be32(at + 4); }
  std::uint16_t le16(std::size_t at) const { return static_cast<std::uint16_t>(u8(at) | u8(at + 1) << 8); }
  std::string_view str(std::size_t at, std::size_t n) const {
    if (!has(at, n)) return {};
    return {reinterpret_cast<const char*>(b.data() + at), n};
  }
};

struct DriverOf {
  std::string_view vmsd, driver;
};
constexpr std::array<DriverOf, 6> kDrivers = {{{"virtio-net", "virtio-net-pci"},
                                               {"virtio-blk", "virtio-blk-pci"},
                                               {"virtio-scsi", "virtio-scsi-pci"},
                                               {"virtio-balloon", "virtio-balloon-pci"},
                                               {"virtio-console", "virtio-serial-pci"},
                                               {"virtio-rng", "virtio-rng-pci"}}};

std::optional<std::string_view> driver_for(std::string_view idstr) {
  const auto slash = idstr.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view vmsd = idstr.substr(slash + 1);
  for (const DriverOf& d : kDrivers)
    if (d.vmsd == vmsd) return d.driver;
  return std::nullopt;
}

// A FULL/START header of a virtio device at `at`: 04 id len idstr inst ver.
// Views into the stream's bytes, which outlive every Header.
struct Header {
  std::size_t at = 0, body = 0;
  std::uint32_t section_id = 0;
  std::string_view idstr;
  std::string_view driver;
};

std::optional<Header> header_at(const Bytes& s, std::size_t at) {
  if (s.u8(at) != 0x04 && s.u8(at) != 0x01) return std::nullopt;
  const std::size_t len = s.u8(at + 5);
  if (len < 8 || !s.has(at + 6, len + 8)) return std::nullopt;
  const std::string_view idstr = s.str(at + 6, len);
  for (char c : idstr)
    if (c < 0x20 || c > 0x7e) return std::nullopt;
  auto driver = driver_for(idstr);
  if (!driver) return std::nullopt;
  return Header{at, at + 6 + len + 8, s.be32(at + 1), idstr, *driver};
}

// The offsets, ascending, where header_at can succeed at or after `from`
// (with at + 14 < limit). Every such header's idstr ends in "/<vmsd>" of
// kDrivers, so the candidates come from the few places "/virtio-" occurs
// rather than from every byte: a stream's RAM section is hundreds of KB.
std::vector<std::size_t> header_candidates(const Bytes& s, std::size_t from, std::size_t limit) {
  const std::string_view all(reinterpret_cast<const char*>(s.b.data()), s.b.size());
  std::vector<std::size_t> at;
  // An idstr starts at most 0xff bytes before its "/virtio-": occurrences
  // further past the limit (the vmdesc JSON names every device) give none.
  const std::size_t last = limit > SIZE_MAX - 0x100 ? SIZE_MAX : limit + 0x100;
  for (std::size_t p = all.find("/virtio-", from); p != std::string_view::npos && p < last;
       p = all.find("/virtio-", p + 1)) {
    for (const DriverOf& d : kDrivers) {
      if (all.substr(p + 1, d.vmsd.size()) != d.vmsd) continue;
      const std::size_t end = p + 1 + d.vmsd.size();  // where the idstr would end
      // An idstr is printable: it starts within the printable run before end.
      std::size_t run = p;
      while (run > 0 && end - run < 0xff && s.u8(run - 1) >= 0x20 && s.u8(run - 1) <= 0x7e) --run;
      for (std::size_t i = std::max<std::size_t>(run, 6); i + 8 <= end; ++i)  // i: the idstr's first byte
        if (i - 6 >= from && i + 8 < limit && s.u8(i - 1) == end - i) at.push_back(i - 6);
    }
  }
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  return at;
}

// What the virtio body's transport and common part show (spec §3.2, §5.1).
struct BodyFacts {
  std::uint16_t device_id = 0;
  bool modern_caps = false, express = false;
  std::uint32_t vectors = 0;
  std::uint8_t status = 0;
  std::uint64_t features = 0;  // low word; 64-bit subsection value if present
  std::uint32_t nvq = 0;
  std::vector<std::uint32_t> queue_num;
  std::size_t device_part = 0;  // offset of the device part
  std::vector<std::string_view> subsections;  // views into the stream's bytes
};

BodyFacts read_body(const Bytes& s, std::size_t body, std::size_t end) {
  BodyFacts f;
  const std::size_t cfg = body + 4;
  f.device_id = s.le16(cfg + 2);
  // Capability list (PCI status bit 4, pointer at 0x34).
  if (s.u8(cfg + 6) & 0x10) {
    std::size_t ptr = s.u8(cfg + 0x34) & 0xfc;
    for (int hops = 0; ptr >= 0x40 && ptr < 0x100 && hops < 48; ++hops) {
      const std::uint8_t id = s.u8(cfg + ptr);
      if (id == 0x11) f.vectors = (s.le16(cfg + ptr + 2) & 0x7ff) + 1u;
      if (id == 0x09) f.modern_caps = true;
      if (id == 0x10) f.express = true;
      ptr = s.u8(cfg + ptr + 1) & 0xfc;
    }
  }
  std::size_t p = cfg + (f.express ? 4096 : 256) + 16;
  if (f.vectors) p += 16u * f.vectors + (f.vectors + 7) / 8 + 2;
  f.status = s.u8(p);
  f.features = s.be32(p + 4);
  const std::uint32_t config_len = s.be32(p + 8);
  p += 12 + std::min<std::size_t>(config_len, s.b.size());
  f.nvq = s.be32(p);
  p += 4;
  const std::size_t entry = 14 + (f.vectors ? 2 : 0);
  // As many as the bytes hold, not as many as the stream claims.
  if (p < s.b.size()) f.queue_num.reserve(std::min<std::size_t>({f.nvq, 1024, (s.b.size() - p) / entry}));
  for (std::uint32_t i = 0; i < f.nvq && i < 1024 && s.has(p, entry); ++i, p += entry)
    f.queue_num.push_back(s.be32(p));
  f.device_part = p;
  // Subsection headers in the rest of the body: 05 len "virtio.../..." be32.
  // (memchr: the rest of a stream can be large, and a byte loop with a
  // compare per byte is slow under the fuzzers' comparison tracing)
  const std::size_t stop = std::min(end, s.b.size()) > 2 ? std::min(end, s.b.size()) - 2 : 0;
  for (std::size_t q = p; q < stop; ++q) {
    const void* hit = std::memchr(s.b.data() + q, 0x05, stop - q);
    if (!hit) break;
    q = static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - s.b.data());
    const std::size_t len = s.u8(q + 1);
    const std::string_view name = s.str(q + 2, len);
    if (len < 8 || name.empty() || !(name.starts_with("virtio") || name.starts_with("virtio_pci"))) continue;
    if (name.find('/') == std::string_view::npos) continue;
    f.subsections.push_back(name);
    if (name == "virtio/64bit_features") f.features = s.be64(q + 2 + len + 4);
  }
  return f;
}

bool has_sub(const BodyFacts& f, std::string_view name) {
  return std::find(f.subsections.begin(), f.subsections.end(), name) != f.subsections.end();
}

// Version of a machine name ("pc-i440fx-7.2" -> 702; aliases are current).
int machine_version(std::string_view m) {
  const auto dash = m.rfind('-');
  if (dash == std::string_view::npos) return 702;
  // The name comes from the stream: anything but 1-3 digit numbers is no
  // version (0), never an overflow.
  unsigned major = 0, minor = 0;
  const char* const end = m.data() + m.size();
  const auto [p, ec] = std::from_chars(m.data() + dash + 1, end, major);
  if (ec != std::errc() || p == end || *p != '.' || major > 999) return 0;
  const auto [q, ec2] = std::from_chars(p + 1, end, minor);
  if (ec2 != std::errc() || (q != end && *q != '.') || minor > 99) return 0;  // "4.0.1": a point release
  return static_cast<int>(major * 100 + minor);
}

// The address part of an idstr: "0000:00:02.0" or "0000:00:02.0:00.0".
struct Address {
  int slot = -1, fn = 0;
  int port_slot = -1;  // behind a root port at 00:port_slot.0
};
Address address_of(std::string_view idstr) {
  Address a;
  std::vector<std::string_view> parts;
  std::string_view path = idstr.substr(0, idstr.rfind('/'));
  for (std::size_t from = 0;;) {
    const auto colon = path.find(':', from);
    parts.push_back(path.substr(from, colon == std::string_view::npos ? colon : colon - from));
    if (colon == std::string_view::npos) break;
    from = colon + 1;
  }
  // "02.0" as QEMU prints it ("%02x.%x"): a slot of one or two hex digits
  // below 32 and a function 0-7; anything else (a hostile idstr) leaves
  // them unset. (An unbounded digit run overflowed an int: AFL++ finding.)
  auto slot_fn = [](std::string_view t, int& slot, int& fn) {
    const auto dot = t.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot > 2 || t.size() != dot + 2) return;
    int s = 0;
    for (char c : t.substr(0, dot)) {
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return;
      s = s * 16 + digit;
    }
    const int f = t[dot + 1] - '0';
    if (s > 31 || f < 0 || f > 7) return;
    slot = s;
    fn = f;
  };
  // domain:bus:slot.fn, or domain:bus:port-slot.fn:slot.fn behind a port.
  if (parts.size() == 3) slot_fn(parts[2], a.slot, a.fn);
  if (parts.size() == 4) {
    int port_fn = 0;
    slot_fn(parts[2], a.port_slot, port_fn);
    slot_fn(parts[3], a.slot, a.fn);
  }
  return a;
}

// Device-specific properties the common part and device part reveal.
void device_properties(const Bytes& s, const Header& h, const BodyFacts& f, std::vector<std::string>& props,
                       std::vector<std::string>* notes) {
  auto num = [&](std::size_t i) { return i < f.queue_num.size() ? f.queue_num[i] : 0u; };
  if (h.driver == "virtio-net-pci") {
    if (f.nvq > 3 && f.nvq % 2 == 1) {
      props.push_back("mq=on");
      props.push_back(qemu_format("queues=%u", (f.nvq - 1) / 2));
    }
    if (!has_sub(f, "virtio/ringsize") && num(0) && num(0) != 256) props.push_back(qemu_format("rx_queue_size=%u", num(0)));
    if (!has_sub(f, "virtio/ringsize") && num(1) && num(1) != 256) props.push_back(qemu_format("tx_queue_size=%u", num(1)));
    if (has_sub(f, "virtio-net-device/rss")) props.push_back("rss=on");
  } else if (h.driver == "virtio-blk-pci") {
    if (f.nvq > 1) props.push_back(qemu_format("num-queues=%u", f.nvq));
    if (!has_sub(f, "virtio/ringsize") && num(0) && num(0) != 256) props.push_back(qemu_format("queue-size=%u", num(0)));
  } else if (h.driver == "virtio-scsi-pci") {
    if (f.nvq > 3) props.push_back(qemu_format("num_queues=%u", f.nvq - 2));
  } else if (h.driver == "virtio-balloon-pci") {
    if (f.features & virtio::bit(3)) props.push_back("free-page-hint=on");
    if (f.features & virtio::bit(5)) props.push_back("free-page-reporting=on");
    if (f.features & virtio::bit(2)) props.push_back("deflate-on-oom=on");
  } else if (h.driver == "virtio-serial-pci") {
    const std::uint32_t max_ports = f.nvq >= 4 ? f.nvq / 2 - 1 : 1;
    if (max_ports != 31) props.push_back(qemu_format("max_ports=%u", max_ports));
    // Device part: be16 cols, be16 rows, be32 max_nr_ports, ports_map words.
    const std::size_t map = f.device_part + 8;
    std::vector<std::string> ports;
    // No device has more than VIRTIO_QUEUE_MAX / 2 - 1 = 511 ports (QEMU
    // refuses a larger max_ports, and so does make_destination): a map read
    // further would turn every input bit into a -device string (a 200 KB
    // input made 90 MB of them; fuzz_stream out-of-memory).
    const std::uint32_t words = std::min<std::uint32_t>(max_ports, 1024 / 2 - 1) / 32 + 1;
    for (std::uint32_t w = 0; w < words && w < (max_ports + 31) / 32 && s.has(map + 4 * w, 4); ++w) {
      const std::uint32_t bits = s.be32(map + 4 * w);
      for (int b = 0; b < 32; ++b)
        if (bits & (1u << b)) {
          const std::uint32_t id = w * 32 + static_cast<std::uint32_t>(b);
          ports.push_back(id == 0 ? std::string("virtconsole,nr=0") : qemu_format("virtserialport,nr=%u", id));
        }
    }
    if (notes) notes->push_back(qemu_format("%s: %zu port(s) from ports_map", h.idstr, ports.size()));
    for (std::string& p : ports) props.push_back("+" + p);  // extra devices, see below
  }
}

}  // namespace

InferredSetup infer_setup(std::span<const std::uint8_t> bytes, const Profile& profile, bool with_notes) {
  InferredSetup out;
  // Notes are built only when asked for: fuzz_load infers per input.
  auto note = [&](auto&& make) {
    if (with_notes) out.notes.push_back(make());
  };
  const Bytes s{bytes};
  const bool full = bytes.size() >= 8 && s.be32(0) == 0x5145564d;
  std::size_t scan_from = 0;
  bool footer_known = false, footers = true;
  if (full) {
    scan_from = 8;
    if (s.u8(8) == 0x07) {
      const std::uint32_t len = s.be32(9);
      out.machine = std::string(s.str(13, std::min<std::size_t>(len, 255)));
      scan_from = 13 + std::min<std::size_t>(len, bytes.size());
      note([&] { return "machine '" + out.machine + "' from the configuration record"; });
    } else {
      const bool q35 = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()).find("ICH9LPC") !=
                       std::string_view::npos;
      out.machine = q35 ? "pc-q35-2.4" : "pc-i440fx-2.3";
      footers = false;
      footer_known = true;
      note([&] { return "no configuration record: a machine of 2.3 or older (" + out.machine + ")"; });
    }
  } else {
    // A lone record names no machine. On i440fx slots 0 and 1 hold the host
    // bridge and PIIX3, so a device there (or behind a root port) is q35's.
    const std::string version = std::to_string(profile.release / 100) + "." + std::to_string(profile.release % 100);
    bool q35 = false, footer = true;
    if (auto h = header_at(s, 0)) {
      const Address a = address_of(h->idstr);
      q35 = a.port_slot >= 0 || (a.slot >= 0 && a.slot < 2);
      // Footer if the bytes end with 7e + the record's own section id.
      const std::size_t n = bytes.size();
      footer = n >= 5 && s.u8(n - 5) == 0x7e && s.be32(n - 4) == h->section_id;
    }
    // Only machines of 2.3 and older write no footers (HW_COMPAT_2_3): naming
    // one keeps the destination reproducible from its --machine alone. (7.2
    // has no such q35 machine; that record keeps the framing override below.)
    out.machine = (q35 ? "pc-q35-" : "pc-i440fx-") + (footer || q35 ? version : std::string("2.3"));
    note([&] { return "a lone section record: machine " + out.machine + " assumed"; });
  }
  const int version = machine_version(out.machine);
  const auto vmdesc = full ? stream::find_vmdesc(bytes) : nullptr;
  const std::size_t limit = vmdesc ? vmdesc->offset : bytes.size();

  std::vector<Header> headers;
  std::size_t next = scan_from;  // a header's own bytes hold no other header
  for (std::size_t at : header_candidates(s, scan_from, limit))
    if (at >= next)
      if (auto h = header_at(s, at)) {
        headers.push_back(*h);
        next = h->body;
      }
  int root_ports = 0;
  for (std::size_t k = 0; k < headers.size(); ++k) {
    const Header& h = headers[k];
    std::size_t end = k + 1 < headers.size() ? headers[k + 1].at : limit;
    if (vmdesc) {
      auto it = vmdesc->body_sizes.find({std::string(h.idstr), s.be32(h.body - 8)});
      if (it != vmdesc->body_sizes.end()) end = std::min(end, h.body + it->second);
    }
    const BodyFacts f = read_body(s, h.body, end);
    if (!footer_known && vmdesc && end < bytes.size()) {
      footers = s.u8(end) == 0x7e;
      footer_known = true;
    }
    std::vector<std::string> props;
    props.reserve(16);
    const Address a = address_of(h.idstr);
    if (a.port_slot >= 0) {
      const std::string port = qemu_format("rp%d", root_ports++);
      out.devices.push_back(qemu_format("pcie-root-port,id=%s,addr=%x.0", port, a.port_slot));
      props.push_back("bus=" + port);
    } else if (a.slot >= 0) {
      props.push_back(qemu_format("addr=%x.%d", a.slot, a.fn));
    }
    if (f.device_id >= 0x1040) {
      props.push_back("disable-legacy=on");
      props.push_back("disable-modern=off");
    } else if (f.modern_caps) {
      props.push_back("disable-legacy=off");
      props.push_back("disable-modern=off");
    } else {
      props.push_back("disable-modern=on");
    }
    // virtio-balloon-pci has no "vectors" property (and no MSI-X).
    if (h.driver != "virtio-balloon-pci") props.push_back(qemu_format("vectors=%u", f.vectors));
    const bool modern = f.device_id >= 0x1040 || f.modern_caps;
    if (version >= 702 && !modern && !has_sub(f, "virtio/64bit_features")) props.push_back("queue_reset=off");
    if (version >= 205 && !has_sub(f, "virtio/extra_state")) props.push_back("migrate-extra=off");
    if (version < 205 && has_sub(f, "virtio/extra_state")) props.push_back("migrate-extra=on");
    if (has_sub(f, "virtio/packed_virtqueues")) props.push_back("packed=on");
    if (version >= 401 && (f.status & virtio::kStatusDriverOk) && !has_sub(f, "virtio/started"))
      props.push_back("use-started=off");
    device_properties(s, h, f, props, with_notes ? &out.notes : nullptr);

    std::string arg(h.driver);
    std::vector<std::string> extra;
    for (const std::string& p : props) {
      if (p.starts_with("+")) {
        extra.push_back(p.substr(1));
      } else {
        arg += ',';
        arg += p;
      }
    }
    out.devices.push_back(arg);
    for (const std::string& e : extra) out.devices.push_back(e);
    note([&] { return std::string(h.idstr) + ": " + arg; });
  }
  if (!full && !headers.empty()) {
    // A lone record: footer if the bytes end with 7e + its own section id.
    const Header& h = headers.front();
    const std::size_t n = bytes.size();
    out.section_footer = n >= 5 && s.u8(n - 5) == 0x7e && s.be32(n - 4) == h.section_id;
    footers = *out.section_footer;
    footer_known = true;
  }
  if (footer_known && !footers && version >= 204) note([] { return std::string("no section footers seen"); });
  return out;
}

std::optional<Destination> infer_destination(std::span<const std::uint8_t> bytes, const Profile& profile,
                                             std::string* error, std::string_view machine) {
  InferredSetup setup = infer_setup(bytes, profile);
  if (!machine.empty()) setup.machine = std::string(machine);
  auto dest = make_destination(setup.machine, setup.devices, profile, error);
  if (!dest) return std::nullopt;
  dest->inferred = true;
  dest->notes = std::move(setup.notes);
  // A lone record is read the way its writer framed it.
  if (setup.section_footer) dest->machine.send_section_footer = *setup.section_footer;
  return dest;
}

}  // namespace migcheck
