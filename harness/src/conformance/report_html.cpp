// report.html: one self-contained page (inline CSS and JS, no network).
// The matrix is rendered here, so it reads without JavaScript; the script
// only filters rows (flag, result, status, text) and opens a cell's detail.
#include <map>
#include <set>
#include <sstream>

#include "report.h"

namespace migcheck::conformance {

namespace {

constexpr const char* kStyle = R"(
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:14px 22px}header h1{margin:0;font-size:19px}
header p{margin:4px 0 0;color:#b8c0cc}main{padding:14px 22px}
table{border-collapse:collapse;background:#fff}th,td{border:1px solid #dde1e7;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#eef1f5;position:sticky;top:0;z-index:1}
.summary td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:flex;gap:14px;align-items:center;flex-wrap:wrap;margin:12px 0;padding:8px 10px;background:#fff;border:1px solid #dde1e7}
.bar label{font-weight:600}select,input{font:inherit;padding:2px 4px}
.legend span{display:inline-block;margin-right:10px}
.c{display:inline-block;min-width:58px;text-align:center;border-radius:3px;padding:1px 4px;color:#fff;font-weight:600;text-decoration:none}
.pass{background:#2e9d4f}.alternative{background:#8fb82e}.fail{background:#d23f4f}.unsupported{background:#a3aab5}
.r{font-size:11px;border-radius:3px;padding:0 5px;border:1px solid}
.r-valid{color:#1f7a3c;border-color:#1f7a3c}.r-invalid{color:#b3261e;border-color:#b3261e}.r-acceptable{color:#8a6d00;border-color:#8a6d00}
.f{display:inline-block;font-size:11px;background:#eef1f5;border-radius:8px;padding:0 6px;margin:1px 2px 1px 0;cursor:pointer}
.f:hover{background:#d6dce6}.name{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
td.cm{color:#5b6474;max-width:420px}tr.hidden{display:none}
details{background:#fff;border:1px solid #dde1e7;margin:6px 0;padding:6px 10px}details[open]{border-color:#6b7a99}
summary{cursor:pointer}pre{background:#f3f5f8;padding:6px;overflow:auto;max-height:260px;margin:4px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:8px}
h2{font-size:16px;margin:20px 0 8px}.muted{color:#5b6474}
)";

constexpr const char* kScript = R"(
(function(){
 var rows=[].slice.call(document.querySelectorAll('#matrix tbody tr'));
 var f=document.getElementById('flag'),r=document.getElementById('result'),s=document.getElementById('status'),q=document.getElementById('q');
 var n=document.getElementById('shown');
 function apply(){var c=0;rows.forEach(function(tr){
  var ok=(!f.value||(' '+tr.dataset.flags+' ').indexOf(' '+f.value+' ')>=0)&&(!r.value||tr.dataset.result===r.value)&&
   (!s.value||(' '+tr.dataset.status+' ').indexOf(' '+s.value+' ')>=0)&&(!q.value||tr.dataset.name.indexOf(q.value)>=0);
  tr.classList.toggle('hidden',!ok);if(ok)c++;});n.textContent=c;}
 [f,r,s].forEach(function(e){e.onchange=apply;});q.oninput=apply;
 document.querySelectorAll('.f').forEach(function(e){e.onclick=function(){f.value=e.textContent;apply();};});
 function open(){var id=location.hash.slice(1);if(!id)return;var d=document.getElementById(id);
  if(d&&d.tagName==='DETAILS'){d.open=true;}else if(d&&d.parentElement&&d.parentElement.tagName==='DETAILS'){d.parentElement.open=true;}}
 window.addEventListener('hashchange',open);open();apply();
})();
)";

std::string esc(std::string_view s) { return xml_escape(s); }

std::string json_block(const nlohmann::json& j) { return "<pre>" + esc(j.dump(1)) + "</pre>"; }

std::string symbol(CellStatus s) {
  switch (s) {
    case CellStatus::Pass: return "pass";
    case CellStatus::Alternative: return "alt";
    case CellStatus::Fail: return "FAIL";
    case CellStatus::Unsupported: return "n/a";
  }
  return "?";
}

}  // namespace

std::string report_html(const RunReport& r) {
  const Corpus& c = *r.corpus;
  const nlohmann::json results = results_json(r);
  std::set<std::string> flags;
  for (std::size_t i : r.selected)
    for (const std::string& f : c.vectors[i].flags) flags.insert(f);

  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    << "<title>migcheck conformance: " << r.selected.size() << " vectors</title><style>" << kStyle << "</style></head><body>\n"
    << "<header><h1>migcheck conformance — implementations × vectors</h1><p>" << r.selected.size() << " vectors from "
    << c.suites.size() << " files; expectations are QEMU 7.2.22's behaviour (spec or real QEMU observation). "
    << "Reference scored strictly; acceptable vectors allow a rejection by a rule for other implementations.</p></header>\n<main>\n";

  // Implementations summary.
  o << "<table class=\"summary\"><thead><tr><th>implementation</th><th>version</th><th>pass</th><th>alternative</th>"
    << "<th>fail</th><th>unsupported</th><th>load time</th></tr></thead><tbody>\n";
  for (const Implementation& impl : r.implementations) {
    o << "<tr><td class=\"name\">" << esc(impl.spec) << (impl.strict ? " <span class=\"muted\">(strict)</span>" : "")
      << "</td><td>" << esc(impl.error.empty() ? impl.version : "not available: " + impl.error) << "</td><td class=\"n\">"
      << impl.count(CellStatus::Pass) << "</td><td class=\"n\">" << impl.count(CellStatus::Alternative)
      << "</td><td class=\"n\">" << impl.count(CellStatus::Fail) << "</td><td class=\"n\">"
      << impl.count(CellStatus::Unsupported) << "</td><td class=\"n\">" << seconds_text(impl.load_seconds) << "</td></tr>\n";
  }
  o << "</tbody></table>\n";

  // Filters.
  o << "<div class=\"bar\"><label for=\"flag\">flag</label><select id=\"flag\"><option value=\"\">(any)</option>";
  for (const std::string& f : flags) o << "<option>" << esc(f) << "</option>";
  o << "</select><label for=\"result\">result</label><select id=\"result\"><option value=\"\">(any)</option>"
    << "<option>valid</option><option>invalid</option><option>acceptable</option></select>"
    << "<label for=\"status\">cells</label><select id=\"status\"><option value=\"\">(any)</option>"
    << "<option value=\"fail\">with a failure</option><option value=\"alternative\">with an alternative</option>"
    << "<option value=\"unsupported\">with unsupported</option></select>"
    << "<label for=\"q\">name</label><input id=\"q\" placeholder=\"substring\" size=\"18\">"
    << "<span><b id=\"shown\">" << r.selected.size() << "</b> shown</span><span class=\"legend\">"
    << "<span><span class=\"c pass\">pass</span></span><span><span class=\"c alternative\">alt</span></span>"
    << "<span><span class=\"c fail\">FAIL</span></span><span><span class=\"c unsupported\">n/a</span></span></span></div>\n";

  // The matrix.
  o << "<table id=\"matrix\"><thead><tr><th>vector</th><th>result</th><th>flags</th>";
  for (const Implementation& impl : r.implementations) o << "<th class=\"name\">" << esc(impl.spec) << "</th>";
  o << "<th>comment</th></tr></thead><tbody>\n";
  for (std::size_t k = 0; k < r.selected.size(); ++k) {
    const Vector& v = c.vectors[r.selected[k]];
    std::string fl, statuses;
    for (const std::string& f : v.flags) fl += (fl.empty() ? "" : " ") + f;
    for (const Implementation& impl : r.implementations) statuses += std::string(to_string(impl.cells[k].status)) + " ";
    o << "<tr data-name=\"" << esc(v.name) << "\" data-result=\"" << to_string(v.result) << "\" data-flags=\"" << esc(fl)
      << "\" data-status=\"" << statuses << "\"><td class=\"name\"><a href=\"#v-" << esc(v.name) << "\">" << esc(v.name)
      << "</a></td><td><span class=\"r r-" << to_string(v.result) << "\">" << to_string(v.result) << "</span></td><td>";
    for (const std::string& f : v.flags) o << "<span class=\"f\">" << esc(f) << "</span>";
    o << "</td>";
    for (std::size_t i = 0; i < r.implementations.size(); ++i) {
      const Cell& cell = r.implementations[i].cells[k];
      std::string title;
      for (const std::string& w : cell.why) title += (title.empty() ? "" : "; ") + w;
      o << "<td><a class=\"c " << to_string(cell.status) << "\" href=\"#v-" << esc(v.name) << "-" << i << "\" title=\""
        << esc(title.empty() ? std::string(harness::to_string(cell.actual.outcome)) : title) << "\">" << symbol(cell.status)
        << "</a></td>";
    }
    o << "<td class=\"cm\">" << esc(v.comment) << "</td></tr>\n";
  }
  o << "</tbody></table>\n";

  // Details: the expectation and every implementation's result.
  o << "<h2>Expectations and results</h2>\n";
  for (std::size_t k = 0; k < r.selected.size(); ++k) {
    const Vector& v = c.vectors[r.selected[k]];
    const nlohmann::json& jv = results["vectors"][k];
    o << "<details id=\"v-" << esc(v.name) << "\"><summary><span class=\"name\">" << esc(v.name) << "</span> — "
      << esc(c.id(v)) << " — " << esc(v.comment) << "</summary><div class=\"grid\"><div><b>expected</b> ("
      << to_string(v.result) << ")" << json_block(jv["expected"]) << "<b>source</b>" << json_block(jv["source"]);
    if (jv.contains("qemu")) o << "<b>real QEMU 7.2.22</b>" << json_block(jv["qemu"]);
    o << "</div>";
    for (std::size_t i = 0; i < r.implementations.size(); ++i) {
      const Cell& cell = r.implementations[i].cells[k];
      o << "<div id=\"v-" << esc(v.name) << "-" << i << "\"><b>" << esc(r.implementations[i].spec) << "</b>: <span class=\"c "
        << to_string(cell.status) << "\">" << symbol(cell.status) << "</span>";
      if (!cell.why.empty()) {
        o << "<ul>";
        for (const std::string& w : cell.why) o << "<li>" << esc(w) << "</li>";
        o << "</ul>";
      }
      o << json_block(jv["cells"][r.implementations[i].spec]["actual"]) << "</div>";
    }
    o << "</div></details>\n";
  }

  // Coverage.
  o << "<h2>Coverage of load rules (spec §7) and CVEs (spec §8)</h2><table><thead><tr><th>rule</th><th>spec</th>"
    << "<th>vectors</th><th>uncovered because</th></tr></thead><tbody>\n";
  for (const CoverageRow& row : r.coverage.rules) {
    if (!row.required) continue;
    o << "<tr><td class=\"name\">" << esc(row.id) << "</td><td>" << esc(row.spec) << " " << esc(row.cve) << "</td><td>"
      << row.vectors.size() << "</td><td>" << esc(row.why_uncovered) << "</td></tr>\n";
  }
  o << "</tbody></table><p></p><table><thead><tr><th>CVE</th><th>vectors</th></tr></thead><tbody>\n";
  for (const auto& [cve, vs] : r.coverage.cves) o << "<tr><td>" << esc(cve) << "</td><td>" << vs.size() << "</td></tr>\n";
  o << "</tbody></table>\n";
  for (const std::string& g : r.coverage.gaps) o << "<p><b>Gap:</b> " << esc(g) << "</p>\n";
  o << "</main><script>" << kScript << "</script></body></html>\n";
  return o.str();
}

}  // namespace migcheck::conformance
