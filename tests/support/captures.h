// The real QEMU 7.2 captures under corpora/qemu-7.2, as tests use them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace migcheck::test {

std::string corpus_dir();  // <source>/corpora/qemu-7.2, or $MIGCHECK_CAPTURES
std::vector<std::uint8_t> read_bytes(const std::string& path);
nlohmann::json read_json(const std::string& path);

// Names of streams/*.mig (without extension), sorted.
std::vector<std::string> stream_names();

// A QEMU command line (as recorded in the captures) reduced to what a
// migcheck destination takes: -machine and every -device.
struct CommandLine {
  std::string machine;
  std::vector<std::string> devices;
};
CommandLine destination_of(const nlohmann::json& cmdline);

// QEMU's stderr without warnings and without the "qemu-system-x86_64: "
// prefix, one line per entry.
std::vector<std::string> error_lines(const std::string& stderr_text);

}  // namespace migcheck::test
