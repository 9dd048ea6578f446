#include "vmdesc.h"

#include <string.h>  // memrchr (GNU)

#include <algorithm>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

namespace migcheck::stream {

namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;

std::optional<std::uint64_t> sum_fields(const json& obj, int depth);

// A subsection costs its header (0x05, len, name, be32 version) plus fields.
std::optional<std::uint64_t> subsection_size(const json& sub, int depth) {
  if (!sub.is_object() || !sub.contains("vmsd_name") || !sub["vmsd_name"].is_string()) return std::nullopt;
  auto body = sum_fields(sub, depth + 1);
  if (!body) return std::nullopt;
  return 6 + sub["vmsd_name"].get_ref<const std::string&>().size() + *body;
}

// vmsd_desc_field_end records the bytes written per element; compressed
// arrays list one element with "array_len".
std::optional<std::uint64_t> sum_fields(const json& obj, int depth) {
  if (depth > kMaxDepth) return std::nullopt;
  std::uint64_t total = 0;
  if (auto it = obj.find("fields"); it != obj.end()) {
    if (!it->is_array()) return std::nullopt;
    for (const json& f : *it) {
      if (!f.is_object() || !f.contains("size") || !f["size"].is_number_unsigned()) return std::nullopt;
      std::uint64_t n = 1;
      if (f.contains("array_len")) {
        if (!f["array_len"].is_number_unsigned()) return std::nullopt;
        n = f["array_len"].get<std::uint64_t>();
      }
      const std::uint64_t size = f["size"].get<std::uint64_t>();
      if (n && size > (UINT64_MAX - total) / n) return std::nullopt;
      total += size * n;
    }
  }
  if (auto it = obj.find("subsections"); it != obj.end()) {
    if (!it->is_array()) return std::nullopt;
    for (const json& s : *it) {
      auto size = subsection_size(s, depth);
      if (!size) return std::nullopt;
      total += *size;
    }
  }
  return total;
}

std::optional<std::uint64_t> section_size(const json& dev) {
  // Old-style handlers (vmstate_save_old_style) carry the total directly.
  if (!dev.contains("vmsd_name") && dev.contains("size") && dev["size"].is_number_unsigned())
    return dev["size"].get<std::uint64_t>();
  return sum_fields(dev, 0);
}

// The sizes the JSON text gives; nullptr if it does not parse as a vmdesc.
std::shared_ptr<const Vmdesc> parse(std::span<const std::uint8_t> text, std::uint64_t offset) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("devices") || !doc["devices"].is_array())
    return nullptr;
  auto v = std::make_shared<Vmdesc>();
  v->offset = offset;
  for (const json& dev : doc["devices"]) {
    if (!dev.is_object() || !dev.contains("name") || !dev["name"].is_string() ||
        !dev.contains("instance_id") || !dev["instance_id"].is_number_unsigned())
      continue;
    if (auto size = section_size(dev))
      v->body_sizes[{dev["name"].get<std::string>(), dev["instance_id"].get<std::uint32_t>()}] = *size;
  }
  return v;
}

// The last few vmdescs parsed on this thread, by their JSON text. A fuzzer
// mutates a full stream mostly outside its vmdesc, and each run would parse
// the same text two or three times (inference, load, re-load): that parsing
// was the largest share of a whole-corpus fuzz_load run's own time.
class Memo {
 public:
  std::shared_ptr<const Vmdesc> get(std::span<const std::uint8_t> text, std::uint64_t offset) {
    if (text.size() > kMaxText) return parse(text, offset);
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      Entry& e = entries_[i];
      if (!std::equal(e.text.begin(), e.text.end(), text.begin(), text.end())) continue;
      if (e.parsed && e.parsed->offset != offset) {  // same text elsewhere in the stream
        auto moved = std::make_shared<Vmdesc>(*e.parsed);
        moved->offset = offset;
        e.parsed = std::move(moved);
      }
      std::rotate(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(i),
                  entries_.begin() + static_cast<std::ptrdiff_t>(i) + 1);  // most recent first
      return entries_.front().parsed;
    }
    if (entries_.size() == kEntries) entries_.pop_back();
    entries_.insert(entries_.begin(), Entry{{text.begin(), text.end()}, parse(text, offset)});
    return entries_.front().parsed;
  }

 private:
  static constexpr std::size_t kEntries = 8;
  static constexpr std::size_t kMaxText = 1 << 20;  // larger texts are parsed every time
  struct Entry {
    std::vector<std::uint8_t> text;
    std::shared_ptr<const Vmdesc> parsed;  // nullptr: not a vmdesc
  };
  std::vector<Entry> entries_;
};

}  // namespace

std::shared_ptr<const Vmdesc> find_vmdesc(std::span<const std::uint8_t> bytes) {
  const std::size_t n = bytes.size();
  if (n < 7) return nullptr;
  // p from n - 6 down to 1, at each 0x06 (memrchr: a stream without
  // vmdesc is searched whole, and a byte loop is slow under the fuzzers'
  // comparison tracing).
  for (std::size_t p = n - 5; p > 1;) {
    const void* hit = memrchr(bytes.data() + 1, 0x06, p - 1);
    if (!hit) break;
    p = static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - bytes.data());
    if (bytes[p - 1] != 0x00) continue;
    const std::uint64_t len = std::uint64_t{bytes[p + 1]} << 24 | std::uint64_t{bytes[p + 2]} << 16 |
                              std::uint64_t{bytes[p + 3]} << 8 | bytes[p + 4];
    if (len != n - p - 5 || bytes[p + 5] != '{') continue;
    thread_local Memo memo;
    return memo.get(bytes.subspan(p + 5), p);
  }
  return nullptr;
}

}  // namespace migcheck::stream
