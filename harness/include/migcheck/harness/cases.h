// Property inputs as files: how a destination, a scenario (writer + device
// states) or a byte stream is recorded so a failing case can be replayed
// forever (corpora/regression/<property>/<hash>.{bin,json}).
//
// RapidCheck-free: the regression replay test, `migcheck prop` and the
// generators share it. Writing is atomic (temp file in the same directory,
// then rename).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "migcheck/harness/properties.h"
#include "migcheck/profile/destination.h"

namespace migcheck::harness {

// A destination as the generators pick it: QEMU's -machine / -device
// arguments, the loader's release, and the transport. make_destination
// builds virtio-pci devices; "mmio" and "ccw" re-home each of them onto
// that transport (rehome()), keeping the device part and queue layout.
struct DestinationSpec {
  std::string machine = "pc-i440fx-7.2";
  std::vector<std::string> devices;
  std::string profile = "qemu-7.2";
  TransportKind transport = TransportKind::Pci;
};
std::optional<Destination> build_destination(const DestinationSpec& spec, std::string* error);
nlohmann::json to_json(const DestinationSpec& spec);
std::optional<DestinationSpec> destination_spec_from_json(const nlohmann::json& j, std::string* error);
std::string_view transport_name(TransportKind t);

// Every virtio device of `dest` moved onto virtio-mmio or virtio-ccw, as
// the same device would be realized there: mmio is legacy unless the host
// offers VERSION_1 (force-legacy=off), ccw gets subchannel fe.0.<n> and
// css migration from machine 2.10 on; idstrs name the transport's bus.
void rehome(Destination& dest, TransportKind transport);

// The same destination loaded by another release (its QMAX and loader);
// nullopt when a device has more queues than that release allows.
std::optional<Destination> with_profile(const Destination& dest, const Profile& profile, std::string* error);

// A device state as a JSON object: the fields the schema visits (7.2's
// subsections) that differ from the destination device's reset state, the
// queue layout and list sizes, and the members a visit does not reach.
nlohmann::json state_to_json(const virtio::VirtioDevice& state, const virtio::VirtioDevice& reset);
std::optional<virtio::VirtioDevice> state_from_json(const nlohmann::json& j, const virtio::VirtioDevice& reset,
                                                    std::string* error);

// One property input.
struct Case {
  Property property = Property::Totality;
  DestinationSpec destination;
  std::vector<std::uint8_t> bytes;               // RoundTripBytes, Sanitization, Totality
  std::vector<virtio::VirtioDevice> states;      // RoundTripState, OldReader
  std::uint64_t ram_bytes = 0;                   // scenario's RAM
  std::string reader;                            // OldReader: the reader's profile
  std::string note;                              // how it was found (property detail)
};

// Runs the case's property (builds the destination, then calls it).
Verdict run_case(const Case& c);

// <dir>/<property>/<hash>.bin + .json; returns the .json path or "" with *error.
std::string write_case(const Case& c, const std::string& regression_dir, std::string* error);
// Reads a case from its .json (and the .bin beside it).
std::optional<Case> read_case(const std::string& json_path, std::string* error);

}  // namespace migcheck::harness
