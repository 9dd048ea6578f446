#include "migcheck/stream/rules.h"

#include <array>

namespace migcheck::stream::rules {

namespace {
constexpr std::string_view kRam = "migration/ram.c: ram_load_precopy";
}  // namespace

const LoadRule kNotAStream{.id = "stream.magic", .outcome = Outcome::Reject,
                           .qemu_message = "Not a migration stream",
                           .origin = "migration/savevm.c: qemu_loadvm_state_header", .spec = "§1.7"};
const LoadRule kVersionObsolete{.id = "stream.version_obsolete", .outcome = Outcome::Reject,
                                .qemu_message = "SaveVM v2 format is obsolete and don't work anymore",
                                .origin = "migration/savevm.c: qemu_loadvm_state_header", .spec = "§1.7"};
const LoadRule kVersionUnsupported{.id = "stream.version_unsupported", .outcome = Outcome::Reject,
                                   .qemu_message = "Unsupported migration stream version",
                                   .origin = "migration/savevm.c: qemu_loadvm_state_header", .spec = "§1.7"};
const LoadRule kConfigurationMissing{.id = "stream.configuration_missing", .outcome = Outcome::Reject,
                                     .qemu_message = "Configuration section missing",
                                     .origin = "migration/savevm.c: qemu_loadvm_state_header",
                                     .spec = "§1.3"};
const LoadRule kMachineMismatch{.id = "stream.machine_mismatch", .outcome = Outcome::Reject,
                                .qemu_message = "Machine type received is '%.*s' and local is '%s'",
                                .origin = "migration/savevm.c: configuration_post_load", .spec = "§1.3"};
const LoadRule kTargetPageBits{.id = "stream.target_page_bits", .outcome = Outcome::Reject,
                               .qemu_message = "Received TARGET_PAGE_BITS is %d but local is %d",
                               .origin = "migration/savevm.c: configuration_post_load", .spec = "§1.3"};
const LoadRule kCapabilityUnknown{.id = "stream.capability_unknown", .outcome = Outcome::Reject,
                                  .qemu_message = "Received unknown capability %s",
                                  .origin = "migration/savevm.c: get_capability", .spec = "§1.3"};
const LoadRule kCapabilityMismatch{.id = "stream.capability_mismatch", .outcome = Outcome::Reject,
                                   .qemu_message = "Capability %s is %s, but received capability is %s",
                                   .origin = "migration/savevm.c: configuration_validate_capabilities",
                                   .spec = "§1.3"};
const LoadRule kUuidUnset{.id = "stream.uuid_unset", .outcome = Outcome::Warn,
                          .qemu_message = "UUID is received %s, but local uuid isn't set",
                          .origin = "migration/savevm.c: vmstate_uuid_post_load", .spec = "§1.3"};
const LoadRule kConfigNameAlloc{.id = "stream.configuration_name_alloc", .outcome = Outcome::Reject,
                                .qemu_message = "",
                                .origin = "migration/vmstate.c: vmstate_handle_alloc (configuration name)",
                                .spec = "§1.3", .qemu = QemuFate::Abort};
const LoadRule kIdstrUnreadable{.id = "stream.section_idstr", .outcome = Outcome::Reject,
                                .qemu_message = "Unable to read ID string for section %u",
                                .origin = "migration/savevm.c: qemu_loadvm_section_start_full",
                                .spec = "§1.7"};
const LoadRule kSectionHeaderShort{.id = "stream.section_header", .outcome = Outcome::Reject,
                                   .qemu_message = "%s: Failed to read instance/version ID: %d",
                                   .origin = "migration/savevm.c: qemu_loadvm_section_start_full",
                                   .spec = "§1.7"};
const LoadRule kUnknownSection{
    .id = "stream.section_unknown", .outcome = Outcome::Reject,
    .qemu_message = "Unknown savevm section or instance '%s' %u. Make sure that your current VM setup "
                    "matches your saved VM setup, including any hotplugged devices",
    .origin = "migration/savevm.c: qemu_loadvm_section_start_full", .spec = "§1.7"};
const LoadRule kSectionVersionTooNew{.id = "stream.section_version", .outcome = Outcome::Reject,
                                     .qemu_message = "savevm: unsupported version %d for '%s' v%d",
                                     .origin = "migration/savevm.c: qemu_loadvm_section_start_full",
                                     .spec = "§1.7"};
const LoadRule kUnknownSectionId{.id = "stream.section_id_unknown", .outcome = Outcome::Reject,
                                 .qemu_message = "Unknown savevm section %d",
                                 .origin = "migration/savevm.c: qemu_loadvm_section_part_end",
                                 .spec = "§1.7"};
const LoadRule kUnknownSectionType{.id = "stream.section_type_unknown", .outcome = Outcome::Reject,
                                   .qemu_message = "Unknown savevm section type %d",
                                   .origin = "migration/savevm.c: qemu_loadvm_state_main", .spec = "§1.7, §2.4"};
const LoadRule kFooterReadFailed{.id = "stream.footer_read_failed", .outcome = Outcome::Reject,
                                 .qemu_message = "%s: Read section footer failed: %d",
                                 .origin = "migration/savevm.c: check_section_footer", .spec = "§1.7"};
const LoadRule kFooterMissing{.id = "stream.footer_missing", .outcome = Outcome::Reject,
                              .qemu_message = "Missing section footer for %s",
                              .origin = "migration/savevm.c: check_section_footer", .spec = "§1.7, §2.4"};
const LoadRule kFooterMismatch{
    .id = "stream.footer_mismatch", .outcome = Outcome::Reject,
    .qemu_message = "Mismatched section id in footer for %s - read 0x%x expected 0x%x",
    .origin = "migration/savevm.c: check_section_footer", .spec = "§1.7"};
const LoadRule kSectionLoadFailed{.id = "stream.section_load_failed", .outcome = Outcome::Reject,
                                  .qemu_message = "error while loading state for instance 0x%x of device '%s'",
                                  .origin = "migration/savevm.c: qemu_loadvm_section_start_full",
                                  .spec = "§1.7"};
const LoadRule kEofMissing{.id = "stream.eof_missing", .outcome = Outcome::Reject, .qemu_message = "",
                           .origin = "migration/savevm.c: qemu_loadvm_state_main", .spec = "§1.6"};
const LoadRule kVmdescExpected{.id = "stream.vmdesc_expected", .outcome = Outcome::Warn,
                               .qemu_message = "Expected vmdescription section, but got %d",
                               .origin = "migration/savevm.c: qemu_loadvm_state", .spec = "§1.6"};
const LoadRule kCommandUnknown{.id = "stream.command_unknown", .outcome = Outcome::Reject,
                               .qemu_message = "MIG_CMD 0x%x unknown (len 0x%x)",
                               .origin = "migration/savevm.c: loadvm_process_command", .spec = "§1.5"};
const LoadRule kCommandBadLength{.id = "stream.command_length", .outcome = Outcome::Reject,
                                 .qemu_message = "%s received with bad length - expecting %zu, got %d",
                                 .origin = "migration/savevm.c: loadvm_process_command", .spec = "§1.5"};
const LoadRule kReturnPathFailed{.id = "stream.command_return_path", .outcome = Outcome::Reject,
                                 .qemu_message = "CMD_OPEN_RETURN_PATH failed",
                                 .origin = "migration/savevm.c: loadvm_process_command", .spec = "§1.5"};
const LoadRule kPingNoReturnPath{.id = "stream.command_ping", .outcome = Outcome::Reject,
                                 .qemu_message = "CMD_PING (0x%x) received with no return path",
                                 .origin = "migration/savevm.c: loadvm_process_command", .spec = "§1.5"};
const LoadRule kRamVersion{.id = "stream.ram.version", .outcome = Outcome::Reject, .qemu_message = "",
                           .origin = "migration/ram.c: ram_load", .spec = "§1.4"};
const LoadRule kRamCompressedPage{.id = "stream.ram.compressed_page", .outcome = Outcome::Reject,
                                  .qemu_message = "Received an unexpected compressed page", .origin = kRam,
                                  .spec = "§1.4"};
const LoadRule kRamUnknownBlock{.id = "stream.ram.unknown_block", .outcome = Outcome::Reject,
                                .qemu_message = "Unknown ramblock \"%s\", cannot accept migration",
                                .origin = kRam, .spec = "§1.4"};
const LoadRule kRamBlockNotFound{.id = "stream.ram.block_not_found", .outcome = Outcome::Reject,
                                 .qemu_message = "Can't find block %s",
                                 .origin = "migration/ram.c: ram_block_from_stream", .spec = "§1.4"};
const LoadRule kRamBadContinue{.id = "stream.ram.bad_continue", .outcome = Outcome::Reject,
                               .qemu_message = "Ack, bad migration stream!",
                               .origin = "migration/ram.c: ram_block_from_stream", .spec = "§1.4"};
const LoadRule kRamIllegalOffset{.id = "stream.ram.illegal_offset", .outcome = Outcome::Reject,
                                 .qemu_message = "Illegal RAM offset %lx", .origin = kRam, .spec = "§1.4"};
// 7.2 resizes a block whose listed length differs (ram_load_precopy); a
// non-resizeable one fails in qemu_ram_resize with the page-aligned length.
const LoadRule kRamLengthMismatch{.id = "stream.ram.length_mismatch", .outcome = Outcome::Reject,
                                  .qemu_message = "Size mismatch: %s: 0x%lx != 0x%lx: Invalid argument",
                                  .origin = "softmmu/physmem.c: qemu_ram_resize", .spec = "§1.4"};
const LoadRule kRamUnknownFlags{.id = "stream.ram.unknown_flags", .outcome = Outcome::Reject,
                                .qemu_message = "Unknown combination of migration flags: 0x%x", .origin = kRam,
                                .spec = "§1.4"};
const LoadRule kRamHook{.id = "stream.ram.hook", .outcome = Outcome::Reject, .qemu_message = "",
                        .origin = "migration/qemu-file.c: ram_control_load_hook", .spec = "§1.4"};

std::span<const RuleRef> all() {
  static const std::array<RuleRef, 35> list = {
      &kNotAStream,         &kVersionObsolete,      &kVersionUnsupported, &kConfigurationMissing,
      &kMachineMismatch,    &kTargetPageBits,       &kCapabilityUnknown,  &kCapabilityMismatch,
      &kUuidUnset,          &kConfigNameAlloc,      &kIdstrUnreadable,    &kSectionHeaderShort,
      &kUnknownSection,     &kSectionVersionTooNew, &kUnknownSectionId,   &kUnknownSectionType,
      &kFooterReadFailed,   &kFooterMissing,        &kFooterMismatch,     &kSectionLoadFailed,
      &kEofMissing,         &kVmdescExpected,       &kCommandUnknown,     &kCommandBadLength,
      &kReturnPathFailed,   &kPingNoReturnPath,     &kRamVersion,         &kRamCompressedPage,
      &kRamUnknownBlock,    &kRamBlockNotFound,     &kRamBadContinue,     &kRamIllegalOffset,
      &kRamLengthMismatch,  &kRamUnknownFlags,      &kRamHook};
  return list;
}

}  // namespace migcheck::stream::rules
