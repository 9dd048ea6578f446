#!/usr/bin/env bash
# Conformance suite (issue 7): every vector through the reference (must pass
# 100 %), every seeded-bug adapter and, when qemu-system-x86_64 is installed,
# real QEMU (its failures are reported, not fatal). The report — results.json,
# junit.xml, summary.md, report.html — goes to build/conformance-report/.
# Usage: ci/conformance.sh [BUILD_DIR] (default build/ci)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/ci}
out=build/conformance-report
bin=$build/harness/migcheck
[ -x "$bin" ] || cmake --build "$build" --target migcheck

python3 conformance/tools/gen_vectors.py --check
"$bin" conform --check-schema

adapters=(--adapter 'seeded:*')
if command -v qemu-system-x86_64 >/dev/null; then
  adapters+=(--adapter qemu)
else
  echo "conformance: qemu-system-x86_64 not installed (Debian package qemu-system-x86); real-QEMU column skipped"
fi
# Exit 1 only when the reference fails a vector; adapters' failures are the report.
"$bin" conform --quiet "${adapters[@]}" --report "$out"
echo "conformance: report in $out/ (summary.md, report.html)"
