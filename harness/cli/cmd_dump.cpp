// migcheck dump FILE: annotated decode of a stream or section record, down
// to every virtio field, produced by the same tables that load it.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "input.h"
#include "migcheck/stream/loader.h"
#include "migcheck/vmstate/format.h"

namespace migcheck::cli::dump_cmd {

namespace {

struct Event {
  enum class Kind { Enter, Field, Subsection, Note } kind;
  int depth = 0;
  std::string name;
  int index = -1;
  std::uint64_t begin = 0, end = 0;
  std::string value, path;
};

// Records the decode as the loader walks the tables.
class Recorder final : public vmstate::LoadObserver {
 public:
  std::vector<Event> events;

  void enter(std::string_view name, int version, std::uint64_t offset) override {
    events.push_back({Event::Kind::Enter, depth(), fmt::format("{} v{}", name, version), -1, offset, offset, {},
                      path()});
    stack_.emplace_back(name);
  }
  void leave(std::uint64_t) override {
    if (!stack_.empty()) stack_.pop_back();
  }
  void field(std::string_view name, int index, std::uint64_t begin, std::uint64_t end,
             const std::string& value) override {
    events.push_back({Event::Kind::Field, depth(), std::string(name), index, begin, end, value,
                      path() + "/" + std::string(name) + (index >= 0 ? fmt::format("[{}]", index) : "")});
  }
  void subsection(std::string_view name, std::uint32_t version, std::uint64_t begin, std::uint64_t end) override {
    events.push_back({Event::Kind::Subsection, depth(), std::string(name), -1, begin, end,
                      fmt::format("version {}", version), path()});
  }
  void note(std::uint64_t offset, const std::string& text) override {
    events.push_back({Event::Kind::Note, depth(), {}, -1, offset, offset, text, path()});
  }

 private:
  int depth() const { return static_cast<int>(stack_.size()); }
  std::string path() const {
    std::string p;
    for (const std::string& s : stack_) p += (p.empty() ? "" : "/") + s;
    return p;
  }
  std::vector<std::string> stack_;
};

std::string_view type_name(std::uint8_t t) {
  switch (t) {
    case kSectionStart: return "SECTION_START";
    case kSectionPart: return "SECTION_PART";
    case kSectionEnd: return "SECTION_END";
    case kSectionFull: return "SECTION_FULL";
    case kConfiguration: return "CONFIGURATION";
    case kCommand: return "COMMAND";
    default: return "?";
  }
}

std::string_view handling_name(SectionInfo::Handling h) {
  switch (h) {
    case SectionInfo::Handling::Virtio: return "virtio, decoded";
    case SectionInfo::Handling::Ram: return "RAM";
    case SectionInfo::Handling::Skipped: return "not modelled, skipped by its vmdesc size";
    case SectionInfo::Handling::Configuration: return "configuration";
    case SectionInfo::Handling::Command: return "command";
    case SectionInfo::Handling::Other: return "";
  }
  return "";
}

// Events that belong to a record: from its body to its end.
bool within(const Event& e, const SectionInfo& s) {
  const std::uint64_t end = s.end ? s.end : (s.body_end ? s.body_end : UINT64_MAX);
  return e.begin >= s.body_begin && e.begin <= end;
}

std::string text_dump(const std::string& file, std::size_t size, bool full, const Destination& dest,
                      const LoadResult& r, const std::vector<Event>& events) {
  std::string out = fmt::format("file: {} ({} bytes), {}\n", file, size, full ? "full stream" : "section record");
  out += fmt::format("destination ({}{}): {}\n", dest.profile->name, dest.inferred ? ", inferred" : "",
                     dest.command_line());
  for (const SectionInfo& s : r.sections) {
    out += fmt::format("@0x{:06x} {:<14}", s.offset, type_name(s.type));
    if (s.type == kConfiguration) out += fmt::format(" machine '{}'", r.machine);
    if (s.type != kConfiguration && s.type != kCommand) out += fmt::format(" id={}", s.section_id);
    if (!s.idstr.empty())
      out += fmt::format(" '{}' instance {} version {}", s.idstr, s.instance_id, s.version_id);
    if (s.body_end > s.body_begin)
      out += fmt::format(" body 0x{:x}..0x{:x} ({} bytes)", s.body_begin, s.body_end, s.body_end - s.body_begin);
    const auto h = handling_name(s.handling);
    if (!h.empty()) out += fmt::format(" [{}]", h);
    out += "\n";
    if (s.handling != SectionInfo::Handling::Virtio && s.handling != SectionInfo::Handling::Configuration) continue;
    for (const Event& e : events) {
      if (!within(e, s)) continue;
      const std::string indent(static_cast<std::size_t>(2 * e.depth), ' ');
      const std::uint64_t rel = e.begin - s.body_begin;
      switch (e.kind) {
        case Event::Kind::Enter: out += fmt::format("  +0x{:05x}        {}{}\n", rel, indent, e.name); break;
        case Event::Kind::Subsection:
          out += fmt::format("  +0x{:05x} [{:5}] {}SUBSECTION '{}' {}\n", rel, e.end - e.begin, indent, e.name, e.value);
          break;
        case Event::Kind::Field:
          out += fmt::format("  +0x{:05x} [{:5}] {}{}{} = {}\n", rel, e.end - e.begin, indent, e.name,
                             e.index >= 0 ? fmt::format("[{}]", e.index) : "", e.value);
          break;
        case Event::Kind::Note: out += fmt::format("  +0x{:05x}         {}note: {}\n", rel, indent, e.value); break;
      }
    }
  }
  out += fmt::format("result: {}", to_string(r.verdict));
  if (r.diag.reject.rule) out += fmt::format(" by {} at 0x{:x}", r.diag.reject.rule->id, r.diag.reject.offset);
  out += "\n";
  if (!r.diag.unsupported.empty()) out += "  unsupported: " + r.diag.unsupported + "\n";
  for (const std::string& m : r.diag.messages) out += "  qemu-system-x86_64: " + m + "\n";
  return out;
}

nlohmann::json json_dump(const std::string& file, std::size_t size, const Destination& dest, const LoadResult& r,
                         const std::vector<Event>& events) {
  nlohmann::json sections = nlohmann::json::array();
  for (const SectionInfo& s : r.sections) {
    nlohmann::json js = {{"type", std::string(type_name(s.type))}, {"offset", s.offset},
                         {"section_id", s.section_id},             {"idstr", s.idstr},
                         {"instance_id", s.instance_id},           {"version_id", s.version_id},
                         {"body_begin", s.body_begin},             {"body_end", s.body_end},
                         {"end", s.end},                           {"handling", std::string(handling_name(s.handling))}};
    nlohmann::json fields = nlohmann::json::array();
    if (s.handling == SectionInfo::Handling::Virtio || s.handling == SectionInfo::Handling::Configuration)
      for (const Event& e : events) {
        if (!within(e, s) || e.kind == Event::Kind::Enter) continue;
        fields.push_back({{"kind", e.kind == Event::Kind::Field ? "field"
                                   : e.kind == Event::Kind::Subsection ? "subsection"
                                                                       : "note"},
                          {"path", e.kind == Event::Kind::Field ? e.path : e.path + "/" + e.name},
                          {"offset", e.begin},
                          {"size", e.end - e.begin},
                          {"value", e.value}});
      }
    js["fields"] = std::move(fields);
    sections.push_back(std::move(js));
  }
  return {{"file", file},
          {"size", size},
          {"destination", dest.command_line()},
          {"outcome", std::string(to_string(r.verdict))},
          {"rule", r.diag.reject.rule ? nlohmann::json(std::string(r.diag.reject.rule->id)) : nlohmann::json(nullptr)},
          {"messages", r.diag.messages},
          {"sections", std::move(sections)}};
}

struct DumpOptions {
  std::string file;
  DestinationOptions dest;
  bool json = false;
};

int run_dump(const DumpOptions& o) {
  auto in = open_input(o.file, o.dest);
  if (!in) return kUsage;
  const auto* input = &in->bytes;
  const Destination* dest = &in->dest;
  Recorder recorder;
  LoadOptions options;
  options.observer = &recorder;
  const LoadResult r = load_any(*input, *dest, options);
  if (o.json)
    std::cout << json_dump(o.file, input->size(), *dest, r, recorder.events).dump(2) << "\n";
  else
    std::cout << text_dump(o.file, input->size(), is_full_stream(*input), *dest, r, recorder.events);
  return r.verdict == Verdict::Unsupported ? kUnsupported : kAccepted;
}

}  // namespace

namespace {

void add_dump(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<DumpOptions>();
  CLI::App* cmd = app.add_subcommand(
      "dump",
      "Annotated decode of a full stream or a single section record (auto-detected: full streams start with QEVM): "
      "every record, and every virtio field with its offset, size and value. Malformed input is decoded up to the "
      "point where QEMU would stop.");
  cmd->add_option("FILE", opts->file, "migration stream or section record")->required();
  add_destination_options(*cmd, opts->dest);
  cmd->add_flag("--json", opts->json, "print JSON");
  cmd->callback([opts, &exit_code] { exit_code = run_dump(*opts); });
}

const bool registered = register_command({"dump", 20, add_dump});

}  // namespace

}  // namespace migcheck::cli::dump_cmd
