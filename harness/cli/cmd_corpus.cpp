// migcheck corpus merge|minimize|export|wrap: corpus upkeep around the
// engines (libFuzzer -merge=1 / -minimize_crash, afl-cmin / afl-tmin), the
// OSS-Fuzz export (<target>_seed_corpus.zip, <target>.dict, <target>.options)
// and seeds made from section records.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "commands.h"
#include "input.h"
#include "migcheck/harness/fuzz.h"
#include "migcheck/harness/oracle.h"

namespace migcheck::cli::corpus_cmd {

namespace {

namespace fs = std::filesystem;
using harness::FuzzTarget;

struct Options {
  std::string engine = "libfuzzer";
  std::string target;
  std::string build;
  std::vector<std::string> paths;
  std::string out;
  std::string dicts;
  bool check = false;
};

std::string default_build(const std::string& engine) { return "build/fuzz-" + engine; }

std::string binary_or_complain(const Options& o) {
  const std::string build = o.build.empty() ? default_build(o.engine) : o.build;
  std::string bin = harness::fuzzer_binary(build, o.target);
  if (bin.empty())
    std::cerr << fmt::format("migcheck corpus: no {} in {}/fuzzers (cmake --preset fuzz-{} && cmake --build build/fuzz-{} --target {})\n",
                             o.target, build, o.engine, o.engine, o.target);
  return bin;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int merge(const Options& o) {
  const std::string bin = binary_or_complain(o);
  if (bin.empty() || o.paths.size() < 2) return kUsage;
  std::vector<std::string> argv;
  if (o.engine == "libfuzzer") {
    argv = {bin, "-merge=1"};
    argv.insert(argv.end(), o.paths.begin(), o.paths.end());
    std::cerr << harness::shell_line(argv) << "\n";
    return harness::wait_exit(harness::spawn(argv, "")) == 0 ? kAccepted : kRejected;
  }
  // afl-cmin takes one input directory: gather the sources first.
  const fs::path staging = fs::path(o.paths[0]).concat(".cmin-in");
  fs::create_directories(staging);
  for (std::size_t i = 0; i < o.paths.size(); ++i)
    for (const auto& e : fs::recursive_directory_iterator(o.paths[i]))
      if (e.is_regular_file()) fs::copy_file(e.path(), staging / fmt::format("{}-{}", i, e.path().filename().string()),
                                             fs::copy_options::overwrite_existing);
  const fs::path out = fs::path(o.paths[0]).concat(".cmin-out");
  fs::remove_all(out);
  argv = {"afl-cmin", "-i", staging.string(), "-o", out.string(), "--", bin};
  std::cerr << harness::shell_line(argv) << "\n";
  const int rc = harness::wait_exit(harness::spawn(argv, "", {"AFL_SKIP_CPUFREQ=1", "AFL_NO_AFFINITY=1"}));
  if (rc != 0) return kRejected;
  fs::remove_all(o.paths[0]);
  fs::rename(out, o.paths[0]);
  fs::remove_all(staging);
  return kAccepted;
}

int minimize(const Options& o) {
  const std::string bin = binary_or_complain(o);
  if (bin.empty() || o.paths.size() != 1) return kUsage;
  const std::string out = o.out.empty() ? o.paths[0] + ".min" : o.out;
  std::vector<std::string> argv;
  if (o.engine == "libfuzzer")
    argv = {bin, "-minimize_crash=1", "-max_total_time=60", "-exact_artifact_path=" + out, o.paths[0]};
  else
    argv = {"afl-tmin", "-i", o.paths[0], "-o", out, "--", bin};
  std::cerr << harness::shell_line(argv) << "\n";
  harness::wait_exit(harness::spawn(argv, ""));
  if (!fs::exists(out)) return kRejected;
  std::cout << out << "\n";
  return kAccepted;
}

// Seeds of a target as an OSS-Fuzz <target>_seed_corpus.zip (flat).
bool zip_seeds(const fs::path& zip, const fs::path& seeds) {
  fs::remove(zip);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(seeds))
    if (e.is_regular_file()) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  if (files.empty()) return true;
  std::vector<std::string> argv = {"zip", "-q", "-j", "-X", zip.string()};
  argv.insert(argv.end(), files.begin(), files.end());
  std::string out;
  if (harness::run_capture(argv, &out) == 0) return true;
  argv = {"python3", "-c",
          "import sys, zipfile, os\n"
          "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n"
          "    [z.write(f, os.path.basename(f)) for f in sys.argv[2:]]\n",
          zip.string()};
  argv.insert(argv.end(), files.begin(), files.end());
  return harness::run_capture(argv, &out) == 0;
}

// --dicts DIR: <kind>.dict written (or with --check compared);
// --out DIR: the OSS-Fuzz files of each target (or --target's).
int export_files(const Options& o) {
  std::string error;
  if (!o.dicts.empty()) {
    // <kind>.dict, and each target's OSS-Fuzz <target>.options.
    std::vector<std::pair<std::string, std::string>> files;
    for (std::string_view kind : {"load", "stream"})
      files.emplace_back(fmt::format("{}.dict", kind), harness::fuzz_dictionary(kind));
    for (const FuzzTarget& t : harness::fuzz_targets())
      files.emplace_back(fmt::format("{}.options", t.name), harness::fuzz_options(t));
    if (!o.check) fs::create_directories(o.dicts);
    int stale = 0;
    for (const auto& [name, text] : files) {
      const fs::path p = fs::path(o.dicts) / name;
      if (o.check) {
        if (read_file(p) != text) {
          std::cerr << fmt::format("{} is stale: regenerate with `migcheck corpus export --dicts {}`\n", p.string(), o.dicts);
          ++stale;
        }
      } else if (!harness::write_atomic(p.string(), text, &error)) {
        std::cerr << error << "\n";
        return kUsage;
      }
    }
    if (stale) return kRejected;
  }
  if (!o.out.empty()) {
    fs::create_directories(o.out);
    const fs::path seeds_root = fs::path(MIGCHECK_SOURCE_DIR) / "corpora" / "seed";
    for (const FuzzTarget& t : harness::fuzz_targets()) {
      if (!o.target.empty() && t.name != o.target) continue;
      const fs::path dir(o.out);
      if (!t.dict.empty() &&
          !harness::write_atomic((dir / fmt::format("{}.dict", t.name)).string(), harness::fuzz_dictionary(t.dict), &error))
        return std::cerr << error << "\n", kUsage;
      if (!harness::write_atomic((dir / fmt::format("{}.options", t.name)).string(), harness::fuzz_options(t), &error))
        return std::cerr << error << "\n", kUsage;
      const fs::path seeds = seeds_root / std::string(t.corpus);
      if (fs::is_directory(seeds) && !zip_seeds(dir / fmt::format("{}_seed_corpus.zip", t.name), seeds)) {
        std::cerr << "migcheck corpus export: neither zip nor python3 could write the seed corpus zip\n";
        return kUsage;
      }
      std::cout << fmt::format("{}: {}.options{}{}\n", t.name, t.name, t.dict.empty() ? "" : fmt::format(" {}.dict", t.name),
                               fs::is_directory(seeds) ? fmt::format(" {}_seed_corpus.zip", t.name) : "");
    }
  }
  if (o.dicts.empty() && o.out.empty()) {
    std::cerr << "migcheck corpus export: give --dicts DIR and/or --out DIR\n";
    return kUsage;
  }
  return kAccepted;
}
// Each lone section record as the smallest stream its destination accepts
// (wrap_section_record: the differential's wrapping). The stream carries
// guest RAM, all zeros, so the ring checks that a lone record skips (no
// RAM) run on it, at the size of a record: avail and used indices read 0.
int wrap(const Options& o, const DestinationOptions& d) {
  std::error_code ec;
  fs::create_directories(o.out, ec);
  int written = 0;
  for (const std::string& path : o.paths) {
    const std::optional<Input> in = open_input(path, d);
    if (!in) return kUsage;
    const std::vector<std::uint8_t> stream = harness::wrap_section_record(in->bytes, in->dest);
    if (stream == in->bytes) {
      std::cerr << fmt::format("migcheck corpus wrap: {} is already a stream; skipped\n", path);
      continue;
    }
    std::string stem = fs::path(path).stem().string();
    if (stem.size() > 8 && stem.ends_with(".section")) stem.resize(stem.size() - 8);
    const fs::path out = fs::path(o.out) / fmt::format("wrapped-{}.mig", stem);
    std::string error;
    if (!harness::write_atomic(out.string(), std::string_view(reinterpret_cast<const char*>(stream.data()), stream.size()),
                               &error)) {
      std::cerr << "migcheck corpus wrap: " << error << "\n";
      return kUsage;
    }
    std::cout << out.string() << "\n";
    ++written;
  }
  return written ? kAccepted : kRejected;
}

void add_engine_options(CLI::App* cmd, Options& o) {
  cmd->add_option("--engine", o.engine, "libfuzzer | afl")->check(CLI::IsMember({"libfuzzer", "afl"}));
  cmd->add_option("--target", o.target, "fuzz target, e.g. fuzz_load")->required();
  cmd->add_option("--build", o.build, "build directory with fuzzers/ (default build/fuzz-<engine>)");
}

void add_corpus(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd =
      app.add_subcommand("corpus", "Corpus upkeep: merge, minimize, export (OSS-Fuzz files, dictionaries), wrap.");
  cmd->require_subcommand(1);

  CLI::App* m = cmd->add_subcommand("merge", "Merge corpora into the first directory, keeping only inputs that add coverage "
                                             "(libFuzzer -merge=1, afl-cmin).");
  add_engine_options(m, *o);
  m->add_option("dirs", o->paths, "INTO FROM... (INTO first)")->required()->expected(2, -1);
  m->callback([o, &exit_code] { exit_code = merge(*o); });

  CLI::App* n = cmd->add_subcommand("minimize", "Minimize a crashing input (libFuzzer -minimize_crash=1, afl-tmin).");
  add_engine_options(n, *o);
  n->add_option("input", o->paths, "the crashing input")->required()->expected(1);
  n->add_option("-o,--out", o->out, "where the minimized input goes (default INPUT.min)");
  n->callback([o, &exit_code] { exit_code = minimize(*o); });

  CLI::App* e = cmd->add_subcommand("export", "Write dictionaries generated from the schema (--dicts DIR), and per target the "
                                              "OSS-Fuzz <target>_seed_corpus.zip, <target>.dict, <target>.options (--out DIR).");
  e->add_option("--dicts", o->dicts, "write <kind>.dict (load, stream) and <target>.options here, e.g. fuzzers/dicts");
  e->add_flag("--check", o->check, "with --dicts: fail if the files there differ from the schema's");
  e->add_option("--out", o->out, "write the OSS-Fuzz files of every target here");
  e->add_option("--target", o->target, "only this target");
  e->callback([o, &exit_code] { exit_code = export_files(*o); });

  auto d = std::make_shared<DestinationOptions>();
  CLI::App* w = cmd->add_subcommand("wrap", "Wrap section records into the smallest stream their destination accepts "
                                            "(zeroed guest RAM, so ring checks run): OUT/wrapped-<name>.mig each.");
  w->add_option("records", o->paths, "section records (.section.bin)")->required()->expected(1, -1);
  w->add_option("-o,--out", o->out, "output directory")->required();
  add_destination_options(*w, *d);
  w->callback([o, d, &exit_code] { exit_code = wrap(*o, *d); });
}

const bool registered = register_command({"corpus", 70, add_corpus});

}  // namespace

}  // namespace migcheck::cli::corpus_cmd
