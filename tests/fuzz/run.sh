#!/bin/sh
# Builds every libFuzzer target (clang, libFuzzer + ASan + UBSan) in its own
# build directory, seeds the corpora and runs each target for a bounded time.
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]    (default 30 s, all targets)
# Targets: der x509 pem tls-messages tls-record tls-client tls-server
#   aead-aes128gcm aead-aes256gcm aead-chacha20poly1305 aead-xchacha20poly1305
#   hash-sha256 hash-sha384 hash-sha512 hmac
# Env: TERN_FUZZ_BUILD (build dir, default build-fuzz), TERN_CAVP_DIR (PKITS
# and other certificates), TERN_RFC8448_DIR (TLS traces), TERN_FUZZ_ARGS
# (extra libFuzzer flags, e.g. -jobs=1), TERN_FUZZ_LOG (directory for the
# per-target logs; default <build>/logs).
# Exit status: non-zero when a target found a crash (the reproducer is left
# in the current directory as crash-*/leak-*/timeout-*, see libFuzzer).
set -eu
secs=${1:-30}
[ $# -gt 0 ] && shift
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${TERN_FUZZ_BUILD:-$root/build-fuzz}
cavp=${TERN_CAVP_DIR:-/usr/lib/python3/dist-packages/cryptography_vectors}
rfc8448=${TERN_RFC8448_DIR:-$root/../shared/vectors/rfc8448}
logs=${TERN_FUZZ_LOG:-$build/logs}
all="der x509 pem tls-messages tls-record tls-client tls-server aead-aes128gcm aead-aes256gcm
     aead-chacha20poly1305 aead-xchacha20poly1305 hash-sha256 hash-sha384 hash-sha512 hmac"
targets=${*:-$all}

if [ ! -f "$build/build.ninja" ]; then
  # UBSan's vptr check needs RTTI, which the library does not have.
  # Line tables only (not full -g): quicker to build and link (the CI job
  # has 10 minutes including the build), enough for symbolized reports.
  CXX=clang++ meson setup "$build" "$root" -Dfuzz=enabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized \
    -Dcpp_args="-fno-sanitize=vptr -gline-tables-only" -Dcpp_link_args=-fno-sanitize=vptr \
    -Dtests=disabled -Dbench=disabled -Dtools=disabled -Dct_check=disabled
fi
ninja -C "$build" -j"${TERN_JOBS:-2}" $(for t in $targets; do printf 'tests/fuzz/fuzz-%s ' "$t"; done)

# Seeds ------------------------------------------------------------------------
seeds=$build/fuzz-seeds
mkdir -p "$seeds" "$logs"
seed_dir() { mkdir -p "$seeds/$1"; echo "$seeds/$1"; }
certs() {  # DER and PEM certificates from PKITS and the cryptography vectors
  d=$1; pem=$2
  if [ -d "$cavp/x509" ]; then
    find "$cavp/x509" -maxdepth 3 \( -name '*.crt' -o -name '*.der' \) -size -16k | head -n 400 |
      while read -r f; do cp -f "$f" "$d/"; done
    if [ "$pem" = yes ]; then
      find "$cavp/x509" -maxdepth 2 -name '*.pem' -size -16k | head -n 200 |
        while read -r f; do cp -f "$f" "$d/"; done
    fi
  fi
}
# Handshake messages from the RFC 8448 traces: "<label>: hex" lines whose
# label names a complete handshake message, one file per message with the
# tls-messages selector byte in front.
rfc8448_seeds() {
  d=$1; kind=$2
  [ -d "$rfc8448" ] || return 0
  python3 - "$rfc8448" "$d" "$kind" <<'PY'
import os, re, sys
src, out, kind = sys.argv[1:4]
sel = {1: 0, 2: 1, 8: 2, 11: 3, 15: 4, 20: 5, 13: 6, 4: 7, 24: 8}
seen = set()
def emit(data):
    if data not in seen:
        seen.add(data)
        open(os.path.join(out, 'rfc8448-%03d' % len(seen)), 'wb').write(data)
for name in sorted(os.listdir(src)):
    if not name.endswith('.txt'):
        continue
    for m in re.finditer(r'^(\S+)\s+([0-9a-fA-F]+)$', open(os.path.join(src, name)).read(), re.M):
        label, b = m.group(1), bytes.fromhex(m.group(2)) if len(m.group(2)) % 2 == 0 else b''
        if kind == 'record' and label.endswith('complete_record') and len(b) > 5:
            emit(bytes([0, 0]) + b)  # AES-128-GCM, fixed key
        if kind == 'messages':
            # One or more whole handshake messages back to back.
            p = 0
            while p + 4 <= len(b) and b[p] in sel:
                n = int.from_bytes(b[p + 1:p + 4], 'big')
                if p + 4 + n > len(b):
                    break
                t = b[p]
                emit(bytes([sel[t] | (0x10 if t == 20 and n == 48 else 0)]) + b[p + 4:p + 4 + n])
                p += 4 + n
PY
}

status=0
for t in $targets; do
  exe=$build/tests/fuzz/fuzz-$t
  [ -x "$exe" ] || { echo "fuzz: $t not built (component switched off?)"; continue; }
  sd=$(seed_dir "$t")
  corpus=$build/fuzz-corpus/$t
  mkdir -p "$corpus"
  case $t in
    der|x509) certs "$sd" no ;;
    pem) certs "$sd" yes ;;
    tls-messages) rfc8448_seeds "$sd" messages ;;
    tls-record) rfc8448_seeds "$sd" record ;;
    tls-client|tls-server) TERN_FUZZ_WRITE_SEEDS=$sd "$exe" -runs=0 "$sd" >/dev/null 2>&1 || true ;;
  esac
  [ -n "$(ls -A "$sd")" ] || printf '\0' > "$sd/empty"
  # Past findings (minimized reproducers) must stay fixed.
  regs=$(ls "$root/tests/fuzz/regressions/$t-"* 2>/dev/null || true)
  if [ -n "$regs" ] && ! "$exe" $regs >"$logs/$t-regressions.log" 2>&1; then
    status=1
    echo "fuzz-$t: a regression input fails again:"; tail -n 40 "$logs/$t-regressions.log"
    continue
  fi
  echo "=== fuzz-$t: ${secs}s"
  if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
     "$exe" -max_total_time="$secs" -max_len=16384 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$logs/$t-" \
       ${TERN_FUZZ_ARGS:-} "$corpus" "$sd" >"$logs/$t.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$logs/$t.log" | tr '\n' ' '; echo
  else
    status=1
    echo "fuzz-$t FAILED:"; tail -n 60 "$logs/$t.log"
  fi
done
exit $status
