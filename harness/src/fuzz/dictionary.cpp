// Fuzzer dictionaries read off the schema (never a hand-kept token list):
// a visit of every modelled device's reset state on each transport meets
// every vmsd and subsection name; the destination model gives the idstrs.
#include <array>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "migcheck/harness/cases.h"
#include "migcheck/harness/fuzz.h"
#include "migcheck/profile/destination.h"
#include "migcheck/virtio/core.h"
#include "migcheck/vmstate/visitor.h"
#include "migcheck/vmstate/vmsd.h"

namespace migcheck::harness {

namespace {

class VmsdNames : public vmstate::Visitor {
 public:
  std::set<std::string>* names;
  explicit VmsdNames(std::set<std::string>* n) : names(n) {}
  bool enter(std::string_view vmsd, int index) override {
    names->emplace(vmsd);
    return index <= 0;  // one element of each array is enough for names
  }
};

// One entry: "..." with every byte outside printable ASCII (and " \) escaped.
std::string dict_entry(std::string_view bytes) {
  std::string s = "\"";
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      s += static_cast<char>(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      s += buf;
    }
  }
  return s + "\"";
}

std::string with_len8(std::string_view s) { return std::string(1, static_cast<char>(s.size())) + std::string(s); }

constexpr std::array<std::string_view, 7> kDrivers = {"virtio-net-pci,mq=on,queues=2", "virtio-blk-pci",
                                                      "virtio-scsi-pci", "virtio-balloon-pci",
                                                      "virtio-serial-pci", "virtio-rng-pci",
                                                      "virtio-net-pci,disable-legacy=on,packed=on"};
constexpr std::array<std::string_view, 6> kMachines = {"pc-i440fx-7.2", "pc-q35-7.2", "pc-i440fx-2.4",
                                                       "pc-i440fx-2.3", "pc-i440fx-2.1", "pc-i440fx-2.0"};

}  // namespace

std::string fuzz_dictionary(std::string_view kind) {
  std::set<std::string> vmsds, idstrs;
  for (TransportKind transport : {TransportKind::Pci, TransportKind::Mmio, TransportKind::Ccw}) {
    for (std::string_view driver : kDrivers) {
      DestinationSpec spec;
      spec.devices = {std::string(driver)};
      spec.transport = transport;
      std::string error;
      auto dest = build_destination(spec, &error);
      if (!dest) continue;
      for (VirtioDeviceSpec& d : dest->devices) {
        idstrs.insert(d.idstr);
        VmsdNames names(&vmsds);
        vmstate::visit_state(names, virtio::section_vmsd(d.reset.kind), d.reset);
      }
    }
  }
  std::string out = "# Generated from the schema by `migcheck corpus export --dicts fuzzers/dicts`: do not edit.\n";
  out += "# kind: " + std::string(kind) + "\n\n# vmsd and subsection names (plain; as a subsection header: 0x05 len name)\n";
  for (const std::string& n : vmsds) {
    out += dict_entry(n) + "\n";
    out += dict_entry("\x05" + with_len8(n)) + "\n";
  }
  out += "\n# section idstrs (len-prefixed, as in a START/FULL header)\n";
  for (const std::string& id : idstrs) out += dict_entry(with_len8(id)) + "\n";
  out += "\n# record types, footer\n";
  for (unsigned char t : {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x7e}) out += dict_entry(std::string(1, static_cast<char>(t))) + "\n";
  out += dict_entry("\x7e\x00\x00\x00") + "\n";
  out += "\n# boundaries: VIRTIO_QUEUE_MAX, 64-queue QMAX, 2^16 index wrap, MAC table size\n";
  for (std::string_view v : {std::string_view("\x00\x00\x04\x00", 4), std::string_view("\x00\x00\x04\x01", 4),
                             std::string_view("\x00\x00\x00\x40", 4), std::string_view("\xff\xff", 2),
                             std::string_view("\x00\x00\x00\x41", 4)})
    out += dict_entry(v) + "\n";
  if (kind == "stream") {
    out += "\n# stream framing: magic + version, configuration record, RAM, vmdesc\n";
    out += dict_entry(std::string_view("QEVM\x00\x00\x00\x03", 8)) + "\n";
    for (std::string_view m : kMachines) {
      const std::string len = {'\0', '\0', '\0', static_cast<char>(m.size())};
      out += dict_entry("\x07" + len + std::string(m)) + "\n";
    }
    out += dict_entry(with_len8("ram")) + "\n" + dict_entry(with_len8("pc.ram")) + "\n";
    for (std::string_view key : {"{\"page_size\":", "\"devices\":[", "\"name\":", "\"instance_id\":", "\"vmsd_name\":",
                                 "\"version\":", "\"fields\":[", "\"subsections\":[", "\"size\":", "\"array_len\":",
                                 "\"type\":"})
      out += dict_entry(key) + "\n";
  }
  return out;
}

}  // namespace migcheck::harness
