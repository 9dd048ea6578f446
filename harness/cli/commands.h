// Subcommands of the migcheck tool.
#pragma once

#include <CLI/CLI.hpp>

namespace migcheck::cli {

// Each adds its subcommand to `app`; the callback stores the exit code.
void add_check(CLI::App& app, int& exit_code);
void add_dump(CLI::App& app, int& exit_code);
void add_rules(CLI::App& app, int& exit_code);

}  // namespace migcheck::cli
