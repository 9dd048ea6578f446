#include "subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>
#include <utility>

extern char** environ;

namespace migcheck::harness::proc {

namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  int r = -1, w = -1;
  bool open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    r = fds[0];
    w = fds[1];
    return true;
  }
  ~Pipe() {
    if (r >= 0) close(r);
    if (w >= 0) close(w);
  }
};

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// In the child, before running anything: no core files from crashing
// adapters, the address-space limit, and default handlers for the crash
// signals (a fuzzer's or sanitizer's handler would report the child's crash
// as the parent's).
void child_setup(const Limits& limits) {
  setpgid(0, 0);
  rlimit core{0, 0};
  setrlimit(RLIMIT_CORE, &core);
  if (limits.memory_bytes) {
    rlimit as{limits.memory_bytes, limits.memory_bytes};
    setrlimit(RLIMIT_AS, &as);
  }
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGPIPE, SIGALRM, SIGTERM, SIGINT})
    signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Has the child exited? Checked without reaping it: a zombie keeps its pid
// and process group reserved, so killing the group afterwards can never hit
// an unrelated process that reused the number.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

// Reads `out` and `err` until both close and the child has exited, or the
// deadline passes; then kills what is left of the process group and reaps.
void collect(pid_t pid, int out_fd, int err_fd, const Limits& limits, Clock::time_point start, Outcome& o) {
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(limits.timeout_seconds));
  bool exited = false;
  char buf[65536];
  auto read_into = [&](int& fd, std::string& into, bool is_out) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
      if (is_out && into.size() > limits.output_bytes) o.output_overflow = true;
      if (!is_out && into.size() > 2 * limits.log_bytes) into.erase(0, into.size() - limits.log_bytes);
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      close_fd(fd);
    }
  };
  while (!o.output_overflow) {
    if (!exited) exited = has_exited(pid);
    if (out_fd < 0 && err_fd < 0 && exited) break;
    const auto now = Clock::now();
    if (now >= deadline) {
      o.timed_out = true;
      break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    // Short slices: the child may exit while a grandchild keeps a pipe open.
    const int slice = static_cast<int>(std::min<long long>(left + 1, exited ? 5 : 50));
    pollfd fds[2];
    nfds_t n = 0;
    if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[n++] = {err_fd, POLLIN, 0};
    if (n == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(slice, 2)));
      continue;
    }
    const int r = poll(fds, n, slice);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) {
      if (exited) break;  // whatever still holds the pipes is a straggler
      continue;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (fds[i].fd == out_fd)
        read_into(out_fd, o.output, true);
      else
        read_into(err_fd, o.log, false);
    }
  }
  kill(-pid, SIGKILL);  // stragglers, or everything on timeout / overflow
  kill(pid, SIGKILL);   // not reaped yet: still ours
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  close_fd(out_fd);
  close_fd(err_fd);
  if (o.log.size() > limits.log_bytes) o.log.erase(0, o.log.size() - limits.log_bytes);
  o.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (o.timed_out || o.output_overflow) return;
  if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
}

}  // namespace

std::string Outcome::how() const {
  if (!started) return "not started: " + error;
  if (timed_out) return "killed after " + std::to_string(static_cast<int>(seconds + 0.5)) + " s (timeout)";
  if (output_overflow) return "killed: too much output";
  if (signal) return "signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return "exit " + std::to_string(exit_code);
}

// A peer that died (QEMU, an adapter worker) must give EPIPE, never a
// SIGPIPE that kills the harness: sockets get MSG_NOSIGNAL; for pipes the
// signal is blocked in this thread while writing and a pending one is
// consumed before unblocking (the usual idiom, no global handler changed).
bool write_all(int fd, std::string_view data) {
  sigset_t pipe_only, old;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  bool ok = true;
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (!ok && errno == EPIPE) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &zero) == SIGPIPE) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return ok;
}

Outcome run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const Limits& limits) {
  Outcome o;
  if (argv.empty()) {
    o.error = "empty command";
    return o;
  }
  // Everything the child needs is built before fork (no allocation after).
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    const std::string_view kv(*e);
    bool overridden = false;
    for (const std::string& add : env)
      if (kv.substr(0, kv.find('=') + 1) == std::string_view(add).substr(0, add.find('=') + 1)) overridden = true;
    if (!overridden) envs.emplace_back(kv);
  }
  envs.insert(envs.end(), env.begin(), env.end());
  std::vector<char*> cargv, cenv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const std::string& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  Pipe out, err, exec_status;
  if (!out.open() || !err.open() || !exec_status.open()) {
    o.error = std::string("pipe: ") + strerror(errno);
    return o;
  }
  const int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::cout.flush();
  std::fflush(nullptr);
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    o.error = std::string("fork: ") + strerror(errno);
    if (devnull >= 0) close(devnull);
    return o;
  }
  if (pid == 0) {
    child_setup(limits);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out.w, 1);
    dup2(err.w, 2);
    execvpe(cargv[0], cargv.data(), cenv.data());
    const int e = errno;
    (void)!write(exec_status.w, &e, sizeof e);
    _exit(127);
  }
  setpgid(pid, pid);
  if (devnull >= 0) close(devnull);
  close_fd(out.w);
  close_fd(err.w);
  close_fd(exec_status.w);
  o.started = true;
  int out_fd = std::exchange(out.r, -1), err_fd = std::exchange(err.r, -1);
  collect(pid, out_fd, err_fd, limits, start, o);
  int e = 0;
  if (read(exec_status.r, &e, sizeof e) == static_cast<ssize_t>(sizeof e)) {
    o.started = false;
    o.error = "cannot execute '" + argv[0] + "': " + strerror(e);
  }
  return o;
}

Outcome run_forked(const std::function<void(int fd)>& work, const Limits& limits) {
  Outcome o;
  Pipe out, err;
  if (!out.open() || !err.open()) {
    o.error = std::string("pipe: ") + strerror(errno);
    return o;
  }
  std::cout.flush();
  std::fflush(nullptr);
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    o.error = std::string("fork: ") + strerror(errno);
    return o;
  }
  if (pid == 0) {
    child_setup(limits);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(err.w, 1);
    dup2(err.w, 2);
    close(out.r);
    work(out.w);
    _exit(0);  // no atexit handlers, no flushing the parent's stdio buffers
  }
  setpgid(pid, pid);
  close_fd(out.w);
  close_fd(err.w);
  o.started = true;
  int out_fd = std::exchange(out.r, -1), err_fd = std::exchange(err.r, -1);
  collect(pid, out_fd, err_fd, limits, start, o);
  return o;
}

Child::~Child() {
  if (pid_ > 0) {
    Outcome o;
    kill_now();
    finish(0, o);
  }
}

bool Child::start(const std::vector<std::string>& argv, const std::string& log_path, const Limits& limits,
                  std::string* error) {
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  Pipe exec_status;
  if (log < 0 || devnull < 0 || !exec_status.open()) {
    *error = std::string("cannot set up the child: ") + strerror(errno);
    if (log >= 0) close(log);
    if (devnull >= 0) close(devnull);
    return false;
  }
  std::cout.flush();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    child_setup(limits);
    dup2(devnull, 0);
    dup2(log, 1);
    dup2(log, 2);
    execvp(cargv[0], cargv.data());
    const int e = errno;
    (void)!write(exec_status.w, &e, sizeof e);
    _exit(127);
  }
  close(log);
  close(devnull);
  if (pid < 0) {
    *error = std::string("fork: ") + strerror(errno);
    return false;
  }
  setpgid(pid, pid);
  pid_ = pid;
  close_fd(exec_status.w);
  int e = 0;
  if (read(exec_status.r, &e, sizeof e) == static_cast<ssize_t>(sizeof e)) {
    *error = "cannot execute '" + argv[0] + "': " + strerror(e);
    Outcome o;
    finish(0, o);
    return false;
  }
  return true;
}

bool Child::exited() { return pid_ <= 0 || has_exited(pid_); }

void Child::kill_now() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
}

void Child::finish(double seconds, Outcome& o) {
  if (pid_ <= 0) return;
  o.started = true;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (!has_exited(pid_) && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  if (!has_exited(pid_)) o.timed_out = true;
  kill_now();  // the group's stragglers too; the pid is still ours until reaped
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (o.timed_out) return;
  if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
}

TempDir::TempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
  if (mkdtemp(templ.data())) path_ = templ;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::optional<std::vector<std::string>> split_command(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const std::size_t end = command.find('\'', i + 1);
      if (end == std::string::npos) return std::nullopt;
      word += command.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < command.size() && command[j] != '"'; ++j) {
        if (command[j] == '$' || command[j] == '`') return std::nullopt;
        if (command[j] == '\\' && j + 1 < command.size()) ++j;
        word += command[j];
      }
      if (j >= command.size()) return std::nullopt;
      i = j;
    } else if (c == '\\' && i + 1 < command.size()) {
      word += command[++i];
    } else if (std::strchr("|&;<>()$`*?[]#~\n", c)) {
      return std::nullopt;
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(word);
  if (words.empty()) return std::nullopt;
  return words;
}

std::string shell_quote(const std::string& word) {
  std::string q = "'";
  for (char c : word) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

bool executable_exists(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const std::size_t colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    struct stat st{};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0)
      return true;
  }
  return false;
}

}  // namespace migcheck::harness::proc
