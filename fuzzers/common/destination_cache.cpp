#include "common/destination_cache.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "migcheck/profile/profile.h"
#include "migcheck/stream/infer.h"

namespace migcheck::fuzz {

const Destination* DestinationCache::infer(std::span<const std::uint8_t> bytes, const Profile& profile) {
  const InferredSetup setup = infer_setup(bytes, profile, /*with_notes=*/false);
  key_.assign(profile.name);
  key_ += '\n';
  key_ += setup.machine;
  key_ += setup.section_footer ? (*setup.section_footer ? "\nF" : "\nf") : "\n-";
  for (const std::string& d : setup.devices) (key_ += '\n') += d;
  if (auto it = entries_.find(key_); it != entries_.end()) return it->second.get();
  if (entries_.size() >= kMaxEntries) entries_.clear();
  std::string error;
  auto dest = make_destination(setup.machine, setup.devices, profile, &error);
  std::unique_ptr<const Destination> entry;
  if (dest) {
    dest->inferred = true;
    if (setup.section_footer) dest->machine.send_section_footer = *setup.section_footer;
    entry = std::make_unique<const Destination>(std::move(*dest));
  }
  return entries_.emplace(key_, std::move(entry)).first->second.get();
}

const Destination* fixed_destination() {
  static const std::unique_ptr<const Destination> fixed = []() -> std::unique_ptr<const Destination> {
    const char* spec = std::getenv("MIGCHECK_FUZZ_DESTINATION");
    if (!spec || !*spec) return nullptr;
    std::istringstream words(spec);
    std::string machine, device;
    std::vector<std::string> devices;
    words >> machine;
    while (words >> device) devices.push_back(device);
    std::string error;
    auto dest = make_destination(machine, devices, profile_7_2(), &error);
    if (!dest) {
      std::fprintf(stderr, "MIGCHECK_FUZZ_DESTINATION: %s\n", error.c_str());
      std::exit(2);
    }
    return std::make_unique<const Destination>(std::move(*dest));
  }();
  return fixed.get();
}

}  // namespace migcheck::fuzz
