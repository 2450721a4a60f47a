#!/usr/bin/env bash
# Runs tern's whole test suite (every Catch2 suite, the dispatch checks and
# the valgrind constant-time check) in ./build, setting up first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The 1,000,000-iteration X25519 test (suite "slow") runs with: meson test -C build --suite slow
meson test -C build --print-errorlogs --num-processes 2 --no-suite slow "$@"
