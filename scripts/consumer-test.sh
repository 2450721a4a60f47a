#!/usr/bin/env bash
# Builds tests/consumers/app.cpp against tern two ways:
#  1. tern as a Meson subproject (dependency('tern') with a fallback);
#  2. an installed tern found through its pkg-config file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "consumer 1: Meson subproject"
mkdir -p "$work/sub/subprojects"
cp "$root/tests/consumers/meson.build" "$root/tests/consumers/app.cpp" "$work/sub/"
ln -s "$root" "$work/sub/subprojects/tern"
meson setup "$work/sub/build" "$work/sub" -Dtern:tests=disabled -Dtern:bench=disabled \
      -Dtern:tools=disabled -Dtern:ct_check=disabled >/dev/null
ninja -C "$work/sub/build" >/dev/null
"$work/sub/build/consumer"

echo "consumer 2: installed library through pkg-config"
meson setup "$work/lib" "$root" --prefix="$work/prefix" --libdir=lib -Dtests=disabled -Dbench=disabled \
      -Dtools=disabled -Dct_check=disabled >/dev/null
ninja -C "$work/lib" >/dev/null
meson install -C "$work/lib" >/dev/null
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
g++ -std=c++20 -Wall -Wextra -Werror $(pkg-config --cflags tern) "$root/tests/consumers/app.cpp" \
    -o "$work/consumer-pc" $(pkg-config --libs tern) -Wl,-rpath,"$work/prefix/lib"
"$work/consumer-pc"
echo "consumers: both builds OK"
