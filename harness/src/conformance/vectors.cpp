#include "vectors.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

namespace migcheck::conformance {

namespace fs = std::filesystem;
using nlohmann::json;

std::string_view to_string(ResultClass r) {
  switch (r) {
    case ResultClass::Valid: return "valid";
    case ResultClass::Invalid: return "invalid";
    case ResultClass::Acceptable: return "acceptable";
  }
  return "?";
}

bool Vector::has_flag(std::string_view f) const { return std::find(flags.begin(), flags.end(), f) != flags.end(); }

std::string Corpus::id(const Vector& v) const { return suites[v.suite].file + "#" + std::to_string(v.tc_id); }

namespace {

// The schema's shape, checked by hand: each check appends "path: what".
class Shape {
 public:
  explicit Shape(std::vector<std::string>& errors) : errors_(errors) {}

  bool fail(const std::string& path, const std::string& what) {
    errors_.push_back(path + ": " + what);
    return false;
  }
  // An object with exactly the allowed keys, the required ones present.
  bool object(const json& j, const std::string& path, std::initializer_list<const char*> required,
              std::initializer_list<const char*> optional = {}) {
    if (!j.is_object()) return fail(path, "must be an object");
    bool ok = true;
    for (const char* k : required)
      if (!j.contains(k)) ok = fail(path, std::string("missing \"") + k + "\"");
    for (const auto& item : j.items()) {
      const std::string& k = item.key();
      const auto known = [&k](std::initializer_list<const char*> l) {
        return std::any_of(l.begin(), l.end(), [&k](const char* x) { return k == x; });
      };
      if (!known(required) && !known(optional)) ok = fail(path, "unknown property \"" + k + "\"");
    }
    return ok;
  }
  bool string(const json& j, const std::string& path) { return j.is_string() || fail(path, "must be a string"); }
  bool strings(const json& j, const std::string& path) {
    if (!j.is_array()) return fail(path, "must be an array of strings");
    bool ok = true;
    for (std::size_t i = 0; i < j.size(); ++i) ok = string(j[i], path + "/" + std::to_string(i)) && ok;
    return ok;
  }
  bool one_of(const json& j, const std::string& path, std::initializer_list<const char*> values) {
    if (j.is_string())
      for (const char* v : values)
        if (j.get<std::string>() == v) return true;
    return fail(path, "unexpected value " + j.dump());
  }
  bool hex(const json& j, const std::string& path, bool nonempty) {
    if (!j.is_string()) return fail(path, "must be a hex string");
    const std::string& s = j.get_ref<const std::string&>();
    if (s.size() % 2 || (nonempty && s.empty()) ||
        !std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
      return fail(path, "must be lowercase hex, two digits a byte");
    return true;
  }
  bool offset(const json& j, const std::string& path) {
    if (!j.is_string() || j.get_ref<const std::string&>().size() < 3 || j.get_ref<const std::string&>().rfind("0x", 0))
      return fail(path, "must be an offset \"0x...\"");
    const std::string& s = j.get_ref<const std::string&>();
    if (s.size() > 18 || !std::all_of(s.begin() + 2, s.end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        }))
      return fail(path, "must be an offset \"0x...\" (lowercase, 64-bit)");
    return true;
  }
  bool integer(const json& j, const std::string& path, std::int64_t min, std::int64_t max) {
    if (!j.is_number_integer()) return fail(path, "must be an integer");
    const auto v = j.get<std::int64_t>();
    if (v < min || v > max) return fail(path, "out of range");
    return true;
  }
  bool stream_path(const json& j, const std::string& path) {
    if (!string(j, path)) return false;
    const std::string& s = j.get_ref<const std::string&>();
    if (s.rfind("streams/", 0) != 0 || s.size() < 11 || s.find("..") != std::string::npos ||
        s.find('/', 8) != std::string::npos || !(s[8] == 'y' || s[8] == 'n' || s[8] == 'i') || s[9] != '_')
      return fail(path, "must name a file streams/[yni]_...");
    return true;
  }

 private:
  std::vector<std::string>& errors_;
};

void check_edit(Shape& s, const json& e, const std::string& p) {
  if (!e.is_object()) {
    s.fail(p, "must be an object");
    return;
  }
  if (e.contains("truncate")) {
    if (s.object(e, p, {"truncate"})) s.offset(e["truncate"], p + "/truncate");
  } else if (e.contains("put")) {
    if (s.object(e, p, {"at", "put"})) s.offset(e["at"], p + "/at"), s.hex(e["put"], p + "/put", true);
  } else if (e.contains("insert")) {
    if (s.object(e, p, {"at", "insert"}, {"repeat"})) {
      s.offset(e["at"], p + "/at"), s.hex(e["insert"], p + "/insert", true);
      if (e.contains("repeat")) s.integer(e["repeat"], p + "/repeat", 1, 65536);
    }
  } else if (e.contains("delete")) {
    if (s.object(e, p, {"at", "delete"})) s.offset(e["at"], p + "/at"), s.integer(e["delete"], p + "/delete", 1, 1 << 30);
  } else {
    s.fail(p, "must be one of put, insert, delete, truncate");
  }
}

void check_test(Shape& s, const json& t, const std::string& p) {
  if (!s.object(t, p, {"tcId", "name", "comment", "flags", "input", "result", "expected", "source"}, {"qemu"})) return;
  s.integer(t["tcId"], p + "/tcId", 1, 1 << 30);
  if (s.string(t["name"], p + "/name")) {
    const std::string& n = t["name"].get_ref<const std::string&>();
    if (n.size() < 3 || !(n[0] == 'y' || n[0] == 'n' || n[0] == 'i') || n[1] != '_' ||
        !std::all_of(n.begin() + 2, n.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }))
      s.fail(p + "/name", "must match ^[yni]_[a-z0-9_]+$");
  }
  s.string(t["comment"], p + "/comment");
  s.strings(t["flags"], p + "/flags");
  s.one_of(t["result"], p + "/result", {"valid", "invalid", "acceptable"});
  const json& in = t["input"];
  const std::string ip = p + "/input";
  if (in.is_object()) {
    const int forms = int(in.contains("file")) + int(in.contains("base")) + int(in.contains("hex"));
    if (forms != 1) s.fail(ip, "exactly one of file, base (+patch), hex");
    if (in.contains("file") && s.object(in, ip, {"file", "sha256"})) s.stream_path(in["file"], ip + "/file");
    if (in.contains("base") && s.object(in, ip, {"base", "patch", "sha256"})) {
      s.stream_path(in["base"], ip + "/base");
      if (!in["patch"].is_array() || in["patch"].empty()) s.fail(ip + "/patch", "must be a non-empty array");
      else
        for (std::size_t i = 0; i < in["patch"].size(); ++i) check_edit(s, in["patch"][i], ip + "/patch/" + std::to_string(i));
    }
    if (in.contains("hex") && s.object(in, ip, {"hex", "sha256"})) s.hex(in["hex"], ip + "/hex", false);
    if (in.contains("sha256") && (!in["sha256"].is_string() || in["sha256"].get_ref<const std::string&>().size() != 64))
      s.fail(ip + "/sha256", "must be 64 hex digits");
  } else {
    s.fail(ip, "must be an object");
  }
  const json& e = t["expected"];
  const std::string ep = p + "/expected";
  if (s.object(e, ep, {"outcome"}, {"rule", "message", "messages", "state"})) {
    s.one_of(e["outcome"], ep + "/outcome", {"accepted", "rejected"});
    if (e.contains("rule")) s.string(e["rule"], ep + "/rule");
    if (e.contains("message")) s.string(e["message"], ep + "/message");
    if (e.contains("messages")) s.strings(e["messages"], ep + "/messages");
    if (e.contains("state")) {
      if (!e["state"].is_object()) s.fail(ep + "/state", "must be an object");
      else
        for (const auto& [k, v] : e["state"].items()) {
          if (k.empty() || k[0] != '/') s.fail(ep + "/state", "\"" + k + "\" is not a JSON pointer");
          if (!(v.is_boolean() || v.is_number_integer() || v.is_string()))
            s.fail(ep + "/state/" + k, "must be a boolean, integer or string");
        }
    }
  }
  if (!t["source"].is_array() || t["source"].empty()) {
    s.fail(p + "/source", "must be a non-empty array");
  } else {
    for (std::size_t i = 0; i < t["source"].size(); ++i) {
      const std::string sp = p + "/source/" + std::to_string(i);
      const json& src = t["source"][i];
      if (s.object(src, sp, {"kind", "ref"}, {"note"}))
        s.one_of(src["kind"], sp + "/kind",
                 {"spec", "qemu-capture", "qemu-negative-capture", "qemu-team-notes", "qemu-observed", "field-report"});
    }
  }
  if (t.contains("qemu") && s.object(t["qemu"], p + "/qemu", {"version", "exit", "stderr"}, {"loadedAs"})) {
    s.integer(t["qemu"]["exit"], p + "/qemu/exit", -64, 255);
    s.strings(t["qemu"]["stderr"], p + "/qemu/stderr");
  }
}

}  // namespace

std::vector<std::string> validate_file(const json& doc) {
  std::vector<std::string> errors;
  Shape s(errors);
  if (!s.object(doc, "", {"schema", "suite", "description", "generatedBy", "numberOfTests", "header", "notes", "testGroups"}))
    return errors;
  if (doc["schema"] != "vectors.schema.json") s.fail("/schema", "must be \"vectors.schema.json\"");
  s.string(doc["suite"], "/suite");
  s.strings(doc["header"], "/header");
  if (doc["notes"].is_object()) {
    for (const auto& [flag, note] : doc["notes"].items())
      if (s.object(note, "/notes/" + flag, {"bugType", "description"}, {"cves", "links", "qemu"}))
        s.one_of(note["bugType"], "/notes/" + flag + "/bugType",
                 {"BASIC", "EDGE_CASE", "KNOWN_BUG", "LEGACY", "MODIFIED_PARAMETER", "DEFINED", "QEMU_DEFECT", "FIELD_REPORT"});
  } else {
    s.fail("/notes", "must be an object");
  }
  if (!doc["testGroups"].is_array() || doc["testGroups"].empty()) {
    s.fail("/testGroups", "must be a non-empty array");
    return errors;
  }
  std::size_t count = 0;
  for (std::size_t g = 0; g < doc["testGroups"].size(); ++g) {
    const json& grp = doc["testGroups"][g];
    const std::string gp = "/testGroups/" + std::to_string(g);
    if (!s.object(grp, gp, {"comment", "destination", "writer", "tests"})) continue;
    if (s.object(grp["destination"], gp + "/destination", {"machine", "devices", "profile"})) {
      s.string(grp["destination"]["machine"], gp + "/destination/machine");
      s.strings(grp["destination"]["devices"], gp + "/destination/devices");
      s.one_of(grp["destination"]["profile"], gp + "/destination/profile", {"qemu-2.0", "qemu-2.1", "qemu-2.4", "qemu-7.2"});
    }
    if (s.object(grp["writer"], gp + "/writer", {"profile", "machine"}, {"qemu"}))
      s.one_of(grp["writer"]["profile"], gp + "/writer/profile", {"qemu-2.0", "qemu-2.1", "qemu-2.4", "qemu-7.2"});
    if (!grp["tests"].is_array() || grp["tests"].empty()) {
      s.fail(gp + "/tests", "must be a non-empty array");
      continue;
    }
    for (std::size_t t = 0; t < grp["tests"].size(); ++t, ++count) {
      const json& test = grp["tests"][t];
      const std::string tp = gp + "/tests/" + std::to_string(t);
      check_test(s, test, tp);
      if (test.is_object() && test.contains("flags") && test["flags"].is_array())
        for (const json& f : test["flags"])
          if (f.is_string() && !(doc["notes"].is_object() && doc["notes"].contains(f.get<std::string>())))
            s.fail(tp + "/flags", "flag " + f.dump() + " has no note");
    }
  }
  if (!doc["numberOfTests"].is_number_unsigned() || doc["numberOfTests"].get<std::size_t>() != count)
    s.fail("/numberOfTests", "must be " + std::to_string(count) + ", the number of tests in the file");
  return errors;
}

namespace {

std::vector<std::uint8_t> from_hex(const std::string& s) {
  std::vector<std::uint8_t> out(s.size() / 2);
  const auto nib = [](char c) { return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10); };
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(nib(s[2 * i]) << 4 | nib(s[2 * i + 1]));
  return out;
}

std::uint64_t from_offset(const json& j) { return std::stoull(j.get<std::string>().substr(2), nullptr, 16); }

Edit to_edit(const json& e) {
  Edit out;
  if (e.contains("truncate")) {
    out.kind = Edit::Kind::Truncate;
    out.at = from_offset(e["truncate"]);
    return out;
  }
  out.at = from_offset(e["at"]);
  if (e.contains("put")) {
    out.kind = Edit::Kind::Put;
    out.bytes = from_hex(e["put"]);
  } else if (e.contains("insert")) {
    out.kind = Edit::Kind::Insert;
    out.bytes = from_hex(e["insert"]);
    out.repeat = e.value("repeat", 1u);
  } else {
    out.kind = Edit::Kind::Delete;
    out.count = e["delete"].get<std::uint64_t>();
  }
  return out;
}

Vector to_vector(const json& t, std::size_t suite, std::size_t group) {
  Vector v;
  v.suite = suite, v.group = group;
  v.tc_id = t["tcId"].get<int>();
  v.name = t["name"], v.comment = t["comment"];
  v.flags = t["flags"].get<std::vector<std::string>>();
  const std::string r = t["result"];
  v.result = r == "valid" ? ResultClass::Valid : r == "invalid" ? ResultClass::Invalid : ResultClass::Acceptable;
  const json& in = t["input"];
  v.input.file = in.value("file", "");
  v.input.base = in.value("base", "");
  if (in.contains("hex")) v.input.hex = from_hex(in["hex"]);
  if (in.contains("patch"))
    for (const json& e : in["patch"]) v.input.patch.push_back(to_edit(e));
  v.input.sha256 = in["sha256"];
  const json& e = t["expected"];
  v.expected.accepted = e["outcome"] == "accepted";
  v.expected.rule = e.value("rule", "");
  v.expected.message = e.value("message", "");
  if (e.contains("messages")) v.expected.messages = e["messages"].get<std::vector<std::string>>();
  if (e.contains("state"))
    for (const auto& [k, val] : e["state"].items()) v.expected.state.emplace_back(k, val);
  v.source = t["source"];
  if (t.contains("qemu"))
    v.qemu = QemuObservation{t["qemu"]["exit"].get<int>(), t["qemu"]["stderr"].get<std::vector<std::string>>()};
  return v;
}

}  // namespace

std::optional<Corpus> load_vectors(const std::string& vectors_dir, std::vector<std::string>* errors) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(vectors_dir, ec)) {
    const std::string n = entry.path().filename().string();
    if (entry.is_regular_file() && n.size() > 10 && n.substr(n.size() - 10) == "_test.json") files.push_back(entry.path());
  }
  if (ec) {
    errors->push_back(vectors_dir + ": " + ec.message());
    return std::nullopt;
  }
  if (files.empty()) {
    errors->push_back(vectors_dir + ": no *_test.json files");
    return std::nullopt;
  }
  std::sort(files.begin(), files.end());
  Corpus corpus;
  corpus.root = fs::path(vectors_dir).lexically_normal().parent_path().string();
  if (corpus.root.empty()) corpus.root = ".";
  std::set<std::string> names;
  for (const fs::path& path : files) {
    const std::string fname = path.filename().string();
    std::ifstream in(path, std::ios::binary);
    json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      errors->push_back(fname + ": not valid JSON");
      continue;
    }
    std::vector<std::string> problems = validate_file(doc);
    if (!problems.empty()) {
      for (const std::string& p : problems) errors->push_back(fname + p);
      continue;
    }
    Suite suite;
    suite.file = fname, suite.name = doc["suite"], suite.description = doc["description"], suite.notes = doc["notes"];
    const std::size_t si = corpus.suites.size();
    for (const json& g : doc["testGroups"]) {
      Group grp;
      grp.comment = g["comment"];
      grp.machine = g["destination"]["machine"];
      grp.devices = g["destination"]["devices"].get<std::vector<std::string>>();
      grp.profile = g["destination"]["profile"];
      grp.writer_profile = g["writer"]["profile"];
      grp.writer_machine = g["writer"]["machine"];
      const std::size_t gi = suite.groups.size();
      suite.groups.push_back(std::move(grp));
      for (const json& t : g["tests"]) {
        Vector v = to_vector(t, si, gi);
        const char want = v.result == ResultClass::Valid ? 'y' : v.result == ResultClass::Invalid ? 'n' : 'i';
        if (v.name[0] != want) errors->push_back(fname + ": " + v.name + ": prefix does not match result");
        if ((v.result == ResultClass::Valid && !v.expected.accepted) || (v.result == ResultClass::Invalid && v.expected.accepted))
          errors->push_back(fname + ": " + v.name + ": result and expected outcome disagree");
        if (!names.insert(v.name).second) errors->push_back(fname + ": duplicate vector name " + v.name);
        corpus.vectors.push_back(std::move(v));
      }
    }
    for (const auto& [k, n] : suite.notes.items()) corpus.notes[k] = n;
    corpus.suites.push_back(std::move(suite));
  }
  if (!errors->empty()) return std::nullopt;
  return corpus;
}

}  // namespace migcheck::conformance
