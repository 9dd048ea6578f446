// Shared by the adapter tests: captures, field offsets, running the CLI.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "migcheck/profile/destination.h"

namespace migcheck::test {

std::vector<std::string> section_paths();  // corpora/qemu-7.2/sections/*.section.bin, sorted
std::vector<std::string> stream_paths();   // corpora/qemu-7.2/streams/*.mig, sorted
Destination inferred(std::span<const std::uint8_t> bytes);

// Offset and width of the first decoded field whose name is `name` (or
// starts with `name` + "["), in `bytes` loaded into `dest`; -1 if none.
struct Field {
  std::int64_t offset = -1;
  std::size_t width = 0;
};
Field find_field(std::span<const std::uint8_t> bytes, const Destination& dest, const std::string& name);
void put_be(std::vector<std::uint8_t>& bytes, std::size_t at, std::size_t width, std::uint64_t value);

struct Cli {
  int exit_code = -1;
  int signal = 0;
  std::string out, err;
};
// Runs the migcheck tool with `args` (timeout 300 s).
Cli run_cli(const std::vector<std::string>& args);

std::string temp_dir(const std::string& tag);  // a fresh directory under TMPDIR

}  // namespace migcheck::test
