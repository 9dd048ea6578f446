// Load and save contexts shared by every layer of the schema engine.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "migcheck/vmstate/rule.h"
#include "migcheck/wire/reader.h"
#include "migcheck/wire/writer.h"

namespace migcheck {
class GuestMemory;
}

namespace migcheck::vmstate {

// A rule that fired, where, and QEMU's text for it (if it prints one).
struct RuleHit {
  RuleRef rule = nullptr;
  std::uint64_t offset = 0;
  std::string detail;  // formatted message or a short note for silent rules
};

// What the loader says: QEMU's error lines in print order, the rule that
// decided a rejection, and the sanitizations applied along the way.
struct Diagnostics {
  std::vector<std::string> messages;  // error_report() lines, innermost first
  RuleHit reject;                     // first rejecting rule (rule == nullptr if none)
  std::vector<RuleHit> applied;       // Sanitize / Broken / Warn rules, in order
  // Set when the input leaves what the reference models (the load stops
  // and no verdict is claimed).
  std::string unsupported;

  bool rejected() const { return reject.rule != nullptr; }
  bool qemu_defect() const {
    if (reject.rule && reject.rule->qemu_defect()) return true;
    for (const RuleHit& h : applied)
      if (h.rule->qemu_defect()) return true;
    return false;
  }
};

// Receives the decode as it happens; drives `migcheck dump` and the
// structure-aware mutator. All callbacks are optional.
class LoadObserver {
 public:
  virtual ~LoadObserver() = default;
  // A vmsd (or hand-written block) starts/ends at `offset`.
  virtual void enter(std::string_view /*name*/, int /*version*/, std::uint64_t /*offset*/) {}
  virtual void leave(std::uint64_t /*offset*/) {}
  // Whether field() needs the value described (a dump does; an observer
  // of offsets only does not, and spares the loader the formatting).
  virtual bool wants_values() const { return true; }
  // Whether field() is wanted at all. An observer of subsection headers
  // only says no, and the engine then steps over untouched queue slots as
  // it does unobserved (SparseArrayField in fields.h).
  virtual bool wants_fields() const { return true; }
  // One field element was read from [begin, end); `value` is empty unless
  // wants_values().
  virtual void field(std::string_view /*name*/, int /*index*/, std::uint64_t /*begin*/,
                     std::uint64_t /*end*/, const std::string& /*value*/) {}
  // A subsection header (0x05 len name version) at [begin, end).
  virtual void subsection(std::string_view /*name*/, std::uint32_t /*version*/,
                          std::uint64_t /*begin*/, std::uint64_t /*end*/) {}
  virtual void note(std::uint64_t /*offset*/, const std::string& /*text*/) {}
};

struct LoadContext {
  wire::Reader& in;
  Diagnostics& diag;
  LoadObserver* observer = nullptr;
  // Guest RAM from the stream; nullptr when the input carries none.
  const GuestMemory* memory = nullptr;
  // Keep a copy of each device state as parsed, before post-load
  // sanitization (for byte-exact re-encoding).
  bool keep_parsed = false;
  // QEMU's vmstate.c prints version and "Failed to load %s:%s" errors;
  // the 2014 code failed silently (readers of the qemu-2.x profiles).
  bool vmstate_messages = true;
  // Start of the item being loaded; the engine sets it before each field
  // element, so a rejection points at the offending field by default.
  std::uint64_t item_begin = 0;

  // error_report(): one line of QEMU output, no rule attached.
  void report(std::string line) { diag.messages.push_back(std::move(line)); }

  // A rule rejects: prints its message (if QEMU prints one) and records the
  // rule unless an inner one already decided. Returns `ret` for chaining:
  //   return ctx.reject(kRule, -EINVAL, fmt(...));
  // `detail` describes a silent rule for humans (not a QEMU line).
  int reject(const LoadRule& rule, int ret, std::string message = {}, std::string detail = {});
  // Same, at an explicit offset (e.g. the start of the offending field).
  int reject_at(const LoadRule& rule, std::uint64_t offset, int ret, std::string message = {},
                std::string detail = {});
  // A sanitizing/broken/warning rule fired; `message` is printed if non-empty.
  void apply(const LoadRule& rule, std::string message = {}, std::string detail = {});
  void apply_at(const LoadRule& rule, std::uint64_t offset, std::string message = {},
                std::string detail = {});

  // After a failing element, make sure some rule explains the failure: the
  // sticky stream error (truncation) or the generic field failure.
  void ensure_reject_recorded(int ret);

  // The input needs something the reference does not model: stop without
  // a verdict. Returns an errno-like value to unwind with.
  int unsupported(std::string why) {
    if (diag.unsupported.empty()) diag.unsupported = std::move(why);
    return -ENOTSUP;
  }

  // Reads hand-written code performs are marked as one item for offsets.
  void mark() { item_begin = in.offset(); }

  // The observer, if it wants each field reported.
  LoadObserver* field_observer() const { return observer && observer->wants_fields() ? observer : nullptr; }
};

struct SaveContext {
  wire::Writer& out;
};

}  // namespace migcheck::vmstate
