#include "report.h"

namespace migcheck::conformance {

using nlohmann::json;

namespace {

json expected_json(const Expected& e) {
  json j = {{"outcome", e.accepted ? "accepted" : "rejected"}};
  if (!e.rule.empty()) j["rule"] = e.rule;
  if (!e.message.empty()) j["message"] = e.message;
  if (e.messages) j["messages"] = *e.messages;
  if (!e.state.empty()) {
    json s = json::object();
    for (const auto& [k, v] : e.state) s[k] = v;
    j["state"] = s;
  }
  return j;
}

json actual_json(const Actual& a) {
  json j = {{"outcome", harness::to_string(a.outcome)}, {"seconds", a.seconds}};
  if (!a.rule.empty()) j["rule"] = a.rule;
  if (!a.reason.empty()) j["reason"] = a.reason;
  if (a.messages) j["messages"] = *a.messages;
  if (a.applied) j["applied"] = *a.applied;
  if (!a.devices.empty()) j["devices"] = a.devices;
  return j;
}

}  // namespace

json results_json(const RunReport& r) {
  const Corpus& c = *r.corpus;
  json out = {{"format", "migcheck-conformance-results-1"}, {"vectors", json::array()},
              {"implementations", json::array()}, {"build_seconds", r.build_seconds}};
  for (const Implementation& impl : r.implementations) {
    json j = {{"spec", impl.spec}, {"name", impl.name}, {"version", impl.version}, {"strict", impl.strict},
              {"load_seconds", impl.load_seconds}, {"wall_seconds", impl.wall_seconds},
              {"counts", {{"pass", impl.count(CellStatus::Pass)}, {"alternative", impl.count(CellStatus::Alternative)},
                          {"fail", impl.count(CellStatus::Fail)}, {"unsupported", impl.count(CellStatus::Unsupported)}}}};
    if (!impl.error.empty()) j["error"] = impl.error;
    out["implementations"].push_back(j);
  }
  for (std::size_t k = 0; k < r.selected.size(); ++k) {
    const Vector& v = c.vectors[r.selected[k]];
    json j = {{"id", c.id(v)}, {"name", v.name}, {"file", c.suites[v.suite].file}, {"tcId", v.tc_id},
              {"comment", v.comment}, {"result", to_string(v.result)}, {"flags", v.flags},
              {"expected", expected_json(v.expected)}, {"source", v.source}, {"cells", json::object()}};
    if (v.qemu) j["qemu"] = {{"exit", v.qemu->exit}, {"stderr", v.qemu->stderr_lines}};
    if (!r.input_errors[k].empty()) j["input_error"] = r.input_errors[k];
    for (const Implementation& impl : r.implementations) {
      const Cell& cell = impl.cells[k];
      j["cells"][impl.spec] = {{"status", to_string(cell.status)}, {"why", cell.why}, {"actual", actual_json(cell.actual)}};
    }
    out["vectors"].push_back(j);
  }
  json cov = {{"rules", json::array()}, {"cves", json::array()}, {"unknown_rules", r.coverage.unknown_rules},
              {"gaps", r.coverage.gaps}};
  for (const CoverageRow& row : r.coverage.rules) {
    json j = {{"id", row.id}, {"spec", row.spec}, {"required", row.required}, {"vectors", row.vectors}};
    if (!row.cve.empty()) j["cve"] = row.cve;
    if (!row.why_uncovered.empty()) j["why_uncovered"] = row.why_uncovered;
    cov["rules"].push_back(j);
  }
  for (const auto& [cve, vs] : r.coverage.cves) cov["cves"].push_back({{"cve", cve}, {"vectors", vs}});
  out["coverage"] = cov;
  return out;
}

}  // namespace migcheck::conformance
