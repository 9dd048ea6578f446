#include "migcheck/generators/runner.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include <rapidcheck.h>

namespace rc::detail {
// Defined in librapidcheck (used by its own reproduce listener), not declared
// in its installed headers.
std::string reproduceMapToString(const std::unordered_map<std::string, Reproduce>& reproduceMap);
TestListener& globalTestListener();
}  // namespace rc::detail

namespace migcheck::gen {

namespace {

using harness::Case;
using harness::Property;

struct Memory {
  std::mutex lock;
  // Set once run_property's shrink budget is spent: further shrink
  // candidates pass without being drawn, so RapidCheck's search ends fast.
  std::atomic<bool> shrink_budget_spent{false};
  std::map<Property, Case> failures;
  std::map<Property, Tally> tallies;
};
Memory& memory() {
  static Memory m;
  return m;
}

void count(Property p, const harness::Verdict& v) {
  std::lock_guard<std::mutex> g(memory().lock);
  Tally& t = memory().tallies[p];
  ++t.cases;
  if (v.vacuous) ++t.vacuous;
  if (!v.holds) ++t.failures;
  for (const std::string& a : v.applied) ++t.applied[a];
}

void remember(Case c) {
  std::lock_guard<std::mutex> g(memory().lock);
  memory().failures[c.property] = std::move(c);
}

void judge(Property p, const harness::Verdict& v, Case c) {
  count(p, v);
  if (v.holds) return;
  c.note = v.detail;
  remember(std::move(c));
  RC_FAIL(std::string(harness::name(p)) + ": " + v.detail);
}

// Forwards to RapidCheck's own listener (its reproduce line at exit) and
// reports progress.
class Progress : public rc::detail::TestListener {
 public:
  Progress(rc::detail::TestListener& inner, const RunOptions& o) : inner_(inner), o_(o) {}
  void onTestCaseFinished(const rc::detail::CaseDescription& d) override {
    inner_.onTestCaseFinished(d);
    if (o_.progress) o_.progress(++cases_, false);
  }
  void onShrinkTried(const rc::detail::CaseDescription& d, bool accepted) override {
    inner_.onShrinkTried(d, accepted);
    if (++shrinks_ >= o_.max_shrinks) memory().shrink_budget_spent = true;
    if (o_.progress) o_.progress(cases_, true);
  }
  void onTestFinished(const rc::detail::TestMetadata& m, const rc::detail::TestResult& r) override {
    inner_.onTestFinished(m, r);
  }

 private:
  rc::detail::TestListener& inner_;
  const RunOptions& o_;
  std::uint64_t cases_ = 0, shrinks_ = 0;
};

}  // namespace

void property_case(Property p, std::span<const Seed> seeds) {
  if (memory().shrink_budget_spent) return;
  switch (p) {
    case Property::RoundTripState: {
      const ScenarioCase sc = *scenario({});
      judge(p, harness::roundtrip_state(sc.scenario),
            Case{.property = p, .destination = sc.spec, .states = sc.scenario.states, .ram_bytes = sc.scenario.ram_bytes});
      return;
    }
    case Property::OldReader: {
      const OldReaderCase oc = *old_reader_case();
      judge(p, harness::old_reader(oc.writer.scenario, *oc.reader),
            Case{.property = p, .destination = oc.writer.spec, .states = oc.writer.scenario.states,
                 .ram_bytes = oc.writer.scenario.ram_bytes, .reader = std::string(oc.reader->name)});
      return;
    }
    case Property::RoundTripBytes:
    case Property::Sanitization:
    case Property::Totality: {
      const StreamCase sc = *near_valid_stream(seeds);
      std::string error;
      const auto dest = harness::build_destination(sc.spec, &error);
      RC_ASSERT(dest.has_value());
      const harness::Verdict v = p == Property::RoundTripBytes ? harness::roundtrip_bytes(sc.bytes, *dest)
                                 : p == Property::Sanitization ? harness::sanitization(sc.bytes, *dest)
                                                               : harness::totality(sc.bytes, *dest);
      judge(p, v, Case{.property = p, .destination = sc.spec, .bytes = sc.bytes});
      return;
    }
  }
}

std::optional<Case> last_failure(Property p) {
  std::lock_guard<std::mutex> g(memory().lock);
  auto it = memory().failures.find(p);
  if (it == memory().failures.end()) return std::nullopt;
  return it->second;
}

void clear_failures() {
  std::lock_guard<std::mutex> g(memory().lock);
  memory().failures.clear();
}

Tally tally(Property p) {
  std::lock_guard<std::mutex> g(memory().lock);
  return memory().tallies[p];
}

void reset_tallies() {
  std::lock_guard<std::mutex> g(memory().lock);
  memory().tallies.clear();
}

RunResult run_property(Property p, const RunOptions& o) {
  using rc::detail::configuration;
  RunResult out;
  {
    std::lock_guard<std::mutex> g(memory().lock);
    memory().failures.erase(p);
    memory().tallies.erase(p);
  }
  memory().shrink_budget_spent = false;
  rc::detail::TestParams params = configuration().testParams;
  params.maxSuccess = o.cases;
  params.maxSize = o.max_size;
  if (o.seed) params.seed = *o.seed;
  rc::detail::TestMetadata meta;
  meta.id = std::string(harness::name(p));
  meta.description = meta.id;
  const std::vector<Seed> seeds = o.seeds;
  Progress listener(rc::detail::globalTestListener(), o);
  const auto start = std::chrono::steady_clock::now();
  const rc::detail::TestResult result = rc::detail::checkProperty(
      rc::detail::toProperty([p, &seeds] { property_case(p, seeds); }), meta, params, listener,
      configuration().reproduce);
  memory().shrink_budget_spent = false;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.tally = tally(p);
  if (result.is<rc::detail::SuccessResult>()) {
    out.successes = result.get<rc::detail::SuccessResult>().numSuccess;
    return out;
  }
  out.holds = false;
  if (result.is<rc::detail::FailureResult>()) {
    const auto& f = result.get<rc::detail::FailureResult>();
    out.successes = f.numSuccess;
    out.description = f.description;
    std::ostringstream ex;
    for (const auto& [type, value] : f.counterExample) ex << type << ":\n" << value << "\n";
    out.counterexample = ex.str();
    out.reproduce = rc::detail::reproduceMapToString({{meta.id, f.reproduce}});
  } else {
    std::ostringstream s;
    rc::detail::printResultMessage(result, s);
    out.error = s.str();
  }
  out.shrunk = last_failure(p);
  if (out.shrunk && !o.regression_dir.empty())
    out.regression_file = harness::write_case(*out.shrunk, o.regression_dir, &out.error);
  return out;
}

}  // namespace migcheck::gen
