// Running untrusted code out of process: a child (exec'd command or forked
// worker) in its own process group, with a wall-clock timeout, an address
// space limit, no core dumps and bounded output capture. Whatever the child
// does (crash, hang, flood stdout, fork more children), the parent gets a
// classified result back and nothing is left running.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace migcheck::harness::proc {

struct Limits {
  double timeout_seconds = 10;
  std::uint64_t memory_bytes = 0;  // RLIMIT_AS; 0 = none
  std::size_t output_bytes = 16u << 20;
  std::size_t log_bytes = 64u << 10;  // stderr kept (the tail)
};

struct Outcome {
  bool started = false;        // false: fork/pipe failed (error says why)
  bool timed_out = false;      // killed at the deadline
  bool output_overflow = false;  // killed: more than output_bytes on the result channel
  int exit_code = -1;          // when it exited
  int signal = 0;              // when a signal ended it
  std::string output;          // the result channel (stdout, or the worker's pipe)
  std::string log;             // stderr (the tail)
  double seconds = 0;
  std::string error;

  bool exited_cleanly() const { return started && !timed_out && !output_overflow && signal == 0; }
  std::string how() const;  // "exit 0", "signal 11 (Segmentation fault)", "killed after 10 s", ...
};

// execvp(argv) with `env` added to the environment (NAME=VALUE), stdin from
// /dev/null; `output` is its stdout.
Outcome run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const Limits& limits);

// fork(); the child runs `work(fd)`, writes its answer to `fd` and exits
// (_exit(0) after work returns). Its stdout and stderr both go to `log`.
Outcome run_forked(const std::function<void(int fd)>& work, const Limits& limits);

// A child left running while the parent talks to it (the real QEMU over
// QMP): own process group, no core dumps, address-space limit, stdout and
// stderr into `log_path`. Destroying it kills the group and reaps.
class Child {
 public:
  Child() = default;
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  bool start(const std::vector<std::string>& argv, const std::string& log_path, const Limits& limits,
             std::string* error);
  bool exited();  // without reaping
  // Waits up to `seconds` for it to exit by itself, then kills it; reaps.
  // Sets signal / exit_code / timed_out (= had to be killed) in `o`.
  void finish(double seconds, Outcome& o);
  void kill_now();

 private:
  int pid_ = -1;
};

// Writes all of `data` to fd (retrying on EINTR / short writes).
bool write_all(int fd, std::string_view data);

// A private temporary directory, removed with everything in it.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "migcheck-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Splits a command line into words like a shell would for simple commands
// ('...', "...", backslash); nullopt if it needs a real shell (pipes,
// redirections, variables, ...).
std::optional<std::vector<std::string>> split_command(const std::string& command);

// Single-quotes `word` for /bin/sh.
std::string shell_quote(const std::string& word);

// Is `program` (a path, or a name on PATH) executable?
bool executable_exists(const std::string& program);

}  // namespace migcheck::harness::proc
