// One input, two loaders, one classification.
#include <algorithm>
#include <cctype>

#include "../adapters/reference_adapter.h"
#include "migcheck/harness/oracle.h"

namespace migcheck::harness {

namespace {

std::string qemu_fate_of(const LoadResult& r) {
  const vmstate::Diagnostics& d = r.diag;
  if (d.reject.rule && d.reject.rule->qemu_defect()) return std::string(to_string(d.reject.rule->qemu));
  for (const vmstate::RuleHit& h : d.applied)
    if (h.rule->qemu_defect()) return std::string(to_string(h.rule->qemu));
  return {};
}

// The device a finding is about: the one at the differing path, the only
// one, or the stream as a whole.
std::string device_of(const Destination& dest, const std::string& path) {
  if (path.rfind("devices[", 0) == 0) {
    const std::size_t i = std::strtoul(path.c_str() + 8, nullptr, 10);
    if (i < dest.devices.size()) return dest.devices[i].reset.name;
  }
  if (dest.devices.size() == 1) return dest.devices[0].reset.name;
  return "stream";
}

// "devices[0].queues[2].inuse" -> "queues[].inuse": the field, not where.
std::string field_of(const std::string& path) {
  std::string out;
  std::string_view p = path;
  if (p.rfind("devices[", 0) == 0) p.remove_prefix(std::min(p.size(), p.find(']') + 1));
  if (!p.empty() && p[0] == '.') p.remove_prefix(1);
  for (std::size_t i = 0; i < p.size(); ++i) {
    out += p[i];
    if (p[i] == '[') {
      while (i + 1 < p.size() && std::isdigit(static_cast<unsigned char>(p[i + 1]))) ++i;
    }
  }
  return out.empty() ? "devices" : out;
}

std::string what_of(const DiffResult& r) {
  switch (r.classification) {
    case Classification::AcceptRejectMismatch: return "accept/reject";
    case Classification::StateMismatch: return "state " + field_of(r.path);
    case Classification::AdapterCrash: return "crash";
    case Classification::AdapterTimeout: return "timeout";
    case Classification::AdapterMalformed: return "malformed";
    case Classification::KnownQemuDefect: return "qemu-defect " + r.qemu_fate;
    case Classification::SaveMismatch: return "save";
    case Classification::RuleMismatch: return "rule";
    case Classification::Unsupported: return "unsupported";
    case Classification::Agree: return "agree";
  }
  return "?";
}

// Cryptofuzz-style: the two implementation names sorted, so the same pair
// always reads the same way.
std::string make_title(const DiffResult& r) {
  std::string a = r.adapter_name, b = "reference";
  if (b < a) std::swap(a, b);
  return "migcheck-diff: " + a + "-vs-" + b + ": " + r.device + ": " + what_of(r);
}

std::string verdict_line(const AdapterResult& r) {
  std::string s(to_string(r.outcome));
  if (!r.rule.empty()) s += " by " + r.rule;
  if (!r.reason.empty()) s += " (" + r.reason + ")";
  return s;
}

void classify(DiffResult& out, const LoadResult& ref, const AdapterInfo& info, const Destination& dest) {
  const AdapterResult& a = out.adapter;
  const AdapterResult& r = out.reference;
  auto set = [&](Classification c, std::string detail) {
    out.classification = c;
    out.detail = std::move(detail);
  };
  const bool qemu_defect_expected = info.real_qemu && !out.qemu_fate.empty();
  switch (a.outcome) {
    case AdapterOutcome::Crash:
    case AdapterOutcome::Timeout: {
      const std::string how = a.outcome == AdapterOutcome::Crash ? "crashed" : "hung";
      if (qemu_defect_expected)
        return set(Classification::KnownQemuDefect,
                   "QEMU " + how + " (" + a.reason + "); the reference rejects by " + out.reference_rule +
                       " and flags it: real QEMU would " + out.qemu_fate);
      return set(a.outcome == AdapterOutcome::Crash ? Classification::AdapterCrash : Classification::AdapterTimeout,
                 "adapter " + how + ": " + a.reason + "; reference " + verdict_line(r));
    }
    case AdapterOutcome::Malformed:
      return set(Classification::AdapterMalformed, "adapter answer malformed: " + a.reason);
    case AdapterOutcome::Unsupported:
      return set(Classification::Unsupported, "adapter: unsupported: " + a.reason);
    default: break;
  }
  if (ref.verdict == Verdict::Unsupported)
    return set(Classification::Unsupported, "reference: unsupported: " + ref.diag.unsupported);
  const bool ra = r.outcome == AdapterOutcome::Accepted, aa = a.outcome == AdapterOutcome::Accepted;
  if (ra != aa)
    return set(Classification::AcceptRejectMismatch,
               "reference " + verdict_line(r) + ", adapter " + verdict_line(a));
  if (!ra) {
    // Only when the adapter speaks migcheck's rule ids (see oracle.h).
    if (!a.rule.empty() && a.rule != r.rule && find_rule(a.rule))
      return set(Classification::RuleMismatch, "both rejected: reference by " + (r.rule.empty() ? "?" : r.rule) +
                                                   ", adapter by " + a.rule + " (" + a.reason + ")");
    return set(Classification::Agree, "both rejected");
  }
  auto diff = compare_devices(r.devices, a.devices, &out.fields_compared);
  if (!diff) return set(Classification::Agree, "both accepted, " + std::to_string(out.fields_compared) + " fields equal");
  out.path = diff->path;
  out.reference_value = diff->reference;
  out.adapter_value = diff->adapter;
  (void)dest;
  set(Classification::StateMismatch, diff->path + ": reference " + diff->reference.dump() + ", adapter " +
                                         diff->adapter.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// The adapter's saved stream must load (reference) to what QEMU's own save
// of the input loads to: the reference's re-save is the oracle, so what
// QEMU's save itself changes (queues past the first vring.num == 0, a
// subsection sent though not needed; docs/properties.md) is expected too.
void check_save(DiffResult& out, Adapter& adapter, std::span<const std::uint8_t> bytes, const Destination& dest) {
  std::string error;
  auto saved = adapter.save(bytes, dest, &error);
  if (!saved) {
    out.classification = Classification::SaveMismatch;
    out.detail = "adapter could not save what it accepted: " + error;
    return;
  }
  const AdapterResult b = from_load_result(reference_load(*saved, dest));
  if (b.outcome != AdapterOutcome::Accepted) {
    out.classification = Classification::SaveMismatch;
    out.detail = "the reference does not accept the adapter's saved stream: " + verdict_line(b);
    return;
  }
  auto own = resave_stream(bytes, reference_load(bytes, dest), &error);
  const AdapterResult expected = own ? from_load_result(reference_load(*own, dest)) : AdapterResult{};
  if (!own || expected.outcome != AdapterOutcome::Accepted) return;  // QEMU's own save is refused: nothing to hold it to
  if (auto diff = compare_devices(expected.devices, b.devices)) {
    out.classification = Classification::SaveMismatch;
    out.path = diff->path;
    out.reference_value = diff->reference;
    out.adapter_value = diff->adapter;
    out.detail = "saved stream loads back differently from QEMU's own save: " + diff->path;
  }
}

}  // namespace

std::string_view to_string(Classification c) {
  switch (c) {
    case Classification::Agree: return "agree";
    case Classification::AcceptRejectMismatch: return "accept/reject mismatch";
    case Classification::StateMismatch: return "state mismatch";
    case Classification::AdapterCrash: return "adapter crash";
    case Classification::AdapterTimeout: return "adapter timeout";
    case Classification::AdapterMalformed: return "adapter malformed";
    case Classification::Unsupported: return "unsupported";
    case Classification::KnownQemuDefect: return "known qemu defect";
    case Classification::SaveMismatch: return "save mismatch";
    case Classification::RuleMismatch: return "reject-rule mismatch";
  }
  return "?";
}

bool is_finding(Classification c) {
  return c != Classification::Agree && c != Classification::Unsupported && c != Classification::KnownQemuDefect;
}

DiffResult run_differential(Adapter& adapter, std::span<const std::uint8_t> input, const Destination& dest,
                            const DiffOptions& options) {
  DiffResult out;
  const AdapterInfo& info = adapter.info();
  out.adapter_name = info.name;
  out.adapter_spec = info.spec;
  std::vector<std::uint8_t> wrapped;
  std::span<const std::uint8_t> bytes = input;
  if (!is_full_stream(input) && (options.wrap_records || !info.section_records)) {
    wrapped = wrap_section_record(input, dest);
    bytes = wrapped;
    out.wrapped = true;
  }
  const LoadResult ref = reference_load(bytes, dest);
  out.reference = from_load_result(ref);
  if (ref.diag.reject.rule) out.reference_rule = std::string(ref.diag.reject.rule->id);
  out.qemu_fate = qemu_fate_of(ref);
  if (std::string gap = capability_gap(info, dest); !gap.empty()) {
    out.adapter.outcome = AdapterOutcome::Unsupported;
    out.adapter.reason = "outside its declared capabilities: " + gap;
  } else {
    out.adapter = adapter.load(bytes, dest);
  }
  classify(out, ref, info, dest);
  if (options.check_save && info.can_save && out.classification == Classification::Agree &&
      out.adapter.outcome == AdapterOutcome::Accepted)
    check_save(out, adapter, bytes, dest);
  out.device = device_of(dest, out.path);
  out.title = make_title(out);
  return out;
}

nlohmann::json to_json(const DiffResult& r) {
  auto side = [](const AdapterResult& a) {
    nlohmann::json j = {{"outcome", std::string(to_string(a.outcome))},
                        {"rule", a.rule.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.rule)},
                        {"reason", a.reason},
                        {"seconds", a.seconds}};
    if (!a.log.empty()) j["log"] = a.log;
    return j;
  };
  nlohmann::json j = {{"classification", std::string(to_string(r.classification))},
                      {"finding", is_finding(r.classification)},
                      {"title", r.title},
                      {"adapter", r.adapter_name},
                      {"spec", r.adapter_spec},
                      {"device", r.device},
                      {"detail", r.detail},
                      {"wrapped", r.wrapped},
                      {"reference", side(r.reference)},
                      {"result", side(r.adapter)}};
  if (!r.path.empty()) {
    j["path"] = r.path;
    j["reference_value"] = r.reference_value;
    j["adapter_value"] = r.adapter_value;
  }
  if (!r.reference_rule.empty()) j["reference_rule"] = r.reference_rule;
  if (!r.qemu_fate.empty()) j["qemu_fate"] = r.qemu_fate;
  if (r.fields_compared) j["fields_compared"] = r.fields_compared;
  return j;
}

}  // namespace migcheck::harness
