#!/usr/bin/env bash
# Installs what tern needs from Debian 12 (only what is missing), then
# configures and builds ./build. Idempotent; safe to run again.
#   scripts/setup.sh            set up and build
#   scripts/setup.sh --speed    ... then run `tern speed`
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(meson ninja-build g++ clang pkg-config catch2 libbenchmark-dev libssl-dev openssl
          ca-certificates python3 python3-cryptography-vectors valgrind gnutls-bin libclang-rt-14-dev
          python3-matplotlib)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f build/build.ninja ]; then
  CXX=${CXX:-g++} meson setup build
fi
ninja -C build

if [ "${1:-}" = "--speed" ]; then
  ./build/tools/tern speed
fi
