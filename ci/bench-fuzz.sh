#!/usr/bin/env bash
# Fuzzing throughput: exec/s of every target with its seed corpus, for
# libFuzzer without sanitizers (fuzz-libfuzzer-nosan), libFuzzer with
# ASan+UBSan (fuzz-libfuzzer) and AFL++ (fuzz-afl, persistent mode, ASan+UBSan),
# plus fuzz_load on one ~1 KB virtio-net section with the destination fixed
# (the issue's reference point). One process at a time: numbers are per core.
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
  missing=0; for t in "${TARGETS[@]}"; do [ -x "build/$preset/fuzzers/$t" ] || missing=1; done
  if [ $missing = 1 ]; then cmake --preset $preset >/dev/null; cmake --build build/$preset --target "${TARGETS[@]}"; fi
done

# A ~1 KB virtio-net section record and the destination it was saved from.
net1k=corpora/seed/fuzz_load/net-legacy-msix-driven.section.bin
net1k_dest="pc-i440fx-7.2 virtio-net-pci,addr=2.0,disable-modern=on,vectors=4"
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
  "$(lf fuzz-libfuzzer-nosan fuzz_load "$work/net1k" MIGCHECK_FUZZ_DESTINATION="$net1k_dest")" \
  "$(lf fuzz-libfuzzer fuzz_load "$work/net1k" MIGCHECK_FUZZ_DESTINATION="$net1k_dest")" \
  "$(afl fuzz_load "$work/net1k" MIGCHECK_FUZZ_DESTINATION="$net1k_dest")"
printf '%-34s %12s %12s %12s\n' "fuzz_load (1 KB net, inferred)" \
  "$(lf fuzz-libfuzzer-nosan fuzz_load "$work/net1k")" "$(lf fuzz-libfuzzer fuzz_load "$work/net1k")" \
  "$(afl fuzz_load "$work/net1k")"
for t in "${TARGETS[@]}"; do
  printf '%-34s %12s %12s %12s\n' "$t (seeds)" "$(lf fuzz-libfuzzer-nosan "$t" "$(corpus "$t")")" \
    "$(lf fuzz-libfuzzer "$t" "$(corpus "$t")")" "$(afl "$t" "$(corpus "$t")")"
done
echo "($T s per cell, one process at a time; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
