// fuzz_diff: differential fuzzing of an adapter against the reference.
//
//   MIGCHECK_DIFF_ADAPTER=seeded:mac-in-use-signed fuzz_diff corpus/ corpora/qemu-7.2/sections
//   MIGCHECK_DIFF_ADAPTER='lib:./libmy_adapter.so' fuzz_diff ...
//
// The adapter is chosen at run time (default "reference": no findings).
// Each input is a stream or a section record; its destination is inferred
// from it, a lone record is wrapped into a minimal stream, and any finding
// of the oracle (accept/reject or state mismatch, adapter crash, timeout,
// malformed answer) is printed with its stable title and aborts, so
// libFuzzer / AFL++ keep the input. Built over the deliberate-defects
// reference, so seeded:NAME adapters run in-process (fast, no fork).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "migcheck/harness/adapters.h"
#include "migcheck/harness/oracle.h"
#include "migcheck/stream/infer.h"

namespace {

std::unique_ptr<migcheck::harness::Adapter> g_adapter;
std::chrono::steady_clock::time_point g_start;
constexpr std::size_t kMaxInput = 1u << 20;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_start = std::chrono::steady_clock::now();
  const char* spec = std::getenv("MIGCHECK_DIFF_ADAPTER");
  std::string error;
  g_adapter = migcheck::harness::open_adapter(spec && *spec ? spec : "reference", &error);
  if (!g_adapter) {
    std::fprintf(stderr, "fuzz_diff: MIGCHECK_DIFF_ADAPTER: %s\n", error.c_str());
    std::exit(2);
  }
  std::fprintf(stderr, "fuzz_diff: adapter %s (%s)\n", g_adapter->info().name.c_str(), g_adapter->info().spec.c_str());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5 || size > kMaxInput) return 0;
  const std::span<const std::uint8_t> input(data, size);
  std::string error;
  const auto dest = migcheck::infer_destination(input, migcheck::profile_7_2(), &error);
  if (!dest) return 0;
  const migcheck::harness::DiffResult r = migcheck::harness::run_differential(*g_adapter, input, *dest);
  if (!migcheck::harness::is_finding(r.classification)) return 0;
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - g_start).count();
  // The title first: crash deduplication reads the first line.
  std::fprintf(stderr, "%s\nmigcheck-diff: finding after %.3f s\n  %s\n  destination: %s\n  input: %zu bytes:",
               r.title.c_str(), t, r.detail.c_str(), dest->command_line().c_str(), size);
  for (std::size_t i = 0; i < size && i < 64; ++i) std::fprintf(stderr, " %02x", data[i]);
  std::fprintf(stderr, "%s\n  %s\n", size > 64 ? " ..." : "",
               migcheck::harness::to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  std::fflush(stderr);
  std::abort();
}
