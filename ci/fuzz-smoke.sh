#!/usr/bin/env bash
# Fuzz smoke (issue 5; run by .ci/run): builds the OSS-Fuzz build.sh locally
# with the libFuzzer engine and the fuzz-afl preset, replays the seed and
# regression corpora, fuzzes every target for FUZZ_SECONDS on libFuzzer and
# on AFL++ (the two engines side by side: 2 cores), and fails on any finding.
#
#   FUZZ_SECONDS=60 (per target and engine)   FUZZ_TARGETS="fuzz_load ..."
#   MIGCHECK_DEFECT=endian-not-defaulted ci/fuzz-smoke.sh
#       plants a defect: fuzz_load_defects is fuzzed instead, and the run
#       must fail (the check that the smoke has teeth).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
DEFECT="${MIGCHECK_DEFECT:-}"
if [ -n "$DEFECT" ]; then
  TARGETS=(fuzz_load_defects)
  echo "fuzz-smoke: planted defect '$DEFECT': this run must FAIL"
else
  read -r -a TARGETS <<< "${FUZZ_TARGETS:-fuzz_load fuzz_stream fuzz_roundtrip fuzz_old_reader fuzz_destination}"
fi
work=build/fuzz-smoke
rm -rf "$work"; mkdir -p "$work"   # kept for post-mortem (CI uploads it)
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export ASAN_OPTIONS="abort_on_error=1:symbolize=0:detect_leaks=1:quarantine_size_mb=64"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

corpus_of() { case "$1" in fuzz_load_defects|fuzz_diff) echo fuzz_load ;; *) echo "$1" ;; esac; }
dict_of() { case "$1" in fuzz_stream) echo fuzzers/dicts/stream.dict ;; fuzz_roundtrip|fuzz_old_reader) ;; *) echo fuzzers/dicts/load.dict ;; esac; }

# The libFuzzer binaries are the OSS-Fuzz / ClusterFuzzLite build's own
# (ci/oss-fuzz/build.sh, libFuzzer engine, ASan+UBSan): one compile checks
# build.sh and feeds the smoke. Targets build.sh does not ship (the planted
# defects, fuzz_diff) come from the fuzz-libfuzzer preset.
oss_targets=" fuzz_load fuzz_stream fuzz_roundtrip fuzz_old_reader fuzz_destination "
presets=(fuzz-afl); lf_bin=build/fuzz-libfuzzer/fuzzers
for t in "${TARGETS[@]}"; do [[ "$oss_targets" == *" $t "* ]] || { presets+=(fuzz-libfuzzer); break; }; done
if [ ${#presets[@]} = 1 ]; then
  out="$work/oss-fuzz-out"; mkdir -p "$out"; lf_bin="$out"
  flags="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,undefined -fsanitize=fuzzer-no-link"
  CC=clang-14 CXX=clang++-14 CFLAGS="$flags" CXXFLAGS="$flags" \
    LIB_FUZZING_ENGINE=-fsanitize=fuzzer SRC="$PWD/.." OUT="$PWD/$out" WORK="$PWD/$work/oss-fuzz-work" \
    MIGCHECK_SRC="$PWD" bash ci/oss-fuzz/build.sh > "$work/oss-fuzz-build.log" 2>&1 \
    || { tail -30 "$work/oss-fuzz-build.log"; echo "fuzz-smoke: OSS-Fuzz build.sh failed"; exit 1; }
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    "$out/fuzz_load_seed_corpus.zip" "$work/oss-seeds"
  "$out/fuzz_load" -runs=0 -artifact_prefix="$work/" "$work/oss-seeds" > "$work/oss-fuzz-run.log" 2>&1 || { tail -20 "$work/oss-fuzz-run.log"; exit 1; }
  echo "OSS-Fuzz build.sh: $(ls "$out" | tr '\n' ' ')"
fi
for preset in "${presets[@]}"; do
  cmake --preset "$preset" >/dev/null
  cmake --build "build/$preset" --target "${TARGETS[@]}"
done

# Every seed and regression input must pass before fuzzing starts.
for t in "${TARGETS[@]}"; do
  c=$(corpus_of "$t")
  for dir in corpora/seed/$c corpora/regression/$c; do
    [ -d "$dir" ] || continue
    "$lf_bin/$t" -runs=0 -artifact_prefix="$work/replay-$t-" "$dir" > "$work/$t.replay.log" 2>&1 \
      || { tail -40 "$work/$t.replay.log"; echo "fuzz-smoke: $t fails on $dir"; exit 1; }
  done
done

run_libfuzzer() {  # target
  local t=$1 c d; c=$(corpus_of "$t"); d=$(dict_of "$t")
  mkdir -p "$work/lf-$t/corpus"
  # New inputs go to the first directory (the scratch one), never the checkout.
  "$lf_bin/$t" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -timeout=10 \
    -artifact_prefix="$work/lf-$t/" ${d:+-dict=$d} "$work/lf-$t/corpus" "corpora/seed/$c" \
    > "$work/lf-$t.log" 2>&1
}
run_afl() {  # target
  local t=$1 c d; c=$(corpus_of "$t"); d=$(dict_of "$t")
  # AFL++ exits 0 after crashes: its fuzzer_stats say whether it found any.
  timeout $((FUZZ_SECONDS + 60)) afl-fuzz -V "$FUZZ_SECONDS" -t 5000 -i "corpora/seed/$c" -o "$work/afl-$t" \
    ${d:+-x $d} -- build/fuzz-afl/fuzzers/$t > "$work/afl-$t.log" 2>&1 || true
  local crashes
  crashes=$(awk '/^saved_crashes/ {print $3}' "$work/afl-$t/default/fuzzer_stats" 2>/dev/null || echo missing)
  [ "$crashes" = 0 ]
}

failed=0
for t in "${TARGETS[@]}"; do
  run_libfuzzer "$t" & lf=$!
  run_afl "$t" & afl=$!
  if wait $lf; then
    echo "$t libFuzzer: $(grep -h 'stat::average_exec_per_sec' "$work/lf-$t.log" | awk '{print $2}') exec/s, no finding"
  else
    failed=1; echo "fuzz-smoke: FINDING: $t on libFuzzer ($work/lf-$t.log):"
    grep -h -m1 -E '^migcheck-(fuzz|diff):|SUMMARY:' "$work/lf-$t.log" || tail -30 "$work/lf-$t.log"
  fi
  if wait $afl; then
    echo "$t AFL++: $(awk '/^execs_per_sec/ {print $3}' "$work/afl-$t/default/fuzzer_stats") exec/s, no finding"
  else
    failed=1; echo "fuzz-smoke: FINDING (or no stats): $t on AFL++ ($work/afl-$t/default/crashes, $work/afl-$t.log)"
    ls "$work/afl-$t/default/crashes" 2>/dev/null | head -5
  fi
done

if [ -n "$DEFECT" ]; then
  if [ $failed = 1 ]; then echo "fuzz-smoke: the planted defect '$DEFECT' was found (the run fails, as it must)"; fi
fi
[ $failed = 0 ] || { echo "fuzz-smoke: FAILED"; exit 1; }
echo "fuzz-smoke: OK"
