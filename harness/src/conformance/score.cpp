#include "score.h"

#include <algorithm>

namespace migcheck::conformance {

using harness::AdapterOutcome;

std::string_view to_string(CellStatus s) {
  switch (s) {
    case CellStatus::Pass: return "pass";
    case CellStatus::Alternative: return "alternative";
    case CellStatus::Fail: return "fail";
    case CellStatus::Unsupported: return "unsupported";
  }
  return "?";
}

namespace {

// Differences of an accept/reject that went the expected way.
void compare_details(const Vector& v, const Actual& a, bool strict, std::vector<std::string>& why) {
  const Expected& e = v.expected;
  if (!e.rule.empty()) {
    if (!e.accepted) {
      if (a.rule.empty() ? strict : a.rule != e.rule)
        why.push_back("rule " + (a.rule.empty() ? std::string("(none)") : a.rule) + ", expected " + e.rule);
    } else if (a.applied) {
      if (std::find(a.applied->begin(), a.applied->end(), e.rule) == a.applied->end())
        why.push_back("rule " + e.rule + " did not apply");
    }
  }
  if (!e.message.empty()) {
    // The reference's first line must be QEMU's; an implementation that
    // prints something else (e.g. all of stderr) must at least contain it.
    const bool ok = strict ? a.reason == e.message : (a.reason.empty() || a.reason.find(e.message) != std::string::npos);
    if (!ok) why.push_back("message \"" + a.reason + "\", expected \"" + e.message + "\"");
  }
  if (e.messages && a.messages && *a.messages != *e.messages) {
    std::size_t i = 0;
    while (i < a.messages->size() && i < e.messages->size() && (*a.messages)[i] == (*e.messages)[i]) ++i;
    why.push_back("message " + std::to_string(i + 1) + " is \"" + (i < a.messages->size() ? (*a.messages)[i] : "(none)") +
                  "\", QEMU printed \"" + (i < e.messages->size() ? (*e.messages)[i] : "(nothing more)") + "\"");
  }
  if (e.accepted)
    for (const auto& [ptr, want] : e.state) {
      try {
        const nlohmann::json::json_pointer p(ptr);
        if (!a.devices.contains(p)) {
          why.push_back("state " + ptr + " missing");
          continue;
        }
        const nlohmann::json& got = a.devices.at(p);
        if (got != want) why.push_back("state " + ptr + " = " + got.dump() + ", expected " + want.dump());
      } catch (const nlohmann::json::exception&) {
        why.push_back("state " + ptr + ": not a usable JSON pointer into the devices");
      }
    }
}

}  // namespace

Cell score(const Vector& v, const Actual& actual, bool strict) {
  Cell c;
  c.actual = actual;
  switch (actual.outcome) {
    case AdapterOutcome::Unsupported:
      c.status = CellStatus::Unsupported;
      c.why.push_back(actual.reason.empty() ? "unsupported" : actual.reason);
      return c;
    case AdapterOutcome::Crash:
    case AdapterOutcome::Timeout:
    case AdapterOutcome::Malformed:
      c.status = CellStatus::Fail;
      c.why.push_back(std::string(harness::to_string(actual.outcome)) + (actual.reason.empty() ? "" : ": " + actual.reason) +
                      (v.has_flag("qemu-defect") ? " (QEMU itself hangs or crashes here)" : ""));
      return c;
    case AdapterOutcome::Accepted:
    case AdapterOutcome::Rejected:
      break;
  }
  const bool accepted = actual.outcome == AdapterOutcome::Accepted;
  if (accepted != v.expected.accepted) {
    // acceptable: QEMU accepts after sanitizing / marking broken / not
    // checking; a loader that rejects instead (naming a rule, if it names
    // rules at all) is allowed unless it claims to be QEMU.
    // implementation-choice: the spec leaves the outcome open, so the other
    // one is allowed for every implementation, the reference included.
    if (v.result == ResultClass::Acceptable && v.has_flag("implementation-choice")) {
      c.status = CellStatus::Alternative;
      c.why.push_back(std::string(accepted ? "accepted" : "rejected") +
                      (actual.rule.empty() ? std::string() : " by " + actual.rule) +
                      " where the spec recommends the other outcome (allowed: implementation-choice)");
      return c;
    }
    if (v.result == ResultClass::Acceptable && !strict && !accepted && v.expected.accepted) {
      c.status = CellStatus::Alternative;
      c.why.push_back("rejected" + (actual.rule.empty() ? std::string() : " by " + actual.rule) +
                      " where QEMU accepts (allowed for acceptable vectors)");
      return c;
    }
    c.status = CellStatus::Fail;
    c.why.push_back(std::string(accepted ? "accepted" : "rejected") + (actual.rule.empty() ? "" : " (" + actual.rule + ")") +
                    (actual.reason.empty() ? "" : ": " + actual.reason) + ", expected " +
                    (v.expected.accepted ? "accepted" : "rejected"));
    return c;
  }
  compare_details(v, actual, strict, c.why);
  c.status = c.why.empty() ? CellStatus::Pass : CellStatus::Fail;
  return c;
}

}  // namespace migcheck::conformance
