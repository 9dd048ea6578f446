#include "commands.h"

#include <algorithm>
#include <vector>

namespace migcheck::cli {

namespace {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace

bool register_command(Command command) {
  registry().push_back(command);
  return true;
}

void add_registered_commands(CLI::App& app, int& exit_code) {
  std::vector<Command> sorted = registry();
  std::sort(sorted.begin(), sorted.end(), [](const Command& a, const Command& b) { return a.order < b.order; });
  for (const Command& c : sorted) c.add(app, exit_code);
}

}  // namespace migcheck::cli
