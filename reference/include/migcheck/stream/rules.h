// Load rules of the stream framing (migration/savevm.c, migration/ram.c;
// spec §1).
#pragma once

#include <span>

#include "migcheck/vmstate/rule.h"

namespace migcheck::stream::rules {

extern const LoadRule kNotAStream;
extern const LoadRule kVersionObsolete;
extern const LoadRule kVersionUnsupported;
extern const LoadRule kConfigurationMissing;
extern const LoadRule kMachineMismatch;
extern const LoadRule kTargetPageBits;
extern const LoadRule kCapabilityUnknown;
extern const LoadRule kCapabilityMismatch;
extern const LoadRule kUuidUnset;
extern const LoadRule kConfigNameAlloc;
extern const LoadRule kIdstrUnreadable;
extern const LoadRule kSectionHeaderShort;
extern const LoadRule kUnknownSection;
extern const LoadRule kSectionVersionTooNew;
extern const LoadRule kUnknownSectionId;
extern const LoadRule kUnknownSectionType;
extern const LoadRule kFooterReadFailed;
extern const LoadRule kFooterMissing;
extern const LoadRule kFooterMismatch;
extern const LoadRule kSectionLoadFailed;
extern const LoadRule kEofMissing;
extern const LoadRule kVmdescExpected;
extern const LoadRule kCommandUnknown;
extern const LoadRule kCommandBadLength;
extern const LoadRule kReturnPathFailed;
extern const LoadRule kPingNoReturnPath;
extern const LoadRule kRamVersion;
extern const LoadRule kRamCompressedPage;
extern const LoadRule kRamUnknownBlock;
extern const LoadRule kRamBlockNotFound;
extern const LoadRule kRamBadContinue;
extern const LoadRule kRamIllegalOffset;
extern const LoadRule kRamLengthMismatch;
extern const LoadRule kRamUnknownFlags;
extern const LoadRule kRamHook;

std::span<const RuleRef> all();

}  // namespace migcheck::stream::rules
