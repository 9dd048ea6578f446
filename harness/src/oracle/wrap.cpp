// A lone section record as the smallest full stream a real destination
// takes (checked against qemu-system-x86_64 7.2.22: accepted, devices equal
// to the record loaded mid-stream, guest RAM all zeros).
#include "migcheck/harness/oracle.h"
#include "migcheck/wire/writer.h"

namespace migcheck::harness {

namespace {

constexpr std::uint64_t kRamFlagMemSize = 0x04;  // RAM_SAVE_FLAG_MEM_SIZE
constexpr std::uint64_t kRamFlagEos = 0x10;      // RAM_SAVE_FLAG_EOS
constexpr std::uint32_t kRamVersion = 4;

std::uint32_t record_section_id(std::span<const std::uint8_t> r) {
  if (r.size() < 5) return 0;
  return std::uint32_t{r[1]} << 24 | std::uint32_t{r[2]} << 16 | std::uint32_t{r[3]} << 8 | r[4];
}

}  // namespace

std::vector<std::uint8_t> wrap_section_record(std::span<const std::uint8_t> record, const Destination& dest) {
  // Only a section record (QEMU_VM_SECTION_FULL first) is wrapped; a full
  // stream, or bytes that are neither, go as they are.
  if (is_full_stream(record) || record.empty() || record[0] != kSectionFull) return {record.begin(), record.end()};
  wire::Writer w(record.size() + 128);
  w.be32(0x5145564d);  // QEVM
  w.be32(3);
  if (dest.machine.send_configuration) {
    w.u8(kConfiguration);
    w.be32(static_cast<std::uint32_t>(dest.machine.name.size()));
    w.chars(dest.machine.name);
  }
  // RAM: only the block list (pc.ram, as -m 2 makes it): without a RAM
  // section a model has no guest memory to read the rings from, while the
  // real destination has its RAM, zero-filled.
  const std::uint32_t ram_id = record_section_id(record) + 1;
  w.u8(kSectionStart);
  w.be32(ram_id);
  w.u8(3);
  w.chars("ram");
  w.be32(0);  // instance
  w.be32(kRamVersion);
  w.be64(kWrapRamBytes | kRamFlagMemSize);
  w.u8(6);
  w.chars("pc.ram");
  w.be64(kWrapRamBytes);
  w.be64(kRamFlagEos);
  if (dest.machine.send_section_footer) {
    w.u8(kSectionFooter);
    w.be32(ram_id);
  }
  w.bytes(record);
  w.u8(kVmEof);
  return w.take();
}

}  // namespace migcheck::harness
