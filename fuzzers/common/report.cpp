#include "common/report.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace migcheck::fuzz {

void report_failure(std::string_view target, harness::Property property, const harness::Verdict& verdict,
                    std::span<const std::uint8_t> input, const Destination* dest) {
  // Title: target and property only, plus the detail up to its first ':'
  // (the field or invariant), so one bug gives one title.
  const std::string_view detail = verdict.detail;
  const std::string_view head = detail.substr(0, std::min(detail.find(": ", detail.find(": ") + 2), detail.size()));
  std::fprintf(stderr, "migcheck-fuzz: %.*s: %.*s: %.*s\n", static_cast<int>(target.size()), target.data(),
               static_cast<int>(harness::name(property).size()), harness::name(property).data(),
               static_cast<int>(head.size()), head.data());
  std::fprintf(stderr, "  detail: %s\n", verdict.detail.c_str());
  if (dest)
    std::fprintf(stderr, "  destination: %s --profile %.*s\n", dest->command_line().c_str(),
                 static_cast<int>(dest->profile->name.size()), dest->profile->name.data());
  std::fprintf(stderr, "  input: %zu bytes:", input.size());
  for (std::size_t i = 0; i < input.size() && i < 64; ++i) std::fprintf(stderr, " %02x", input[i]);
  std::fprintf(stderr, "%s\n", input.size() > 64 ? " ..." : "");
  std::fflush(stderr);
  std::abort();
}

void require_load(std::string_view target, std::span<const std::uint8_t> input, std::span<const std::uint8_t> bytes,
                  const Destination& dest, harness::LoadChecks checks, const Profile* reader) {
  checks.roundtrip_bytes &= dest.profile == &profile_7_2();
  const harness::LoadVerdicts v = harness::load_properties(bytes, dest, checks, reader);
  require(target, harness::Property::Totality, v.totality, input, &dest);
  require(target, harness::Property::Sanitization, v.sanitization, input, &dest);
  require(target, harness::Property::RoundTripBytes, v.roundtrip_bytes, input, &dest);
  require(target, harness::Property::OldReader, v.old_reader, input, &dest);
}

harness::LoadChecks load_checks() {
  const char* env = std::getenv("MIGCHECK_FUZZ_PROPERTIES");
  if (!env || !*env) return {};
  harness::LoadChecks checks{false, false, false};
  const std::string_view list = env;
  for (std::size_t i = 0; i <= list.size();) {
    const std::size_t end = std::min(list.find(',', i), list.size());
    const std::string_view word = list.substr(i, end - i);
    if (word == harness::name(harness::Property::Sanitization)) {
      checks.sanitization = true;
    } else if (word == harness::name(harness::Property::RoundTripBytes)) {
      checks.roundtrip_bytes = true;
    } else if (word == harness::name(harness::Property::OldReader)) {
      checks.old_reader = true;
    } else if (word != harness::name(harness::Property::Totality)) {
      std::fprintf(stderr, "MIGCHECK_FUZZ_PROPERTIES: '%.*s' is not one of totality, sanitization, roundtrip-bytes, old-reader\n",
                   static_cast<int>(word.size()), word.data());
      std::exit(2);
    }
    i = end + 1;
  }
  return checks;
}

}  // namespace migcheck::fuzz
