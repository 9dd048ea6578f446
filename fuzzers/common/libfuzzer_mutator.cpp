// LLVMFuzzerCustomMutator for the targets that take stream bytes: now and
// then the schema-driven mutation (it decodes the whole input, so it costs a
// load), otherwise libFuzzer's own byte mutations, which also take over when
// the input does not decode. MIGCHECK_FUZZ_STRUCTURED=0 turns it off.
#include <cstdlib>

#include "common/structured_mutator.h"

// Weak: engines without LLVMFuzzerMutate (AFL++'s driver) still link.
extern "C" __attribute__((weak)) std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size,
                                                              std::size_t max_size);

namespace {
// One mutation in kStructuredEvery is structured.
constexpr unsigned kStructuredEvery = 4;

bool structured_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("MIGCHECK_FUZZ_STRUCTURED");
    return !(v && *v == '0');
  }();
  return on;
}
}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  if (structured_enabled() && seed % kStructuredEvery == 0)
    if (const std::size_t n = migcheck::fuzz::structured_mutate(data, size, max_size, seed / kStructuredEvery))
      return n;
  if (LLVMFuzzerMutate) return LLVMFuzzerMutate(data, size, max_size);
  if (size) data[seed % size] ^= static_cast<std::uint8_t>(1u << (seed / 7 % 8));
  return size;
}
