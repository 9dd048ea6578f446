// migcheck diff --adapter A [--adapter B]... FILE...: the differential
// oracle over files (and, with --mutants, near-valid mutants of each):
// per input and adapter agree / accept-reject mismatch / state mismatch
// (JSON path) / crash / timeout / malformed / unsupported, reproducers for
// every finding, exit 1 if there is any.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "commands.h"
#include "input.h"
#include "migcheck/harness/adapters.h"
#include "migcheck/harness/oracle.h"

namespace migcheck::cli::diff_cmd {

namespace {

using harness::Classification;
using harness::DiffResult;

struct Options {
  std::vector<std::string> adapters;
  std::vector<std::string> files;
  DestinationOptions dest;
  bool json = false;
  std::string report;
  std::string reproducers = "migcheck-findings";
  bool no_reproducers = false;
  int mutants = 0;
  std::uint64_t seed = 1;
  int jobs = 1;
  double timeout = 10;
  double memory_mb = -1;
  bool no_wrap = false;
  bool quiet = false;
};

struct Item {
  std::size_t file = 0;
  int mutant = -1;  // -1: the file itself
  std::string name;  // "path" or "path#m12"
  std::string mutation;
  std::vector<std::uint8_t> bytes;
};

struct Source {
  std::string path;
  Destination dest;
};

std::string dump(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> expand(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  for (const std::string& a : args) {
    std::error_code ec;
    if (std::filesystem::is_directory(a, ec)) {
      std::vector<std::string> in;
      for (const auto& e : std::filesystem::directory_iterator(a, ec))
        if (e.is_regular_file() && e.path().extension() != ".json" && e.path().extension() != ".md")
          in.push_back(e.path().string());
      std::sort(in.begin(), in.end());
      files.insert(files.end(), in.begin(), in.end());
    } else {
      files.push_back(a);
    }
  }
  return files;
}

// Each file with its destination, then its mutants (of the wrapped stream,
// into the same destination: corrupting a stream does not change where it
// is loaded).
bool prepare(const Options& o, std::vector<Source>& sources, std::vector<Item>& items, int& skipped) {
  for (const std::string& path : expand(o.files)) {
    std::string error;
    auto bytes = read_file(path, &error);
    if (!bytes) {
      std::cerr << "migcheck: " << error << "\n";
      return false;
    }
    // A file whose destination cannot be inferred is skipped, not fatal:
    // batches of mutated or hand-edited inputs have such files.
    auto dest = choose_destination(o.dest, *bytes, &error);
    if (!dest) {
      std::cerr << "migcheck: " << path << ": skipped: " << error << "\n";
      ++skipped;
      continue;
    }
    auto in = std::optional<Input>(Input{std::move(*bytes), std::move(*dest)});
    const std::size_t index = sources.size();
    sources.push_back({path, in->dest});
    items.push_back({index, -1, path, {}, in->bytes});
    if (o.mutants <= 0) continue;
    const std::vector<std::uint8_t> base = harness::wrap_section_record(in->bytes, in->dest);
    const auto fields = harness::field_spans(base, in->dest);
    for (int m = 0; m < o.mutants; ++m) {
      Item it{index, m, fmt::format("{}#m{}", path, m), {}, {}};
      it.bytes = harness::mutate(base, fields, o.seed * 1000003u + index * 7919u + static_cast<std::uint64_t>(m),
                                 &it.mutation);
      items.push_back(std::move(it));
    }
  }
  return true;
}

struct Tally {
  std::map<std::string, int> by_class;
  std::map<std::string, int> findings;  // title -> count
  double seconds = 0;
};

std::string short_class(Classification c) {
  switch (c) {
    case Classification::Agree: return "agree";
    case Classification::AcceptRejectMismatch: return "ACCEPT/REJECT";
    case Classification::StateMismatch: return "STATE";
    case Classification::AdapterCrash: return "CRASH";
    case Classification::AdapterTimeout: return "TIMEOUT";
    case Classification::AdapterMalformed: return "MALFORMED";
    case Classification::Unsupported: return "unsupported";
    case Classification::KnownQemuDefect: return "qemu-defect";
    case Classification::SaveMismatch: return "SAVE";
    case Classification::RuleMismatch: return "RULE";
  }
  return "?";
}

int run(Options o) {
  harness::AdapterLimits& limits = harness::adapter_limits();
  limits.timeout_seconds = o.timeout;
  if (o.memory_mb >= 0) limits.memory_bytes = static_cast<std::uint64_t>(o.memory_mb * 1024 * 1024);
  // Fail early on a bad spec, before any work.
  std::vector<std::string> names;
  for (const std::string& spec : o.adapters) {
    std::string error;
    auto a = harness::open_adapter(spec, &error);
    if (!a) {
      std::cerr << "migcheck: " << error << "\n";
      return kUsage;
    }
    names.push_back(a->info().name);
  }
  std::vector<Source> sources;
  std::vector<Item> items;
  int skipped = 0;
  if (!prepare(o, sources, items, skipped)) return kUsage;
  if (items.empty()) {
    std::cerr << "migcheck: no input to check\n";
    return kUsage;
  }
  const std::size_t n_adapters = o.adapters.size();
  std::vector<DiffResult> results(items.size() * n_adapters);
  std::vector<std::string> repro(results.size());
  harness::DiffOptions dopt;
  dopt.wrap_records = !o.no_wrap;

  std::atomic<std::size_t> next{0}, done{0};
  std::mutex mu;
  const auto start = std::chrono::steady_clock::now();
  auto last_progress = start;
  std::atomic<bool> open_failed{false};
  auto worker = [&] {
    std::vector<std::unique_ptr<harness::Adapter>> adapters;
    for (const std::string& spec : o.adapters) {
      std::string error;
      adapters.push_back(harness::open_adapter(spec, &error));
      if (!adapters.back()) {
        std::lock_guard lock(mu);
        std::cerr << "migcheck: " << error << "\n";
        open_failed = true;
        return;
      }
    }
    for (std::size_t i; (i = next.fetch_add(1)) < items.size();) {
      const Item& it = items[i];
      const Destination& dest = sources[it.file].dest;
      for (std::size_t a = 0; a < n_adapters; ++a) {
        DiffResult r = harness::run_differential(*adapters[a], it.bytes, dest, dopt);
        const bool record = harness::is_finding(r.classification) ||
                            r.classification == Classification::KnownQemuDefect;
        std::string path;
        if (record && !o.no_reproducers) {
          std::string error;
          path = harness::write_reproducer(o.reproducers, it.bytes, dest, r, &error);
          if (path.empty()) {
            std::lock_guard lock(mu);
            std::cerr << "migcheck: reproducer: " << error << "\n";
          }
        }
        std::lock_guard lock(mu);
        if (!o.json && (!o.quiet || harness::is_finding(r.classification)))
          std::cout << fmt::format("{:<13} {:<22} {}  {}\n", short_class(r.classification), names[a], it.name,
                                   r.detail)
                    << std::flush;
        results[i * n_adapters + a] = std::move(r);
        repro[i * n_adapters + a] = std::move(path);
      }
      const std::size_t d = ++done;
      std::lock_guard lock(mu);
      const auto now = std::chrono::steady_clock::now();
      if (d == items.size() || now - last_progress > std::chrono::seconds(5)) {
        last_progress = now;
        std::cerr << fmt::format("migcheck diff: {}/{} inputs, {:.1f} s\n", d, items.size(),
                                 std::chrono::duration<double>(now - start).count());
      }
    }
  };
  const int jobs = std::max(1, std::min<int>(o.jobs, static_cast<int>(items.size())));
  std::vector<std::thread> threads;
  for (int j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  if (open_failed) return kUsage;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Report: per input and adapter, and per adapter a tally with the
  // distinct finding titles (sorted: stable across runs).
  std::vector<Tally> tallies(n_adapters);
  nlohmann::json jresults = nlohmann::json::array();
  bool any_finding = false;
  for (std::size_t i = 0; i < items.size(); ++i)
    for (std::size_t a = 0; a < n_adapters; ++a) {
      const DiffResult& r = results[i * n_adapters + a];
      Tally& t = tallies[a];
      ++t.by_class[std::string(harness::to_string(r.classification))];
      t.seconds += r.adapter.seconds;
      if (harness::is_finding(r.classification)) {
        ++t.findings[r.title];
        any_finding = true;
      }
      nlohmann::json j = harness::to_json(r);
      j["input"] = items[i].name;
      if (!items[i].mutation.empty()) j["mutation"] = items[i].mutation;
      j["destination"] = sources[items[i].file].dest.command_line();
      if (!repro[i * n_adapters + a].empty()) j["reproducer"] = repro[i * n_adapters + a];
      jresults.push_back(std::move(j));
    }
  nlohmann::json summary = nlohmann::json::array();
  for (std::size_t a = 0; a < n_adapters; ++a) {
    nlohmann::json titles = nlohmann::json::array();
    for (const auto& [title, count] : tallies[a].findings) titles.push_back({{"title", title}, {"count", count}});
    summary.push_back({{"adapter", names[a]},
                       {"spec", o.adapters[a]},
                       {"counts", tallies[a].by_class},
                       {"adapter_seconds", tallies[a].seconds},
                       {"findings", titles}});
  }
  const nlohmann::json report = {{"inputs", items.size()},
                                 {"files", sources.size()},
                                 {"skipped_files", skipped},
                                 {"mutants_per_file", o.mutants},
                                 {"seed", o.seed},
                                 {"seconds", seconds},
                                 {"summary", summary},
                                 {"results", jresults}};
  if (!o.report.empty()) {
    std::string error;
    if (!harness::write_atomic(o.report, dump(report, 2) + "\n", &error))
      std::cerr << "migcheck: " << error << "\n";
  }
  if (o.json) {
    std::cout << dump(report, 2) << "\n";
  } else {
    std::cout << fmt::format("\n{} inputs ({} files, {} mutants each{}) in {:.1f} s\n", items.size(), sources.size(),
                             o.mutants, skipped ? fmt::format(", {} files skipped", skipped) : "", seconds);
    for (std::size_t a = 0; a < n_adapters; ++a) {
      std::string counts;
      for (const auto& [k, v] : tallies[a].by_class) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", v, k);
      std::cout << fmt::format("{}: {}\n", names[a], counts);
      for (const auto& [title, count] : tallies[a].findings) std::cout << fmt::format("  {} x{}\n", title, count);
    }
    if (any_finding && !o.no_reproducers) std::cout << "reproducers in " << o.reproducers << "/\n";
  }
  return any_finding ? 1 : 0;
}

void add(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "diff",
      "Differential check: load each FILE (a stream or a section record) into the same destination with the "
      "reference and with each --adapter, and classify: agree, accept/reject mismatch, state mismatch (with the JSON "
      "path of the first differing field), adapter crash, adapter timeout, malformed, unsupported. A lone section "
      "record is wrapped into a minimal stream for both. Findings are written as reproducers. Exit 1 if there is any "
      "finding, 0 if none, 2 on usage errors.");
  cmd->add_option("--adapter", o->adapters,
                  "adapter spec (repeatable): reference, qemu, lib:PATH[,fork], cmd:'COMMAND {}', seeded:NAME")
      ->required()
      ->allow_extra_args(false);  // one spec per --adapter: files after it stay files
  cmd->add_option("FILE", o->files, "streams, section records, or directories of them")->required();
  add_destination_options(*cmd, o->dest);
  cmd->add_flag("--json", o->json, "print one JSON report instead of text");
  cmd->add_option("--report", o->report, "also write the JSON report to this file (atomically)");
  cmd->add_option("--reproducers", o->reproducers, "directory for reproducers of findings")->capture_default_str();
  cmd->add_flag("--no-reproducers", o->no_reproducers, "do not write reproducers");
  cmd->add_option("--mutants", o->mutants, "also check N structure-aware mutants of each file")->capture_default_str();
  cmd->add_option("--seed", o->seed, "seed of the mutants")->capture_default_str();
  cmd->add_option("-j,--jobs", o->jobs, "inputs checked in parallel (each job opens its own adapters)")
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout, "seconds per load for isolated adapters (cmd:, ,fork, qemu)")
      ->capture_default_str();
  cmd->add_option("--memory-limit", o->memory_mb, "MiB of address space for isolated adapters (0: none); default "
                                                  "4096, none in sanitizer builds");
  cmd->add_flag("--no-wrap", o->no_wrap, "give section records unwrapped to adapters that take records");
  cmd->add_flag("-q,--quiet", o->quiet, "print only findings and the summary");
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

const bool registered = register_command({"diff", 50, add});

}  // namespace

}  // namespace migcheck::cli::diff_cmd
