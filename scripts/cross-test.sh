#!/usr/bin/env bash
# Cross-builds tern for ARCH (aarch64, armhf or s390x) with Debian's cross
# compilers and runs the test suites under qemu-user.
#   scripts/cross-test.sh ARCH [extra meson test args]
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:?usage: scripts/cross-test.sh aarch64|armhf|s390x [meson test args]}
shift
case "$arch" in
  aarch64) triple=aarch64-linux-gnu ;;
  armhf) triple=arm-linux-gnueabihf ;;
  s390x) triple=s390x-linux-gnu ;;
  *) echo "unknown arch $arch" >&2; exit 2 ;;
esac
need=()
for p in "g++-$triple" qemu-user; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
dir=build-cross-$arch
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" --cross-file "cross/$arch.ini" ${TERN_CROSS_SETUP_ARGS:-} -Dbench=disabled -Dct_check=disabled -Dtools=disabled
fi
ninja -C "$dir"
meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier 4 "$@"
