#pragma once

#include <string_view>

namespace migcheck::harness {

std::string_view version();

}  // namespace migcheck::harness
