#include "command_adapter.h"

#include <csignal>

#include "forked_adapter.h"
#include "migcheck/harness/oracle.h"
#include "result_json.h"
#include "subprocess.h"

namespace migcheck::harness {

namespace {

std::vector<std::string> dest_words(const Destination& d) {
  std::vector<std::string> w = {"--machine", d.machine.name};
  for (const std::string& a : d.args) w.insert(w.end(), {"--device", a});
  w.insert(w.end(), {"--profile", d.profile ? std::string(d.profile->name) : "qemu-7.2"});
  return w;
}

// Replaces the placeholders of one word; "{dest}" alone expands to words.
void expand_word(const std::string& word, const std::string& file, const Destination& d,
                 std::vector<std::string>& out, bool& used_file) {
  if (word == "{dest}") {
    const auto w = dest_words(d);
    out.insert(out.end(), w.begin(), w.end());
    return;
  }
  std::string s = word;
  auto replace = [&](const std::string& key, const std::string& value) {
    for (std::size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size())) {
      s.replace(at, key.size(), value);
      if (key == "{}") used_file = true;
    }
  };
  replace("{machine}", d.machine.name);
  replace("{profile}", d.profile ? std::string(d.profile->name) : "qemu-7.2");
  replace("{}", file);
  out.push_back(s);
}

// The crash signals a shell reports as exit status 128+N.
bool shell_crash_status(int code) {
  const int sig = code - 128;
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGABRT || sig == SIGKILL;
}

class CommandAdapter final : public Adapter {
 public:
  CommandAdapter(std::string command, std::optional<std::vector<std::string>> words)
      : command_(std::move(command)), words_(std::move(words)) {
    info_.name = words_ ? base_name((*words_)[0]) : "cmd";
    info_.version = "subprocess";
    info_.spec = "cmd:" + command_;
    info_.isolated = true;
  }
  const AdapterInfo& info() const override { return info_; }

  AdapterResult load(std::span<const std::uint8_t> stream, const Destination& dest) override {
    AdapterResult r;
    proc::TempDir dir("migcheck-cmd-");
    std::string error;
    const std::string file = dir.file("stream.mig");
    if (!dir.ok() || !write_atomic(file, stream, &error)) {
      r.reason = "cannot write the stream for the command: " + error;
      return r;
    }
    std::vector<std::string> argv;
    bool used_file = false;
    bool via_shell = false;
    if (words_) {
      for (const std::string& w : *words_) expand_word(w, file, dest, argv, used_file);
      if (!used_file) argv.push_back(file);
    } else {
      // Needs a shell: substitute quoted values into the text.
      std::string text = command_;
      std::string dest_text;
      for (const std::string& w : dest_words(dest)) dest_text += (dest_text.empty() ? "" : " ") + proc::shell_quote(w);
      auto replace = [&](const std::string& key, const std::string& value) {
        for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
          text.replace(at, key.size(), value);
          if (key == "{}") used_file = true;
        }
      };
      replace("{dest}", dest_text);
      replace("{machine}", proc::shell_quote(dest.machine.name));
      replace("{}", proc::shell_quote(file));
      if (!used_file) text += " " + proc::shell_quote(file);
      argv = {"/bin/sh", "-c", text};
      via_shell = true;
    }
    std::string devices;
    for (const std::string& a : dest.args) devices += (devices.empty() ? "" : "\n") + a;
    const std::vector<std::string> env = {
        "MIGCHECK_DEST_MACHINE=" + dest.machine.name,
        "MIGCHECK_DEST_PROFILE=" + std::string(dest.profile ? dest.profile->name : "qemu-7.2"),
        "MIGCHECK_DEST_DEVICES=" + devices};
    const proc::Limits limits = current_limits();
    const proc::Outcome o = proc::run_command(argv, env, limits);
    if (!o.started) {
      r.reason = o.error;
      r.seconds = o.seconds;
      return r;
    }
    if (via_shell && o.exited_cleanly() && shell_crash_status(o.exit_code) && o.output.empty()) {
      r.outcome = AdapterOutcome::Crash;
      r.reason = "exit " + std::to_string(o.exit_code) + " from the shell: signal " +
                 std::to_string(o.exit_code - 128);
    } else if (!o.exited_cleanly()) {
      r = classify_worker(o, limits.timeout_seconds);
    } else {
      r = parse_result(o.output);
      if (r.outcome == AdapterOutcome::Malformed)
        r.reason += " (" + o.how() + (o.log.empty() ? "" : "; stderr: " + excerpt(o.log, 200)) + ")";
    }
    r.log = o.log;
    r.seconds = o.seconds;
    return r;
  }

 private:
  static std::string base_name(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  }
  std::string command_;
  std::optional<std::vector<std::string>> words_;
  AdapterInfo info_;
};

}  // namespace

std::unique_ptr<Adapter> open_command_adapter(const std::string& command, std::string* error) {
  auto words = proc::split_command(command);
  if (command.find_first_not_of(" \t") == std::string::npos) {
    *error = "cmd: needs a command";
    return nullptr;
  }
  if (words && !proc::executable_exists((*words)[0])) {
    *error = "cmd: '" + (*words)[0] + "' is not an executable file or on PATH";
    return nullptr;
  }
  return std::make_unique<CommandAdapter>(command, std::move(words));
}

}  // namespace migcheck::harness
