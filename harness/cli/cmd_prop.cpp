// migcheck prop: the five properties under RapidCheck, outside ctest, with a
// progress line: soak runs (`--cases 100000`) and reproducing a failure.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <rapidcheck.h>

#include "commands.h"
#include "input.h"
#include "migcheck/generators/runner.h"

namespace migcheck::cli::prop_cmd {

namespace {

struct PropOptions {
  std::vector<std::string> properties;  // empty: all
  int cases = 1000;
  std::optional<std::uint64_t> seed;
  std::string regression_dir = std::string(MIGCHECK_SOURCE_DIR) + "/corpora/regression";
  std::string captures = std::string(MIGCHECK_SOURCE_DIR) + "/corpora/qemu-7.2";
  bool json = false;
};

// "\r<property>: <n>/<total> cases, <rate> cases/s, <failures> failures" on
// stderr, at most a few times a second (and not at all with --json).
class ProgressLine {
 public:
  ProgressLine(std::string_view property, int total, bool quiet) : property_(property), total_(total), quiet_(quiet) {}
  void update(std::uint64_t cases, bool shrinking) {
    if (shrinking) ++shrinks_;
    const auto now = std::chrono::steady_clock::now();
    if (quiet_ || now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    print(cases, shrinking);
  }
  void finish(std::uint64_t cases, bool failed) {
    if (quiet_) return;
    print(cases, failed);
    std::cerr << "\n";
  }

 private:
  void print(std::uint64_t cases, bool failed) const {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::cerr << fmt::format("\r{}: {}/{} cases, {:.0f} cases/s, {} failures{}", property_, cases, total_,
                             s > 0 ? static_cast<double>(cases) / s : 0.0, failed ? 1 : 0,
                             shrinks_ ? fmt::format(", {} shrink steps", shrinks_) : "")
              << std::flush;
  }
  std::string_view property_;
  int total_;
  bool quiet_;
  std::uint64_t shrinks_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

nlohmann::json to_json(harness::Property p, const gen::RunResult& r) {
  nlohmann::json applied = nlohmann::json::object();
  for (const auto& [what, n] : r.tally.applied) applied[what] = n;
  nlohmann::json j = {{"property", harness::name(p)}, {"holds", r.holds},       {"cases", r.successes},
                      {"seconds", r.seconds},         {"vacuous", r.tally.vacuous}, {"applied", applied}};
  if (!r.holds) {
    j["description"] = r.description;
    j["counterexample"] = r.counterexample;
    j["reproduce"] = r.reproduce;
    j["regression_file"] = r.regression_file;
  }
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

int run_prop(const PropOptions& o) {
  std::vector<harness::Property> props;
  for (const std::string& n : o.properties) {
    const auto p = harness::parse_property(n);
    if (!p) {
      std::cerr << "migcheck prop: unknown property '" << n << "' (roundtrip-state, roundtrip-bytes, old-reader, "
                << "sanitization, totality)\n";
      return kUsage;
    }
    props.push_back(*p);
  }
  if (props.empty()) props.assign(harness::all_properties().begin(), harness::all_properties().end());
  if (o.cases <= 0) {
    std::cerr << "migcheck prop: --cases must be positive\n";
    return kUsage;
  }
  gen::RunOptions ro;
  ro.cases = o.cases;
  ro.seed = o.seed;
  ro.seeds = gen::capture_seeds(o.captures);
  ro.regression_dir = o.regression_dir;
  if (!o.json)
    std::cerr << fmt::format("seed {} ({} capture seeds)\n", o.seed.value_or(rc::detail::configuration().testParams.seed),
                             ro.seeds.size());
  bool all_hold = true;
  nlohmann::json results = nlohmann::json::array();
  for (harness::Property p : props) {
    auto line = std::make_shared<ProgressLine>(harness::name(p), o.cases, o.json);
    ro.progress = [line](std::uint64_t cases, bool shrinking) { line->update(cases, shrinking); };
    const gen::RunResult r = gen::run_property(p, ro);
    line->finish(static_cast<std::uint64_t>(r.successes), !r.holds);
    all_hold = all_hold && r.holds && r.error.empty();
    if (o.json) {
      results.push_back(to_json(p, r));
      continue;
    }
    std::cout << fmt::format("{}: {} after {} cases in {:.1f} s ({:.0f} cases/s), {} vacuous\n", harness::name(p),
                             r.holds ? "holds" : "FAILS", r.successes, r.seconds,
                             r.seconds > 0 ? r.successes / r.seconds : 0.0, r.tally.vacuous);
    for (const auto& [what, n] : r.tally.applied) std::cout << fmt::format("  {:<40} {}\n", what, n);
    if (!r.holds) {
      std::cout << r.description << "\n" << r.counterexample;
      if (!r.reproduce.empty()) std::cout << "Reproduce with: RC_PARAMS=\"reproduce=" << r.reproduce << "\"\n";
      if (!r.regression_file.empty()) std::cout << "Shrunk case written to " << r.regression_file << "\n";
    }
    if (!r.error.empty()) std::cout << "error: " << r.error << "\n";
  }
  if (o.json) std::cout << results.dump(2) << "\n";
  return all_hold ? kAccepted : kRejected;
}

void add_prop(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<PropOptions>();
  CLI::App* cmd = app.add_subcommand(
      "prop",
      "Check the properties (roundtrip-state, roundtrip-bytes, old-reader, sanitization, totality) with RapidCheck.\n"
      "Exit codes: 0 every property holds, 1 a property failed, 2 usage error.\n"
      "RC_PARAMS=\"reproduce=...\" (printed on failure) replays a failing case.");
  cmd->add_option("--property", o->properties, "property to check (repeatable; default: all)");
  cmd->add_option("--cases", o->cases, "cases per property (RapidCheck's max_success)")->capture_default_str();
  cmd->add_option_function<std::uint64_t>(
      "--seed", [o](std::uint64_t s) { o->seed = s; }, "RapidCheck seed (default: RC_PARAMS' or random)");
  cmd->add_option("--regression-dir", o->regression_dir,
                  "where shrunk counterexamples are written, as <dir>/<property>/<hash>.{json,bin} (\"\": nowhere)")
      ->capture_default_str();
  cmd->add_option("--captures", o->captures, "capture directory whose streams/*.mig seed near-valid streams")
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "print one JSON array of results, no progress line");
  cmd->callback([o, &exit_code] { exit_code = run_prop(*o); });
}

const bool registered = register_command({"prop", 60, add_prop});

}  // namespace

}  // namespace migcheck::cli::prop_cmd
