#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script (the "ideal integration"): the
# compilers, flags and engine come from the environment (CC, CXX, CFLAGS,
# CXXFLAGS, LIB_FUZZING_ENGINE); fuzz targets, <target>.dict, <target>.options
# and <target>_seed_corpus.zip go to $OUT.
#
# Locally (what ci/fuzz-smoke.sh does), with the libFuzzer engine:
#   CC=clang-14 CXX=clang++-14 CXXFLAGS="-fsanitize=address,fuzzer-no-link" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out SRC=.. bash ci/oss-fuzz/build.sh
src="${MIGCHECK_SRC:-$SRC/migcheck}"
build="${WORK:-/tmp}/migcheck-oss-fuzz"
targets=(fuzz_load fuzz_stream fuzz_roundtrip fuzz_old_reader fuzz_destination)

# Where the flags are libFuzzer's sanitizer coverage, feedback comes from the
# loader only (cmake/sancov-ignorelist.txt), as in the fuzz-libfuzzer preset:
# without it every run also pays for the oracles' and libraries' counters.
sancov=OFF
case "${CXXFLAGS:-}" in *fuzzer-no-link*) sancov=ON ;; esac

# MIGCHECK_FUZZ_ENGINE=afl means "the compiler flags already instrument the
# code; link the targets with MIGCHECK_FUZZ_LINK": exactly OSS-Fuzz's contract.
cmake -S "$src" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="" \
  -DCMAKE_CXX_FLAGS="${CXXFLAGS:-}" -DCMAKE_EXE_LINKER_FLAGS="${CXXFLAGS:-}" \
  -DMIGCHECK_FUZZ_ENGINE=afl -DMIGCHECK_FUZZ_LINK="$LIB_FUZZING_ENGINE" -DMIGCHECK_SANCOV_IGNORELIST=$sancov \
  -DMIGCHECK_TESTS=OFF -DMIGCHECK_BENCHMARKS=OFF -DMIGCHECK_DEFECTS_LIB=OFF
cmake --build "$build" --target "${targets[@]}"

for t in "${targets[@]}"; do
  cp "$build/fuzzers/$t" "$OUT/"
  cp "$src/fuzzers/dicts/$t.options" "$OUT/"
  case "$t" in
    fuzz_load|fuzz_destination) cp "$src/fuzzers/dicts/load.dict" "$OUT/$t.dict" ;;
    fuzz_stream) cp "$src/fuzzers/dicts/stream.dict" "$OUT/$t.dict" ;;
  esac
  # Flat zip of the seeds (python3: zip(1) is not in every builder image).
  python3 - "$OUT/${t}_seed_corpus.zip" "$src/corpora/seed/$t" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(os.listdir(sys.argv[2])):
        z.write(os.path.join(sys.argv[2], f), f)
PY
done
