#!/bin/sh
# Size of a minimal statically linked TLS 1.3 client (tests/size/min_client.cpp:
# X25519, AES-128-GCM, SHA-256, ECDSA P-256 verification, X.509 validation,
# no server, no RSA, no P-384, no ChaCha20, no Ed25519, no P-256 private-key
# code (ECDH, signing), TERN_SMALL code paths, portable kernels) built with -Os,
# -ffunction-sections -fdata-sections, --gc-sections, no unwind tables (the
# library has no exceptions) and link-time optimisation in one partition, for
# x86-64 and armhf.
#
#   scripts/size-report.sh [--check]
#
# Prints `size -A` of the whole static binary and, from the link map, the
# bytes tern's own objects keep after garbage collection (.text, .rodata,
# .data, .bss), plus the largest tern symbols. --check fails when tern's
# x86-64 .text is over TERN_SIZE_BUDGET bytes.
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
[ "${1:-}" = --check ] && check=yes
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
  if [ "$arch" = x86_64 ] && [ "$check" = yes ] && [ "$budget" -gt 0 ]; then
    t=$(cat "$b/min_client.map.tern-text")
    if [ "$t" -gt "$budget" ]; then
      echo "size: FAIL: x86-64 tern .text $t bytes > budget $budget"; status=1
    else
      echo "size: x86-64 tern .text $t bytes <= budget $budget (goal 49152)"
    fi
  fi
done
exit $status
