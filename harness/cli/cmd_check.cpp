// migcheck check FILE: load as the destination would.
#include <iostream>

#include "check_report.h"
#include "commands.h"
#include "input.h"

namespace migcheck::cli::check_cmd {

namespace {

struct CheckOptions {
  std::string file;
  DestinationOptions dest;
  bool roundtrip = false;
  bool json = false;
};

int run_check(const CheckOptions& o) {
  auto in = open_input(o.file, o.dest);
  if (!in) return kUsage;
  const auto* input = &in->bytes;
  const Destination* dest = &in->dest;
  LoadOptions options;
  options.keep_parsed = o.roundtrip;
  const LoadResult result = load_any(*input, *dest, options);
  CheckReport report{.file = o.file, .full_stream = is_full_stream(*input), .destination = dest, .result = &result};
  if (o.roundtrip)
    for (const LoadedDevice& dev : result.devices) report.roundtrips.push_back(roundtrip_section(*input, dev));
  if (o.json)
    std::cout << to_json(report).dump(2) << "\n";
  else
    std::cout << to_text(report);
  switch (result.verdict) {
    case Verdict::Accepted: return kAccepted;
    case Verdict::Rejected: return kRejected;
    case Verdict::Unsupported: return kUnsupported;
  }
  return kUsage;
}

}  // namespace

namespace {

void add_check(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Load a stream (or one virtio section record) as a QEMU destination would: accepted or rejected with the "
      "rule, QEMU's messages and the byte offset, and the loaded devices as QMP shows them.");
  cmd->add_option("FILE", opts->file, "migration stream (starts with QEVM) or a section record")->required();
  add_destination_options(*cmd, opts->dest);
  cmd->add_flag("--roundtrip", opts->roundtrip, "re-encode every virtio section and compare with the input");
  cmd->add_flag("--json", opts->json, "print one JSON object");
  cmd->callback([opts, &exit_code] { exit_code = run_check(*opts); });
}

const bool registered = register_command({"check", 10, add_check});

}  // namespace

}  // namespace migcheck::cli::check_cmd
