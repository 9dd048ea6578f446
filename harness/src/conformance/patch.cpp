#include "patch.h"

#include <fstream>

#include "sha256.h"

namespace migcheck::conformance {

namespace {
constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 30;
std::string hex_offset(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}
}  // namespace

std::optional<std::vector<std::uint8_t>> apply_patch(std::span<const std::uint8_t> base, const std::vector<Edit>& edits,
                                                     std::string* error) {
  std::vector<std::uint8_t> b(base.begin(), base.end());
  for (std::size_t i = 0; i < edits.size(); ++i) {
    const Edit& e = edits[i];
    const std::string where = "edit " + std::to_string(i) + " at " + hex_offset(e.at) + ": ";
    switch (e.kind) {
      case Edit::Kind::Put:
        if (e.at > b.size() || e.bytes.size() > b.size() - e.at) {
          *error = where + "put past the end (" + std::to_string(b.size()) + " bytes)";
          return std::nullopt;
        }
        std::copy(e.bytes.begin(), e.bytes.end(), b.begin() + static_cast<std::ptrdiff_t>(e.at));
        break;
      case Edit::Kind::Insert: {
        if (e.at > b.size()) {
          *error = where + "insert past the end";
          return std::nullopt;
        }
        const std::uint64_t n = static_cast<std::uint64_t>(e.bytes.size()) * e.repeat;
        if (e.repeat == 0 || b.size() + n > kMaxBytes) {
          *error = where + "insert too large";
          return std::nullopt;
        }
        std::vector<std::uint8_t> ins;
        ins.reserve(n);
        for (std::uint32_t r = 0; r < e.repeat; ++r) ins.insert(ins.end(), e.bytes.begin(), e.bytes.end());
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(e.at), ins.begin(), ins.end());
        break;
      }
      case Edit::Kind::Delete:
        if (e.at > b.size() || e.count > b.size() - e.at) {
          *error = where + "delete past the end";
          return std::nullopt;
        }
        b.erase(b.begin() + static_cast<std::ptrdiff_t>(e.at), b.begin() + static_cast<std::ptrdiff_t>(e.at + e.count));
        break;
      case Edit::Kind::Truncate:
        if (e.at > b.size()) {
          *error = where + "truncate past the end";
          return std::nullopt;
        }
        b.resize(e.at);
        break;
    }
  }
  return b;
}

const std::vector<std::uint8_t>* InputBuilder::file(const std::string& rel, std::string* error) {
  if (auto it = files_.find(rel); it != files_.end()) return &it->second;
  const std::string path = corpus_.root + "/" + rel;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot open";
    return nullptr;
  }
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0);
  if (size < 0 || static_cast<std::uint64_t>(size) > kMaxBytes) {
    *error = path + ": unreadable or too large";
    return nullptr;
  }
  std::vector<std::uint8_t> data(static_cast<std::size_t>(size));
  if (!in.read(reinterpret_cast<char*>(data.data()), size)) {
    *error = path + ": read failed";
    return nullptr;
  }
  return &files_.emplace(rel, std::move(data)).first->second;
}

std::optional<std::vector<std::uint8_t>> InputBuilder::build(const Vector& v, std::string* error) {
  std::optional<std::vector<std::uint8_t>> out;
  if (v.input.hex) {
    out = *v.input.hex;
  } else if (!v.input.file.empty()) {
    if (const auto* f = file(v.input.file, error)) out = *f;
  } else if (const auto* f = file(v.input.base, error)) {
    out = apply_patch(*f, v.input.patch, error);
  }
  if (!out) return std::nullopt;
  if (const std::string got = sha256_hex(*out); got != v.input.sha256) {
    *error = "input sha256 " + got + " != recorded " + v.input.sha256 + " (base file changed?)";
    return std::nullopt;
  }
  return out;
}

}  // namespace migcheck::conformance
