#!/usr/bin/env bash
# Runs tern's whole test suite (every Catch2 suite, the dispatch checks and
# the valgrind constant-time check) in ./build, setting up first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
meson test -C build --print-errorlogs --num-processes 2 "$@"
