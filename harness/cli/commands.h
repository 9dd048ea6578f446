// Subcommands of the migcheck tool. Each command file registers itself:
//
//   static const bool registered = register_command({"check", 10, add_check});
//
// so adding a command is adding one file (cli/ is compiled into the tool).
#pragma once

#include <CLI/CLI.hpp>

namespace migcheck::cli {

struct Command {
  const char* name;
  int order;  // position in --help
  // Adds the subcommand to `app`; its callback stores the exit code.
  void (*add)(CLI::App& app, int& exit_code);
};

bool register_command(Command command);
void add_registered_commands(CLI::App& app, int& exit_code);

}  // namespace migcheck::cli
