#!/usr/bin/env bash
# Differential batch against real QEMU (issue 6): every capture stream and
# section record plus structure-aware mutants of each, loaded by the
# reference and by qemu-system-x86_64 7.2 as the destination. Any finding
# (accept/reject or state mismatch, QEMU crash or hang the reference does not
# flag as a known QEMU defect) fails the step; the JSON report and the
# reproducers stay in build/differential/.
# Usage: ci/differential.sh [BUILD_DIR] (default build/ci)   MUTANTS=N (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/ci}
out=build/differential
if ! command -v qemu-system-x86_64 >/dev/null; then
  echo "differential: qemu-system-x86_64 not installed (Debian package qemu-system-x86); skipped"
  exit 0
fi
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
status=0
"$build/harness/migcheck" diff corpora/qemu-7.2/streams corpora/qemu-7.2/sections \
  --adapter qemu --mutants "${MUTANTS:-10}" --seed "${SEED:-1}" -j 2 -q \
  --report "$out.tmp/report.json" --reproducers "$out.tmp/findings" || status=$?
rm -rf "$out" && mv "$out.tmp" "$out"
exit $status
