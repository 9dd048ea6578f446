// A Destination as the C ABI's struct migcheck_destination: owns every
// string the struct points to, for the duration of one call.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "migcheck/adapter.h"
#include "migcheck/profile/destination.h"

namespace migcheck::harness {

std::string_view transport_name(const VirtioDeviceSpec& spec);  // "pci", "mmio", "ccw"

class CDestination {
 public:
  explicit CDestination(const Destination& dest);
  CDestination(const CDestination&) = delete;
  CDestination& operator=(const CDestination&) = delete;
  const migcheck_destination* get() const { return &dest_; }

 private:
  const char* keep(std::string s);
  std::deque<std::string> strings_;  // stable addresses
  std::vector<const char*> args_;
  std::vector<migcheck_device> devices_;
  migcheck_destination dest_{};
};

}  // namespace migcheck::harness
