#include "captures.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace migcheck::test {

// MIGCHECK_CAPTURES points the capture tests at another set made the same
// way (streams/, negative/results.json), e.g. a team's held-back captures.
std::string corpus_dir() {
  if (const char* dir = std::getenv("MIGCHECK_CAPTURES"); dir && *dir) return dir;
  return std::string(MIGCHECK_SOURCE_DIR) + "/corpora/qemu-7.2";
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return nlohmann::json::parse(in);
}

std::vector<std::string> stream_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(corpus_dir() + "/streams"))
    if (e.path().extension() == ".mig") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

CommandLine destination_of(const nlohmann::json& cmdline) {
  CommandLine c;
  for (std::size_t i = 0; i + 1 < cmdline.size(); ++i) {
    const std::string arg = cmdline[i].get<std::string>();
    if (arg == "-machine") c.machine = cmdline[i + 1].get<std::string>();
    if (arg == "-device") c.devices.push_back(cmdline[i + 1].get<std::string>());
  }
  return c;
}

std::vector<std::string> error_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  const std::string prefix = "qemu-system-x86_64: ";
  while (std::getline(in, line)) {
    if (line.starts_with(prefix)) line = line.substr(prefix.size());
    if (line.empty() || line.starts_with("warning: ")) continue;
    lines.push_back(line);
  }
  return lines;
}

}  // namespace migcheck::test
