#include "migcheck/vmstate/rule.h"

#include <vector>

#include "migcheck/devices/blk_rules.h"
#include "migcheck/devices/net_rules.h"
#include "migcheck/pci/rules.h"
#include "migcheck/stream/rules.h"
#include "migcheck/transports/ccw_rules.h"
#include "migcheck/virtio/rules.h"

namespace migcheck {

namespace vmstate {
std::span<const RuleRef> engine_rules();
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::Reject: return "reject";
    case Outcome::Sanitize: return "sanitize";
    case Outcome::Broken: return "broken";
    case Outcome::Warn: return "warn";
  }
  return "?";
}

std::string_view to_string(QemuFate f) {
  switch (f) {
    case QemuFate::AsOutcome: return "as-outcome";
    case QemuFate::Hang: return "hang";
    case QemuFate::Crash: return "crash";
    case QemuFate::Abort: return "abort";
    case QemuFate::Exit: return "exit";
  }
  return "?";
}

std::span<const RuleRef> all_rules() {
  static const std::vector<RuleRef> all = [] {
    std::vector<RuleRef> v;
    for (auto layer : {vmstate::engine_rules(), virtio::rules::all(), pci::rules::all(), devices::rules::net(), stream::rules::all(),
                      devices::rules::blk_balloon_serial(),
                      ccw::rules::all()})
      v.insert(v.end(), layer.begin(), layer.end());
    return v;
  }();
  return all;
}

RuleRef find_rule(std::string_view id) {
  for (RuleRef r : all_rules())
    if (r->id == id) return r;
  return nullptr;
}

}  // namespace migcheck
