#!/usr/bin/env bash
# The main job in one command: install what is missing, build, and run every
# bundled real QEMU capture and negative case through the reference, with a
# summary table. Usage: ci/quickstart.sh [--no-deps] [--preset NAME]
# (CI passes --preset ci to reuse the build it has just tested.)
set -euo pipefail
cd "$(dirname "$0")/.."

deps=1; preset=default
while [ $# -gt 0 ]; do
  case "$1" in
    --no-deps) deps=0 ;;
    --preset) preset="$2"; shift ;;
    *) echo "usage: $0 [--no-deps] [--preset NAME]" >&2; exit 2 ;;
  esac
  shift
done
[ "$deps" = 0 ] || bash ci/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target migcheck

bin=build/$preset/harness/migcheck
corpus=corpora/qemu-7.2
pass=0; fail=0
printf '%-44s %-10s %-10s %s\n' "capture" "outcome" "roundtrip" "rule / first message"
for f in "$corpus"/streams/*.mig; do
  out=$("$bin" check --roundtrip --json "$f" || true)
  outcome=$(python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["outcome"], j.get("roundtrip","-"), (j.get("messages") or [""])[0])' <<<"$out")
  read -r verdict rt msg <<<"$outcome"
  printf '%-44s %-10s %-10s %s\n' "$(basename "$f")" "$verdict" "$rt" "$msg"
  if [ "$verdict" = accepted ] && [ "$rt" = identical ]; then pass=$((pass+1)); else fail=$((fail+1)); fi
done
echo
printf '%-44s %-10s %s\n' "negative case (QEMU's destination)" "outcome" "first message"
python3 - "$bin" "$corpus" <<'PY'
import json, subprocess, sys
bin, corpus = sys.argv[1], sys.argv[2]
cases = json.load(open(f"{corpus}/negative/results.json"))
for name, c in cases.items():
    args = [bin, "check", "--json", f"{corpus}/negative/{c['file']}"]
    cmd = c["dest_cmdline"]
    for i, a in enumerate(cmd[:-1]):
        if a == "-machine": args += ["--machine", cmd[i + 1]]
        if a == "-device": args += ["--device", cmd[i + 1]]
    j = json.loads(subprocess.run(args, capture_output=True, text=True).stdout)
    first = (j["messages"] or [""])[0]
    defect = " [QEMU defect]" if j["qemu_defect"] else ""
    print(f"{name:<44} {j['outcome']:<10} {first[:90]}{defect}")
PY
echo
echo "captures: $pass accepted and re-encoded byte for byte, $fail not"
[ "$fail" -eq 0 ]
