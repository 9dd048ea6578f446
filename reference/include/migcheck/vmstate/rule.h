// A load rule: one check or sanitization QEMU applies while loading, as data.
//
// Every path in the reference that rejects, sanitizes or marks a device
// broken names the rule it applies, so results, conformance vectors and
// reports can all point at the same stable id and QEMU's own wording.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace migcheck {

// What QEMU's loader does when the rule fires.
enum class Outcome : std::uint8_t {
  Reject,    // the load fails (virtio_load returns non-zero)
  Sanitize,  // the load continues with an adjusted value
  Broken,    // virtio_error(): device marked broken, load continues
  Warn,      // a message only; state unchanged
};

// What a real QEMU process does where the reference rejects cleanly.
enum class QemuFate : std::uint8_t {
  AsOutcome,  // QEMU behaves as the outcome says
  Hang,       // spins for a very long time (observed or by code reading)
  Crash,      // SIGSEGV / memory corruption
  Abort,      // assert()
  Exit,       // exit(1) from inside the loader
};

struct LoadRule {
  std::string_view id;            // stable, dotted: "virtio.vq.desc_zero_with_index"
  Outcome outcome;
  std::string_view qemu_message;  // QEMU 7.2's printf format; empty if silent
  std::string_view origin;        // QEMU function that applies it
  std::string_view spec;          // spec section, e.g. "§7 L8a"
  std::string_view cve = {};
  QemuFate qemu = QemuFate::AsOutcome;

  bool qemu_defect() const { return qemu != QemuFate::AsOutcome; }
};

using RuleRef = const LoadRule*;

std::string_view to_string(Outcome);
std::string_view to_string(QemuFate);

// Every rule of every layer, in a stable order (for `migcheck rules`, docs
// and coverage accounting in the conformance suite).
std::span<const RuleRef> all_rules();
RuleRef find_rule(std::string_view id);

}  // namespace migcheck
