#include "json_schema.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

namespace migcheck::conformance {

namespace {

using nlohmann::json;

class Checker {
 public:
  explicit Checker(const json& root) : root_(root) {}

  // Appends to `out` every violation of `s` by `v` at `at`.
  void check(const json& s, const json& v, const std::string& at, std::vector<std::string>& out) {
    if (s.is_boolean()) {
      if (!s.get<bool>()) out.push_back(at + ": not allowed");
      return;
    }
    if (!s.is_object()) {
      out.push_back(at + ": schema is not an object");
      return;
    }
    for (const auto& [k, arg] : s.items()) keyword(k, arg, s, v, at, out);
  }

 private:
  void keyword(const std::string& k, const json& arg, const json& s, const json& v, const std::string& at,
               std::vector<std::string>& out) {
    static const std::set<std::string> annotations = {"$schema", "$id", "$defs", "title", "description", "format"};
    if (annotations.count(k)) return;  // format is an annotation by default in 2020-12
    if (k == "$ref") return check(resolve(arg.get<std::string>(), at, out), v, at, out);
    if (k == "type") {  // a name or a list of names
      bool ok = false;
      for (const json& t : arg.is_array() ? arg : json::array({arg})) ok = ok || has_type(v, t.get<std::string>());
      if (!ok) out.push_back(at + ": not of type " + arg.dump());
    } else if (k == "const") {
      if (v != arg) out.push_back(at + ": must be " + arg.dump());
    } else if (k == "enum") {
      if (std::find(arg.begin(), arg.end(), v) == arg.end()) out.push_back(at + ": " + v.dump() + " not in " + arg.dump());
    } else if (k == "pattern") {
      if (v.is_string() && !std::regex_search(v.get<std::string>(), regex(arg.get<std::string>())))
        out.push_back(at + ": " + v.dump() + " does not match " + arg.get<std::string>());
    } else if (k == "minLength") {
      if (v.is_string() && v.get<std::string>().size() < arg.get<std::size_t>()) out.push_back(at + ": too short");
    } else if (k == "minimum" || k == "maximum") {
      if (v.is_number() && (k == "minimum" ? v.get<double>() < arg.get<double>() : v.get<double>() > arg.get<double>()))
        out.push_back(at + ": " + v.dump() + " outside " + k + " " + arg.dump());
    } else if (k == "required") {
      if (v.is_object())
        for (const json& name : arg)
          if (!v.contains(name.get<std::string>())) out.push_back(at + ": missing " + name.get<std::string>());
    } else if (k == "properties") {
      if (v.is_object())
        for (const auto& [name, sub] : arg.items())
          if (v.contains(name)) check(sub, v[name], at + "/" + name, out);
    } else if (k == "additionalProperties") {
      if (!v.is_object()) return;
      const json props = s.value("properties", json::object());
      for (const auto& [name, val] : v.items())
        if (!props.contains(name)) check(arg, val, at + "/" + name, out);
    } else if (k == "propertyNames") {
      if (v.is_object())
        for (const auto& [name, val] : v.items()) check(arg, json(name), at + "/" + name + " (name)", out);
    } else if (k == "items") {
      if (v.is_array())
        for (std::size_t i = 0; i < v.size(); ++i) check(arg, v[i], at + "/" + std::to_string(i), out);
    } else if (k == "minItems") {
      if (v.is_array() && v.size() < arg.get<std::size_t>()) out.push_back(at + ": fewer than " + arg.dump() + " items");
    } else if (k == "uniqueItems") {
      if (v.is_array() && arg.get<bool>())
        for (std::size_t i = 0; i < v.size(); ++i)
          for (std::size_t j = i + 1; j < v.size(); ++j)
            if (v[i] == v[j]) out.push_back(at + ": duplicate item " + v[i].dump());
    } else if (k == "not") {
      if (passes(arg, v, at)) out.push_back(at + ": matches a schema it must not");
    } else if (k == "anyOf" || k == "oneOf") {
      std::size_t n = 0;
      for (const json& sub : arg) n += passes(sub, v, at) ? 1 : 0;
      if (k == "anyOf" ? n == 0 : n != 1) out.push_back(at + ": matches " + std::to_string(n) + " of " + k);
    } else {
      out.push_back(at + ": schema keyword " + k + " is not supported by this checker");
    }
  }

  bool passes(const json& s, const json& v, const std::string& at) {
    std::vector<std::string> tmp;
    check(s, v, at, tmp);
    return tmp.empty();
  }

  static bool has_type(const json& v, const std::string& t) {
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "integer") return v.is_number_integer();
    if (t == "number") return v.is_number();
    if (t == "boolean") return v.is_boolean();
    if (t == "null") return v.is_null();
    return false;
  }

  const json& resolve(const std::string& ref, const std::string& at, std::vector<std::string>& out) {
    static const json never = false;
    if (ref.rfind("#", 0) != 0) {
      out.push_back(at + ": only local $ref supported: " + ref);
      return never;
    }
    try {
      return root_.at(json::json_pointer(ref.substr(1)));
    } catch (const json::exception&) {
      out.push_back(at + ": unresolved $ref " + ref);
      return never;
    }
  }

  const std::regex& regex(const std::string& p) {
    auto it = regexes_.find(p);
    if (it == regexes_.end()) it = regexes_.emplace(p, std::regex(p, std::regex::ECMAScript)).first;
    return it->second;
  }

  const json& root_;
  std::map<std::string, std::regex> regexes_;
};

}  // namespace

std::vector<std::string> schema_errors(const nlohmann::json& schema, const nlohmann::json& doc) {
  std::vector<std::string> out;
  try {
    Checker(schema).check(schema, doc, "", out);
  } catch (const std::exception& e) {  // a keyword argument of the wrong JSON type, a bad pattern
    out.push_back(std::string(": the schema cannot be applied: ") + e.what());
  }
  return out;
}

}  // namespace migcheck::conformance
