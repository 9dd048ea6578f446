#!/usr/bin/env bash
# Time to find: for each deliberate defect of reference/include/migcheck/
# defects/defects.h, fuzz_load_defects (libFuzzer, 1 core) with
# MIGCHECK_DEFECT set, from the fuzz_load seeds, SEEDS runs of at most
# MAX_SECONDS each; prints the median time to the first finding per defect
# (a run that finds nothing counts as MAX_SECONDS and is shown as ">").
#
#   BUILD=build/fuzz-libfuzzer SEEDS=3 MAX_SECONDS=60 ci/time-to-find.sh [defect...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${BUILD:-build/fuzz-libfuzzer}"
SEEDS="${SEEDS:-3}"
MAX_SECONDS="${MAX_SECONDS:-60}"
bin="$BUILD/fuzzers/fuzz_load_defects"
[ -x "$bin" ] || { cmake --preset "$(basename "$BUILD")" >/dev/null; cmake --build "$BUILD" --target fuzz_load_defects; }
if [ $# -gt 0 ]; then defects=("$@"); else
  # The names, from the source of truth (defects.cpp's names() table).
  mapfile -t defects < <(grep -o '"[a-z0-9-]*"' reference/src/defects/defects.cpp | tr -d '"' | grep -v '^none$' | sort -u)
fi
work="${WORK:-build/time-to-find}"; rm -rf "$work"; mkdir -p "$work"
export ASAN_OPTIONS="abort_on_error=1:symbolize=0:detect_leaks=0"
printf '%-30s %-28s %s\n' defect "times (s)" median
for d in "${defects[@]}"; do
  times=()
  for s in $(seq 1 "$SEEDS"); do
    dir="$work/$d-$s"; mkdir -p "$dir/corpus"
    start=$(date +%s.%N)
    if MIGCHECK_DEFECT="$d" "$bin" -seed="$s" -max_total_time="$MAX_SECONDS" -dict=fuzzers/dicts/load.dict \
         -artifact_prefix="$dir/" "$dir/corpus" corpora/seed/fuzz_load > "$dir/log" 2>&1; then
      times+=(">$MAX_SECONDS")
    else
      times+=("$(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.1f')")
    fi
  done
  median=$(printf '%s\n' "${times[@]}" | sed 's/^>//' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  found=$(printf '%s\n' "${times[@]}" | grep -vc '^>' || true)
  title=$(grep -h -m1 -E '^migcheck-(fuzz|diff):|SUMMARY:' "$work/$d"-*/log 2>/dev/null | head -1 | cut -c1-90 || true)
  printf '%-30s %-28s %s%s  %s\n' "$d" "${times[*]}" "$([ "$found" -gt $((SEEDS / 2)) ] || echo '>')" "$median" "$title"
done
