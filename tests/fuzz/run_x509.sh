#!/bin/sh
# Builds the X.509 parser fuzz target with clang (libFuzzer + ASan + UBSan)
# in its own build directory and runs it for a bounded time.
#   tests/fuzz/run_x509.sh [SECONDS]     (default 60)
# Env: TERN_FUZZ_BUILD (build dir, default build-fuzz-x509), TERN_CAVP_DIR (seed certificates).
set -eu
secs=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${TERN_FUZZ_BUILD:-$root/build-fuzz-x509}
cavp=${TERN_CAVP_DIR:-/usr/lib/python3/dist-packages/cryptography_vectors}

if [ ! -f "$build/build.ninja" ]; then
  # vptr checks are off: the library is built with -fno-rtti (UBSan vptr needs RTTI).
  CXX=clang++ CXXFLAGS="-fsanitize=fuzzer-no-link -fno-sanitize=vptr" LDFLAGS="-fno-sanitize=vptr" meson setup "$build" "$root" \
    -Ddev_only=sha2,x509 -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debugoptimized -Dbench=disabled -Dtools=disabled -Dct_check=disabled
fi
ninja -C "$build" tests/x509/fuzz-x509

# Seed corpus: real certificates (DER) from PKITS and the cryptography vectors.
seeds="$build/fuzz-x509-seeds"
corpus="$build/fuzz-x509-corpus"
mkdir -p "$seeds" "$corpus"
if [ -d "$cavp/x509/PKITS_data/certs" ]; then
  cp -f "$cavp"/x509/PKITS_data/certs/*.crt "$seeds"/ 2>/dev/null || true
fi
for f in "$cavp"/x509/*.der "$cavp"/x509/custom/*.der "$cavp"/x509/*.pem; do
  [ -f "$f" ] && cp -f "$f" "$seeds"/ || true
done

"$build/tests/x509/fuzz-x509" -max_total_time="$secs" -max_len=16384 -timeout=10 \
  -print_final_stats=1 "$corpus" "$seeds"
