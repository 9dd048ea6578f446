#!/usr/bin/env bash
# Fuzzing throughput: exec/s of every target with its seed corpus, for
# libFuzzer without sanitizers (fuzz-libfuzzer-nosan), libFuzzer with
# ASan+UBSan (fuzz-libfuzzer) and AFL++ (fuzz-afl, persistent mode, ASan+UBSan),
# plus fuzz_load on one ~1 KB virtio-net section with the destination fixed
# (the issue's reference point), beside the same with the totality check only
# and the reference loader alone (load_only). One process at a time: numbers
# are per core.
# Then what bounds fuzz_load there: the coverage counters one run sets (each
# is a feature libFuzzer handles on every run), the comparisons it traces
# (each a call into libFuzzer), the allocations it makes (ASan's main cost),
# and libFuzzer's own exec/s for a target that sets that many counters and
# does nothing else.
#
#   SECONDS_PER_RUN=20 ci/bench-fuzz.sh          (builds what is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
T="${SECONDS_PER_RUN:-20}"
TARGETS=(fuzz_load fuzz_stream fuzz_roundtrip fuzz_old_reader fuzz_destination)
work=build/bench-fuzz; rm -rf "$work"; mkdir -p "$work"
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export ASAN_OPTIONS="abort_on_error=1:symbolize=0:detect_leaks=0:quarantine_size_mb=64"
for preset in fuzz-libfuzzer-nosan fuzz-libfuzzer fuzz-afl; do
  targets=("${TARGETS[@]}"); [ $preset = fuzz-afl ] || targets+=(fuzz_load_edges load_only)
  missing=0; for t in "${targets[@]}"; do [ -x "build/$preset/fuzzers/$t" ] || missing=1; done
  if [ $missing = 1 ]; then cmake --preset $preset >/dev/null; cmake --build build/$preset --target "${targets[@]}"; fi
done

# A ~1 KB virtio-net section record and the destination it was saved from.
net1k=corpora/seed/fuzz_load/net-legacy-msix-driven.section.bin
net1k_dest="pc-i440fx-7.2 virtio-net-pci,addr=2.0,disable-modern=on,vectors=4"
fixed="MIGCHECK_FUZZ_DESTINATION=$net1k_dest"
mkdir -p "$work/net1k"; cp "$net1k" "$work/net1k/"

lf() {  # preset target seeds [env...] -> exec/s
  local preset=$1 t=$2 seeds=$3; shift 3
  local dir="$work/$preset-$t-$RANDOM"; mkdir -p "$dir"
  env "$@" "build/$preset/fuzzers/$t" -max_total_time="$T" -print_final_stats=1 -artifact_prefix="$dir/" \
    "$dir" "$seeds" > "$dir.log" 2>&1 || echo "finding! see $dir.log" >&2
  awk '/stat::average_exec_per_sec/ {print $2}' "$dir.log"
}
afl() {  # target seeds [env...] -> exec/s
  local t=$1 seeds=$2; shift 2
  local dir="$work/afl-$t-$RANDOM"
  env "$@" afl-fuzz -V "$T" -i "$seeds" -o "$dir" -- "build/fuzz-afl/fuzzers/$t" > "$dir.log" 2>&1 || true
  awk '/^execs_per_sec/ {printf "%d\n", $3}' "$dir/default/fuzzer_stats" 2>/dev/null || echo "-"
}
corpus() { echo "corpora/seed/$1"; }

printf '%-34s %12s %12s %12s\n' target "lF no-san" "lF ASan+UB" "AFL++ ASan"
printf '%-34s %12s %12s %12s\n' "fuzz_load (1 KB net, fixed dest)" \
  "$(lf fuzz-libfuzzer-nosan fuzz_load "$work/net1k" "$fixed")" \
  "$(lf fuzz-libfuzzer fuzz_load "$work/net1k" "$fixed")" \
  "$(afl fuzz_load "$work/net1k" "$fixed")"
# What fuzz_load costs beyond the load: with the totality check only, and
# the loader alone (load_only: no checks, no structured mutator), which
# bounds any fuzz_load over this loader.
printf '%-34s %12s %12s %12s\n' "  checking totality only" \
  "$(lf fuzz-libfuzzer-nosan fuzz_load "$work/net1k" "$fixed" MIGCHECK_FUZZ_PROPERTIES=totality)" \
  "$(lf fuzz-libfuzzer fuzz_load "$work/net1k" "$fixed" MIGCHECK_FUZZ_PROPERTIES=totality)" "-"
printf '%-34s %12s %12s %12s\n' "  the loader alone (load_only)" \
  "$(lf fuzz-libfuzzer-nosan load_only "$work/net1k" "$fixed")" \
  "$(lf fuzz-libfuzzer load_only "$work/net1k" "$fixed")" "-"
printf '%-34s %12s %12s %12s\n' "fuzz_load (1 KB net, inferred)" \
  "$(lf fuzz-libfuzzer-nosan fuzz_load "$work/net1k")" "$(lf fuzz-libfuzzer fuzz_load "$work/net1k")" \
  "$(afl fuzz_load "$work/net1k")"
for t in "${TARGETS[@]}"; do
  printf '%-34s %12s %12s %12s\n' "$t (seeds)" "$(lf fuzz-libfuzzer-nosan "$t" "$(corpus "$t")")" \
    "$(lf fuzz-libfuzzer "$t" "$(corpus "$t")")" "$(afl "$t" "$(corpus "$t")")"
done

edges() {  # preset [env...] -> counters set, comparisons traced, allocations per run of fuzz_load on the 1 KB section
  local preset=$1; shift
  env "$fixed" "$@" "build/$preset/fuzzers/fuzz_load_edges" "$net1k" |
    awk '{printf "%s counters, %s comparisons, %s allocations", $2, $9, $(NF-1)}'
}
# libFuzzer's ceiling: a target whose run is n branches, each setting its own
# counter, and no other work. Nothing that sets n counters per run is
# faster under the same options: libFuzzer's defaults (as fuzz_load runs),
# and -entropic=0 -reduce_inputs=0, which drop its optional per-feature work.
ceiling() {  # n [libFuzzer flags...] -> exec/s
  local n=$1 src="$work/ceiling-$1.c"; shift
  if [ ! -x "$work/ceiling-$n" ]; then
    { echo '#include <stddef.h>'; echo '#include <stdint.h>'; echo 'volatile unsigned sink;'
      echo 'int LLVMFuzzerTestOneInput(const uint8_t* d, size_t s) {'
      for ((i = 0; i < n; i++)); do echo "  if (sink != ${i}u + 0x7fff0000u) sink = ${i}u; else sink = 0;"; done
      echo '  return 0;'; echo '}'; } > "$src"
    clang-14 -O1 -fsanitize=fuzzer "$src" -o "$work/ceiling-$n"
  fi
  local dir="$work/ceiling-$n-$RANDOM.corpus"; mkdir -p "$dir"; cp "$net1k" "$dir/"
  "$work/ceiling-$n" "$@" -max_total_time="$T" -print_final_stats=1 "$dir" 2>&1 |
    awk '/stat::average_exec_per_sec/ {print $2}'
}
echo
echo "fuzz_load per run (1 KB net, fixed dest): $(edges fuzz-libfuzzer-nosan) no-san;" \
  "$(edges fuzz-libfuzzer) ASan+UBSan"
echo "  checking totality only: $(edges fuzz-libfuzzer-nosan MIGCHECK_FUZZ_PROPERTIES=totality) no-san;" \
  "$(edges fuzz-libfuzzer MIGCHECK_FUZZ_PROPERTIES=totality) ASan+UBSan"
echo 'libFuzzer ceiling, exec/s of a run that only sets n counters:'
printf '  -entropic=0 -reduce_inputs=0:'
for n in 100 250 380 500 1000; do printf ' n=%s %s' $n "$(ceiling $n -entropic=0 -reduce_inputs=0)"; done; echo
printf '  default options:            '
for n in 100 250 380 500; do printf ' n=%s %s' $n "$(ceiling $n)"; done; echo
echo "($T s per cell, one process at a time; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
