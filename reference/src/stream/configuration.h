// The configuration record (vmstate "configuration", spec §1.3).
#pragma once

#include <string>
#include <string_view>

#include "migcheck/vmstate/context.h"

namespace migcheck::stream {

// Loads the body after the 0x07 byte and checks it against the local machine
// type name; the received name is stored in *received.
int load_configuration(vmstate::LoadContext& ctx, std::string_view local_machine, std::string* received);

// The body QEMU writes for `machine` (no subsections on x86 by default).
void save_configuration(vmstate::SaveContext& ctx, std::string_view machine);

}  // namespace migcheck::stream
