// Shared by the destination tests (destination_test.cpp and
// destination_parse_test.cpp): a destination built from a command line's
// -machine and -device arguments, as QEMU 7.2 would realize it.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "migcheck/profile/destination.h"

namespace migcheck::test {

struct Args {
  std::string machine;
  std::vector<std::string> devices;
};

inline Destination make(const Args& a) {
  std::string error;
  std::optional<Destination> d = make_destination(a.machine, a.devices, profile_7_2(), &error);
  EXPECT_TRUE(d) << error;
  return d ? std::move(*d) : Destination{};
}

}  // namespace migcheck::test
