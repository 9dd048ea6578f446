// fuzz_load checks the properties over one shared load (load_properties),
// which records subsection headers only and loads again for the fields
// when re-encoded bytes differ and need explaining. Its verdicts must be
// the standalone properties' own, on the fuzz_load seeds and on mutants of
// them (where re-encodings differ and the second load runs).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "migcheck/harness/oracle.h"
#include "migcheck/harness/properties.h"
#include "migcheck/stream/infer.h"

namespace migcheck::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> read(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void expect_same(const harness::Verdict& shared, const harness::Verdict& alone, const std::string& what) {
  EXPECT_EQ(shared.holds, alone.holds) << what << ": " << shared.detail << " / " << alone.detail;
  EXPECT_EQ(shared.vacuous, alone.vacuous) << what;
  EXPECT_EQ(shared.detail, alone.detail) << what;
  EXPECT_EQ(shared.applied, alone.applied) << what;
}

TEST(LoadProperties, AgreesWithEachPropertyOnItsOwn) {
  std::vector<fs::path> seeds;
  for (const auto& e : fs::directory_iterator(fs::path(MIGCHECK_SOURCE_DIR) / "corpora/seed/fuzz_load"))
    if (e.file_size() <= 64 * 1024) seeds.push_back(e.path());
  std::sort(seeds.begin(), seeds.end());
  ASSERT_GT(seeds.size(), 100u);

  std::size_t inputs = 0, explained = 0;
  for (const fs::path& p : seeds) {
    const std::vector<std::uint8_t> seed = read(p);
    std::string error;
    const auto dest = infer_destination(seed, profile_7_2(), &error);
    if (!dest) continue;
    const auto fields = harness::field_spans(seed, *dest);
    std::vector<std::vector<std::uint8_t>> cases = {seed};
    for (std::uint64_t m = 1; m <= 3 && !fields.empty(); ++m) cases.push_back(harness::mutate(seed, fields, m));
    for (std::size_t k = 0; k < cases.size(); ++k) {
      const std::vector<std::uint8_t>& bytes = cases[k];
      const std::string what = p.filename().string() + (k ? " mutant " + std::to_string(k) : "");
      const harness::LoadVerdicts shared = harness::load_properties(bytes, *dest, {});
      const harness::Verdict bytes_alone = harness::roundtrip_bytes(bytes, *dest);
      expect_same(shared.roundtrip_bytes, bytes_alone, what + " roundtrip-bytes");
      expect_same(shared.sanitization, harness::sanitization(bytes, *dest), what + " sanitization");
      ++inputs;
      // A difference explained byte by byte: the shared load's fields came from the second load.
      if (!bytes_alone.vacuous && !bytes_alone.applied.empty()) ++explained;
    }
  }
  std::cout << inputs << " inputs, " << explained << " with canonicalised re-encodings\n";
  EXPECT_GT(explained, 10u);
}

}  // namespace
}  // namespace migcheck::test
