#!/usr/bin/env bash
# Installs every Debian package migcheck needs to build, test, fuzz and run its
# real-QEMU checks. Idempotent and non-interactive: only missing packages are
# installed, so a second run costs one dpkg-query per package.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config
  clang-14 clang lld-14 llvm-14 llvm libclang-rt-14-dev   # libFuzzer, sanitizers, llvm-cov
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev
  afl++ lcov
  python3                                                # json schema check, report helpers
)
# Optional extras: the real-QEMU adapter and the HTML report screenshot.
if [ "${MIGCHECK_WITH_QEMU:-1}" = 1 ]; then PKGS+=(qemu-system-x86); fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 \
  install -y -qq --no-install-recommends "${missing[@]}"
