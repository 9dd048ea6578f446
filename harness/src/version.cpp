// The harness library's identity (its first source; the rest arrive by area:
// properties/, adapters/, oracle/, conformance/, fuzz/).
#include "migcheck/harness/version.h"

namespace migcheck::harness {

std::string_view version() { return "0.1.0"; }

}  // namespace migcheck::harness
