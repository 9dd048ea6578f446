// The suite's reports: results.json (everything), JUnit XML (CI test
// reports), a Markdown summary and a self-contained report.html (the
// implementations x vectors matrix). Each is written atomically.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "runner.h"

namespace migcheck::conformance {

nlohmann::json results_json(const RunReport& report);
std::string junit_xml(const RunReport& report);
std::string summary_markdown(const RunReport& report);
std::string report_html(const RunReport& report);

// results.json, junit.xml, summary.md, report.html under `dir` (created).
bool write_reports(const std::string& dir, const RunReport& report, std::string* error);

// Small helpers shared by the writers.
std::string xml_escape(std::string_view s);
std::string seconds_text(double s);  // "0.412 s"

}  // namespace migcheck::conformance
