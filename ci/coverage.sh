#!/usr/bin/env bash
# Coverage of reference/ reached by replaying corpora/ (the seed corpora
# through every fuzz target, the captures and negative cases through
# `migcheck check`): one command, clang source-based coverage (preset
# `coverage`), an llvm-cov line + branch report and an HTML report.
#
#   ci/coverage.sh            -> build/coverage/report.txt, build/coverage/html/
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/coverage
cmake --preset coverage >/dev/null
fuzzers=(fuzz_load fuzz_stream fuzz_roundtrip fuzz_old_reader fuzz_destination)
cmake --build "$build" --target "${fuzzers[@]}" migcheck
prof="$build/prof"; rm -rf "$prof"; mkdir -p "$prof"
export LLVM_PROFILE_FILE="$prof/%p-%m.profraw"

# Fuzz targets (replay drivers) over their seed and regression corpora.
for t in "${fuzzers[@]}"; do
  for dir in corpora/seed/$t corpora/regression/$t; do
    [ -d "$dir" ] && "$build/fuzzers/$t" "$dir" 2>/dev/null
  done
done
# Every capture and negative case through the CLI: with --roundtrip and the
# QMP status JSON under qemu-7.2, and under each older reader profile.
profiles=$("$build/harness/migcheck" check --help | grep -o 'qemu-[0-9.]*[0-9]' | sort -u | grep -vx qemu-7.2)
for f in corpora/qemu-7.2/streams/*.mig corpora/qemu-7.2/sections/*.bin corpora/qemu-7.2/negative/*.mig \
         corpora/regression/*/*; do
  [ -f "$f" ] || continue
  "$build/harness/migcheck" check "$f" --roundtrip --json >/dev/null 2>&1 || true
  "$build/harness/migcheck" dump "$f" >/dev/null 2>&1 || true
  for p in $profiles; do "$build/harness/migcheck" check "$f" --profile "$p" >/dev/null 2>&1 || true; done
done

llvm-profdata-14 merge -sparse "$prof"/*.profraw -o "$build/coverage.profdata"
objects=(-object "$build/harness/migcheck")
for t in "${fuzzers[@]}"; do objects+=(-object "$build/fuzzers/$t"); done
filter=(-ignore-filename-regex='^(/usr/|.*/(harness|fuzzers|tests|bench)/)')
llvm-cov-14 report "${objects[@]}" -instr-profile="$build/coverage.profdata" "${filter[@]}" -show-branch-summary \
  > "$build/report.txt"
llvm-cov-14 show "${objects[@]}" -instr-profile="$build/coverage.profdata" "${filter[@]}" -format=html \
  -output-dir="$build/html" >/dev/null
# The files furthest from the goal first, then the total.
echo "reference/ coverage from corpora/ replay (lowest line coverage first):"
# (llvm-cov names the files relative to their common prefix, reference/.)
awk 'NR>2 && NF>=13 && $1 != "TOTAL" && $1 !~ /^-/ {print}' "$build/report.txt" | sort -k10 -g | head -15 \
  | awk '{printf "  %-60s lines %s  branches %s\n", $1, $10, $13}'
tail -1 "$build/report.txt" | awk '{printf "TOTAL: regions %s  functions %s  lines %s  branches %s\n", $4, $7, $10, $13}'
echo "full report: $build/report.txt, HTML: $build/html/index.html"
