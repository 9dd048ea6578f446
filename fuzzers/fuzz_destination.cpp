// fuzz_destination: a destination command line, then the bytes loaded into
// it. fuzz_load infers the destination from each input, so it only ever
// meets the configuration the stream was written for; real migrations go
// wrong when the destination differs (another machine type, queue size,
// vectors, features, config size, a device more or less). The input is
//
//   [PROFILE] MACHINE [DEVICE...] '\n' BYTES
//
// e.g. "qemu-2.4 pc-i440fx-2.3 virtio-net-pci,mq=on\n<section record>", the
// words as `migcheck check --profile --machine --device` takes them.
// Properties: building the destination ends in a device or in QEMU's error
// message (never an empty one); a destination that builds then takes BYTES
// through totality and sanitization, and under qemu-7.2 roundtrip-bytes
// (MIGCHECK_FUZZ_PROPERTIES chooses, as for fuzz_load).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/report.h"
#include "migcheck/harness/properties.h"
#include "migcheck/profile/destination.h"
#include "migcheck/profile/profile.h"

namespace {

using migcheck::harness::Property;

// A longer first line is not a command line anyone writes; past it the
// input is ignored rather than split into thousands of -device words.
constexpr std::size_t kMaxHeader = 2048;

// Destinations built once per distinct header line (make_destination builds
// PCI config spaces; the bytes after the header change far more often).
class HeaderCache {
 public:
  // nullptr: the header was rejected (the error was checked on first build).
  const migcheck::Destination* get(std::string_view header, std::span<const std::uint8_t> input) {
    if (auto it = entries_.find(std::string(header)); it != entries_.end()) return it->second.get();
    if (entries_.size() >= kMaxEntries) entries_.clear();
    return entries_.emplace(std::string(header), build(header, input)).first->second.get();
  }

 private:
  static constexpr std::size_t kMaxEntries = 4096;

  static std::unique_ptr<const migcheck::Destination> build(std::string_view header,
                                                            std::span<const std::uint8_t> input) {
    std::vector<std::string> words;
    for (std::size_t i = 0; i < header.size();) {
      const std::size_t end = std::min(header.find(' ', i), header.size());
      if (end > i) words.emplace_back(header.substr(i, end - i));
      i = end + 1;
    }
    const migcheck::Profile* profile = &migcheck::profile_7_2();
    std::size_t first = 0;
    if (!words.empty())
      if (const migcheck::Profile* p = migcheck::find_profile(words[0])) profile = p, first = 1;
    if (first >= words.size()) return nullptr;  // no machine
    const std::span<const std::string> devices(words.data() + first + 1, words.size() - first - 1);
    std::string error;
    auto dest = migcheck::make_destination(words[first], devices, *profile, &error);
    if (!dest && error.empty())
      migcheck::fuzz::report_failure("fuzz_destination", Property::Totality,
                                     migcheck::harness::Verdict::fail("destination refused without a message"),
                                     input, nullptr);
    return dest ? std::make_unique<const migcheck::Destination>(std::move(*dest)) : nullptr;
  }

  std::unordered_map<std::string, std::unique_ptr<const migcheck::Destination>> entries_;
};

HeaderCache g_cache;
migcheck::harness::LoadChecks g_checks;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_checks = migcheck::fuzz::load_checks();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > migcheck::fuzz::kMaxInput) return 0;
  const std::span<const std::uint8_t> input(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), std::min(size, kMaxHeader + 1));
  const std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos || newline > kMaxHeader) return 0;
  const migcheck::Destination* dest = g_cache.get(text.substr(0, newline), input);
  if (!dest) return 0;
  migcheck::fuzz::require_load("fuzz_destination", input, input.subspan(newline + 1), *dest, g_checks);
  return 0;
}
