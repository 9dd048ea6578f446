// Rules of the VMState engine itself (migration/vmstate.c, vmstate-types.c).
#include <array>

#include "migcheck/vmstate/fields.h"
#include "migcheck/vmstate/vmsd.h"

namespace migcheck::vmstate {
namespace rules {

const LoadRule kVersionTooNew{
    .id = "vmstate.version_too_new", .outcome = Outcome::Reject,
    .qemu_message = "%s: incoming version_id %d is too new for local version_id %d",
    .origin = "migration/vmstate.c: vmstate_load_state", .spec = "§2.3"};
const LoadRule kVersionTooOld{
    .id = "vmstate.version_too_old", .outcome = Outcome::Reject,
    // Two spaces before the last %d, as QEMU 7.2 prints it.
    .qemu_message = "%s: incoming version_id %d is too old for local minimum version_id  %d",
    .origin = "migration/vmstate.c: vmstate_load_state", .spec = "§2.3"};
const LoadRule kMustExist{
    .id = "vmstate.must_exist", .outcome = Outcome::Reject,
    .qemu_message = "Input validation failed: %s/%s",
    .origin = "migration/vmstate.c: vmstate_load_state", .spec = "§2.3"};
const LoadRule kSubsectionUnknown{
    .id = "vmstate.subsection_unknown", .outcome = Outcome::Reject, .qemu_message = "",
    .origin = "migration/vmstate.c: vmstate_subsection_load (lookup)", .spec = "§2.4"};
const LoadRule kFieldFailed{
    .id = "vmstate.field_failed", .outcome = Outcome::Reject,
    .qemu_message = "Failed to load %s:%s",
    .origin = "migration/vmstate.c: vmstate_load_state", .spec = "§2.3"};
const LoadRule kStreamTruncated{
    .id = "stream.truncated", .outcome = Outcome::Reject,
    .qemu_message = "Failed to load %s:%s",
    .origin = "migration/qemu-file.c: qemu_fill_buffer (-EIO)", .spec = "§7 (f1-f3)"};
const LoadRule kEqualMismatch{
    .id = "vmstate.equal_mismatch", .outcome = Outcome::Reject, .qemu_message = "%x != %x",
    .origin = "migration/vmstate-types.c: get_uint*_equal", .spec = "§2.1"};
const LoadRule kInt32NotPositiveLe{
    .id = "vmstate.int32_positive_le", .outcome = Outcome::Reject,
    .qemu_message = "Invalid value %d expecting positive value <= %d",
    .origin = "migration/vmstate-types.c: get_int32_le", .spec = "§2.1"};

}  // namespace rules

std::string format_too_new(std::string_view name, int version, int local) {
  return qemu_format(rules::kVersionTooNew.qemu_message, std::string(name), version, local);
}
std::string format_too_old(std::string_view name, int version, int local_min) {
  return qemu_format(rules::kVersionTooOld.qemu_message, std::string(name), version, local_min);
}

std::span<const RuleRef> engine_rules() {
  static const std::array<RuleRef, 8> all = {
      &rules::kVersionTooNew, &rules::kVersionTooOld,    &rules::kMustExist,
      &rules::kSubsectionUnknown, &rules::kFieldFailed, &rules::kStreamTruncated,
      &rules::kEqualMismatch, &rules::kInt32NotPositiveLe};
  return all;
}

}  // namespace migcheck::vmstate
