// Running the vectors through the reference and any number of adapters,
// and accounting which load rules and CVEs the vectors cover.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "score.h"
#include "vectors.h"

namespace migcheck::conformance {

struct Implementation {
  std::string spec;     // as given to open_adapter ("reference", "qemu", "seeded:...")
  std::string name, version;
  bool strict = false;  // scored as QEMU itself (the reference)
  std::string error;    // could not be opened: every cell is unsupported
  std::vector<Cell> cells;  // one per selected vector, in RunReport::selected order
  double load_seconds = 0;  // sum of the implementation's own load times
  double wall_seconds = 0;  // the whole column, inputs built beforehand

  std::size_t count(CellStatus s) const;
  bool all_pass() const;  // no Fail (unsupported and alternative allowed)
};

// Rules (all_rules()) and CVEs against the vectors that name them.
struct CoverageRow {
  std::string id, spec, cve;
  bool required = false;           // a load rule of spec §7 or one with a CVE
  std::vector<std::string> vectors;
  std::string why_uncovered;       // from conformance/coverage.json
};
struct Coverage {
  std::vector<CoverageRow> rules;
  std::vector<std::pair<std::string, std::vector<std::string>>> cves;  // spec §8 -> vectors flagged with it
  std::vector<std::string> unknown_rules;  // named by a vector, unknown to all_rules()
  std::vector<std::string> gaps;           // required rules/CVEs without vector or explanation
};
// `config`: conformance/coverage.json ({"cves": [...], "uncovered": {rule: why}}), or null.
Coverage compute_coverage(const Corpus& corpus, const nlohmann::json& config);

struct RunOptions {
  std::vector<std::string> adapters;  // open_adapter specs; "seeded:*" = every built-in seeded adapter
  std::string only;                   // run only vectors whose name contains this
  // Called after each vector of each implementation.
  std::function<void(const Implementation&, std::size_t done, std::size_t total)> progress;
};

struct RunReport {
  const Corpus* corpus = nullptr;
  std::vector<std::size_t> selected;           // indices into corpus->vectors
  std::vector<std::string> input_errors;       // per selected vector; empty if built
  std::vector<Implementation> implementations; // the reference first
  Coverage coverage;
  double build_seconds = 0;  // reading and patching every input once
};

// Expands "seeded:*" and drops duplicates and "reference" (always run first).
std::vector<std::string> expand_adapter_specs(const std::vector<std::string>& specs);

RunReport run_suite(const Corpus& corpus, const RunOptions& options, const nlohmann::json& coverage_config);

}  // namespace migcheck::conformance
