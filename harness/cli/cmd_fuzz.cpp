// migcheck fuzz: runs a fuzz target under libFuzzer (-fork=N) or AFL++
// (-M/-S instances) for a time, prints a progress line, then deduplicates
// the crashes by title, minimizes one per title and writes it atomically
// under the results directory with the command that reproduces it.
//
// Nothing is lost on Ctrl-C: the engines write every new input and crash to
// disk as they find it; migcheck waits for them to stop, then collects.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "commands.h"
#include "input.h"
#include "migcheck/harness/fuzz.h"
#include "migcheck/harness/oracle.h"

namespace migcheck::cli::fuzz_cmd {

namespace {

namespace fs = std::filesystem;

volatile sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

struct Options {
  std::string engine = "libfuzzer";
  std::string target;
  std::string build;
  std::string out;
  std::string defect;
  int seconds = 60;
  int jobs = 1;
  bool minimize = true;
};

struct Progress {
  std::uint64_t execs_per_sec = 0, coverage = 0, corpus = 0, crashes = 0;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// libFuzzer's status lines: "#N ... cov: C ft: F corp: K/... exec/s: E" and,
// in fork mode, "#N: cov: C ft: F corp: K exec/s: E oom/timeout/crash: a/b/c".
void parse_libfuzzer(const std::string& log, Progress& p) {
  static const std::regex line(R"(cov: (\d+) .*corp: (\d+).*exec/s: (\d+)(?: oom/timeout/crash: \d+/\d+/(\d+))?)");
  const std::size_t from = log.size() > 8192 ? log.size() - 8192 : 0;
  const std::string tail = log.substr(from);
  for (auto it = std::sregex_iterator(tail.begin(), tail.end(), line); it != std::sregex_iterator(); ++it) {
    p.coverage = std::stoull((*it)[1]);
    p.corpus = std::stoull((*it)[2]);
    p.execs_per_sec = std::stoull((*it)[3]);
    if ((*it)[4].matched) p.crashes = std::stoull((*it)[4]);
  }
}

// AFL++'s fuzzer_stats of every instance, summed.
void parse_afl(const fs::path& sync_dir, Progress& p) {
  p = {};
  std::error_code ec;
  for (const auto& inst : fs::directory_iterator(sync_dir, ec)) {
    std::istringstream stats(read_file(inst.path() / "fuzzer_stats"));
    std::string key, colon, value;
    while (stats >> key >> colon >> value) {
      if (key == "execs_per_sec") p.execs_per_sec += static_cast<std::uint64_t>(std::stod(value));
      if (key == "corpus_count") p.corpus = std::max<std::uint64_t>(p.corpus, std::stoull(value));
      if (key == "saved_crashes") p.crashes += std::stoull(value);
      if (key == "edges_found") p.coverage = std::max<std::uint64_t>(p.coverage, std::stoull(value));
    }
  }
}

std::vector<fs::path> crash_files(const Options& o, const fs::path& out) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (o.engine == "libfuzzer") {
    for (const auto& e : fs::directory_iterator(out / "artifacts", ec))
      if (e.path().filename().string().starts_with("crash-") || e.path().filename().string().starts_with("timeout-") ||
          e.path().filename().string().starts_with("oom-"))
        files.push_back(e.path());
  } else {
    for (const auto& inst : fs::directory_iterator(out / "afl", ec))
      for (const auto& e : fs::directory_iterator(inst.path() / "crashes", ec))
        if (e.path().filename().string().starts_with("id:")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string slug(const std::string& title) {
  std::string s;
  for (char c : title) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  while (s.find("--") != std::string::npos) s.erase(s.find("--"), 1);
  if (s.size() > 80) s.resize(80);
  return s + fmt::format("-{:08x}", std::hash<std::string>{}(title) & 0xffffffffu);
}

// One file per distinct title: replayed for its report, minimized, written.
int collect(const Options& o, const std::string& bin, const fs::path& out, const std::vector<std::string>& env) {
  std::map<std::string, fs::path> titles;
  for (const fs::path& f : crash_files(o, out)) {
    std::string report;
    harness::run_capture({bin, f.string()}, &report, env);
    titles.emplace(harness::crash_title(report), f);  // the first input of a title is kept
  }
  fs::create_directories(out / "crashes");
  for (const auto& [title, file] : titles) {
    const std::string name = slug(title);
    fs::path input = file;
    if (o.minimize) {
      const fs::path min = out / "crashes" / (name + ".min.tmp");
      std::string log;
      if (o.engine == "libfuzzer")
        harness::run_capture({bin, "-minimize_crash=1", "-max_total_time=30", "-exact_artifact_path=" + min.string(), file.string()},
                             &log, env);
      else
        harness::run_capture({"afl-tmin", "-i", file.string(), "-o", min.string(), "--", bin}, &log, env);
      if (fs::exists(min)) input = min;
    }
    std::string error;
    const fs::path bin_path = out / "crashes" / (name + ".bin");
    if (!harness::write_atomic(bin_path.string(), read_file(input), &error)) std::cerr << error << "\n";
    if (input != file) fs::remove(input);
    std::string report;
    harness::run_capture({bin, bin_path.string()}, &report, env);
    const std::string text = fmt::format("title: {}\nfound: {}\nreproduce: {}\n\n{}", title, file.string(),
                                         harness::shell_line({bin, fs::absolute(bin_path).string()}, env), report);
    if (!harness::write_atomic((out / "crashes" / (name + ".txt")).string(), text, &error)) std::cerr << error << "\n";
    std::cout << fmt::format("crash: {}\n  {}\n", title, bin_path.string());
  }
  return titles.empty() ? kAccepted : kRejected;
}

int run(const Options& o) {
  const harness::FuzzTarget* target = harness::find_fuzz_target(o.target);
  if (!target) {
    std::cerr << "migcheck fuzz: unknown target '" << o.target << "'; one of:";
    for (const auto& t : harness::fuzz_targets()) std::cerr << " " << t.name;
    std::cerr << "\n";
    return kUsage;
  }
  const std::string build = o.build.empty() ? "build/fuzz-" + o.engine : o.build;
  const std::string bin = harness::fuzzer_binary(build, o.target);
  if (bin.empty()) {
    std::cerr << fmt::format("migcheck fuzz: no {}/fuzzers/{}: cmake --preset fuzz-{} && cmake --build build/fuzz-{} --target {}\n",
                             build, o.target, o.engine, o.engine, o.target);
    return kUsage;
  }
  const fs::path out = o.out.empty() ? fs::path("results/fuzz") / fmt::format("{}-{}", o.target, o.engine) : fs::path(o.out);
  const fs::path src(MIGCHECK_SOURCE_DIR);
  const fs::path seeds = src / "corpora" / "seed" / std::string(target->corpus);
  const fs::path dict = src / "fuzzers" / "dicts" / fmt::format("{}.dict", target->dict);
  fs::create_directories(out / "corpus");
  fs::create_directories(out / "artifacts");
  std::vector<std::string> env;
  if (!o.defect.empty()) env.push_back("MIGCHECK_DEFECT=" + o.defect);

  ::signal(SIGINT, on_interrupt);
  ::signal(SIGTERM, on_interrupt);
  std::vector<int> pids;
  if (o.engine == "libfuzzer") {
    // New inputs go to the first directory: the results, not the checkout.
    std::vector<std::string> argv = {bin, "-max_total_time=" + std::to_string(o.seconds), "-print_final_stats=1",
                                     "-artifact_prefix=" + (out / "artifacts").string() + "/",
                                     "-max_len=" + std::to_string(target->max_len)};
    if (!target->dict.empty() && fs::exists(dict)) argv.push_back("-dict=" + dict.string());
    if (o.jobs > 1) argv.insert(argv.end(), {"-fork=" + std::to_string(o.jobs), "-ignore_crashes=1", "-ignore_timeouts=1", "-ignore_ooms=1"});
    argv.push_back((out / "corpus").string());
    if (fs::is_directory(seeds)) argv.push_back(seeds.string());
    fs::remove(out / "libfuzzer.log");
    std::cerr << harness::shell_line(argv, env) << "\n";
    pids.push_back(harness::spawn(argv, (out / "libfuzzer.log").string(), env));
  } else {
    std::vector<std::string> afl_env = env;
    afl_env.insert(afl_env.end(), {"AFL_NO_UI=1", "AFL_SKIP_CPUFREQ=1", "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1",
                                   "AFL_NO_AFFINITY=1", "AFL_IGNORE_SEED_PROBLEMS=1"});
    for (int i = 0; i < std::max(o.jobs, 1); ++i) {
      std::vector<std::string> argv = {"afl-fuzz", i == 0 ? "-M" : "-S", i == 0 ? "main" : fmt::format("s{}", i), "-V",
                                       std::to_string(o.seconds), "-i", fs::is_directory(seeds) ? seeds.string() : (out / "corpus").string(),
                                       "-o", (out / "afl").string()};
      if (!target->dict.empty() && fs::exists(dict)) argv.insert(argv.end(), {"-x", dict.string()});
      argv.insert(argv.end(), {"--", bin});
      std::cerr << harness::shell_line(argv, afl_env) << "\n";
      pids.push_back(harness::spawn(argv, (out / fmt::format("afl-{}.log", i)).string(), afl_env));
    }
  }
  const auto start = std::chrono::steady_clock::now();
  Progress p;
  // Progress every 5 s until every engine process has exited.
  bool forwarded = false;
  for (std::size_t live = pids.size(); live > 0;) {
    for (int i = 0; i < 50 && live > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      // A terminal's Ctrl-C reaches the engines too; a kill -INT of migcheck
      // alone is passed on, so they stop the same way (corpus kept).
      if (g_interrupted && !forwarded) {
        for (int pid : pids) ::kill(pid, SIGINT);
        forwarded = true;
      }
      live = 0;
      for (int pid : pids) live += ::kill(pid, 0) == 0 && ::waitpid(pid, nullptr, WNOHANG) == 0;
    }
    if (o.engine == "libfuzzer") parse_libfuzzer(read_file(out / "libfuzzer.log"), p);
    else parse_afl(out / "afl", p);
    const auto t = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
    std::cerr << fmt::format("[{:>4}s] {} {}: exec/s {} cov {} corpus {} crashes {}{}\n", t, o.target, o.engine,
                             p.execs_per_sec, p.coverage, p.corpus, std::max<std::size_t>(p.crashes, crash_files(o, out).size()),
                             g_interrupted ? " (interrupted: collecting)" : "");
  }
  ::signal(SIGINT, SIG_DFL);
  return collect(o, bin, out, env);
}

void add_fuzz(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "fuzz", "Run a fuzz target (libFuzzer -fork or AFL++ -M/-S) with progress; deduplicate, minimize and write its crashes.");
  cmd->add_option("--engine", o->engine, "libfuzzer | afl")->check(CLI::IsMember({"libfuzzer", "afl"}));
  cmd->add_option("--target", o->target, "fuzz_load, fuzz_stream, fuzz_roundtrip, fuzz_old_reader, fuzz_destination, fuzz_load_defects, fuzz_diff")
      ->required();
  cmd->add_option("--time", o->seconds, "seconds to fuzz (default 60)");
  cmd->add_option("--jobs", o->jobs, "parallel fuzzing processes (default 1)");
  cmd->add_option("--out", o->out, "results directory (default results/fuzz/<target>-<engine>): corpus/, crashes/");
  cmd->add_option("--build", o->build, "build directory with fuzzers/ (default build/fuzz-<engine>)");
  cmd->add_option("--defect", o->defect, "MIGCHECK_DEFECT for fuzz_load_defects");
  cmd->add_flag("--no-minimize", [o](std::int64_t) { o->minimize = false; }, "keep crashes as found");
  cmd->footer("Exit status: 0 no crash, 1 crashes written under <out>/crashes, 2 usage error.");
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

const bool registered = register_command({"fuzz", 60, add_fuzz});

}  // namespace

}  // namespace migcheck::cli::fuzz_cmd
