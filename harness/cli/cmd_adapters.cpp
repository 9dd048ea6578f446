// migcheck adapters: the built-in adapter specs, what each can do, and
// whether it can run here; with SPEC..., opens each and shows its
// declared capabilities (a C ABI library, a command, ...).
#include <iostream>

#include <fmt/format.h>

#include "commands.h"
#include "input.h"
#include "migcheck/harness/adapters.h"
#include "migcheck/harness/seeded.h"

namespace migcheck::cli::adapters_cmd {

namespace {

using harness::Adapter;
using harness::AdapterInfo;

std::string list_or_all(const std::vector<std::string>& v, const char* all) {
  if (v.empty()) return all;
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

nlohmann::json info_json(const AdapterInfo& i) {
  return {{"name", i.name},           {"version", i.version},         {"spec", i.spec},
          {"devices", i.devices},     {"transports", i.transports},   {"profiles", i.profiles},
          {"can_save", i.can_save},   {"section_records", i.section_records},
          {"isolated", i.isolated},   {"real_qemu", i.real_qemu}};
}

struct Options {
  std::vector<std::string> specs;
  bool json = false;
};

int run(const Options& o) {
  nlohmann::json out = nlohmann::json::array();
  int rc = kAccepted;
  if (o.specs.empty()) {
    for (const harness::BuiltinAdapter& b : harness::builtin_adapters()) {
      out.push_back({{"spec", b.spec}, {"description", b.description}, {"available", b.available},
                     {"why_not", b.why_not}});
      if (!o.json)
        std::cout << fmt::format("{:<34} {}{}\n", b.spec, b.description,
                                 b.available ? "" : "\n" + std::string(35, ' ') + "[unavailable: " + b.why_not + "]");
    }
    if (!o.json)
      std::cout << "\nAlso: lib:PATH[,fork] (a C ABI shared library, <migcheck/adapter.h>), cmd:COMMAND (a "
                   "subprocess printing `migcheck check --json`'s shape); \",fork\" isolates in-process ones.\n";
  }
  for (const std::string& spec : o.specs) {
    std::string error;
    std::unique_ptr<Adapter> a = harness::open_adapter(spec, &error);
    if (!a) {
      std::cerr << "migcheck: " << error << "\n";
      out.push_back({{"spec", spec}, {"error", error}});
      rc = kUsage;
      continue;
    }
    const AdapterInfo& i = a->info();
    out.push_back(info_json(i));
    if (!o.json)
      std::cout << fmt::format(
          "{}: {} {}\n  devices: {}\n  transports: {}\n  profiles: {}\n  save: {}  section records: {}  "
          "isolated: {}\n",
          spec, i.name, i.version, list_or_all(i.devices, "all"), list_or_all(i.transports, "all"),
          list_or_all(i.profiles, "qemu-7.2"), i.can_save ? "yes" : "no", i.section_records ? "yes" : "no (wrapped)",
          i.isolated ? "yes" : "no (in-process)");
  }
  if (o.json) std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return rc;
}

void add(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "adapters",
      "List the built-in adapters (reference, qemu, seeded:NAME) and whether they can run here; with SPEC..., open "
      "each adapter and print its declared capabilities.");
  cmd->add_option("SPEC", o->specs, "adapter specs to open: reference, qemu, lib:PATH[,fork], cmd:COMMAND, seeded:NAME");
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

const bool registered = register_command({"adapters", 40, add});

}  // namespace

}  // namespace migcheck::cli::adapters_cmd
