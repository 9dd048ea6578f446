// migcheck: check, decode and (later) fuzz QEMU virtio migration streams.
#include <iostream>

#include "commands.h"
#include "input.h"

int main(int argc, char** argv) {
  CLI::App app{
      "migcheck: a reference loader for QEMU's virtio device-state migration streams.\n"
      "Exit codes: 0 accepted, 1 rejected, 2 usage or I/O error, 3 unsupported input."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "migcheck 0.1.0 (reference: QEMU 7.2.22 semantics)");
  int exit_code = migcheck::cli::kUsage;
  migcheck::cli::add_registered_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : migcheck::cli::kUsage;
  }
  return exit_code;
}
