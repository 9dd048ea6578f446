#include "test_util.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "../../harness/src/adapters/subprocess.h"
#include "../support/captures.h"
#include "migcheck/harness/oracle.h"
#include "migcheck/stream/infer.h"

namespace migcheck::test {

namespace {
std::vector<std::string> files(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string p = e.path().string();
    if (p.size() > suffix.size() && p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

std::vector<std::string> section_paths() { return files(corpus_dir() + "/sections", ".section.bin"); }
std::vector<std::string> stream_paths() { return files(corpus_dir() + "/streams", ".mig"); }

Destination inferred(std::span<const std::uint8_t> bytes) {
  std::string error;
  auto d = infer_destination(bytes, profile_7_2(), &error);
  if (!d) throw std::runtime_error("inferring a destination: " + error);
  return *d;
}

Field find_field(std::span<const std::uint8_t> bytes, const Destination& dest, const std::string& name) {
  for (const harness::FieldSpan& f : harness::field_spans(bytes, dest))
    if (f.name == name || f.name.rfind(name + "[", 0) == 0)
      return {static_cast<std::int64_t>(f.begin), static_cast<std::size_t>(f.end - f.begin)};
  return {};
}

void put_be(std::vector<std::uint8_t>& b, std::size_t at, std::size_t width, std::uint64_t v) {
  for (std::size_t i = 0; i < width; ++i) b.at(at + width - 1 - i) = static_cast<std::uint8_t>(v >> (8 * i));
}

Cli run_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {MIGCHECK_CLI};
  argv.insert(argv.end(), args.begin(), args.end());
  harness::proc::Limits limits;
  limits.timeout_seconds = 300;
  limits.log_bytes = 4u << 20;
  const harness::proc::Outcome o = harness::proc::run_command(argv, {}, limits);
  return {o.exit_code, o.signal, o.output, o.log};
}

std::string temp_dir(const std::string& tag) {
  const char* tmp = std::getenv("TMPDIR");
  std::string t = std::string(tmp && *tmp ? tmp : "/tmp") + "/migcheck-test-" + tag + "-XXXXXX";
  if (!mkdtemp(t.data())) throw std::runtime_error("mkdtemp");
  return t;
}

}  // namespace migcheck::test
