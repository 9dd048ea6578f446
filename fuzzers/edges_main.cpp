// Edges per run: links a fuzz target's LLVMFuzzerTestOneInput without
// libFuzzer and reports how many of its inline 8-bit counters one run of
// each input sets. libFuzzer turns every set counter into a feature and
// pays for each on every run (the lookups in RunOne's CollectFeatures), so
// this count bounds a target's exec/s whatever its code costs
// (ci/bench-fuzz.sh prints it beside libFuzzer's ceiling for that count).
// It also counts the comparisons a run traces and the operator new calls it
// makes: under ASan each allocation (with its stack trace and quarantine) is
// most of what a run costs beyond the loader.
//
//   fuzz_load_edges [--pcs] FILE...   (libfuzzer builds only)
//
// Each input runs three times and the third run is counted: first-use
// initialisation (static tables, caches) is not a per-run cost.
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>
#include <string_view>
#include <vector>

namespace {
std::uint8_t* g_counters = nullptr;
std::uint8_t* g_counters_end = nullptr;
const std::uintptr_t* g_pcs = nullptr;
// Traced comparisons per kind: cmp1/2/4/8, const_cmp1/2/4/8, switch.
std::size_t g_cmps[9] = {};
std::size_t g_allocations = 0;

void* allocate(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
}  // namespace

// What -fsanitize=fuzzer-no-link objects call into; libFuzzer would define
// them. Counters are read after each run; traced comparisons are counted
// (each is a call into libFuzzer's table and value-profile updates).
extern "C" {
__attribute__((tls_model("initial-exec"))) thread_local std::uintptr_t __sancov_lowest_stack;
void __sanitizer_cov_8bit_counters_init(std::uint8_t* begin, std::uint8_t* end) {
  g_counters = begin;
  g_counters_end = end;
}
void __sanitizer_cov_pcs_init(const std::uintptr_t* begin, const std::uintptr_t*) { g_pcs = begin; }
void __sanitizer_cov_trace_cmp1(std::uint8_t, std::uint8_t) { ++g_cmps[0]; }
void __sanitizer_cov_trace_cmp2(std::uint16_t, std::uint16_t) { ++g_cmps[1]; }
void __sanitizer_cov_trace_cmp4(std::uint32_t, std::uint32_t) { ++g_cmps[2]; }
void __sanitizer_cov_trace_cmp8(std::uint64_t, std::uint64_t) { ++g_cmps[3]; }
void __sanitizer_cov_trace_const_cmp1(std::uint8_t, std::uint8_t) { ++g_cmps[4]; }
void __sanitizer_cov_trace_const_cmp2(std::uint16_t, std::uint16_t) { ++g_cmps[5]; }
void __sanitizer_cov_trace_const_cmp4(std::uint32_t, std::uint32_t) { ++g_cmps[6]; }
void __sanitizer_cov_trace_const_cmp8(std::uint64_t, std::uint64_t) { ++g_cmps[7]; }
void __sanitizer_cov_trace_switch(std::uint64_t, std::uint64_t*) { ++g_cmps[8]; }
void __sanitizer_cov_trace_div4(std::uint32_t) {}
void __sanitizer_cov_trace_div8(std::uint64_t) {}
void __sanitizer_cov_trace_gep(std::uintptr_t) {}
void __sanitizer_cov_trace_pc_indir(std::uintptr_t) {}
int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
}

// Counted, else the default: malloc and free, as libstdc++'s own.
void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  if (!g_counters) {
    std::fprintf(stderr, "edges: no coverage counters (build with a libfuzzer preset)\n");
    return 2;
  }
  bool pcs = false;
  int status = 0;
  for (int a = 1; a < argc; ++a) {
    if (std::string_view(argv[a]) == "--pcs") {
      pcs = true;
      continue;
    }
    std::ifstream f(argv[a], std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "edges: cannot read %s\n", argv[a]);
      status = 1;
      continue;
    }
    const std::vector<std::uint8_t> input((std::istreambuf_iterator<char>(f)), {});
    for (int run = 0; run < 3; ++run) {
      std::memset(g_counters, 0, static_cast<std::size_t>(g_counters_end - g_counters));
      std::memset(g_cmps, 0, sizeof g_cmps);
      g_allocations = 0;
      LLVMFuzzerTestOneInput(input.data(), input.size());
    }
    std::size_t set = 0;
    for (const std::uint8_t* p = g_counters; p < g_counters_end; ++p) set += *p != 0;
    std::size_t cmps = 0;
    for (std::size_t n : g_cmps) cmps += n;
    std::printf("%s: %zu of %zu counters set per run, %zu comparisons traced"
                " (cmp %zu/%zu/%zu/%zu, const %zu/%zu/%zu/%zu, switch %zu), %zu allocations\n",
                argv[a], set, static_cast<std::size_t>(g_counters_end - g_counters), cmps, g_cmps[0],
                g_cmps[1], g_cmps[2], g_cmps[3], g_cmps[4], g_cmps[5], g_cmps[6], g_cmps[7], g_cmps[8],
                g_allocations);
    // The PCs of the set counters, for llvm-symbolizer (where the edges are).
    if (pcs && g_pcs)
      for (const std::uint8_t* p = g_counters; p < g_counters_end; ++p)
        if (*p) std::printf("0x%lx\n", static_cast<unsigned long>(g_pcs[2 * (p - g_counters)]));
  }
  return status;
}
