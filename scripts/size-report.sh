#!/bin/sh
# Size of a minimal statically linked TLS 1.3 client (tests/size/min_client.cpp:
# X25519, AES-128-GCM, SHA-256, ECDSA P-256 verification, X.509 validation,
# no server, no RSA, no P-384, no ChaCha20, no Ed25519, no P-256 private-key
# code (ECDH, signing), TERN_SMALL code paths, portable kernels) built with -Os,
# -ffunction-sections -fdata-sections, --gc-sections, no unwind tables (the
# library has no exceptions) and link-time optimisation in one partition, for
# x86-64 and armhf.
#
#   scripts/size-report.sh [--check | --run]
#
# Prints `size -A` of the whole static binary and, from the link map, the
# bytes tern's own objects keep after garbage collection (.text, .rodata,
# .data, .bss), plus the largest tern symbols. --check fails when tern's
# x86-64 .text is over TERN_SIZE_BUDGET bytes, and also does what --run
# does. --run (x86-64, needs the openssl tool): links a second copy of the
# client that counts its heap calls (tests/size/heap_count.c) and runs it
# against `openssl s_server -tls1_3` on 127.0.0.1 with a fresh P-256 CA and
# leaf: the handshake, validation and reply must succeed with no heap call
# from the Connection's construction on, and a wrong host name must be
# refused.
# Env: TERN_SIZE_BUILD (build dir prefix, default build-size), TERN_SIZE_OPTS
# (Meson options, default -Dprofile=minimal -Dsimd=disabled),
# TERN_SIZE_ARCHS (default "x86_64 armhf"; armhf is skipped when
# arm-linux-gnueabihf-g++ is missing), TERN_SIZE_BUDGET, TERN_SIZE_LTO (default
# 1; 0 = no LTO, which also gives the per-object table: with LTO the code sits
# in the link-time partition, not in libtern.a's objects).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=${TERN_SIZE_BUILD:-$root/build-size}
opts=${TERN_SIZE_OPTS:--Dprofile=minimal -Dsimd=disabled}
archs=${TERN_SIZE_ARCHS:-x86_64 armhf}
budget=${TERN_SIZE_BUDGET:-0}
check=no
run=no
[ "${1:-}" = --check ] && check=yes && run=yes
[ "${1:-}" = --run ] && run=yes
lto=${TERN_SIZE_LTO:-1}
flags="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables"
lto_opt=-Db_lto=false
if [ "$lto" = 1 ]; then
  flags="$flags -flto -flto-partition=one"
  lto_opt=-Db_lto=true
  prefix=$prefix-lto
fi
status=0

for arch in $archs; do
  case $arch in
    x86_64) cxx=${CXX:-g++}; cross=""; size=size; nm=nm ;;
    armhf)
      cxx=arm-linux-gnueabihf-g++; cross="--cross-file $root/cross/armhf.ini"
      size=arm-linux-gnueabihf-size; nm=arm-linux-gnueabihf-nm
      command -v $cxx >/dev/null 2>&1 || { echo "size: $cxx not found, armhf skipped"; continue; } ;;
    *) echo "size: unknown arch $arch"; exit 2 ;;
  esac
  # Builds libtern.a with the options in $1 into $2 and links the client.
  build() {
    o=$1; b=$2
    if [ ! -f "$b/build.ninja" ]; then
      # werror off: g++ 12 at -Os reports a false -Warray-bounds in
      # tls/crypto.cpp (memcpy into a std::vector it just sized).
      # shellcheck disable=SC2086
      CXX=$cxx meson setup "$b" "$root" $cross $o -Doptimization=s -Ddebug=false -Dwerror=false \
        -Ddefault_library=static -Db_staticpic=false -Dtests=disabled -Dbench=disabled -Dtools=disabled \
        -Dct_check=disabled $lto_opt -Dcpp_args="$flags" >"$b.setup.log" 2>&1 || { cat "$b.setup.log"; return 1; }
    fi
    ninja -C "$b" -j"${TERN_JOBS:-2}" libtern.a >"$b.build.log" 2>&1 || { grep -E 'error|FAILED' "$b.build.log" | head -20; return 1; }
    # The library's public compile flags (TERN_SIMD, TERN_NO_*) from tern.pc.
    defs=$(sed -n 's/^Cflags: //p' "$b/meson-private/tern.pc" | tr ' ' '\n' | grep '^-D' | tr '\n' ' ')
    # shellcheck disable=SC2086
    $cxx -std=c++20 $flags -fno-exceptions -fno-rtti $defs -I"$root" -c "$root/tests/size/min_client.cpp" -o "$b/min_client.o" &&
      $cxx -static $flags -Wl,--gc-sections -Wl,-Map="$b/min_client.map" -o "$b/min-client" "$b/min_client.o" "$b/libtern.a" \
        >"$b.link.log" 2>&1
  }
  # Runs the client (heap-counting copy) against openssl s_server.
  run_client() {
    b=$1; d=$b/run
    rm -rf "$d"; mkdir -p "$d"
    # shellcheck disable=SC2086
    $cxx -std=c++20 $flags -fno-exceptions -fno-rtti $defs -DTERN_SIZE_HEAP_PHASES -I"$root" \
      -c "$root/tests/size/min_client.cpp" -o "$d/min_client.o" &&
      $cxx -x c -O2 -c "$root/tests/size/heap_count.c" -o "$d/heap_count.o" &&
      $cxx -static $flags -Wl,--gc-sections -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc \
        -Wl,--wrap=aligned_alloc -Wl,--wrap=posix_memalign -o "$d/min-client-heap" "$d/min_client.o" \
        "$d/heap_count.o" "$b/libtern.a" >"$d/link.log" 2>&1 || { echo "size: FAIL: heap-counting client"; cat "$d/link.log"; return 1; }
    (
      cd "$d" &&
        openssl ecparam -name prime256v1 -genkey -noout -out ca.key &&
        openssl req -x509 -new -key ca.key -subj /CN=tern-size-ca -days 2 -out ca.pem \
          -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign &&
        openssl ecparam -name prime256v1 -genkey -noout -out leaf.key &&
        openssl req -new -key leaf.key -subj /CN=localhost -out leaf.csr &&
        printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' >ext.cnf &&
        openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -out leaf.pem -extfile ext.cnf &&
        openssl x509 -in ca.pem -outform DER -out ca.der
    ) >"$d/pki.log" 2>&1 || { echo "size: FAIL: openssl could not make the test PKI"; cat "$d/pki.log"; return 1; }
    port=$((20000 + $$ % 30000))
    openssl s_server -accept "127.0.0.1:$port" -cert "$d/leaf.pem" -key "$d/leaf.key" -tls1_3 -www -quiet \
      >"$d/server.log" 2>&1 &
    spid=$!
    # The client talks TLS over fds 0 and 1: connect, then exec it.
    connect() {
      timeout 30 python3 -c 'import os, socket, sys, time
for _ in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit(3)
os.dup2(s.fileno(), 0); os.dup2(s.fileno(), 1)
os.execv(sys.argv[2], sys.argv[2:])' "$port" "$@"
    }
    rc=0
    connect "$d/min-client-heap" localhost "$d/ca.der" 2>"$d/good.out" || rc=$?
    rc2=0
    connect "$d/min-client-heap" wrong.example "$d/ca.der" 2>"$d/wrong.out" || rc2=$?
    kill "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    heap=$(grep -a '^heap:' "$d/good.out" || true)
    echo "--- the client against openssl s_server -tls1_3 (127.0.0.1, P-256 CA and leaf):"
    echo "  localhost: exit $rc, reply: $(grep -a -m1 '^HTTP/' "$d/good.out" | tr -d '\r' || true); $heap"
    echo "  wrong.example: exit $rc2 (refused: expected 1), $(grep -a '^heap:' "$d/wrong.out" || true)"
    if [ "$rc" != 0 ] || ! grep -aq '^HTTP/1.0 200' "$d/good.out"; then
      echo "size: FAIL: the client did not complete a connection"; return 1
    fi
    case $heap in
      *"connection 0, after 0") ;;
      *) echo "size: FAIL: heap calls during the connection ($heap)"; return 1 ;;
    esac
    if [ "$rc2" != 1 ] || grep -aq '^HTTP/' "$d/wrong.out"; then
      echo "size: FAIL: a wrong host name was not refused"; return 1
    fi
    echo "size: the client works and makes no heap call during the connection"
  }
  b=$prefix-$arch
  if ! build "$opts" "$b"; then
    # The TLS core has to guard its uses of the left-out parts with the
    # TERN_NO_* macros before the full minimal profile links.
    echo "size: NOTE: '$opts' does not link on $arch yet; missing symbols:"
    grep -o "undefined reference to \`[^(']*" "$b.link.log" 2>/dev/null | sort -u | sed 's/^/  /' | head -n 12
    opts_fb=${TERN_SIZE_FALLBACK_OPTS:--Dprofile=minimal -Dsimd=disabled -Drsa=enabled -Dchacha=enabled -Dtls_server=enabled}
    echo "size: NOTE: measuring with '$opts_fb' instead (RSA, ChaCha20 and the server side linked in)"
    b=$prefix-$arch-fallback
    build "$opts_fb" "$b" || { tail -n 20 "$b.link.log" 2>/dev/null; exit 1; }
    this_opts=$opts_fb
  else
    this_opts=$opts
  fi
  echo "=== $arch: minimal TLS 1.3 client ($this_opts; LTO $lto)"
  echo "--- whole static binary (libc and libstdc++ included), size -A:"
  $size -A "$b/min-client" | awk '$1 ~ /^\.(text|rodata|data|bss|data\.rel\.ro|init_array|eh_frame)$/ || $1 == "Total"'
  echo "--- tern's own objects after --gc-sections (from the link map):"
  python3 - "$b/min_client.map" "$arch" <<'PY'
import re, subprocess, sys
path, arch = sys.argv[1], sys.argv[2]
text = open(path).read()
# Only what the linker kept: the memory map after "Linker script and memory map".
i = text.find('Linker script and memory map')
body = text[i:] if i >= 0 else text
tot = {'text': 0, 'rodata': 0, 'data': 0, 'bss': 0}
objs = {}
syms = []
pending = None
for line in body.splitlines():
    m = re.match(r'^ (\.[\w.$]+)\s*$', line)
    if m:
        pending = m.group(1)
        continue
    m = re.match(r'^ (\.[\w.$]+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)$', line)
    if not m:
        pending = None
        continue
    name = m.group(1) or pending
    pending = None
    if not name:
        continue
    size = int(m.group(3), 16)
    src = m.group(4)
    # With LTO tern's code (and min_client's) sits in the ltrans objects;
    # libc and libstdc++ are plain archives, never LTO partitions.
    if 'libtern.a(' not in src and 'min_client.o' not in src and '.ltrans' not in src:
        continue
    kind = ('text' if name.startswith('.text') else 'rodata' if name.startswith('.rodata')
            else 'bss' if name.startswith('.bss') or name.startswith('.tbss')
            else 'data' if name.startswith('.data') or name.startswith('.tdata') else None)
    if kind is None:
        continue
    tot[kind] += size
    if kind == 'text':
        o = src.split('(')[-1].rstrip(')')
        objs[o] = objs.get(o, 0) + size
        syms.append((size, name, o))
print('tern .text %d  .rodata %d  .data %d  .bss %d  (bytes)' % (tot['text'], tot['rodata'], tot['data'], tot['bss']))
if not any('.ltrans' in o for o in objs):
    print('largest .text contributors by object:')
    for o, s in sorted(objs.items(), key=lambda kv: -kv[1])[:12]:
        print('  %7d  %s' % (s, o))
# .text by component: from the object's name without LTO, from the
# function's (demangled) name with it (-ffunction-sections: .text.<symbol>).
names = [n[6:] if n.startswith('.text.') else n for _, n, _ in syms]
try:
    dem = subprocess.run(['c++filt'], input='\n'.join(names), capture_output=True, text=True).stdout.split('\n')
except OSError:
    dem = names
# (component, object name prefixes, function name patterns)
rules = [('tls', ('tls_',), ('tern::tls::',)),
         ('x509 (cert, pem, der, path)', ('x509_', 'crypto_internal_der'), ('tern::x509::', 'tern::der::', 'tern::pem::')),
         ('P-256', ('crypto_ec',), ('tern::ec::',)),
         ('X25519/Ed25519', ('crypto_curve25519',), ('curve25519', 'ed25519', 'x25519', 'Ed25519')),
         ('AES-GCM', ('crypto_aes',), ('tern::aes::',)),
         ('SHA-2/HMAC/HKDF', ('crypto_sha2', 'crypto_hmac'), ('tern::sha2::', 'tern::Hmac', 'tern::hmac', 'tern::hkdf')),
         ('main (min_client, inlined callees)', ('min_client',), ()),
         ('std:: templates', (), ('std::', '__gnu_cxx::'))]
comp = {}
for (size, _, o), d in zip(syms, dem):
    lto = '.ltrans' in o
    fn = d.replace('(anonymous namespace)', '{anon}').split('(')[0]
    for c, objp, fnp in rules:
        if (not lto and any(o.startswith(p) or p in o for p in objp)) or \
           (lto and (any(p in fn for p in fnp) or (c.startswith('main') and fn in ('main', 'startup.main')))):
            break
    else:
        c = 'other'
    comp[c] = comp.get(c, 0) + size
print('.text by component:')
for c, s in sorted(comp.items(), key=lambda kv: -kv[1]):
    print('  %7d  %s' % (s, c))
open(path + '.tern-text', 'w').write(str(tot['text']))
PY
  echo "--- largest tern symbols (nm --size-sort):"
  $nm -C --size-sort -S "$b/min-client" | grep -i ' [tTrR] ' | grep 'tern::' | tail -n "${TERN_SIZE_SYMS:-12}" | sed 's/^/  /'
  if [ "$arch" = x86_64 ] && [ "$run" = yes ]; then
    if command -v openssl >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; then
      run_client "$b" || status=1
    else
      echo "size: NOTE: openssl or python3 missing, the client was not run"
    fi
  fi
  if [ "$arch" = x86_64 ] && [ "$check" = yes ] && [ "$budget" -gt 0 ]; then
    t=$(cat "$b/min_client.map.tern-text")
    if [ "$t" -gt "$budget" ]; then
      echo "size: FAIL: x86-64 tern .text $t bytes > budget $budget"; status=1
    else
      echo "size: x86-64 tern .text $t bytes <= budget $budget (goal 48 KB = 49152)"
    fi
  fi
done
exit $status
