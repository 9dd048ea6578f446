// What the fuzz tooling derives from the schema: the fuzz targets and their
// engine files (OSS-Fuzz's <target>.dict and <target>.options), written by
// `migcheck corpus export` and checked in under fuzzers/dicts/ and fuzzers/.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace migcheck::harness {

struct FuzzTarget {
  std::string_view name;      // "fuzz_load"
  std::string_view corpus;    // corpora/seed/<corpus>
  std::string_view dict;      // fuzzers/dicts/<dict>.dict, "" for FuzzedDataProvider targets
  std::size_t max_len;        // libFuzzer -max_len
  std::string_view summary;
};
std::span<const FuzzTarget> fuzz_targets();
const FuzzTarget* find_fuzz_target(std::string_view name);

// The libFuzzer / AFL++ dictionary for a target's dict kind ("load": section
// records; "stream": + framing, RAM, vmdesc): every vmsd and subsection name
// the schema reaches (plain and as a 0x05 subsection header), the idstrs of
// every modelled device on each transport, machine types, magic and record
// types. Deterministic: the checked-in files are compared with it.
std::string fuzz_dictionary(std::string_view dict_kind);

// OSS-Fuzz <target>.options: [libfuzzer] dict and max_len.
std::string fuzz_options(const FuzzTarget& target);

}  // namespace migcheck::harness

// ---- running the engines (migcheck fuzz / corpus) -------------------------------

namespace migcheck::harness {

// The fuzzer binary of `target` in a build directory (<build>/fuzzers/<target>),
// or "" if it is not there.
std::string fuzzer_binary(const std::string& build_dir, std::string_view target);

// Runs argv (argv[0] looked up in PATH) with stdout+stderr appended to
// `log` ("" keeps them), `env` entries ("K=V") added; returns the pid or -1.
int spawn(const std::vector<std::string>& argv, const std::string& log, const std::vector<std::string>& env = {});
// Waits for pid; returns its exit status, or 128+signal.
int wait_exit(int pid);
// Runs argv to completion, capturing stdout+stderr; returns the exit status.
int run_capture(const std::vector<std::string>& argv, std::string* output, const std::vector<std::string>& env = {});
// argv as one shell-quoted line (reproduce commands).
std::string shell_line(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

// The stable title of a crash report: the first "migcheck-fuzz:" /
// "migcheck-diff:" line, else the sanitizer's SUMMARY line, else the first
// "==ERROR" line, with addresses removed.
std::string crash_title(std::string_view report);

}  // namespace migcheck::harness
