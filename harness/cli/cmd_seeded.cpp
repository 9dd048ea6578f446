// migcheck seeded: the Magma-style yardstick. For every seeded-bug adapter
// and every engine (RapidCheck properties over structure-aware mutants of
// the captures, libFuzzer and AFL++ running fuzz_diff), whether
// differential testing finds the bug within --time seconds and how long the
// first detection took (median over --runs).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <rapidcheck.h>

#include "commands.h"
#include "input.h"
#include "migcheck/harness/adapters.h"
#include "migcheck/harness/oracle.h"
#include "migcheck/harness/seeded.h"
#include "migcheck/stream/infer.h"
#include "migcheck/stream/save.h"

#include "../src/adapters/subprocess.h"

namespace migcheck::cli::seeded_cmd {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using harness::SeededBug;

struct Options {
  std::vector<std::string> engines;
  double time = 60;
  int runs = 1;
  std::vector<std::string> bugs;
  std::vector<std::string> corpus;
  std::string fuzz_diff;
  std::string fuzz_diff_afl;
  std::string work;
  std::uint64_t seed = 1;
  bool json = false;
  std::string report;
};

struct Seed {
  std::string name;
  std::vector<std::uint8_t> record;  // as a fuzzer sees it (record or stream)
  std::vector<std::uint8_t> stream;  // wrapped
  Destination dest;
  std::vector<harness::FieldSpan> fields;
};

struct Run {
  bool found = false;
  bool skipped = false;
  double seconds = 0;
  std::string title, note;
};

// A fuzzer run gets its time budget plus a minute to start and stop.
harness::proc::Limits limits_for(double seconds) {
  harness::proc::Limits l;
  l.timeout_seconds = seconds + 60;
  return l;
}

double elapsed(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Destinations none of the captures has, saved from their reset state: a
// multiqueue virtio-net (curr_queue_pairs is only on the wire when
// max_queue_pairs > 1).
struct Synthetic {
  std::string name;
  std::vector<std::uint8_t> record;
  Destination dest;  // not inferred: a record alone does not show the peer's queue count
};
std::vector<Synthetic> synthetic_records() {
  std::vector<Synthetic> out;
  const std::vector<std::vector<std::string>> setups = {{"virtio-net-pci,mq=on,queues=4,disable-modern=on"},
                                                        {"virtio-net-pci,mq=on,queues=2,disable-legacy=on"},
                                                        {"virtio-net-pci,mq=on,queues=8,disable-legacy=on"},
                                                        {"virtio-net-pci,mq=on,queues=3,disable-modern=on"}};
  for (const auto& args : setups) {
    std::string error;
    auto dest = make_destination("pc-i440fx-7.2", args, profile_7_2(), &error);
    if (!dest) continue;
    const VirtioDeviceSpec& s = dest->devices[0];
    out.push_back({"synthetic-" + args[0],
                   save_section(s.reset, {.section_id = 2, .idstr = s.idstr, .instance_id = s.instance_id,
                                          .footer = dest->machine.send_section_footer}),
                   *dest});
  }
  return out;
}

std::vector<Seed> load_seeds(const Options& o) {
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> raw;
  for (const std::string& dir : o.corpus) {
    std::vector<std::string> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_regular_file() && e.path().extension() != ".json" && e.path().extension() != ".md")
        files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) {
      std::string error;
      if (auto b = read_file(f, &error)) raw.emplace_back(fs::path(f).filename().string(), std::move(*b));
    }
  }
  std::vector<Seed> seeds;
  auto add = [&](const std::string& name, const std::vector<std::uint8_t>& bytes, const Destination& dest) {
    Seed s{name, bytes, harness::wrap_section_record(bytes, dest), dest, {}};
    s.fields = harness::field_spans(s.stream, s.dest);
    seeds.push_back(std::move(s));
  };
  for (auto& [name, bytes] : raw) {
    std::string error;
    if (auto dest = infer_destination(bytes, profile_7_2(), &error)) add(name, bytes, *dest);
  }
  for (const Synthetic& s : synthetic_records()) add(s.name, s.record, s.dest);
  return seeds;
}

// RapidCheck: the differential property over mutants, in chunks of test
// cases until the first failure or the time limit.
Run run_properties(const SeededBug& bug, const std::vector<Seed>& seeds, double limit, std::uint64_t seed) {
  Run run;
  std::string error;
  auto adapter = harness::open_adapter("seeded:" + std::string(bug.name), &error);
  if (!adapter) {
    run.skipped = true;
    run.note = error;
    return run;
  }
  const auto start = Clock::now();
  auto property = [&] {
    if (elapsed(start) > limit) return;  // out of time: pass the remaining cases
    const Seed& s = seeds[*rc::gen::inRange<std::size_t>(0, seeds.size())];
    const auto m = *rc::gen::arbitrary<std::uint64_t>();
    const auto bytes = harness::mutate(s.stream, s.fields, m);
    const harness::DiffResult r = harness::run_differential(*adapter, bytes, s.dest);
    if (harness::is_finding(r.classification) && !run.found) {
      run.found = true;
      run.seconds = elapsed(start);
      run.title = r.title;
      run.note = s.name + ": " + r.detail;
    }
    RC_ASSERT(!harness::is_finding(r.classification));
  };
  rc::detail::TestParams params;
  params.maxSuccess = 200;
  params.disableShrinking = true;
  rc::detail::TestMetadata meta;
  meta.id = meta.description = "seeded:" + std::string(bug.name);
  for (std::uint64_t chunk = 0; !run.found && elapsed(start) < limit; ++chunk) {
    params.seed = seed * 0x9e3779b97f4a7c15ull + chunk;
    rc::detail::checkTestable(property, meta, params);
  }
  return run;
}

// "migcheck-diff: finding after 1.234 s" from fuzz_diff's report.
std::optional<double> finding_time(const std::string& log) {
  static const std::regex re(R"(migcheck-diff: finding after ([0-9.]+) s)");
  std::smatch m;
  if (std::regex_search(log, m, re)) return std::stod(m[1]);
  return std::nullopt;
}
std::string first_line_with(const std::string& log, const std::string& prefix) {
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return line;
  return {};
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Run run_libfuzzer(const SeededBug& bug, const std::string& binary, const fs::path& seeds, const fs::path& work,
                  double limit, std::uint64_t seed) {
  Run run;
  const fs::path corpus = work / "corpus";
  fs::remove_all(work);
  fs::create_directories(corpus);
  const std::vector<std::string> argv = {binary,
                                         "-max_total_time=" + std::to_string(static_cast<int>(limit + 0.5)),
                                         "-seed=" + std::to_string(seed % 2147483647 + 1),
                                         "-artifact_prefix=" + (work / "").string(),
                                         "-print_final_stats=1",
                                         "-close_fd_mask=1",
                                         corpus.string(),
                                         seeds.string()};
  const std::string log_path = (work / "libfuzzer.log").string();
  const auto start = Clock::now();
  {
    // fuzz_diff's stderr (its report) into the log; a stuck fuzzer is killed.
    const std::string script = "exec env MIGCHECK_DIFF_ADAPTER=seeded:" + std::string(bug.name) + " \"$@\" 2>" + log_path;
    std::vector<std::string> args = {"/bin/sh", "-c", script, "sh"};
    args.insert(args.end(), argv.begin(), argv.end());
    run.note = harness::proc::run_command(args, {}, limits_for(limit)).how();
  }
  const double wall = elapsed(start);
  const std::string log = read_text(log_path);
  if (auto t = finding_time(log)) {
    run.found = true;
    run.seconds = *t;
    run.title = first_line_with(log, "migcheck-diff: ");
  } else if (log.find("deadly signal") != std::string::npos || log.find("ERROR: AddressSanitizer") != std::string::npos) {
    run.found = true;  // the adapter itself crashed in-process: a finding too
    run.seconds = wall;
    run.title = "migcheck-diff: crash in fuzz_diff";
  } else if (log.find("fuzz_diff: adapter") == std::string::npos) {
    run.skipped = true;
    run.note = "fuzz_diff did not start: " + log.substr(0, 300);
  }
  return run;
}

Run run_afl(const SeededBug& bug, const std::string& binary, const fs::path& seeds, const fs::path& work, double limit) {
  Run run;
  fs::remove_all(work);
  fs::create_directories(work);
  const std::string log_path = (work / "afl.log").string();
  const std::string script =
      "exec env MIGCHECK_DIFF_ADAPTER=seeded:" + std::string(bug.name) +
      " AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1"
      " AFL_BENCH_UNTIL_CRASH=1 AFL_SKIP_CRASHES=1 afl-fuzz -i \"$1\" -o \"$2\" -V " +
      std::to_string(static_cast<int>(limit + 0.5)) + " -- \"$3\" >" + log_path + " 2>&1";
  const harness::proc::Outcome o = harness::proc::run_command(
      {"/bin/sh", "-c", script, "sh", seeds.string(), (work / "out").string(), binary}, {}, limits_for(limit));
  const std::string log = read_text(log_path);
  // crashes/id:000000,sig:06,src:...,time:1234,... (ms since the start)
  static const std::regex re(R"(time:([0-9]+))");
  std::optional<double> first;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(work / "out" / "default" / "crashes", ec)) {
    std::smatch m;
    const std::string name = e.path().filename().string();
    if (std::regex_search(name, m, re)) {
      const double t = std::stod(m[1]) / 1000.0;
      if (!first || t < *first) first = t;
    }
  }
  if (first) {
    run.found = true;
    run.seconds = *first;
    run.title = "afl-fuzz crash (fuzz_diff abort)";
  } else if (log.find("All test cases crash") != std::string::npos ||
             log.find("at least one valid input seed that does not crash") != std::string::npos) {
    run.found = true;  // every seed already shows the bug
    run.seconds = 0;
    run.title = "every seed input";
  } else if (log.find("PROGRAM ABORT") != std::string::npos) {
    run.skipped = true;
    run.note = first_line_with(log, "[-] PROGRAM ABORT") + " " + o.how();
  }
  return run;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0;
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

int run(Options o) {
  if (o.engines.empty() || std::find(o.engines.begin(), o.engines.end(), "all") != o.engines.end())
    o.engines = {"properties", "libfuzzer", "afl"};
  if (o.corpus.empty()) o.corpus = {std::string(MIGCHECK_SOURCE_DIR) + "/corpora/qemu-7.2/sections"};
  if (o.fuzz_diff.empty()) o.fuzz_diff = env_or("MIGCHECK_FUZZ_DIFF", "");
  if (o.fuzz_diff_afl.empty()) o.fuzz_diff_afl = env_or("MIGCHECK_FUZZ_DIFF_AFL", "");
  if (o.work.empty()) o.work = (fs::temp_directory_path() / "migcheck-seeded").string();
  std::vector<const SeededBug*> bugs;
  for (const SeededBug& b : harness::seeded_bugs())
    if (o.bugs.empty() || std::find(o.bugs.begin(), o.bugs.end(), b.name) != o.bugs.end()) bugs.push_back(&b);
  if (bugs.empty()) {
    std::cerr << "migcheck: no such seeded adapter (see `migcheck adapters`)\n";
    return kUsage;
  }
  const std::vector<Seed> seeds = load_seeds(o);
  if (seeds.empty()) {
    std::cerr << "migcheck: no seed inputs (--corpus)\n";
    return kUsage;
  }
  // The fuzzers' seed corpus: the same inputs as files.
  const fs::path seed_dir = fs::path(o.work) / "seeds";
  fs::create_directories(seed_dir);
  for (const Seed& s : seeds) {
    std::string error;
    harness::write_atomic((seed_dir / s.name).string(),
                          std::string_view(reinterpret_cast<const char*>(s.record.data()), s.record.size()), &error);
  }
  std::map<std::string, std::string> unavailable;
  if (o.fuzz_diff.empty()) unavailable["libfuzzer"] = "no fuzz_diff (--fuzz-diff or MIGCHECK_FUZZ_DIFF)";
  if (o.fuzz_diff_afl.empty()) unavailable["afl"] = "no AFL++ build of fuzz_diff (--fuzz-diff-afl or MIGCHECK_FUZZ_DIFF_AFL)";
  std::cerr << fmt::format("migcheck seeded: {} adapters, engines {}, {} s each, {} run(s), {} seeds\n", bugs.size(),
                           fmt::join(o.engines, ","), o.time, o.runs, seeds.size());

  nlohmann::json results = nlohmann::json::array();
  std::map<std::string, bool> found_any;
  std::cout << fmt::format("{:<28} {:<11} {:>6} {:>10}  {}\n", "seeded adapter", "engine", "found", "median s",
                           "first finding");
  for (const SeededBug* bug : bugs) {
    found_any[std::string(bug->name)] = false;
    for (const std::string& engine : o.engines) {
      std::vector<Run> runs;
      if (!unavailable.count(engine)) {
        for (int i = 0; i < o.runs; ++i) {
          const std::uint64_t seed = o.seed + static_cast<std::uint64_t>(i);
          const fs::path work = fs::path(o.work) / fmt::format("{}-{}-{}", bug->name, engine, i);
          std::cerr << fmt::format("migcheck seeded: {} / {} run {}/{}...\n", bug->name, engine, i + 1, o.runs);
          if (engine == "properties") runs.push_back(run_properties(*bug, seeds, o.time, seed));
          else if (engine == "libfuzzer") runs.push_back(run_libfuzzer(*bug, o.fuzz_diff, seed_dir, work, o.time, seed));
          else if (engine == "afl") runs.push_back(run_afl(*bug, o.fuzz_diff_afl, seed_dir, work, o.time));
          else {
            std::cerr << "migcheck: unknown engine '" << engine << "' (properties, libfuzzer, afl, all)\n";
            return kUsage;
          }
        }
      }
      std::vector<double> times;
      int found = 0, skipped = 0;
      std::string title, note;
      for (const Run& r : runs) {
        if (r.skipped) ++skipped;
        if (r.found) {
          ++found;
          times.push_back(r.seconds);
          if (title.empty()) title = r.title;
        }
        if (note.empty() && !r.note.empty()) note = r.note;
      }
      const bool ran = !runs.empty() && skipped < static_cast<int>(runs.size());
      if (found) found_any[std::string(bug->name)] = true;
      nlohmann::json j = {{"adapter", bug->name}, {"cve", bug->cve}, {"engine", engine},
                          {"runs", runs.size()},  {"found", found},  {"time_limit", o.time},
                          {"times", times}};
      if (found) j["median_seconds"] = median(times);
      if (!title.empty()) j["title"] = title;
      if (!ran) j["skipped"] = unavailable.count(engine) ? unavailable[engine] : note;
      results.push_back(j);
      const std::string cell = !ran ? "skip" : fmt::format("{}/{}", found, runs.size());
      std::cout << fmt::format("{:<28} {:<11} {:>6} {:>10}  {}\n", bug->name, engine, cell,
                               found ? fmt::format("{:.2f}", median(times)) : "-",
                               !ran ? (unavailable.count(engine) ? unavailable[engine] : note) : title)
                << std::flush;
    }
  }
  std::vector<std::string> missed;
  for (const auto& [name, f] : found_any)
    if (!f) missed.push_back(name);
  const nlohmann::json report = {{"time_limit", o.time}, {"runs", o.runs}, {"engines", o.engines},
                                 {"seeds", seeds.size()}, {"results", results}, {"missed", missed}};
  if (!o.report.empty()) {
    std::string error;
    if (!harness::write_atomic(o.report, report.dump(2) + "\n", &error)) std::cerr << "migcheck: " << error << "\n";
  }
  if (o.json) std::cout << report.dump(2) << "\n";
  std::cout << fmt::format("\n{} of {} seeded bugs found by at least one engine{}\n", bugs.size() - missed.size(),
                           bugs.size(), missed.empty() ? "" : fmt::format(" (missed: {})", fmt::join(missed, ", ")));
  return missed.empty() ? 0 : 1;
}

void add(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "seeded",
      "Detection report for the seeded-bug adapters: per adapter and engine (RapidCheck properties over mutants of "
      "the captures; libFuzzer and AFL++ running fuzz_diff), found / not found within --time and the time to first "
      "detection (median over --runs). Exit 1 if some seeded bug is found by no engine.");
  cmd->add_option("--engine", o->engines, "properties, libfuzzer, afl or all (repeatable; default all)")
      ->allow_extra_args(false);
  cmd->add_option("--time", o->time, "seconds per adapter, engine and run")->capture_default_str();
  cmd->add_option("--runs", o->runs, "runs per adapter and engine (median time reported)")->capture_default_str();
  cmd->add_option("--bug", o->bugs, "only these seeded adapters (repeatable; default all)")
      ->allow_extra_args(false);
  cmd->add_option("--corpus", o->corpus, "seed inputs (directories; default corpora/qemu-7.2/sections)")
      ->allow_extra_args(false);
  cmd->add_option("--fuzz-diff", o->fuzz_diff, "libFuzzer build of fuzz_diff (default $MIGCHECK_FUZZ_DIFF)");
  cmd->add_option("--fuzz-diff-afl", o->fuzz_diff_afl, "AFL++ build of fuzz_diff (default $MIGCHECK_FUZZ_DIFF_AFL)");
  cmd->add_option("--work", o->work, "scratch directory (default $TMPDIR/migcheck-seeded)");
  cmd->add_option("--seed", o->seed, "first seed of the runs")->capture_default_str();
  cmd->add_flag("--json", o->json, "also print the JSON report");
  cmd->add_option("--report", o->report, "write the JSON report to this file (atomically)");
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

const bool registered = register_command({"seeded", 60, add});

}  // namespace

}  // namespace migcheck::cli::seeded_cmd
