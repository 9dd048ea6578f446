#include "runner.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "../adapters/reference_adapter.h"
#include "migcheck/harness/adapters.h"
#include "migcheck/profile/destination.h"
#include "migcheck/stream/loader.h"
#include "migcheck/vmstate/rule.h"
#include "patch.h"

namespace migcheck::conformance {

using harness::AdapterOutcome;
using Clock = std::chrono::steady_clock;

std::size_t Implementation::count(CellStatus s) const {
  return static_cast<std::size_t>(std::count_if(cells.begin(), cells.end(), [s](const Cell& c) { return c.status == s; }));
}
bool Implementation::all_pass() const { return count(CellStatus::Fail) == 0; }

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// How one implementation loads an input into a group's destination.
class Runner {
 public:
  virtual ~Runner() = default;
  // Outside the implementation's declared capabilities (destination) or
  // limits (vector): the cell is unsupported, never run.
  virtual std::optional<std::string> unsupported(const Destination&) const { return std::nullopt; }
  virtual std::optional<std::string> declines(const Vector&) const { return std::nullopt; }
  virtual Actual load(const Vector& v, std::span<const std::uint8_t> bytes, const Destination& dest) = 0;
};

// A stream base is loaded as a stream (a broken magic is QEMU's "Not a
// migration stream", not a guess at a section record), a section base as a
// record; literal bytes as whatever they start with.
LoadResult load_as_declared(const Vector& v, std::span<const std::uint8_t> bytes, const Destination& dest) {
  const std::string& f = v.input.file.empty() ? v.input.base : v.input.file;
  const auto ends = [&f](std::string_view ext) { return f.size() >= ext.size() && f.ends_with(ext); };
  if (ends(".mig")) return load_stream(bytes, dest);
  if (ends(".section")) return load_section_record(bytes, dest);
  return load_any(bytes, dest);
}

// What the reference declares it does not model, per vector. The seeded-bug
// adapters are the reference with one bug put back, so they share it.
std::optional<std::string> reference_limit(const Vector& v) {
  // It takes the destination's RAM blocks from the stream (it does not model
  // -m), so it cannot see a stream/destination RAM mismatch.
  if (v.has_flag("destination-ram"))
    return "needs the destination's RAM blocks, which the reference takes from the stream (it does not model -m)";
  return std::nullopt;
}

// The reference, in process, with everything its diagnostics carry: every
// message and every rule applied, so it can be scored strictly.
class ReferenceRunner final : public Runner {
 public:
  std::optional<std::string> declines(const Vector& v) const override { return reference_limit(v); }
  Actual load(const Vector& v, std::span<const std::uint8_t> bytes, const Destination& dest) override {
    const auto t = Clock::now();
    const LoadResult r = load_as_declared(v, bytes, dest);
    const harness::AdapterResult ar = harness::from_load_result(r);
    Actual a;
    a.seconds = since(t);
    a.outcome = ar.outcome, a.rule = ar.rule, a.reason = ar.reason, a.devices = ar.devices;
    a.messages = r.diag.messages;
    std::vector<std::string> applied;
    for (const vmstate::RuleHit& h : r.diag.applied)
      if (h.rule) applied.emplace_back(h.rule->id);
    a.applied = std::move(applied);
    return a;
  }
};

class AdapterRunner final : public Runner {
 public:
  AdapterRunner(std::unique_ptr<harness::Adapter> a, bool seeded) : adapter_(std::move(a)), seeded_(seeded) {}
  std::optional<std::string> declines(const Vector& v) const override {
    return seeded_ ? reference_limit(v) : std::nullopt;
  }
  std::optional<std::string> unsupported(const Destination& dest) const override {
    std::string gap = harness::capability_gap(adapter_->info(), dest);
    if (gap.empty()) return std::nullopt;
    return gap;
  }
  Actual load(const Vector&, std::span<const std::uint8_t> bytes, const Destination& dest) override {
    Actual a;
    try {
      harness::AdapterResult r = adapter_->load(bytes, dest);
      a.outcome = r.outcome, a.rule = std::move(r.rule), a.reason = std::move(r.reason);
      a.devices = std::move(r.devices), a.seconds = r.seconds;
    } catch (const std::exception& e) {  // an adapter must not throw; count it against it
      a.outcome = AdapterOutcome::Malformed;
      a.reason = std::string("adapter threw: ") + e.what();
    }
    return a;
  }
  const harness::AdapterInfo& info() const { return adapter_->info(); }

 private:
  std::unique_ptr<harness::Adapter> adapter_;
  bool seeded_;
};

// Destinations per group, built once (make_destination is not free).
class Destinations {
 public:
  explicit Destinations(const Corpus& c) : corpus_(c) {}
  const Destination* get(const Vector& v, std::string* error) {
    const auto key = std::make_pair(v.suite, v.group);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      const Group& g = corpus_.group_of(v);
      Entry e;
      if (const Profile* p = find_profile(g.profile)) e.dest = make_destination(g.machine, g.devices, *p, &e.error);
      else e.error = "unknown profile " + g.profile;
      it = cache_.emplace(key, std::move(e)).first;
    }
    if (!it->second.dest) *error = "destination: " + it->second.error;
    return it->second.dest ? &*it->second.dest : nullptr;
  }

 private:
  struct Entry {
    std::optional<Destination> dest;
    std::string error;
  };
  const Corpus& corpus_;
  std::map<std::pair<std::size_t, std::size_t>, Entry> cache_;
};

}  // namespace

std::vector<std::string> expand_adapter_specs(const std::vector<std::string>& specs) {
  std::vector<std::string> out;
  const auto add = [&](const std::string& s) {
    if (s != "reference" && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  for (const std::string& s : specs) {
    if (s == "seeded:*") {
      for (const std::string& b : harness::builtin_adapter_specs())
        if (b.rfind("seeded:", 0) == 0) add(b);
    } else {
      add(s);
    }
  }
  return out;
}

Coverage compute_coverage(const Corpus& corpus, const nlohmann::json& config) {
  Coverage cov;
  std::map<std::string, std::vector<std::string>> named;
  for (const Vector& v : corpus.vectors)
    if (!v.expected.rule.empty()) named[v.expected.rule].push_back(v.name);
  const nlohmann::json uncovered = config.is_object() ? config.value("uncovered", nlohmann::json::object()) : nlohmann::json::object();
  std::set<std::string> known;
  for (RuleRef r : all_rules()) {
    CoverageRow row;
    row.id = r->id, row.spec = r->spec, row.cve = r->cve;
    row.required = row.spec.find("§7") != std::string::npos || !row.cve.empty();
    if (auto it = named.find(row.id); it != named.end()) row.vectors = it->second;
    if (uncovered.contains(row.id) && uncovered[row.id].is_string()) row.why_uncovered = uncovered[row.id];
    if (row.required && row.vectors.empty() && row.why_uncovered.empty())
      cov.gaps.push_back("rule " + row.id + " (" + row.spec + ") has no vector and no recorded reason");
    known.insert(row.id);
    cov.rules.push_back(std::move(row));
  }
  for (const auto& [id, vs] : named)
    if (!known.count(id)) cov.unknown_rules.push_back(id + " (" + vs.front() + ")");
  if (config.is_object() && config.contains("cves") && config["cves"].is_array())
    for (const auto& c : config["cves"]) {
      if (!c.is_string()) continue;
      std::vector<std::string> vs;
      for (const Vector& v : corpus.vectors)
        if (v.has_flag(c.get<std::string>())) vs.push_back(v.name);
      if (vs.empty()) cov.gaps.push_back(c.get<std::string>() + " (spec §8) has no vector");
      cov.cves.emplace_back(c.get<std::string>(), std::move(vs));
    }
  return cov;
}

RunReport run_suite(const Corpus& corpus, const RunOptions& options, const nlohmann::json& coverage_config) {
  RunReport rep;
  rep.corpus = &corpus;
  for (std::size_t i = 0; i < corpus.vectors.size(); ++i)
    if (options.only.empty() || corpus.vectors[i].name.find(options.only) != std::string::npos) rep.selected.push_back(i);

  // Every input once, shared by all implementations.
  const auto tb = Clock::now();
  InputBuilder builder(corpus);
  std::vector<std::optional<std::vector<std::uint8_t>>> inputs;
  for (std::size_t i : rep.selected) {
    std::string err;
    inputs.push_back(builder.build(corpus.vectors[i], &err));
    rep.input_errors.push_back(err);
  }
  rep.build_seconds = since(tb);

  struct Column {
    Implementation impl;
    std::unique_ptr<Runner> runner;
  };
  std::vector<Column> columns;
  {
    Column ref;
    ref.impl.spec = "reference", ref.impl.name = "reference", ref.impl.version = "QEMU 7.2.22 semantics";
    ref.impl.strict = true;
    ref.runner = std::make_unique<ReferenceRunner>();
    columns.push_back(std::move(ref));
  }
  for (const std::string& spec : expand_adapter_specs(options.adapters)) {
    Column col;
    col.impl.spec = spec, col.impl.name = spec;
    std::string err;
    if (auto a = harness::open_adapter(spec, &err)) {
      col.impl.name = a->info().name.empty() ? spec : a->info().name;
      col.impl.version = a->info().version;
      col.runner = std::make_unique<AdapterRunner>(std::move(a), spec.rfind("seeded:", 0) == 0);
    } else {
      col.impl.error = err.empty() ? "could not be opened" : err;
    }
    columns.push_back(std::move(col));
  }

  for (Column& col : columns) {
    Destinations dests(corpus);
    const auto tc = Clock::now();
    for (std::size_t k = 0; k < rep.selected.size(); ++k) {
      const Vector& v = corpus.vectors[rep.selected[k]];
      Cell cell;
      std::string err;
      const Destination* dest = nullptr;
      if (!col.runner) {
        cell.status = CellStatus::Unsupported;
        cell.why.push_back("adapter not available: " + col.impl.error);
      } else if (auto vwhy = col.runner->declines(v)) {
        cell.status = CellStatus::Unsupported;
        cell.why.push_back(*vwhy);
      } else if (!inputs[k]) {
        cell.why.push_back("input: " + rep.input_errors[k]);
      } else if (!(dest = dests.get(v, &err))) {
        cell.why.push_back(err);
      } else if (auto why = col.runner->unsupported(*dest)) {
        cell.status = CellStatus::Unsupported;
        cell.why.push_back(*why);
      } else {
        cell = score(v, col.runner->load(v, *inputs[k], *dest), col.impl.strict);
        col.impl.load_seconds += cell.actual.seconds;
      }
      col.impl.cells.push_back(std::move(cell));
      if (options.progress) options.progress(col.impl, k + 1, rep.selected.size());
    }
    col.impl.wall_seconds = since(tc);
    rep.implementations.push_back(std::move(col.impl));
  }
  rep.coverage = compute_coverage(corpus, coverage_config);
  return rep;
}

}  // namespace migcheck::conformance
