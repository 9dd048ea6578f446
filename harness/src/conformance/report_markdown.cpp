#include <sstream>

#include "report.h"

namespace migcheck::conformance {

namespace {
std::string md(std::string_view s) {  // keep table cells on one line, pipes escaped
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}
}  // namespace

std::string summary_markdown(const RunReport& r) {
  const Corpus& c = *r.corpus;
  std::ostringstream o;
  o << "# Conformance summary\n\n" << r.selected.size() << " vectors from " << c.suites.size()
    << " files; inputs built in " << seconds_text(r.build_seconds) << ".\n\n"
    << "| implementation | pass | alternative | fail | unsupported | load time | column time |\n"
    << "|---|---|---|---|---|---|---|\n";
  for (const Implementation& impl : r.implementations)
    o << "| `" << md(impl.spec) << "`" << (impl.strict ? " (strict)" : "") << " | " << impl.count(CellStatus::Pass) << " | "
      << impl.count(CellStatus::Alternative) << " | " << impl.count(CellStatus::Fail) << " | "
      << impl.count(CellStatus::Unsupported) << " | " << seconds_text(impl.load_seconds) << " | "
      << seconds_text(impl.wall_seconds) << " |\n";
  for (const Implementation& impl : r.implementations) {
    if (!impl.error.empty()) o << "\n`" << md(impl.spec) << "` could not be opened: " << md(impl.error) << "\n";
    if (impl.count(CellStatus::Fail) == 0) continue;
    o << "\n## Failures: `" << md(impl.spec) << "`\n\n| vector | result | why |\n|---|---|---|\n";
    std::size_t shown = 0;
    for (std::size_t k = 0; k < r.selected.size(); ++k) {
      const Cell& cell = impl.cells[k];
      if (cell.status != CellStatus::Fail) continue;
      if (++shown > 100) {
        o << "| … | | " << impl.count(CellStatus::Fail) - 100 << " more in results.json |\n";
        break;
      }
      const Vector& v = c.vectors[r.selected[k]];
      std::string why;
      for (const std::string& w : cell.why) why += (why.empty() ? "" : "; ") + w;
      o << "| `" << v.name << "` | " << to_string(v.result) << " | " << md(why) << " |\n";
    }
  }
  std::size_t required = 0, covered = 0;
  for (const CoverageRow& row : r.coverage.rules)
    if (row.required) ++required, covered += row.vectors.empty() ? 0 : 1;
  o << "\n## Coverage\n\n" << covered << " of " << required
    << " load rules of spec §7 (or carrying a CVE) are named by a vector";
  std::size_t cves = 0;
  for (const auto& [cve, vs] : r.coverage.cves) cves += vs.empty() ? 0 : 1;
  o << "; " << cves << " of " << r.coverage.cves.size() << " CVEs of spec §8 have a vector.\n\n";
  o << "| rule | spec | vectors | uncovered because |\n|---|---|---|---|\n";
  for (const CoverageRow& row : r.coverage.rules)
    if (row.required)
      o << "| `" << row.id << "` | " << md(row.spec) << (row.cve.empty() ? "" : " " + md(row.cve)) << " | "
        << row.vectors.size() << " | " << md(row.why_uncovered) << " |\n";
  o << "\n| CVE | vectors |\n|---|---|\n";
  for (const auto& [cve, vs] : r.coverage.cves) o << "| " << cve << " | " << vs.size() << " |\n";
  for (const std::string& g : r.coverage.gaps) o << "\n**Gap:** " << md(g) << "\n";
  for (const std::string& u : r.coverage.unknown_rules) o << "\n**Unknown rule id in a vector:** " << md(u) << "\n";
  return o.str();
}

}  // namespace migcheck::conformance
