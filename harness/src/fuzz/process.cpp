// Child processes for `migcheck fuzz` and `migcheck corpus`: the engines
// are separate programs (libFuzzer binaries, afl-fuzz, afl-cmin, afl-tmin).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <regex>

#include "migcheck/harness/fuzz.h"

extern char** environ;

namespace migcheck::harness {

std::string fuzzer_binary(const std::string& build_dir, std::string_view target) {
  const std::filesystem::path p = std::filesystem::path(build_dir) / "fuzzers" / std::string(target);
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) ? p.string() : std::string();
}

namespace {

std::vector<std::string> environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string_view kv(*e);
    bool replaced = false;
    for (const std::string& x : extra)
      if (kv.substr(0, kv.find('=') + 1) == std::string_view(x).substr(0, x.find('=') + 1)) replaced = true;
    if (!replaced) env.emplace_back(kv);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& v) {
  std::vector<char*> p;
  for (std::string& s : v) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

int spawn_fd(const std::vector<std::string>& argv, int out_fd, const std::vector<std::string>& env_extra) {
  std::vector<std::string> args = argv, env = environment(env_extra);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (out_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
  }
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0].c_str(), &actions, nullptr, pointers(args).data(), pointers(env).data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

}  // namespace

int spawn(const std::vector<std::string>& argv, const std::string& log, const std::vector<std::string>& env) {
  int fd = -1;
  if (!log.empty() && (fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) return -1;
  const int pid = spawn_fd(argv, fd, env);
  if (fd >= 0) ::close(fd);
  return pid;
}

int wait_exit(int pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run_capture(const std::vector<std::string>& argv, std::string* output, const std::vector<std::string>& env) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  const int pid = spawn_fd(argv, fds[1], env);
  ::close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    // Crash reports are short; a runaway child is not allowed to fill memory.
    if (output && output->size() < (1u << 20)) output->append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  return pid < 0 ? -1 : wait_exit(pid);
}

std::string shell_line(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  std::string s;
  auto quote = [&s](const std::string& a) {
    if (!s.empty()) s += ' ';
    if (!a.empty() && a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=./:,@%") == std::string::npos) {
      s += a;
      return;
    }
    s += '\'';
    for (char c : a) s += c == '\'' ? std::string("'\\''") : std::string(1, c);
    s += '\'';
  };
  for (const std::string& e : env) quote(e);
  for (const std::string& a : argv) quote(a);
  return s;
}

std::string crash_title(std::string_view report) {
  std::string summary, error;
  std::size_t at = 0;
  while (at < report.size()) {
    const std::size_t end = std::min(report.find('\n', at), report.size());
    const std::string_view line = report.substr(at, end - at);
    if (line.starts_with("migcheck-fuzz:") || line.starts_with("migcheck-diff:")) return std::string(line);
    if (summary.empty() && line.starts_with("SUMMARY: ")) summary = line;
    if (error.empty() && line.find("ERROR: ") != std::string_view::npos) error = line;
    at = end + 1;
  }
  std::string t = !summary.empty() ? summary : !error.empty() ? error : "unknown crash";
  // Addresses and pids differ between runs of the same bug.
  static const std::regex noise("0x[0-9a-f]+|==[0-9]+==|[0-9]+ byte");
  return std::regex_replace(t, noise, "_");
}

}  // namespace migcheck::harness
