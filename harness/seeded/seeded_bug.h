// Which bug a seeded adapter library enables: seeded_adapter.cpp is compiled
// once, and each library adds its own seeded_bug.cpp (configured from
// seeded_bug.cpp.in by CMakeLists.txt) defining kSeededBug.
#pragma once

namespace migcheck::seeded {

struct SeededBug {
  const char* name;     // the adapter's bug class ("mac-in-use-signed")
  const char* defect;   // the reference defect it enables ("signed-mac-in-use")
  const char* adapter;  // the adapter's name: "seeded-" + name
};

extern const SeededBug kSeededBug;

}  // namespace migcheck::seeded
