// migcheck conform: the conformance suite (conformance/vectors) through the
// reference and any adapters, with results.json, JUnit XML, a Markdown
// summary and report.html.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "../src/conformance/json_schema.h"
#include "../src/conformance/report.h"
#include "../src/conformance/runner.h"
#include "../src/conformance/vectors.h"
#include "commands.h"
#include "input.h"

namespace migcheck::cli::conform_cmd {

namespace {

namespace cf = migcheck::conformance;

struct ConformOptions {
  std::string vectors;
  std::vector<std::string> adapters;
  std::string report;
  std::string only;
  std::string coverage;
  bool require_coverage = false;
  bool check_schema = false;
  bool quiet = false;
};

std::string default_vectors_dir() {
  const std::string here = "conformance/vectors";
  if (std::filesystem::is_directory(here)) return here;
  return std::string(MIGCHECK_SOURCE_DIR) + "/conformance/vectors";
}

// One progress line per implementation: rewritten in place on a terminal,
// quarter steps otherwise (CI logs).
void progress(const cf::Implementation& impl, std::size_t done, std::size_t total, bool tty) {
  if (tty) {
    std::cerr << "\rconform: " << impl.spec << " " << done << "/" << total << std::flush;
    if (done == total) std::cerr << "\n";
  } else if (done == total || (total >= 4 && done % (total / 4) == 0)) {
    std::cerr << "conform: " << impl.spec << " " << done << "/" << total << "\n";
  }
}

// Every *_test.json of `dir` against ../schema/vectors.schema.json.
int check_schema(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path schema_path = fs::path(dir).parent_path() / "schema" / "vectors.schema.json";
  std::ifstream sin(schema_path);
  const nlohmann::json schema = nlohmann::json::parse(sin, nullptr, false);
  if (!sin || schema.is_discarded()) {
    std::cerr << "migcheck: " << schema_path.string() << ": cannot read the schema\n";
    return kUsage;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().ends_with("_test.json")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::size_t bad = 0;
  for (const fs::path& f : files) {
    std::ifstream in(f);
    const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    std::vector<std::string> errs = doc.is_discarded() ? std::vector<std::string>{": not valid JSON"}
                                                       : cf::schema_errors(schema, doc);
    for (std::size_t i = 0; i < errs.size() && i < 20; ++i) std::cerr << f.filename().string() << errs[i] << "\n";
    bad += errs.empty() ? 0 : 1;
  }
  std::cout << files.size() << " vector files checked against " << schema_path.string() << ": "
            << (bad ? std::to_string(bad) + " invalid" : std::string("all valid")) << "\n";
  return files.empty() || bad ? 1 : 0;
}

int run_conform(const ConformOptions& o) {
  const std::string dir = o.vectors.empty() ? default_vectors_dir() : o.vectors;
  if (o.check_schema) return check_schema(dir);
  std::vector<std::string> errors;
  auto corpus = cf::load_vectors(dir, &errors);
  if (!corpus) {
    std::cerr << "migcheck: invalid vectors in " << dir << ":\n";
    for (std::size_t i = 0; i < errors.size() && i < 50; ++i) std::cerr << "  " << errors[i] << "\n";
    return kUsage;
  }
  nlohmann::json coverage_config;
  const std::string cov_path = o.coverage.empty() ? corpus->root + "/coverage.json" : o.coverage;
  if (std::ifstream in(cov_path); in) {
    coverage_config = nlohmann::json::parse(in, nullptr, false);
    if (coverage_config.is_discarded()) {
      std::cerr << "migcheck: " << cov_path << ": not valid JSON\n";
      return kUsage;
    }
  } else if (!o.coverage.empty()) {
    std::cerr << "migcheck: " << cov_path << ": cannot open\n";
    return kUsage;
  }

  cf::RunOptions ro;
  ro.adapters = o.adapters;
  ro.only = o.only;
  const bool tty = ::isatty(2) != 0;
  if (!o.quiet) ro.progress = [tty](const cf::Implementation& i, std::size_t d, std::size_t t) { progress(i, d, t, tty); };
  const cf::RunReport rep = cf::run_suite(*corpus, ro, coverage_config);
  if (rep.selected.empty()) {
    std::cerr << "migcheck: no vector matches --only " << o.only << "\n";
    return kUsage;
  }

  std::cout << rep.selected.size() << " vectors (" << corpus->suites.size() << " files, inputs built in "
            << cf::seconds_text(rep.build_seconds) << ")\n";
  for (const cf::Implementation& impl : rep.implementations) {
    std::cout << "  " << impl.spec << ": " << impl.count(cf::CellStatus::Pass) << " pass, "
              << impl.count(cf::CellStatus::Alternative) << " alternative, " << impl.count(cf::CellStatus::Fail) << " fail, "
              << impl.count(cf::CellStatus::Unsupported) << " unsupported; load " << cf::seconds_text(impl.load_seconds)
              << ", column " << cf::seconds_text(impl.wall_seconds) << (impl.error.empty() ? "" : " (" + impl.error + ")")
              << "\n";
    std::size_t shown = 0;
    for (std::size_t k = 0; k < rep.selected.size() && shown < 20; ++k) {
      const cf::Cell& c = impl.cells[k];
      if (c.status != cf::CellStatus::Fail) continue;
      ++shown;
      std::cout << "    FAIL " << corpus->vectors[rep.selected[k]].name << ": " << (c.why.empty() ? "" : c.why.front()) << "\n";
    }
    if (impl.count(cf::CellStatus::Fail) > shown)
      std::cout << "    ... " << impl.count(cf::CellStatus::Fail) - shown << " more failures in the report\n";
  }
  for (const std::string& g : rep.coverage.gaps) std::cout << "  coverage gap: " << g << "\n";
  for (const std::string& u : rep.coverage.unknown_rules) std::cout << "  unknown rule id: " << u << "\n";

  if (!o.report.empty()) {
    std::string err;
    if (!cf::write_reports(o.report, rep, &err)) {
      std::cerr << "migcheck: " << err << "\n";
      return kUsage;
    }
    std::cout << "report: " << o.report << "/{results.json,junit.xml,summary.md,report.html}\n";
  }
  const bool reference_ok = rep.implementations.front().all_pass() && rep.coverage.unknown_rules.empty();
  const bool coverage_ok = !o.require_coverage || rep.coverage.gaps.empty();
  return reference_ok && coverage_ok ? 0 : 1;
}

void add_conform(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ConformOptions>();
  CLI::App* cmd = app.add_subcommand(
      "conform",
      "Run the conformance vectors through the reference and each --adapter; print a summary and, with --report, write "
      "results.json, junit.xml, summary.md and report.html. Exit 0 when the reference passes every vector, 1 when it "
      "fails one (adapters' failures are reported, never fatal), 2 on invalid vectors or I/O errors.");
  cmd->add_option("--vectors", o->vectors, "directory of *_test.json files (default: conformance/vectors)");
  cmd->add_option("--adapter", o->adapters,
                  "an implementation to run besides the reference: any open_adapter spec (qemu, lib:PATH, cmd:COMMAND, "
                  "seeded:NAME) or seeded:* for every built-in seeded adapter; repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--report", o->report, "write the reports into this directory");
  cmd->add_option("--only", o->only, "run only the vectors whose name contains this");
  cmd->add_option("--coverage", o->coverage, "coverage config (default: coverage.json next to the vectors directory)");
  cmd->add_flag("--require-coverage", o->require_coverage,
                "exit 1 if a spec §7 rule or §8 CVE has no vector and no recorded reason");
  cmd->add_flag("--check-schema", o->check_schema,
                "only validate every vector file against conformance/schema/vectors.schema.json; exit 1 if one is invalid");
  cmd->add_flag("--quiet", o->quiet, "no progress lines on stderr");
  cmd->callback([o, &exit_code] { exit_code = run_conform(*o); });
}

const bool registered = register_command({"conform", 40, add_conform});

}  // namespace

}  // namespace migcheck::cli::conform_cmd
