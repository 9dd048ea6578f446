// The destination a stream was written for, read off the stream itself:
// machine type from the configuration record, and per virtio section the
// -device string whose defaults reproduce what the section shows (PCI ids
// and capabilities, MSI-X size, queue counts and sizes, which subsections
// the writer found needed).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "migcheck/profile/destination.h"

namespace migcheck {

struct InferredSetup {
  std::string machine;               // "pc-i440fx-7.2"
  std::vector<std::string> devices;  // -device arguments, in stream order
  std::vector<std::string> notes;    // how each choice was made
  // A lone section record shows its own framing: footer or not.
  std::optional<bool> section_footer;
};

// Reads what the stream shows; never fails (missing facts fall back to the
// profile's defaults and are noted, unless `with_notes` is false).
InferredSetup infer_setup(std::span<const std::uint8_t> bytes, const Profile& profile, bool with_notes = true);

// infer_setup + make_destination. nullopt (with *error) only if the
// inferred arguments are themselves rejected by the device model.
// `machine` (if not empty) replaces the inferred machine type.
std::optional<Destination> infer_destination(std::span<const std::uint8_t> bytes, const Profile& profile,
                                             std::string* error, std::string_view machine = {});

}  // namespace migcheck
