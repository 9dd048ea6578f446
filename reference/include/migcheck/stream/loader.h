// Loading a migration stream (or one section record) the way a QEMU
// destination does: the reference's public entry point.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "migcheck/memory/guest_memory.h"
#include "migcheck/profile/destination.h"
#include "migcheck/virtio/device.h"
#include "migcheck/vmstate/context.h"

namespace migcheck {

enum class Verdict : std::uint8_t {
  Accepted,     // QEMU would complete the incoming migration
  Rejected,     // QEMU would fail it (Diagnostics::reject says why)
  Unsupported,  // outside what the reference models; nothing is claimed
};
std::string_view to_string(Verdict);

// Record types (migration/savevm.h).
enum RecordType : std::uint8_t {
  kVmEof = 0x00,
  kSectionStart = 0x01,
  kSectionPart = 0x02,
  kSectionEnd = 0x03,
  kSectionFull = 0x04,
  kSubsection = 0x05,
  kVmDescription = 0x06,
  kConfiguration = 0x07,
  kCommand = 0x08,
  kSectionFooter = 0x7e,
};

// One record of the stream as the loader met it.
struct SectionInfo {
  std::uint8_t type = 0;
  std::uint32_t section_id = 0;
  std::string idstr;  // START/FULL only
  std::uint32_t instance_id = 0;
  std::uint32_t version_id = 0;
  std::uint64_t offset = 0;      // the type byte
  std::uint64_t body_begin = 0;  // first body byte
  std::uint64_t body_end = 0;    // one past the body (= footer, if any)
  std::uint64_t end = 0;         // one past the record incl. footer
  enum class Handling : std::uint8_t { Virtio, Ram, Skipped, Configuration, Command, Other } handling =
      Handling::Other;
};

struct LoadedDevice {
  std::size_t spec = 0;  // index into Destination::devices
  std::string idstr;
  std::uint32_t instance_id = 0;
  std::uint32_t section_id = 0;
  std::uint32_t version_id = 0;  // from the section header
  std::uint64_t header_offset = 0, body_begin = 0, body_end = 0;
  bool footer = false;
  virtio::VirtioDevice state;  // after load, sanitized: what QMP would show
  // The state right after the body was parsed, before post-load
  // sanitization (LoadOptions::keep_parsed): what re-encodes to the body.
  std::shared_ptr<const virtio::VirtioDevice> parsed;
};

struct LoadOptions {
  bool keep_parsed = false;
  vmstate::LoadObserver* observer = nullptr;
};

struct LoadResult {
  Verdict verdict = Verdict::Rejected;
  vmstate::Diagnostics diag;
  std::string unsupported;  // why, when Unsupported
  int error = 0;            // QEMU's return value (negative errno) when Rejected
  std::string machine;      // from the configuration record, if any
  std::vector<SectionInfo> sections;
  std::vector<LoadedDevice> devices;
  GuestMemory memory;
  bool has_ram = false;
  bool has_vmdesc = false;
  std::uint64_t consumed = 0;  // bytes read by the loader
};

// Is this a full stream (QEVM magic) rather than a lone section record?
bool is_full_stream(std::span<const std::uint8_t> bytes);

// A full stream: header, configuration, records, EOF, vmdesc.
LoadResult load_stream(std::span<const std::uint8_t> bytes, const Destination& dest,
                       const LoadOptions& options = {});

// One START/FULL section record (0x04 ... footer) of a virtio device, loaded
// as the destination's loader would meet it mid-stream; no RAM, so ring
// indices are not read.
LoadResult load_section_record(std::span<const std::uint8_t> bytes, const Destination& dest,
                               const LoadOptions& options = {});

// Either of the above, by the first bytes.
LoadResult load_any(std::span<const std::uint8_t> bytes, const Destination& dest,
                    const LoadOptions& options = {});

// QEMU's strerror text for the final "load of migration failed: %s" line.
std::string_view errno_text(int negative_errno);

}  // namespace migcheck
