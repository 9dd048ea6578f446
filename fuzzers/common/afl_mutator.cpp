// AFL++ custom mutator (AFL_CUSTOM_MUTATOR_LIBRARY=libmigcheck_afl_mutator.so):
// the structured mutator of LLVMFuzzerCustomMutator. When the input does not
// decode it returns the input unchanged and AFL++'s own stages do the byte
// mutation (AFL_CUSTOM_MUTATOR_ONLY is not set).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/report.h"
#include "common/structured_mutator.h"

namespace {
struct State {
  std::uint64_t rng;
  std::vector<std::uint8_t> buf;
};
}  // namespace

extern "C" void* afl_custom_init(void* /*afl*/, unsigned int seed) {
  return new State{seed * 0x9e3779b97f4a7c15ull + 1, {}};
}

extern "C" std::size_t afl_custom_fuzz(void* data, std::uint8_t* in, std::size_t in_size, std::uint8_t** out,
                                       std::uint8_t* /*add_buf*/, std::size_t /*add_size*/, std::size_t max_size) {
  auto* s = static_cast<State*>(data);
  s->rng ^= s->rng << 13, s->rng ^= s->rng >> 7, s->rng ^= s->rng << 17;
  const std::size_t cap = std::min(max_size, migcheck::fuzz::kMaxInput);
  s->buf.assign(in, in + std::min(in_size, cap));
  s->buf.resize(cap);
  std::size_t n = migcheck::fuzz::structured_mutate(s->buf.data(), std::min(in_size, cap), cap, s->rng);
  if (n == 0) {  // undecodable: hand back the input; AFL++'s stages mutate bytes
    n = std::min(in_size, cap);
    std::memcpy(s->buf.data(), in, n);
  }
  *out = s->buf.data();
  return n;
}

extern "C" void afl_custom_deinit(void* data) { delete static_cast<State*>(data); }
