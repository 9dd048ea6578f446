// The seeded-bug adapters: the reference with one real loader bug class put
// back (Magma-style ground truth), to measure how fast differential testing
// finds each (`migcheck seeded`). Each is built as a shared library speaking
// the C ABI (harness/seeded/, one source, one compile definition per bug)
// and, in builds over migcheck::reference_defects, also runs in-process.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace migcheck::harness {

struct SeededBug {
  std::string_view name;      // adapter name: "mac-in-use-signed" (spec seeded:NAME)
  std::string_view defect;    // the reference defect it switches on (defects::name)
  std::string_view cve;       // "" when the class has no CVE
  std::string_view summary;   // the bug, one line
  std::string_view finding;   // what the oracle reports when it triggers
};

std::span<const SeededBug> seeded_bugs();
const SeededBug* find_seeded_bug(std::string_view name);

// The shared library of a seeded adapter: $MIGCHECK_SEEDED_DIR, then next
// to the running program (build tree: harness/seeded/; installed:
// ../lib/migcheck/seeded/). "" with *error if none is found.
std::string seeded_library(const SeededBug& bug, std::string* error);
std::string seeded_library_name(std::string_view bug);  // "libmigcheck-seeded-NAME.so"

}  // namespace migcheck::harness
