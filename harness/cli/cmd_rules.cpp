// migcheck rules: every load rule the reference applies.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "input.h"
#include "migcheck/vmstate/rule.h"

namespace migcheck::cli::rules_cmd {

namespace {

void add_rules(CLI::App& app, int& exit_code) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("rules", "List every load rule: id, QEMU outcome, QEMU's message, origin, CVE.");
  cmd->add_flag("--json", *json, "print a JSON array");
  cmd->callback([json, &exit_code] {
    if (*json) {
      nlohmann::json all = nlohmann::json::array();
      for (RuleRef r : all_rules())
        all.push_back({{"id", r->id},
                       {"outcome", to_string(r->outcome)},
                       {"qemu_message", r->qemu_message},
                       {"origin", r->origin},
                       {"spec", r->spec},
                       {"cve", r->cve},
                       {"qemu_defect", r->qemu_defect()},
                       {"qemu_fate", to_string(r->qemu)}});
      std::cout << all.dump(2) << "\n";
    } else {
      for (RuleRef r : all_rules())
        std::cout << fmt::format("{:<34} {:<8} {}{}\n", r->id, to_string(r->outcome),
                                 r->qemu_message.empty() ? "(silent)" : r->qemu_message,
                                 r->qemu_defect() ? fmt::format("  [QEMU: {}]", to_string(r->qemu)) : "");
    }
    exit_code = kAccepted;
  });
}

const bool registered = register_command({"rules", 90, add_rules});

}  // namespace

}  // namespace migcheck::cli::rules_cmd
