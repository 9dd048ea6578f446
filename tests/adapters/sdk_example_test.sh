#!/usr/bin/env bash
# The adapter SDK as an author meets it: install migcheck to a prefix,
# build harness/examples/minimal_adapter out of tree with find_package,
# load it through the C ABI and compare it with the reference.
# Usage: sdk_example_test.sh BUILD_DIR WORK_DIR CXX [SANITIZE]
set -euo pipefail
build=$1 work=$2 cxx=$3 sanitize=${4:-}
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
flags=""
[ -n "$sanitize" ] && flags="-fsanitize=$sanitize -fno-omit-frame-pointer"
cmake -S harness/examples/minimal_adapter -B "$work/build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS=$flags" >"$work/configure.log"
cmake --build "$work/build" >"$work/build.log"
lib="$work/build/libminimal_adapter.so"
test -f "$lib"
"$work/prefix/bin/migcheck" adapters "lib:$lib,fork"
# Devices it declares agree with the reference; the others are unsupported.
"$work/prefix/bin/migcheck" diff --adapter "lib:$lib,fork" --no-reproducers -q \
  corpora/qemu-7.2/streams corpora/qemu-7.2/sections | tee "$work/diff.log"
grep -q "minimal: .*agree" "$work/diff.log"
grep -q "unsupported" "$work/diff.log"
echo "SDK example adapter OK"
