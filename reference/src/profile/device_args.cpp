// -device argument parsing (util/qemu-option.c get_opt_name_value) and
// property value parsing with QEMU's messages (qapi_bool_parse,
// qobject_input_type_*_keyval, visit_type_uintN, set_mac, set_pci_devfn).
#include <cctype>
#include <charconv>
#include <limits>

#include "model.h"

namespace migcheck::profile {

namespace {

// get_opt_value: up to the next single ',' (",," is a literal comma).
std::size_t opt_value(std::string_view s, std::size_t at, std::string* out) {
  out->clear();
  while (at < s.size()) {
    if (s[at] == ',') {
      if (at + 1 < s.size() && s[at + 1] == ',') {
        out->push_back(',');
        at += 2;
        continue;
      }
      break;
    }
    out->push_back(s[at++]);
  }
  return at;
}

// qemu_strtou64 / qemu_strtoi64 with base 0: the whole string must parse.
bool strtou64(std::string_view v, std::uint64_t* out) {
  std::string_view s = v;
  bool neg = false;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  std::uint64_t x = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x, base);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  *out = neg ? (0 - x) : x;  // strtoull semantics: "-1" is UINT64_MAX
  return true;
}

bool strtoi64(std::string_view v, std::int64_t* out) {
  std::string_view s = v;
  bool neg = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  std::uint64_t x = 0;
  if (s.empty() || s.front() == '-' || s.front() == '+' || !strtou64(s, &x)) return false;
  if (neg ? x > std::uint64_t{1} << 63 : x > std::uint64_t{std::numeric_limits<std::int64_t>::max()}) return false;
  *out = neg ? static_cast<std::int64_t>(0 - x) : static_cast<std::int64_t>(x);
  return true;
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string invalid(std::string_view name, std::string_view what) {
  return "Parameter '" + std::string(name) + "' expects " + std::string(what);
}

std::string doesnt_take(std::string_view owner, std::string_view name, std::string_view value) {
  return "Property '" + std::string(owner) + "." + std::string(name) + "' doesn't take value '" +
         std::string(value) + "'";
}

// sscanf "%x.%x%n" / "%x%n" of set_pci_devfn.
bool parse_devfn(std::string_view v, int* devfn) {
  auto hex = [&](std::size_t& at, unsigned* out) {
    std::size_t start = at;
    while (at < v.size() && std::isspace(static_cast<unsigned char>(v[at]))) ++at;
    if (at + 1 < v.size() && v[at] == '0' && (v[at + 1] == 'x' || v[at + 1] == 'X') && at + 2 < v.size() &&
        hexval(v[at + 2]) >= 0)
      at += 2;
    unsigned x = 0;
    std::size_t digits = 0;
    while (at < v.size() && hexval(v[at]) >= 0 && digits < 8) {
      x = x * 16 + static_cast<unsigned>(hexval(v[at++]));
      ++digits;
    }
    *out = x;
    return digits > 0 || (at = start, false);
  };
  std::size_t at = 0;
  unsigned slot = 0, fn = 0;
  if (!hex(at, &slot)) return false;
  if (at < v.size() && v[at] == '.') {
    ++at;
    if (!hex(at, &fn)) return false;
  }
  if (at != v.size() || fn > 7 || slot > 31) return false;
  *devfn = static_cast<int>(slot << 3 | fn);
  return true;
}

}  // namespace

std::string DeviceArg::props_text() const {
  const auto comma = text.find(',');
  return comma == std::string::npos ? std::string() : text.substr(comma + 1);
}

const std::string* DeviceArg::find(std::string_view name) const {
  for (const auto& [k, v] : opts)
    if (k == name) return &v;
  return nullptr;
}

std::optional<DeviceArg> parse_device_arg(std::string_view text, std::string* error) {
  DeviceArg arg;
  arg.text = std::string(text);
  std::size_t at = 0;
  bool first = true;
  while (at < text.size()) {
    std::string name, value;
    const std::size_t len = text.substr(at).find_first_of("=,");
    const bool has_eq = len != std::string_view::npos && text[at + len] == '=';
    if (first && !has_eq) {
      name = "driver";
      at = opt_value(text, at, &value);
    } else if (!has_eq) {
      // A flag: "foo" is foo=on, "nofoo" is foo=off (deprecated short form).
      name = std::string(text.substr(at, len == std::string_view::npos ? std::string_view::npos : len));
      at = len == std::string_view::npos ? text.size() : at + len;
      value = "on";
      if (name.rfind("no", 0) == 0) {
        name.erase(0, 2);
        value = "off";
      }
    } else {
      name = std::string(text.substr(at, len));
      at = opt_value(text, at + len + 1, &value);
    }
    first = false;
    if (at < text.size()) ++at;  // the ','
    if (name.empty()) continue;
    if (name == "driver") {
      arg.driver = value;
      continue;
    }
    bool replaced = false;
    for (auto& [k, v] : arg.opts)
      if (k == name) {
        v = value;
        replaced = true;
      }
    if (!replaced) arg.opts.emplace_back(std::move(name), std::move(value));
  }
  if (arg.driver.empty()) {
    *error = "Parameter 'driver' is missing";
    return std::nullopt;
  }
  return arg;
}

bool parse_value(PropType type, std::string_view owner, std::string_view name, std::string_view value,
                 PropValue* out, std::string* error) {
  auto unsigned_in = [&](std::uint64_t max, std::string_view tname) {
    std::uint64_t x = 0;
    if (!strtou64(value, &x)) {
      *error = invalid(name, "integer");
      return false;
    }
    if (x > max) {
      *error = invalid(name, tname);
      return false;
    }
    out->u = x;
    return true;
  };
  switch (type) {
    case PropType::Bool:
      if (value == "on" || value == "yes" || value == "true" || value == "y") {
        out->b = true;
        return true;
      }
      if (value == "off" || value == "no" || value == "false" || value == "n") {
        out->b = false;
        return true;
      }
      *error = invalid(name, "'on' or 'off'");
      return false;
    case PropType::U16:
      return unsigned_in(0xffff, "uint16_t");
    case PropType::U32:
      return unsigned_in(0xffffffffu, "uint32_t");
    case PropType::U64:
      return unsigned_in(~std::uint64_t{0}, "uint64_t");
    case PropType::Size:
      return unsigned_in(~std::uint64_t{0}, "size");
    case PropType::I32:
    case PropType::I64: {
      std::int64_t x = 0;
      if (!strtoi64(value, &x)) {
        *error = invalid(name, "integer");
        return false;
      }
      if (type == PropType::I32 &&
          (x < std::numeric_limits<std::int32_t>::min() || x > std::numeric_limits<std::int32_t>::max())) {
        *error = invalid(name, "int32_t");
        return false;
      }
      out->i = x;
      return true;
    }
    case PropType::Str:
      out->s = std::string(value);
      return true;
    case PropType::Mac:
      for (std::size_t i = 0, pos = 0; i < 6; ++i, pos += 3) {
        const bool ok = pos + 1 < value.size() && hexval(value[pos]) >= 0 && hexval(value[pos + 1]) >= 0 &&
                        (i == 5 ? pos + 2 == value.size()
                                : pos + 2 < value.size() && (value[pos + 2] == ':' || value[pos + 2] == '-'));
        if (!ok) {
          *error = doesnt_take(owner, name, value);
          return false;
        }
        out->mac[i] = static_cast<std::uint8_t>(hexval(value[pos]) * 16 + hexval(value[pos + 1]));
      }
      return true;
    case PropType::OnOffAuto:
      if (value == "on")
        out->ooa = OnOffAuto::On;
      else if (value == "off")
        out->ooa = OnOffAuto::Off;
      else if (value == "auto")
        out->ooa = OnOffAuto::Auto;
      else {
        *error = "Parameter '" + std::string(name) + "' does not accept value '" + std::string(value) + "'";
        return false;
      }
      return true;
    case PropType::DevFn:
      if (!parse_devfn(value, &out->devfn)) {
        *error = doesnt_take(owner, name, value);
        return false;
      }
      return true;
  }
  return false;
}

}  // namespace migcheck::profile
