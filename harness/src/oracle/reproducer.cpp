// Findings on disk: the input and what happened, each file written
// atomically so an interrupted run never leaves half a reproducer.
#include <cstdio>
#include <filesystem>

#include "../adapters/subprocess.h"
#include "migcheck/harness/oracle.h"

namespace migcheck::harness {

namespace {

std::uint64_t fnv1a(std::span<const std::uint8_t> bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::uint8_t b : bytes) h = (h ^ b) * 0x100000001b3ull;
  return h;
}

std::string slug(const std::string& title) {
  std::string s;
  const std::string_view body = std::string_view(title).substr(title.find(": ") == std::string::npos ? 0 : title.find(": ") + 2);
  for (char c : body) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    if (ok) s += c;
    else if (!s.empty() && s.back() != '_') s += '_';
  }
  while (!s.empty() && s.back() == '_') s.pop_back();
  return s.substr(0, 100);
}

}  // namespace

std::string write_reproducer(const std::string& dir, std::span<const std::uint8_t> input, const Destination& dest,
                             const DiffResult& result, std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    *error = "cannot create '" + dir + "': " + ec.message();
    return {};
  }
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(input)));
  const std::string base = dir + "/" + slug(result.title) + "-" + std::string(hash, 8);
  nlohmann::json j = to_json(result);
  j["input"] = base + ".mig";
  j["input_bytes"] = input.size();
  j["destination"] = dest.command_line();
  j["reproduce"] = "migcheck diff --adapter " + proc::shell_quote(result.adapter_spec) + " " + dest.command_line() +
                   " " + base + ".mig";
  if (!write_atomic(base + ".mig", input, error)) return {};
  if (!write_atomic(base + ".json", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", error))
    return {};
  return base + ".mig";
}

}  // namespace migcheck::harness
