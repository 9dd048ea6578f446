#include <sstream>

#include "report.h"

namespace migcheck::conformance {

// One <testsuite> per implementation, one <testcase> per vector:
// fail -> <failure>, unsupported -> <skipped>, pass/alternative -> passed.
std::string junit_xml(const RunReport& r) {
  const Corpus& c = *r.corpus;
  std::size_t tests = 0, failures = 0, skipped = 0;
  for (const Implementation& impl : r.implementations) {
    tests += impl.cells.size();
    failures += impl.count(CellStatus::Fail);
    skipped += impl.count(CellStatus::Unsupported);
  }
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<testsuites name=\"migcheck-conformance\" tests=\"" << tests << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\""
    << skipped << "\">\n";
  for (const Implementation& impl : r.implementations) {
    o << "  <testsuite name=\"" << xml_escape(impl.spec) << "\" tests=\"" << impl.cells.size() << "\" failures=\""
      << impl.count(CellStatus::Fail) << "\" errors=\"0\" skipped=\"" << impl.count(CellStatus::Unsupported) << "\" time=\""
      << impl.wall_seconds << "\">\n";
    for (std::size_t k = 0; k < r.selected.size(); ++k) {
      const Vector& v = c.vectors[r.selected[k]];
      const Cell& cell = impl.cells[k];
      o << "    <testcase classname=\"" << xml_escape(impl.spec + "." + c.suites[v.suite].name) << "\" name=\""
        << xml_escape(v.name) << "\" time=\"" << cell.actual.seconds << "\"";
      std::string why;
      for (const std::string& w : cell.why) why += (why.empty() ? "" : "; ") + w;
      if (cell.status == CellStatus::Fail) {
        o << ">\n      <failure message=\"" << xml_escape(why) << "\" type=\"" << xml_escape(to_string(v.result)) << "\">"
          << xml_escape(c.id(v) + ": " + v.comment + "\n" + why) << "</failure>\n    </testcase>\n";
      } else if (cell.status == CellStatus::Unsupported) {
        o << ">\n      <skipped message=\"" << xml_escape(why) << "\"/>\n    </testcase>\n";
      } else {
        o << "/>\n";
      }
    }
    o << "  </testsuite>\n";
  }
  o << "</testsuites>\n";
  return o.str();
}

}  // namespace migcheck::conformance
