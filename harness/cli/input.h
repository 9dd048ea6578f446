// What every subcommand shares: reading the input file, choosing the
// destination (given or inferred) and the profile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "migcheck/profile/destination.h"

namespace migcheck::cli {

// Exit codes of every subcommand.
enum Exit : int { kAccepted = 0, kRejected = 1, kUsage = 2, kUnsupported = 3 };

struct DestinationOptions {
  std::string machine;               // --machine
  std::vector<std::string> devices;  // --device, repeatable
  std::string profile = "qemu-7.2";  // --profile
};

// --machine / --device / --profile on a subcommand.
void add_destination_options(CLI::App& cmd, DestinationOptions& options);

// Reads the whole file (bounded: 1 GiB); nullopt with a message on failure.
std::optional<std::vector<std::uint8_t>> read_file(const std::string& path, std::string* error);

// The destination from --machine/--device, or inferred from the input when
// neither is given (--machine alone keeps the inferred devices).
std::optional<Destination> choose_destination(const DestinationOptions& options,
                                              const std::vector<std::uint8_t>& input, std::string* error);

// A file and the destination it is loaded into.
struct Input {
  std::vector<std::uint8_t> bytes;
  Destination dest;
};
// read_file + choose_destination; prints "migcheck: <why>" to stderr and
// returns nullopt on failure (the caller exits with kUsage).
std::optional<Input> open_input(const std::string& path, const DestinationOptions& options);

}  // namespace migcheck::cli
