#include <cstdio>
#include <filesystem>

#include "migcheck/harness/oracle.h"
#include "report.h"

namespace migcheck::conformance {

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // XML 1.0 has no place for other control characters; they never
        // occur in QEMU's messages, but an adapter's reason might carry one.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') out += "?";
        else out += c;
    }
  }
  return out;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

bool write_reports(const std::string& dir, const RunReport& report, std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    *error = dir + ": " + ec.message();
    return false;
  }
  // Through a temporary file and rename(): a reader never sees half a report.
  return harness::write_atomic(dir + "/results.json", results_json(report).dump(1) + "\n", error) &&
         harness::write_atomic(dir + "/junit.xml", junit_xml(report), error) &&
         harness::write_atomic(dir + "/summary.md", summary_markdown(report), error) &&
         harness::write_atomic(dir + "/report.html", report_html(report), error);
}

}  // namespace migcheck::conformance
