// Field, scalar and point arithmetic for P-256 and P-384, written once and
// compiled by each kernel translation unit (portable, adx) with its own
// function attributes. Include only from a kernel .cpp, after defining:
//
//   TERN_EC_FN      attributes for every function (e.g. a target attribute)
//   TERN_EC_MONT_MUL_HOOK (optional) name of a template specialisation hook
//
// Everything lives in an anonymous namespace, so each kernel gets its own
// copy. Field elements are N little-endian 64-bit limbs in Montgomery form,
// always fully reduced (< modulus). Jacobian points (X/Z^2, Y/Z^3); Z = 0
// is the point at infinity. Additions that may meet special cases (P = Q,
// either input at infinity) are guarded: the constant-time variants compute
// every candidate and select with masks; the variable-time variants (for
// verification, public data only) branch.
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/ec/ec_consts.hpp"
#include "crypto/ec/ec_kernel.hpp"
#include "crypto/internal/ct.hpp"
#include "crypto/internal/wipe.hpp"
#ifdef TERN_EC_MULX
#include <immintrin.h>

#include "crypto/internal/cpu.hpp"
#endif

#ifndef TERN_EC_FN
#error "define TERN_EC_FN before including ec_impl.hpp"
#endif

namespace tern::ec::internal {
namespace {

using u64 = std::uint64_t;

// Forced inlining of the small helpers, except in size-optimised builds
// (-Os: the compiler decides; the minimal profile is about size).
#ifdef __OPTIMIZE_SIZE__
#define TERN_EC_INLINE TERN_EC_FN inline
#else
#define TERN_EC_INLINE TERN_EC_FN inline __attribute__((always_inline))
#endif

// ---- word primitives ---------------------------------------------------------
#ifdef __SIZEOF_INT128__
using u128 = unsigned __int128;
// a * b + c + d (cannot overflow 128 bits)
TERN_EC_INLINE u64 mac(u64 a, u64 b, u64 c, u64 d, u64& hi) {
  u128 t = static_cast<u128>(a) * b + c + d;
  hi = static_cast<u64>(t >> 64);
  return static_cast<u64>(t);
}
TERN_EC_INLINE u64 addc(u64 a, u64 b, u64 cin, u64& cout) {
  u128 t = static_cast<u128>(a) + b + cin;
  cout = static_cast<u64>(t >> 64);
  return static_cast<u64>(t);
}
TERN_EC_INLINE u64 subb(u64 a, u64 b, u64 bin, u64& bout) {
  u128 t = static_cast<u128>(a) - b - bin;
  bout = static_cast<u64>(t >> 64) & 1;
  return static_cast<u64>(t);
}
#else
// 32-bit targets: 64x64 -> 128 from four 32x32 -> 64 products; carries by
// bit logic (no compares, which some 32-bit compilers turn into branches).
TERN_EC_INLINE u64 addc(u64 a, u64 b, u64 cin, u64& cout) {
  u64 s = a + b + cin;
  cout = ((a & b) | ((a | b) & ~s)) >> 63;
  return s;
}
TERN_EC_INLINE u64 subb(u64 a, u64 b, u64 bin, u64& bout) {
  u64 d = a - b - bin;
  bout = ((~a & b) | ((~a | b) & d)) >> 63;
  return d;
}
TERN_EC_INLINE u64 mac(u64 a, u64 b, u64 c, u64 d, u64& hi) {
  u64 al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
  u64 ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  u64 mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
  u64 lo = (ll & 0xffffffffu) | (mid << 32);
  u64 h = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
  u64 c1, c2;
  lo = addc(lo, c, 0, c1);
  lo = addc(lo, d, 0, c2);
  hi = h + c1 + c2;
  return lo;
}
#endif

// ---- modular arithmetic over an N-limb odd modulus m ---------------------------
// Montgomery multiplication (CIOS): r = a * b / 2^(64N) mod m; a, b < m.
#ifdef TERN_EC_MULX
// 4 limbs: MULX with the two carry chains of ADCX (CF) and ADOX (OF), one
// row of a*b[i] then one reduction row per limb; the accumulator rotates
// through r8..r13. Reads a and b completely before writing r (they may
// alias). Final conditional subtraction by CMOV.
static_assert(offsetof(CurveConsts<4>, p_inv) == offsetof(CurveConsts<4>, p) + 32 &&
              offsetof(CurveConsts<4>, n_inv) == offsetof(CurveConsts<4>, n) + 32);
TERN_EC_INLINE void mont_mul4_asm(u64* r, const u64* a, const u64* b, const u64* m) {
  if (m == kP256Consts.p) {
    // P-256's p: minv = 1, so q = t0, and q*p = q*2^256 - q*2^224 + q*2^192
    // + q*2^96 - q needs one MULX (q * p[3]) plus shifts per reduction row.
      __asm__ volatile(
          "xorl %%r8d, %%r8d\n\t"
          "xorl %%r9d, %%r9d\n\t"
          "xorl %%r10d, %%r10d\n\t"
          "xorl %%r11d, %%r11d\n\t"
          "xorl %%r12d, %%r12d\n\t"
          "xorl %%r13d, %%r13d\n\t"
          "movq 0(%[b]), %%rdx\n\t"
          "xorl %%eax, %%eax\n\t"
          "mulxq 0(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r8\n\t"
          "adoxq %%rcx, %%r9\n\t"
          "mulxq 8(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r9\n\t"
          "adoxq %%rcx, %%r10\n\t"
          "mulxq 16(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r10\n\t"
          "adoxq %%rcx, %%r11\n\t"
          "mulxq 24(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r11\n\t"
          "adoxq %%rcx, %%r12\n\t"
          "adcxq %%rax, %%r12\n\t"
          "adoxq %%rax, %%r13\n\t"
          "adcxq %%rax, %%r13\n\t"
          "movq %%r8, %%rdx\n\t"
          "mulxq 24(%[m]), %%rbx, %%rcx\n\t"
          "movq %%r8, %%rax\n\t"
          "shlq $32, %%rax\n\t"
          "shrq $32, %%r8\n\t"
          "addq %%rax, %%r9\n\t"
          "adcq %%r8, %%r10\n\t"
          "adcq %%rbx, %%r11\n\t"
          "adcq %%rcx, %%r12\n\t"
          "adcq $0, %%r13\n\t"
          "xorl %%r8d, %%r8d\n\t"
          "movq 8(%[b]), %%rdx\n\t"
          "xorl %%eax, %%eax\n\t"
          "mulxq 0(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r9\n\t"
          "adoxq %%rcx, %%r10\n\t"
          "mulxq 8(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r10\n\t"
          "adoxq %%rcx, %%r11\n\t"
          "mulxq 16(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r11\n\t"
          "adoxq %%rcx, %%r12\n\t"
          "mulxq 24(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r12\n\t"
          "adoxq %%rcx, %%r13\n\t"
          "adcxq %%rax, %%r13\n\t"
          "adoxq %%rax, %%r8\n\t"
          "adcxq %%rax, %%r8\n\t"
          "movq %%r9, %%rdx\n\t"
          "mulxq 24(%[m]), %%rbx, %%rcx\n\t"
          "movq %%r9, %%rax\n\t"
          "shlq $32, %%rax\n\t"
          "shrq $32, %%r9\n\t"
          "addq %%rax, %%r10\n\t"
          "adcq %%r9, %%r11\n\t"
          "adcq %%rbx, %%r12\n\t"
          "adcq %%rcx, %%r13\n\t"
          "adcq $0, %%r8\n\t"
          "xorl %%r9d, %%r9d\n\t"
          "movq 16(%[b]), %%rdx\n\t"
          "xorl %%eax, %%eax\n\t"
          "mulxq 0(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r10\n\t"
          "adoxq %%rcx, %%r11\n\t"
          "mulxq 8(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r11\n\t"
          "adoxq %%rcx, %%r12\n\t"
          "mulxq 16(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r12\n\t"
          "adoxq %%rcx, %%r13\n\t"
          "mulxq 24(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r13\n\t"
          "adoxq %%rcx, %%r8\n\t"
          "adcxq %%rax, %%r8\n\t"
          "adoxq %%rax, %%r9\n\t"
          "adcxq %%rax, %%r9\n\t"
          "movq %%r10, %%rdx\n\t"
          "mulxq 24(%[m]), %%rbx, %%rcx\n\t"
          "movq %%r10, %%rax\n\t"
          "shlq $32, %%rax\n\t"
          "shrq $32, %%r10\n\t"
          "addq %%rax, %%r11\n\t"
          "adcq %%r10, %%r12\n\t"
          "adcq %%rbx, %%r13\n\t"
          "adcq %%rcx, %%r8\n\t"
          "adcq $0, %%r9\n\t"
          "xorl %%r10d, %%r10d\n\t"
          "movq 24(%[b]), %%rdx\n\t"
          "xorl %%eax, %%eax\n\t"
          "mulxq 0(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r11\n\t"
          "adoxq %%rcx, %%r12\n\t"
          "mulxq 8(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r12\n\t"
          "adoxq %%rcx, %%r13\n\t"
          "mulxq 16(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r13\n\t"
          "adoxq %%rcx, %%r8\n\t"
          "mulxq 24(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r8\n\t"
          "adoxq %%rcx, %%r9\n\t"
          "adcxq %%rax, %%r9\n\t"
          "adoxq %%rax, %%r10\n\t"
          "adcxq %%rax, %%r10\n\t"
          "movq %%r11, %%rdx\n\t"
          "mulxq 24(%[m]), %%rbx, %%rcx\n\t"
          "movq %%r11, %%rax\n\t"
          "shlq $32, %%rax\n\t"
          "shrq $32, %%r11\n\t"
          "addq %%rax, %%r12\n\t"
          "adcq %%r11, %%r13\n\t"
          "adcq %%rbx, %%r8\n\t"
          "adcq %%rcx, %%r9\n\t"
          "adcq $0, %%r10\n\t"
          "xorl %%r11d, %%r11d\n\t"
          "movq %%r12, 0(%[r])\n\t"
          "movq %%r13, 8(%[r])\n\t"
          "movq %%r8, 16(%[r])\n\t"
          "movq %%r9, 24(%[r])\n\t"
          "subq 0(%[m]), %%r12\n\t"
          "sbbq 8(%[m]), %%r13\n\t"
          "sbbq 16(%[m]), %%r8\n\t"
          "sbbq 24(%[m]), %%r9\n\t"
          "sbbq $0, %%r10\n\t"
          "cmovcq 0(%[r]), %%r12\n\t"
          "cmovcq 8(%[r]), %%r13\n\t"
          "cmovcq 16(%[r]), %%r8\n\t"
          "cmovcq 24(%[r]), %%r9\n\t"
          "movq %%r12, 0(%[r])\n\t"
          "movq %%r13, 8(%[r])\n\t"
          "movq %%r8, 16(%[r])\n\t"
          "movq %%r9, 24(%[r])\n\t"
          :
          : [r] "r"(r), [a] "r"(a), [b] "r"(b), [m] "r"(m)
          : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "cc", "memory");
  } else {
    // Generic modulus: q = t0 * minv, with minv read from m[4] (the
    // CurveConsts layout keeps -m^-1 mod 2^64 right after each modulus).
      __asm__ volatile(
          "xorl %%r8d, %%r8d\n\t"
          "xorl %%r9d, %%r9d\n\t"
          "xorl %%r10d, %%r10d\n\t"
          "xorl %%r11d, %%r11d\n\t"
          "xorl %%r12d, %%r12d\n\t"
          "xorl %%r13d, %%r13d\n\t"
          "movq 0(%[b]), %%rdx\n\t"
          "xorl %%eax, %%eax\n\t"
          "mulxq 0(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r8\n\t"
          "adoxq %%rcx, %%r9\n\t"
          "mulxq 8(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r9\n\t"
          "adoxq %%rcx, %%r10\n\t"
          "mulxq 16(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r10\n\t"
          "adoxq %%rcx, %%r11\n\t"
          "mulxq 24(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r11\n\t"
          "adoxq %%rcx, %%r12\n\t"
          "adcxq %%rax, %%r12\n\t"
          "adoxq %%rax, %%r13\n\t"
          "adcxq %%rax, %%r13\n\t"
          "movq %%r8, %%rdx\n\t"
          "imulq 32(%[m]), %%rdx\n\t"
          "xorl %%eax, %%eax\n\t"
          "mulxq 0(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r8\n\t"
          "adoxq %%rcx, %%r9\n\t"
          "mulxq 8(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r9\n\t"
          "adoxq %%rcx, %%r10\n\t"
          "mulxq 16(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r10\n\t"
          "adoxq %%rcx, %%r11\n\t"
          "mulxq 24(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r11\n\t"
          "adoxq %%rcx, %%r12\n\t"
          "adcxq %%rax, %%r12\n\t"
          "adoxq %%rax, %%r13\n\t"
          "adcxq %%rax, %%r13\n\t"
          "movq 8(%[b]), %%rdx\n\t"
          "xorl %%eax, %%eax\n\t"
          "mulxq 0(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r9\n\t"
          "adoxq %%rcx, %%r10\n\t"
          "mulxq 8(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r10\n\t"
          "adoxq %%rcx, %%r11\n\t"
          "mulxq 16(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r11\n\t"
          "adoxq %%rcx, %%r12\n\t"
          "mulxq 24(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r12\n\t"
          "adoxq %%rcx, %%r13\n\t"
          "adcxq %%rax, %%r13\n\t"
          "adoxq %%rax, %%r8\n\t"
          "adcxq %%rax, %%r8\n\t"
          "movq %%r9, %%rdx\n\t"
          "imulq 32(%[m]), %%rdx\n\t"
          "xorl %%eax, %%eax\n\t"
          "mulxq 0(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r9\n\t"
          "adoxq %%rcx, %%r10\n\t"
          "mulxq 8(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r10\n\t"
          "adoxq %%rcx, %%r11\n\t"
          "mulxq 16(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r11\n\t"
          "adoxq %%rcx, %%r12\n\t"
          "mulxq 24(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r12\n\t"
          "adoxq %%rcx, %%r13\n\t"
          "adcxq %%rax, %%r13\n\t"
          "adoxq %%rax, %%r8\n\t"
          "adcxq %%rax, %%r8\n\t"
          "movq 16(%[b]), %%rdx\n\t"
          "xorl %%eax, %%eax\n\t"
          "mulxq 0(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r10\n\t"
          "adoxq %%rcx, %%r11\n\t"
          "mulxq 8(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r11\n\t"
          "adoxq %%rcx, %%r12\n\t"
          "mulxq 16(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r12\n\t"
          "adoxq %%rcx, %%r13\n\t"
          "mulxq 24(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r13\n\t"
          "adoxq %%rcx, %%r8\n\t"
          "adcxq %%rax, %%r8\n\t"
          "adoxq %%rax, %%r9\n\t"
          "adcxq %%rax, %%r9\n\t"
          "movq %%r10, %%rdx\n\t"
          "imulq 32(%[m]), %%rdx\n\t"
          "xorl %%eax, %%eax\n\t"
          "mulxq 0(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r10\n\t"
          "adoxq %%rcx, %%r11\n\t"
          "mulxq 8(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r11\n\t"
          "adoxq %%rcx, %%r12\n\t"
          "mulxq 16(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r12\n\t"
          "adoxq %%rcx, %%r13\n\t"
          "mulxq 24(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r13\n\t"
          "adoxq %%rcx, %%r8\n\t"
          "adcxq %%rax, %%r8\n\t"
          "adoxq %%rax, %%r9\n\t"
          "adcxq %%rax, %%r9\n\t"
          "movq 24(%[b]), %%rdx\n\t"
          "xorl %%eax, %%eax\n\t"
          "mulxq 0(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r11\n\t"
          "adoxq %%rcx, %%r12\n\t"
          "mulxq 8(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r12\n\t"
          "adoxq %%rcx, %%r13\n\t"
          "mulxq 16(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r13\n\t"
          "adoxq %%rcx, %%r8\n\t"
          "mulxq 24(%[a]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r8\n\t"
          "adoxq %%rcx, %%r9\n\t"
          "adcxq %%rax, %%r9\n\t"
          "adoxq %%rax, %%r10\n\t"
          "adcxq %%rax, %%r10\n\t"
          "movq %%r11, %%rdx\n\t"
          "imulq 32(%[m]), %%rdx\n\t"
          "xorl %%eax, %%eax\n\t"
          "mulxq 0(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r11\n\t"
          "adoxq %%rcx, %%r12\n\t"
          "mulxq 8(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r12\n\t"
          "adoxq %%rcx, %%r13\n\t"
          "mulxq 16(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r13\n\t"
          "adoxq %%rcx, %%r8\n\t"
          "mulxq 24(%[m]), %%rbx, %%rcx\n\t"
          "adcxq %%rbx, %%r8\n\t"
          "adoxq %%rcx, %%r9\n\t"
          "adcxq %%rax, %%r9\n\t"
          "adoxq %%rax, %%r10\n\t"
          "adcxq %%rax, %%r10\n\t"
          "movq %%r12, 0(%[r])\n\t"
          "movq %%r13, 8(%[r])\n\t"
          "movq %%r8, 16(%[r])\n\t"
          "movq %%r9, 24(%[r])\n\t"
          "subq 0(%[m]), %%r12\n\t"
          "sbbq 8(%[m]), %%r13\n\t"
          "sbbq 16(%[m]), %%r8\n\t"
          "sbbq 24(%[m]), %%r9\n\t"
          "sbbq $0, %%r10\n\t"
          "cmovcq 0(%[r]), %%r12\n\t"
          "cmovcq 8(%[r]), %%r13\n\t"
          "cmovcq 16(%[r]), %%r8\n\t"
          "cmovcq 24(%[r]), %%r9\n\t"
          "movq %%r12, 0(%[r])\n\t"
          "movq %%r13, 8(%[r])\n\t"
          "movq %%r8, 16(%[r])\n\t"
          "movq %%r9, 24(%[r])\n\t"
          :
          : [r] "r"(r), [a] "r"(a), [b] "r"(b), [m] "r"(m)
          : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "cc", "memory");
  }
}

// The product-then-reduce routines below need 13 general registers: only
// optimised builds can allocate them (at -O0 the compilers give up); there
// the interleaved mont_mul4_asm does every product.
#ifdef __OPTIMIZE__
#define TERN_EC_SQR_ASM 1
#else
#define TERN_EC_SQR_ASM 0
#endif
#if TERN_EC_SQR_ASM
// The 512-bit square of a[0..3] (pointer pa) into t0..t7 (operand names),
// clobbering lo, hi, rdx and the flags.
#define TERN_EC_SQR512 \
  "movq 0(%[pa]), %%rdx\n\t" \
  "mulxq 8(%[pa]), %[t1], %[t2]\n\t" \
  "mulxq 16(%[pa]), %[lo], %[t3]\n\t" \
  "addq %[lo], %[t2]\n\t" \
  "mulxq 24(%[pa]), %[lo], %[t4]\n\t" \
  "adcq %[lo], %[t3]\n\t" \
  "adcq $0, %[t4]\n\t" \
  "movq 8(%[pa]), %%rdx\n\t" \
  "xorq %[t5], %[t5]\n\t" \
  "mulxq 16(%[pa]), %[lo], %[hi]\n\t" \
  "adcxq %[lo], %[t3]\n\t" \
  "adoxq %[hi], %[t4]\n\t" \
  "mulxq 24(%[pa]), %[lo], %[hi]\n\t" \
  "adcxq %[lo], %[t4]\n\t" \
  "adoxq %[hi], %[t5]\n\t" \
  "movq $0, %[lo]\n\t" \
  "adcxq %[lo], %[t5]\n\t" \
  "movq 16(%[pa]), %%rdx\n\t" \
  "mulxq 24(%[pa]), %[lo], %[t6]\n\t" \
  "addq %[lo], %[t5]\n\t" \
  "adcq $0, %[t6]\n\t" \
  "movq 0(%[pa]), %%rdx\n\t" \
  "xorq %[t7], %[t7]\n\t" \
  "mulxq %%rdx, %[t0], %[hi]\n\t" \
  "adcxq %[t1], %[t1]\n\t" \
  "adoxq %[hi], %[t1]\n\t" \
  "movq 8(%[pa]), %%rdx\n\t" \
  "mulxq %%rdx, %[lo], %[hi]\n\t" \
  "adcxq %[t2], %[t2]\n\t" \
  "adoxq %[lo], %[t2]\n\t" \
  "adcxq %[t3], %[t3]\n\t" \
  "adoxq %[hi], %[t3]\n\t" \
  "movq 16(%[pa]), %%rdx\n\t" \
  "mulxq %%rdx, %[lo], %[hi]\n\t" \
  "adcxq %[t4], %[t4]\n\t" \
  "adoxq %[lo], %[t4]\n\t" \
  "adcxq %[t5], %[t5]\n\t" \
  "adoxq %[hi], %[t5]\n\t" \
  "movq 24(%[pa]), %%rdx\n\t" \
  "mulxq %%rdx, %[lo], %[hi]\n\t" \
  "adcxq %[t6], %[t6]\n\t" \
  "adoxq %[lo], %[t6]\n\t" \
  "adcxq %[t7], %[t7]\n\t" \
  "adoxq %[hi], %[t7]\n\t" \

// P-256 reduction of the 512-bit t0..t7 (operand names) to t4..t7 < p,
// with p[3] in the operand named P3, clobbering lo, hi, rdx and the flags.
// Four rows of the special form: with q the low limb, q p = q 2^256 -
// q 2^224 + q 2^192 + q 2^96 - q, and q p[3] = (q - (q >> 32) - b) 2^64 +
// (q - (q << 32)), b the borrow of the low word; so a row adds q << 32,
// q >> 32 and that 128-bit q p[3] from shifts and subtractions, without a
// multiplication (the products of a field operation keep the multiplier
// busy; the reduction rows on it made the whole slower). The row's top
// limb lands in the register freed by the previous row (hi, then t0, t1,
// t2), so no moves. Then the high half is added and p subtracted unless
// that borrows (CMOV).
#define TERN_P256_RED(Q, A, B, C, H)           \
  "movq %[" Q "], %%rdx\n\t"                   \
  "shlq $32, %%rdx\n\t"                        \
  "movq %[" Q "], %[lo]\n\t"                   \
  "shrq $32, %[lo]\n\t"                        \
  "movq %[" Q "], %[" H "]\n\t"                \
  "subq %%rdx, %[" Q "]\n\t"                   \
  "sbbq %[lo], %[" H "]\n\t"                   \
  "addq %%rdx, %[" A "]\n\t"                   \
  "adcq %[lo], %[" B "]\n\t"                   \
  "adcq %[" Q "], %[" C "]\n\t"                \
  "adcq $0, %[" H "]\n\t"
#define TERN_P256_REDUCE(P3)                   \
  TERN_P256_RED("t0", "t1", "t2", "t3", "hi") \
  TERN_P256_RED("t1", "t2", "t3", "hi", "t0") \
  TERN_P256_RED("t2", "t3", "hi", "t0", "t1") \
  TERN_P256_RED("t3", "hi", "t0", "t1", "t2") \
  "xorl %k[t3], %k[t3]\n\t"                    \
  "addq %[t4], %[hi]\n\t"                      \
  "adcq %[t5], %[t0]\n\t"                      \
  "adcq %[t6], %[t1]\n\t"                      \
  "adcq %[t7], %[t2]\n\t"                      \
  "adcq $0, %[t3]\n\t"                         \
  "movq %[hi], %[t4]\n\t"                      \
  "movq %[t0], %[t5]\n\t"                      \
  "movq %[t1], %[t6]\n\t"                      \
  "movq %[t2], %[t7]\n\t"                      \
  "movl $0xffffffff, %k[lo]\n\t"               \
  "subq $-1, %[t4]\n\t"                        \
  "sbbq %[lo], %[t5]\n\t"                      \
  "sbbq $0, %[t6]\n\t"                         \
  "sbbq %[" P3 "], %[t7]\n\t"                  \
  "sbbq $0, %[t3]\n\t"                         \
  "cmovcq %[hi], %[t4]\n\t"                    \
  "cmovcq %[t0], %[t5]\n\t"                    \
  "cmovcq %[t1], %[t6]\n\t"                    \
  "cmovcq %[t2], %[t7]\n\t"

// P-256 Montgomery squaring r = a^2 / 2^256 mod p (a < p): the 512-bit
// square (six cross products doubled on the ADCX chain, the four squares
// added on the ADOX chain), then TERN_P256_REDUCE.
TERN_EC_INLINE void mont_sqr_p256_asm(u64* r, const u64* a) {
  u64 t0, t1, t2, t3, t4, t5, t6, t7, lo, hi;
  const u64 p3 = 0xffffffff00000001ull;
  __asm__(
      TERN_EC_SQR512
      TERN_P256_REDUCE("p3")
      : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5),
        [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi)
      : [pa] "r"(a), [p3] "r"(p3), "m"(*reinterpret_cast<const u64(*)[4]>(a))
      : "rdx", "cc");
  r[0] = t4;
  r[1] = t5;
  r[2] = t6;
  r[3] = t7;
}

// P-256 Montgomery multiplication r = a b / 2^256 mod p (a, b < p): the
// 512-bit product (row 0, then rows 1..3 on the ADCX/ADOX chains; the top
// limb of each row is zeroed first, which also clears both flags), then
// the same reduction and final subtraction as mont_sqr_p256_asm, with b's
// pointer register reused for p[3]. Inputs are read through a "memory"
// clobber (no extra address registers: fits ASan frame-pointer builds).
TERN_EC_INLINE void mont_mul_p256_asm(u64* r, const u64* a, const u64* b) {
  u64 t0, t1, t2, t3, t4, t5, t6, t7, lo, hi;
  u64 pa = reinterpret_cast<std::uintptr_t>(a);
  u64 pb = reinterpret_cast<std::uintptr_t>(b);
  __asm__(
      "movq 0(%[pb]), %%rdx\n\t"
      "mulxq 0(%[pa]), %[t0], %[t1]\n\t"
      "mulxq 8(%[pa]), %[lo], %[t2]\n\t"
      "addq %[lo], %[t1]\n\t"
      "mulxq 16(%[pa]), %[lo], %[t3]\n\t"
      "adcq %[lo], %[t2]\n\t"
      "mulxq 24(%[pa]), %[lo], %[t4]\n\t"
      "adcq %[lo], %[t3]\n\t"
      "adcq $0, %[t4]\n\t"
#define TERN_P256_ROW(OFF, A, B, C, D, E)      \
      "movq " OFF "(%[pb]), %%rdx\n\t"         \
      "xorl %k[" E "], %k[" E "]\n\t"          \
      "mulxq 0(%[pa]), %[lo], %[hi]\n\t"       \
      "adcxq %[lo], %[" A "]\n\t"              \
      "adoxq %[hi], %[" B "]\n\t"              \
      "mulxq 8(%[pa]), %[lo], %[hi]\n\t"       \
      "adcxq %[lo], %[" B "]\n\t"              \
      "adoxq %[hi], %[" C "]\n\t"              \
      "mulxq 16(%[pa]), %[lo], %[hi]\n\t"      \
      "adcxq %[lo], %[" C "]\n\t"              \
      "adoxq %[hi], %[" D "]\n\t"              \
      "mulxq 24(%[pa]), %[lo], %[hi]\n\t"      \
      "adcxq %[lo], %[" D "]\n\t"              \
      "adoxq %[hi], %[" E "]\n\t"              \
      "adcq $0, %[" E "]\n\t"
      TERN_P256_ROW("8", "t1", "t2", "t3", "t4", "t5")
      TERN_P256_ROW("16", "t2", "t3", "t4", "t5", "t6")
      TERN_P256_ROW("24", "t3", "t4", "t5", "t6", "t7")
#undef TERN_P256_ROW
      "movabsq $0xffffffff00000001, %[pb]\n\t"
      TERN_P256_REDUCE("pb")
      : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5),
        [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi), [pa] "+&r"(pa), [pb] "+&r"(pb)
      :
      : "rdx", "cc", "memory");
  r[0] = t4;
  r[1] = t5;
  r[2] = t6;
  r[3] = t7;
}

// Montgomery squaring for a generic 4-limb modulus m (-m^-1 mod 2^64 at
// m[4], as in mont_mul4_asm): the same 512-bit square, then four rows
// q = t_i * minv, t += q * m * 2^(64 i) (MULX on both carry chains; t_i
// becomes 0 and serves as the zero register, then holds the new top limb,
// which cannot overflow because each reduced window stays below 2^256).
TERN_EC_INLINE void mont_sqr4_asm(u64* r, const u64* a, const u64* m) {
  u64 t0, t1, t2, t3, t4, t5, t6, t7, lo, hi;
  u64 pa = reinterpret_cast<std::uintptr_t>(a);
  __asm__(
      TERN_EC_SQR512
#define TERN_EC_RED(Q, A, B, C)                \
      "movq %[" Q "], %%rdx\n\t"               \
      "imulq 32(%[m]), %%rdx\n\t"              \
      "xorl %k[lo], %k[lo]\n\t"                \
      "mulxq 0(%[m]), %[lo], %[hi]\n\t"        \
      "adcxq %[lo], %[" Q "]\n\t"              \
      "adoxq %[hi], %[" A "]\n\t"              \
      "mulxq 8(%[m]), %[lo], %[hi]\n\t"        \
      "adcxq %[lo], %[" A "]\n\t"              \
      "adoxq %[hi], %[" B "]\n\t"              \
      "mulxq 16(%[m]), %[lo], %[hi]\n\t"       \
      "adcxq %[lo], %[" B "]\n\t"              \
      "adoxq %[hi], %[" C "]\n\t"              \
      "mulxq 24(%[m]), %[lo], %[hi]\n\t"       \
      "adcxq %[lo], %[" C "]\n\t"              \
      "adcxq %[" Q "], %[hi]\n\t"              \
      "adoxq %[" Q "], %[hi]\n\t"              \
      "movq %[hi], %[" Q "]\n\t"
      TERN_EC_RED("t0", "t1", "t2", "t3")
      TERN_EC_RED("t1", "t2", "t3", "t0")
      TERN_EC_RED("t2", "t3", "t0", "t1")
      TERN_EC_RED("t3", "t0", "t1", "t2")
#undef TERN_EC_RED
      "xorq %[lo], %[lo]\n\t"
      "addq %[t4], %[t0]\n\t"
      "adcq %[t5], %[t1]\n\t"
      "adcq %[t6], %[t2]\n\t"
      "adcq %[t7], %[t3]\n\t"
      "adcq $0, %[lo]\n\t"
      "movq %[t0], %[t4]\n\t"
      "movq %[t1], %[t5]\n\t"
      "movq %[t2], %[t6]\n\t"
      "movq %[t3], %[t7]\n\t"
      "subq 0(%[m]), %[t4]\n\t"
      "sbbq 8(%[m]), %[t5]\n\t"
      "sbbq 16(%[m]), %[t6]\n\t"
      "sbbq 24(%[m]), %[t7]\n\t"
      "sbbq $0, %[lo]\n\t"
      "cmovcq %[t0], %[t4]\n\t"
      "cmovcq %[t1], %[t5]\n\t"
      "cmovcq %[t2], %[t6]\n\t"
      "cmovcq %[t3], %[t7]\n\t"
      : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5),
        [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi), [pa] "+&r"(pa)
      : [m] "r"(m), "m"(*reinterpret_cast<const u64(*)[4]>(a)), "m"(*reinterpret_cast<const u64(*)[5]>(m))
      : "rdx", "cc");
  r[0] = t4;
  r[1] = t5;
  r[2] = t6;
  r[3] = t7;
}

#endif  // TERN_EC_SQR_ASM

// MULX with two carry chains (ADCX / ADOX when the compiler uses them).
template <std::size_t N>
TERN_EC_INLINE void mont_mul(u64* r, const u64* a, const u64* b, const u64* m, u64 minv) {
  if constexpr (N == 4) {
    (void)minv;  // read from m[4] by the asm
#if TERN_EC_SQR_ASM
    if (m == kP256Consts.p)
      mont_mul_p256_asm(r, a, b);
    else
#endif
      mont_mul4_asm(r, a, b, m);
    return;
  }
  u64 t[N + 2];
  for (std::size_t j = 0; j < N + 2; ++j) t[j] = 0;
  for (std::size_t i = 0; i < N; ++i) {
    unsigned char c1 = 0, c2 = 0;
    unsigned long long hi, lo, x;
    const u64 bi = b[i];
    for (std::size_t j = 0; j < N; ++j) {
      lo = _mulx_u64(a[j], bi, &hi);
      c1 = _addcarryx_u64(c1, t[j], lo, &x);
      t[j] = x;
      c2 = _addcarryx_u64(c2, t[j + 1], hi, &x);
      t[j + 1] = x;
    }
    c1 = _addcarryx_u64(c1, t[N], 0, &x);
    t[N] = x;
    t[N + 1] += static_cast<u64>(c1) + c2;
    const u64 q = t[0] * minv;
    c1 = c2 = 0;
    for (std::size_t j = 0; j < N; ++j) {
      lo = _mulx_u64(q, m[j], &hi);
      c1 = _addcarryx_u64(c1, t[j], lo, &x);
      t[j] = x;
      c2 = _addcarryx_u64(c2, t[j + 1], hi, &x);
      t[j + 1] = x;
    }
    c1 = _addcarryx_u64(c1, t[N], 0, &x);
    t[N] = x;
    t[N + 1] += static_cast<u64>(c1) + c2;
    for (std::size_t j = 0; j < N + 1; ++j) t[j] = t[j + 1];  // t[0] == 0: divide by 2^64
    t[N + 1] = 0;
  }
  u64 s[N], bo = 0;
  for (std::size_t j = 0; j < N; ++j) s[j] = subb(t[j], m[j], bo, bo);
  subb(t[N], 0, bo, bo);
  u64 keep = 0 - bo;
  for (std::size_t j = 0; j < N; ++j) r[j] = (t[j] & keep) | (s[j] & ~keep);
}
#elif defined(TERN_SMALL)
// TERN_SMALL: one loop per row, the product and reduction carry chains side
// by side (q is known from the row's lowest word up front), over a window
// t[i..i+N] sliding up one word per row instead of shifting: the result is
// t[N..2N]. Same operations on the same data: constant time.
template <std::size_t N>
TERN_EC_INLINE void mont_mul(u64* r, const u64* a, const u64* b, const u64* m, u64 minv) {
  u64 t[2 * N + 1];
  for (std::size_t j = 0; j < 2 * N + 1; ++j) t[j] = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const u64 q = (t[i] + a[0] * b[i]) * minv;
    u64 c1 = 0, c2 = 0;
    for (std::size_t j = 0; j < N; ++j) t[i + j] = mac(q, m[j], mac(a[j], b[i], t[i + j], c1, c1), c2, c2);
    t[i + N] = addc(t[i + N], c1, 0, c1);
    t[i + N] = addc(t[i + N], c2, 0, c2);
    t[i + N + 1] = c1 + c2;
  }
  // t[N..2N] < 2m: subtract m once if it is >= m.
  u64* u = t + N;
  u64 s[N], bo = 0;
  for (std::size_t j = 0; j < N; ++j) s[j] = subb(u[j], m[j], bo, bo);
  subb(u[N], 0, bo, bo);
  u64 keep = 0 - bo;  // borrow: t < m, keep t
  for (std::size_t j = 0; j < N; ++j) r[j] = (u[j] & keep) | (s[j] & ~keep);
}
#else
template <std::size_t N>
TERN_EC_INLINE void mont_mul(u64* r, const u64* a, const u64* b, const u64* m, u64 minv) {
  u64 t[N + 2];
  for (std::size_t j = 0; j < N + 2; ++j) t[j] = 0;
  for (std::size_t i = 0; i < N; ++i) {
    u64 c = 0, cc;
    for (std::size_t j = 0; j < N; ++j) t[j] = mac(a[j], b[i], t[j], c, c);
    t[N] = addc(t[N], c, 0, cc);
    t[N + 1] = cc;
    u64 q = t[0] * minv;
    mac(q, m[0], t[0], 0, c);
    for (std::size_t j = 1; j < N; ++j) t[j - 1] = mac(q, m[j], t[j], c, c);
    t[N - 1] = addc(t[N], c, 0, cc);
    t[N] = t[N + 1] + cc;
  }
  // t < 2m: subtract m once if t >= m.
  u64 s[N], bo = 0;
  for (std::size_t j = 0; j < N; ++j) s[j] = subb(t[j], m[j], bo, bo);
  subb(t[N], 0, bo, bo);
  u64 keep = 0 - bo;  // borrow: t < m, keep t
  for (std::size_t j = 0; j < N; ++j) r[j] = (t[j] & keep) | (s[j] & ~keep);
}
#endif

#ifdef TERN_EC_MULX
// 4 limbs in asm (ADC / SBB chains, CMOV select); other sizes by intrinsics,
// which the compiler turns into ADC / SBB runs.
#if TERN_EC_SQR_ASM
// Operands in memory ("m": the compiler addresses them, e.g. off the
// stack), results in registers stored by C++: no "memory" clobber, so the
// surrounding code keeps its registers across these blocks.
TERN_EC_INLINE void mod_add4_asm(u64* r, const u64* a, const u64* b, const u64* m) {
  u64 r0, r1, r2, r3, s0, s1, s2, s3, top;
  __asm__(
      "movq %[a0], %[r0]\n\t"
      "movq %[a1], %[r1]\n\t"
      "movq %[a2], %[r2]\n\t"
      "movq %[a3], %[r3]\n\t"
      "xorl %k[top], %k[top]\n\t"
      "addq %[b0], %[r0]\n\t"
      "adcq %[b1], %[r1]\n\t"
      "adcq %[b2], %[r2]\n\t"
      "adcq %[b3], %[r3]\n\t"
      "adcq $0, %[top]\n\t"
      "movq %[r0], %[s0]\n\t"
      "movq %[r1], %[s1]\n\t"
      "movq %[r2], %[s2]\n\t"
      "movq %[r3], %[s3]\n\t"
      "subq %[m0], %[s0]\n\t"
      "sbbq %[m1], %[s1]\n\t"
      "sbbq %[m2], %[s2]\n\t"
      "sbbq %[m3], %[s3]\n\t"
      "sbbq $0, %[top]\n\t"
      "cmovncq %[s0], %[r0]\n\t"
      "cmovncq %[s1], %[r1]\n\t"
      "cmovncq %[s2], %[r2]\n\t"
      "cmovncq %[s3], %[r3]\n\t"
      : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [s0] "=&r"(s0), [s1] "=&r"(s1),
        [s2] "=&r"(s2), [s3] "=&r"(s3), [top] "=&r"(top)
      : [a0] "m"(a[0]), [a1] "m"(a[1]), [a2] "m"(a[2]), [a3] "m"(a[3]), [b0] "m"(b[0]), [b1] "m"(b[1]),
        [b2] "m"(b[2]), [b3] "m"(b[3]), [m0] "m"(m[0]), [m1] "m"(m[1]), [m2] "m"(m[2]), [m3] "m"(m[3])
      : "cc");
  r[0] = r0;
  r[1] = r1;
  r[2] = r2;
  r[3] = r3;
}
TERN_EC_INLINE void mod_sub4_asm(u64* r, const u64* a, const u64* b, const u64* m) {
  u64 r0, r1, r2, r3, s0, s1, s2, s3, mask;
  __asm__(
      "xorl %k[mask], %k[mask]\n\t"
      "movq %[a0], %[r0]\n\t"
      "movq %[a1], %[r1]\n\t"
      "movq %[a2], %[r2]\n\t"
      "movq %[a3], %[r3]\n\t"
      "subq %[b0], %[r0]\n\t"
      "sbbq %[b1], %[r1]\n\t"
      "sbbq %[b2], %[r2]\n\t"
      "sbbq %[b3], %[r3]\n\t"
      "sbbq %[mask], %[mask]\n\t"
      "movq %[m0], %[s0]\n\t"
      "movq %[m1], %[s1]\n\t"
      "movq %[m2], %[s2]\n\t"
      "movq %[m3], %[s3]\n\t"
      "andq %[mask], %[s0]\n\t"
      "andq %[mask], %[s1]\n\t"
      "andq %[mask], %[s2]\n\t"
      "andq %[mask], %[s3]\n\t"
      "addq %[s0], %[r0]\n\t"
      "adcq %[s1], %[r1]\n\t"
      "adcq %[s2], %[r2]\n\t"
      "adcq %[s3], %[r3]\n\t"
      : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [s0] "=&r"(s0), [s1] "=&r"(s1),
        [s2] "=&r"(s2), [s3] "=&r"(s3), [mask] "=&r"(mask)
      : [a0] "m"(a[0]), [a1] "m"(a[1]), [a2] "m"(a[2]), [a3] "m"(a[3]), [b0] "m"(b[0]), [b1] "m"(b[1]),
        [b2] "m"(b[2]), [b3] "m"(b[3]), [m0] "m"(m[0]), [m1] "m"(m[1]), [m2] "m"(m[2]), [m3] "m"(m[3])
      : "cc");
  r[0] = r0;
  r[1] = r1;
  r[2] = r2;
  r[3] = r3;
}
// P-256: r = a - b mod p without loading p. On a borrow (mask = -1) p is
// added back as (mask, m1 = 2^32 - 1, 0, p[3]); p[3] = 2^64 - m1 (mod
// 2^64), so the top limb takes the carry and then loses m1.
TERN_EC_INLINE void mod_sub_p256_asm(u64* r, const u64* a, const u64* b) {
  u64 r0, r1, r2, r3, mask, m1;
  __asm__(
      "xorl %k[mask], %k[mask]\n\t"
      "movq %[a0], %[r0]\n\t"
      "movq %[a1], %[r1]\n\t"
      "movq %[a2], %[r2]\n\t"
      "movq %[a3], %[r3]\n\t"
      "subq %[b0], %[r0]\n\t"
      "sbbq %[b1], %[r1]\n\t"
      "sbbq %[b2], %[r2]\n\t"
      "sbbq %[b3], %[r3]\n\t"
      "sbbq %[mask], %[mask]\n\t"
      "movl %k[mask], %k[m1]\n\t"
      "addq %[mask], %[r0]\n\t"
      "adcq %[m1], %[r1]\n\t"
      "adcq $0, %[r2]\n\t"
      "adcq $0, %[r3]\n\t"
      "subq %[m1], %[r3]\n\t"
      : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [mask] "=&r"(mask), [m1] "=&r"(m1)
      : [a0] "m"(a[0]), [a1] "m"(a[1]), [a2] "m"(a[2]), [a3] "m"(a[3]), [b0] "m"(b[0]), [b1] "m"(b[1]),
        [b2] "m"(b[2]), [b3] "m"(b[3])
      : "cc");
  r[0] = r0;
  r[1] = r1;
  r[2] = r2;
  r[3] = r3;
}
#else
// Unoptimised builds: the operands through pointer registers (at -O0 the
// compilers give every memory operand its own address register).
TERN_EC_INLINE void mod_add4_asm(u64* r, const u64* a, const u64* b, const u64* m) {
  __asm__ volatile(
      "movq 0(%[a]), %%r8\n\t"
      "movq 8(%[a]), %%r9\n\t"
      "movq 16(%[a]), %%r10\n\t"
      "movq 24(%[a]), %%r11\n\t"
      "xorl %%eax, %%eax\n\t"
      "addq 0(%[b]), %%r8\n\t"
      "adcq 8(%[b]), %%r9\n\t"
      "adcq 16(%[b]), %%r10\n\t"
      "adcq 24(%[b]), %%r11\n\t"
      "adcq $0, %%rax\n\t"
      "movq %%r8, %%rcx\n\t"
      "movq %%r9, %%rdx\n\t"
      "movq %%r10, %%r12\n\t"
      "movq %%r11, %%r13\n\t"
      "subq 0(%[m]), %%r8\n\t"
      "sbbq 8(%[m]), %%r9\n\t"
      "sbbq 16(%[m]), %%r10\n\t"
      "sbbq 24(%[m]), %%r11\n\t"
      "sbbq $0, %%rax\n\t"
      "cmovcq %%rcx, %%r8\n\t"
      "cmovcq %%rdx, %%r9\n\t"
      "cmovcq %%r12, %%r10\n\t"
      "cmovcq %%r13, %%r11\n\t"
      "movq %%r8, 0(%[r])\n\t"
      "movq %%r9, 8(%[r])\n\t"
      "movq %%r10, 16(%[r])\n\t"
      "movq %%r11, 24(%[r])\n\t"
      :
      : [r] "r"(r), [a] "r"(a), [b] "r"(b), [m] "r"(m)
      : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "cc", "memory");
}
TERN_EC_INLINE void mod_sub4_asm(u64* r, const u64* a, const u64* b, const u64* m) {
  __asm__ volatile(
      "movq 0(%[a]), %%r8\n\t"
      "movq 8(%[a]), %%r9\n\t"
      "movq 16(%[a]), %%r10\n\t"
      "movq 24(%[a]), %%r11\n\t"
      "subq 0(%[b]), %%r8\n\t"
      "sbbq 8(%[b]), %%r9\n\t"
      "sbbq 16(%[b]), %%r10\n\t"
      "sbbq 24(%[b]), %%r11\n\t"
      "sbbq %%rax, %%rax\n\t"
      "movq 0(%[m]), %%rcx\n\t"
      "movq 8(%[m]), %%rdx\n\t"
      "movq 16(%[m]), %%r12\n\t"
      "movq 24(%[m]), %%r13\n\t"
      "andq %%rax, %%rcx\n\t"
      "andq %%rax, %%rdx\n\t"
      "andq %%rax, %%r12\n\t"
      "andq %%rax, %%r13\n\t"
      "addq %%rcx, %%r8\n\t"
      "adcq %%rdx, %%r9\n\t"
      "adcq %%r12, %%r10\n\t"
      "adcq %%r13, %%r11\n\t"
      "movq %%r8, 0(%[r])\n\t"
      "movq %%r9, 8(%[r])\n\t"
      "movq %%r10, 16(%[r])\n\t"
      "movq %%r11, 24(%[r])\n\t"
      :
      : [r] "r"(r), [a] "r"(a), [b] "r"(b), [m] "r"(m)
      : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "cc", "memory");
}
#endif
template <std::size_t N>
TERN_EC_INLINE void mod_add(u64* r, const u64* a, const u64* b, const u64* m) {
  if constexpr (N == 4) {
    mod_add4_asm(r, a, b, m);
    return;
  }
  unsigned long long t[N], s[N];
  unsigned char c = 0, bo = 0;
  for (std::size_t j = 0; j < N; ++j) c = _addcarry_u64(c, a[j], b[j], &t[j]);
  for (std::size_t j = 0; j < N; ++j) bo = _subborrow_u64(bo, t[j], m[j], &s[j]);
  unsigned long long top;
  bo = _subborrow_u64(bo, c, 0, &top);
  u64 keep = 0 - static_cast<u64>(bo);
  for (std::size_t j = 0; j < N; ++j) r[j] = (t[j] & keep) | (s[j] & ~keep);
}
template <std::size_t N>
TERN_EC_INLINE void mod_sub(u64* r, const u64* a, const u64* b, const u64* m) {
  if constexpr (N == 4) {
    mod_sub4_asm(r, a, b, m);
    return;
  }
  unsigned long long t[N], x;
  unsigned char bo = 0, c = 0;
  for (std::size_t j = 0; j < N; ++j) bo = _subborrow_u64(bo, a[j], b[j], &t[j]);
  u64 mask = 0 - static_cast<u64>(bo);
  for (std::size_t j = 0; j < N; ++j) {
    c = _addcarry_u64(c, t[j], m[j] & mask, &x);
    r[j] = x;
  }
}
#else
template <std::size_t N>
TERN_EC_INLINE void mod_sub(u64* r, const u64* a, const u64* b, const u64* m) {
  u64 t[N], bo = 0, c = 0;
  for (std::size_t j = 0; j < N; ++j) t[j] = subb(a[j], b[j], bo, bo);
  u64 mask = 0 - bo;
  for (std::size_t j = 0; j < N; ++j) r[j] = addc(t[j], m[j] & mask, c, c);
}

#ifdef TERN_SMALL
// TERN_SMALL: a + b = a - (m - b) mod m (m - b is in [1, m]: no borrow, and
// a - m + m = a when b = 0), so the one subtraction routine serves both.
template <std::size_t N>
TERN_EC_INLINE void mod_add(u64* r, const u64* a, const u64* b, const u64* m) {
  u64 t[N], bo = 0;
  for (std::size_t j = 0; j < N; ++j) t[j] = subb(m[j], b[j], bo, bo);
  mod_sub<N>(r, a, t, m);
}
#else
template <std::size_t N>
TERN_EC_INLINE void mod_add(u64* r, const u64* a, const u64* b, const u64* m) {
  u64 t[N], s[N], c = 0, bo = 0;
  for (std::size_t j = 0; j < N; ++j) t[j] = addc(a[j], b[j], c, c);
  for (std::size_t j = 0; j < N; ++j) s[j] = subb(t[j], m[j], bo, bo);
  subb(c, 0, bo, bo);
  u64 keep = 0 - bo;
  for (std::size_t j = 0; j < N; ++j) r[j] = (t[j] & keep) | (s[j] & ~keep);
}
#endif
#endif

template <std::size_t N>
TERN_EC_INLINE u64 is_zero_mask(const u64* a) {
  u64 acc = 0;
  for (std::size_t j = 0; j < N; ++j) acc |= a[j];
  return ct::mask_zero(acc);
}

template <std::size_t N>
TERN_EC_INLINE void copy(u64* r, const u64* a) {
  for (std::size_t j = 0; j < N; ++j) r[j] = a[j];
}

// r = mask ? a : r
template <std::size_t N>
TERN_EC_INLINE void cmov(u64* r, const u64* a, u64 mask) {
  mask = ct::value_barrier(mask);
  for (std::size_t j = 0; j < N; ++j) r[j] = (a[j] & mask) | (r[j] & ~mask);
}

// out = entry idx - 1 of `entries` rows of `words` 64-bit words (zero when
// idx = 0), constant time: every row is read and OR-ed in under a mask.
#ifdef TERN_EC_MULX
__attribute__((target("avx2"))) inline void select_rows_avx2(u64* out, const u64* rows, std::size_t words,
                                                             std::size_t entries, u64 idx) {
  __m256i acc[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
  const __m256i vi = _mm256_set1_epi64x(static_cast<long long>(idx));
  const std::size_t nv = words / 4;
  for (std::size_t j = 0; j < entries; ++j) {
    const __m256i m = _mm256_cmpeq_epi64(vi, _mm256_set1_epi64x(static_cast<long long>(j + 1)));
    for (std::size_t v = 0; v < nv; ++v) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows + j * words + 4 * v));
      acc[v] = _mm256_or_si256(acc[v], _mm256_and_si256(m, x));
    }
  }
  for (std::size_t v = 0; v < nv; ++v) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 4 * v), acc[v]);
}
#endif
TERN_EC_INLINE void select_rows(u64* out, const u64* rows, std::size_t words, std::size_t entries, u64 idx) {
#ifdef TERN_EC_MULX
  static const bool avx2 = cpu::has(cpu::avx2);
  if (avx2 && words % 4 == 0 && words <= 16) {
    select_rows_avx2(out, rows, words, entries, idx);
    return;
  }
#endif
  for (std::size_t w = 0; w < words; ++w) out[w] = 0;
  for (std::size_t j = 0; j < entries; ++j) {
    // The barrier keeps clang from turning the masked OR into a branch.
    const u64 mask = ct::value_barrier(ct::mask_eq(idx, static_cast<u64>(j + 1)));
    for (std::size_t w = 0; w < words; ++w) out[w] |= mask & rows[j * words + w];
  }
}

template <std::size_t N>
TERN_EC_INLINE bool equal_vartime(const u64* a, const u64* b) {
  for (std::size_t j = 0; j < N; ++j)
    if (a[j] != b[j]) return false;
  return true;
}

// ---- constant-time inversion by divsteps (Bernstein-Yang, "safegcd") ---------
// For an odd modulus M and 0 <= x < M: x^-1 mod M (0 for x = 0), plain
// representation in and out. f = M, g = x, d = 0, e = 1 with f = d x and
// g = e x (mod M) throughout. Each batch runs 62 divsteps on the low words
// of f and g (branch-free: masks only), which yields a 2x2 matrix T with
// 2^62 (f', g') = T (f, g); then f, g and d, e are updated with T (the
// latter divided by 2^62 mod M by adding the multiple of M that clears the
// low 62 bits). After (49 d + 57) / 17 divsteps (d = bit length; 741 for
// 256 bits, 1110 for 384) g = 0 and f = +-1, so x^-1 = +-d. The number of
// steps and every memory access are fixed: constant time in x.
// TERN_SMALL (-Dprofile=minimal) leaves it out for size (~1.5 KB of code):
// finv and n_inv then use Fermat's little theorem (a^(p-2), a^(n-2)) over
// the Montgomery multiply and square that are linked anyway, which is also
// constant time but ~5 times slower per inversion (still a small part of a
// scalar multiplication). Targets without __int128 always use Fermat.
#if defined(__SIZEOF_INT128__) && !defined(TERN_SMALL)
#define TERN_EC_SAFEGCD 1
using i64 = std::int64_t;
using i128 = __int128;

template <std::size_t N>
struct SafeGcd {
  static constexpr u64 kMask = (u64{1} << 62) - 1;
  // Signed radix-2^62 numbers: limbs 0..L-2 in [0, 2^62), the top limb
  // signed (it carries the sign and any excess).
  static constexpr std::size_t L = (64 * N + 1 + 61) / 62;
  static constexpr int kBatches = N == 4 ? 12 : 18;
  static_assert(kBatches * 62 >= (49 * 64 * static_cast<int>(N) + 57) / 17);

  TERN_EC_INLINE static void to62(i64* out, const u64* a) {
    for (std::size_t i = 0; i < L; ++i) {
      const std::size_t bit = 62 * i, limb = bit / 64, off = bit % 64;
      u64 w = limb < N ? a[limb] >> off : 0;
      if (off > 2 && limb + 1 < N) w |= a[limb + 1] << (64 - off);
      out[i] = static_cast<i64>(w & kMask);
    }
  }
  // a in [0, 2^(64N)), limbs normalised and non-negative.
  TERN_EC_INLINE static void from62(u64* out, const i64* a) {
    for (std::size_t j = 0; j < N; ++j) out[j] = 0;
    for (std::size_t i = 0; i < L; ++i) {
      const u64 v = static_cast<u64>(a[i]);
      const std::size_t bit = 62 * i, limb = bit / 64, off = bit % 64;
      if (limb < N) out[limb] |= v << off;
      if (off > 2 && limb + 1 < N) out[limb + 1] |= v >> (64 - off);
    }
  }

  // 62 divsteps on the low 64 bits of f and g (enough: step i needs only
  // bit 0, and each step spoils one top bit). t = {u, v, q, r}.
  TERN_EC_INLINE static i64 divsteps62(i64 delta, u64 f, u64 g, i64* t) {
    u64 u = 1, v = 0, q = 0, r = 1;
    for (int i = 0; i < 62; ++i) {
      // With pos = (delta > 0) and odd = (g odd): g += (pos ? -f : f) when
      // odd (the same for the g row of the matrix), then, when both hold
      // (a swap), f += the new g, which turns f into the old g.
      const u64 pos = static_cast<u64>((-delta) >> 63);
      const u64 odd = 0 - (g & 1);
      const u64 x = pos & odd;
      g += ((f ^ pos) - pos) & odd;
      q += ((u ^ pos) - pos) & odd;
      r += ((v ^ pos) - pos) & odd;
      f += g & x;
      u += q & x;
      v += r & x;
      delta = (delta ^ static_cast<i64>(x)) - static_cast<i64>(x) + 1;
      g >>= 1;
      u <<= 1;
      v <<= 1;
    }
    t[0] = static_cast<i64>(u);
    t[1] = static_cast<i64>(v);
    t[2] = static_cast<i64>(q);
    t[3] = static_cast<i64>(r);
    return delta;
  }

  // (f, g) = T (f, g) / 2^62 (exact).
  TERN_EC_INLINE static void update_fg(i64* f, i64* g, const i64* t) {
    i128 cf = static_cast<i128>(t[0]) * f[0] + static_cast<i128>(t[1]) * g[0];
    i128 cg = static_cast<i128>(t[2]) * f[0] + static_cast<i128>(t[3]) * g[0];
    cf >>= 62;
    cg >>= 62;
    for (std::size_t i = 1; i < L; ++i) {
      cf += static_cast<i128>(t[0]) * f[i] + static_cast<i128>(t[1]) * g[i];
      cg += static_cast<i128>(t[2]) * f[i] + static_cast<i128>(t[3]) * g[i];
      f[i - 1] = static_cast<i64>(static_cast<u64>(cf) & kMask);
      g[i - 1] = static_cast<i64>(static_cast<u64>(cg) & kMask);
      cf >>= 62;
      cg >>= 62;
    }
    f[L - 1] = static_cast<i64>(cf);
    g[L - 1] = static_cast<i64>(cg);
  }

  // (d, e) = T (d, e) / 2^62 mod M for d, e in [0, M): |u| + |v| <= 2^62,
  // so the results are in (-M, 2M); then brought back to [0, M).
  TERN_EC_INLINE static void update_de(i64* d, i64* e, const i64* t, const i64* m, u64 minv) {
    i128 cd = static_cast<i128>(t[0]) * d[0] + static_cast<i128>(t[1]) * e[0];
    i128 ce = static_cast<i128>(t[2]) * d[0] + static_cast<i128>(t[3]) * e[0];
    const i64 md = static_cast<i64>((0 - static_cast<u64>(cd) * minv) & kMask);
    const i64 me = static_cast<i64>((0 - static_cast<u64>(ce) * minv) & kMask);
    cd += static_cast<i128>(md) * m[0];
    ce += static_cast<i128>(me) * m[0];
    cd >>= 62;
    ce >>= 62;
    for (std::size_t i = 1; i < L; ++i) {
      cd += static_cast<i128>(t[0]) * d[i] + static_cast<i128>(t[1]) * e[i] + static_cast<i128>(md) * m[i];
      ce += static_cast<i128>(t[2]) * d[i] + static_cast<i128>(t[3]) * e[i] + static_cast<i128>(me) * m[i];
      d[i - 1] = static_cast<i64>(static_cast<u64>(cd) & kMask);
      e[i - 1] = static_cast<i64>(static_cast<u64>(ce) & kMask);
      cd >>= 62;
      ce >>= 62;
    }
    d[L - 1] = static_cast<i64>(cd);
    e[L - 1] = static_cast<i64>(ce);
    normalize(d, m);
    normalize(e, m);
  }

  // a in (-M, 2M) -> [0, M).
  TERN_EC_INLINE static void normalize(i64* a, const i64* m) {
    const i64 neg = a[L - 1] >> 63;
    i64 c = 0;
    for (std::size_t i = 0; i + 1 < L; ++i) {
      const i64 s = a[i] + (m[i] & neg) + c;
      a[i] = static_cast<i64>(static_cast<u64>(s) & kMask);
      c = s >> 62;
    }
    a[L - 1] += (m[L - 1] & neg) + c;
    i64 t[L];
    c = 0;
    for (std::size_t i = 0; i + 1 < L; ++i) {
      const i64 s = a[i] - m[i] + c;
      t[i] = static_cast<i64>(static_cast<u64>(s) & kMask);
      c = s >> 62;
    }
    t[L - 1] = a[L - 1] - m[L - 1] + c;
    const i64 keep = t[L - 1] >> 63;  // a < M: keep a
    for (std::size_t i = 0; i < L; ++i) a[i] = (a[i] & keep) | (t[i] & ~keep);
  }

  // minv_neg = -M^-1 mod 2^64 (as in CurveConsts).
  TERN_EC_FN static void inv(u64* r, const u64* x, const u64* modulus, u64 minv_neg) {
    i64 f[L], g[L], d[L] = {0}, e[L] = {0}, m[L], t[4];
    to62(m, modulus);
    to62(f, modulus);
    to62(g, x);
    e[0] = 1;
    const u64 minv = (0 - minv_neg) & kMask;  // M^-1 mod 2^62
    i64 delta = 1;
    for (int b = 0; b < kBatches; ++b) {
      delta = divsteps62(delta, static_cast<u64>(f[0]) | (static_cast<u64>(f[1]) << 62),
                         static_cast<u64>(g[0]) | (static_cast<u64>(g[1]) << 62), t);
      update_fg(f, g, t);
      update_de(d, e, t, m, minv);
    }
    // f = +-1: x^-1 = sign(f) d. Negate d when f < 0, then renormalise.
    const i64 neg = f[L - 1] >> 63;
    i64 c = 0;
    for (std::size_t i = 0; i + 1 < L; ++i) {
      const i64 s = ((d[i] ^ neg) - neg) + c;
      d[i] = static_cast<i64>(static_cast<u64>(s) & kMask);
      c = s >> 62;
    }
    d[L - 1] = ((d[L - 1] ^ neg) - neg) + c;
    normalize(d, m);
    from62(r, d);
    wipe(f, sizeof f);  // out of line: not removed as dead stores
    wipe(g, sizeof g);
    wipe(d, sizeof d);
    wipe(e, sizeof e);
    wipe(t, sizeof t);
  }
};
#else
#define TERN_EC_SAFEGCD 0
#endif

// ---- a curve: field (mod p) and scalar (mod n) operations, points ---------------
template <std::size_t N_, const CurveConsts<N_>& C, class Tab>
struct Curve {
  static constexpr std::size_t N = N_;
  static constexpr std::size_t kWindows = Tab::kWindows;

  struct Jac {
    u64 x[N], y[N], z[N];
  };

  // -- field mod p
  // The MULX kernel inlines the P-256 field products into the point
  // formulas (no call, no callee-saved register spills per product).
#if defined(TERN_EC_MULX) && TERN_EC_SQR_ASM
#define TERN_EC_FIELD_FN TERN_EC_INLINE
#else
#define TERN_EC_FIELD_FN TERN_EC_FN
#endif
  TERN_EC_FIELD_FN static void fmul(u64* r, const u64* a, const u64* b) { mont_mul<N>(r, a, b, C.p, C.p_inv); }
  TERN_EC_FIELD_FN static void fsqr(u64* r, const u64* a) {
#if defined(TERN_EC_MULX) && TERN_EC_SQR_ASM
    if constexpr (N == 4) {
      mont_sqr_p256_asm(r, a);  // N == 4 is P-256
      return;
    }
#endif
    mont_mul<N>(r, a, a, C.p, C.p_inv);
  }
  TERN_EC_INLINE static void fadd(u64* r, const u64* a, const u64* b) { mod_add<N>(r, a, b, C.p); }
  TERN_EC_INLINE static void fsub(u64* r, const u64* a, const u64* b) {
#if defined(TERN_EC_MULX) && TERN_EC_SQR_ASM
    if constexpr (N == 4) {
      mod_sub_p256_asm(r, a, b);  // N == 4 is P-256
      return;
    }
#endif
    mod_sub<N>(r, a, b, C.p);
  }
  // r = a / 2 mod p: a + (a odd ? p : 0), shifted right (constant time).
  TERN_EC_INLINE static void fhalf(u64* r, const u64* a) {
#ifdef TERN_EC_MULX
    if constexpr (N == 4) {
      // P-256: p = (2^64 - 1, 2^32 - 1, 0, 2^64 - 2^32 + 1); the masked
      // limbs are m, m mod 2^32 and (m << 32) - m. One ADC chain, SHRDs.
      u64 a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], m, t1, t3, c;
      __asm__(
          "movq %[a0], %[m]\n\t"
          "andq $1, %[m]\n\t"
          "negq %[m]\n\t"
          "movl %k[m], %k[t1]\n\t"
          "movq %[m], %[t3]\n\t"
          "shlq $32, %[t3]\n\t"
          "subq %[m], %[t3]\n\t"
          "xorl %k[c], %k[c]\n\t"
          "addq %[m], %[a0]\n\t"
          "adcq %[t1], %[a1]\n\t"
          "adcq $0, %[a2]\n\t"
          "adcq %[t3], %[a3]\n\t"
          "adcq $0, %[c]\n\t"
          "shrdq $1, %[a1], %[a0]\n\t"
          "shrdq $1, %[a2], %[a1]\n\t"
          "shrdq $1, %[a3], %[a2]\n\t"
          "shrdq $1, %[c], %[a3]\n\t"
          : [a0] "+&r"(a0), [a1] "+&r"(a1), [a2] "+&r"(a2), [a3] "+&r"(a3), [m] "=&r"(m), [t1] "=&r"(t1),
            [t3] "=&r"(t3), [c] "=&r"(c)
          :
          : "cc");
      r[0] = a0;
      r[1] = a1;
      r[2] = a2;
      r[3] = a3;
      return;
    }
#endif
    const u64 odd = 0 - (a[0] & 1);
    u64 t[N], c = 0;
    for (std::size_t j = 0; j < N; ++j) t[j] = addc(a[j], C.p[j] & odd, c, c);
    for (std::size_t j = 0; j + 1 < N; ++j) r[j] = (t[j] >> 1) | (t[j + 1] << 63);
    r[N - 1] = (t[N - 1] >> 1) | (c << 63);
  }
  TERN_EC_FN static void to_mont(u64* r, const u64* a) { fmul(r, a, C.p_rr); }
  TERN_EC_FN static void from_mont(u64* r, const u64* a) {
    u64 one[N] = {1};
    fmul(r, a, one);
  }
  // x = x^2 mod n (Scalar) or p, Montgomery.
  template <bool Scalar>
  TERN_EC_INLINE static void pow_sqr(u64* x) {
#if defined(TERN_EC_MULX) && TERN_EC_SQR_ASM
    if constexpr (N == 4) {
      if constexpr (Scalar)
        mont_sqr4_asm(x, x, C.n);
      else
        mont_sqr_p256_asm(x, x);
      return;
    }
#endif
    mont_mul<N>(x, x, x, Scalar ? C.n : C.p, Scalar ? C.n_inv : C.p_inv);
  }
  // r = a^e (Montgomery), e public: sliding windows of up to 5 bits over
  // the odd powers a, a^3, ..., a^31. Which powers are multiplied in, and
  // when, depends on e only: constant time in a.
  template <bool Scalar>
  TERN_EC_FN static void pow(u64* r, const u64* a, const u64* e) {
    const u64* m = Scalar ? C.n : C.p;
    const u64 minv = Scalar ? C.n_inv : C.p_inv;
#ifdef TERN_SMALL
    // TERN_SMALL: plain left-to-right square-and-multiply (no table of odd
    // powers; ~130 more products for a 256-bit exponent). Which products
    // are taken depends on e only: constant time in a.
    u64 acc[N];
    copy<N>(acc, Scalar ? C.n_one : C.p_one);
    for (int i = static_cast<int>(N) * 64 - 1; i >= 0; --i) {
      mont_mul<N>(acc, acc, acc, m, minv);
      if ((e[i / 64] >> (i % 64)) & 1u) mont_mul<N>(acc, acc, a, m, minv);
    }
    copy<N>(r, acc);
    wipe(acc, sizeof acc);
#else
    u64 tab[16][N], a2[N];
    copy<N>(tab[0], a);
    mont_mul<N>(a2, a, a, m, minv);
    for (int i = 1; i < 16; ++i) mont_mul<N>(tab[i], tab[i - 1], a2, m, minv);
    auto bit = [e](int i) -> unsigned { return static_cast<unsigned>(e[i / 64] >> (i % 64)) & 1u; };
    u64 acc[N];
    copy<N>(acc, Scalar ? C.n_one : C.p_one);
    bool started = false;  // acc is still 1 (public: depends on e)
    int i = static_cast<int>(N) * 64 - 1;
    while (i >= 0) {
      if (!bit(i)) {
        if (started) pow_sqr<Scalar>(acc);
        --i;
        continue;
      }
      int j = i - 4 < 0 ? 0 : i - 4;
      while (!bit(j)) ++j;
      unsigned w = 0;
      for (int b = i; b >= j; --b) {
        w = (w << 1) | bit(b);
        if (started) pow_sqr<Scalar>(acc);
      }
      if (started) {
        mont_mul<N>(acc, acc, tab[w >> 1], m, minv);
      } else {
        copy<N>(acc, tab[w >> 1]);
        started = true;
      }
      i = j - 1;
    }
    copy<N>(r, acc);
    for (auto& t : tab)
      for (std::size_t k = 0; k < N; ++k) t[k] = 0;
#endif
  }
  TERN_EC_FN static void fsqr_n(u64* r, const u64* a, int n) {
    fsqr(r, a);
    for (int i = 1; i < n; ++i) fsqr(r, r);
  }
  // r = a^(p-2). P-256: p - 2 = 2^256 - 2^224 + 2^192 + 2^96 - 3 by an
  // addition chain over a^(2^k - 1) (255 squarings, 12 multiplications).
  TERN_EC_FN static void finv(u64* r, const u64* a) {
#if TERN_EC_SAFEGCD
    // a = x R: divsteps give x^-1 R^-1; times R^3 (Montgomery) is x^-1 R.
    u64 t[N], r3[N];
    SafeGcd<N>::inv(t, a, C.p, C.p_inv);
    fmul(r3, C.p_rr, C.p_rr);
    fmul(r, t, r3);
    wipe(t, sizeof t);
    return;
#endif
    if constexpr (N == 4) {
      u64 x2[N], x3[N], x6[N], x12[N], x15[N], x30[N], x32[N], t[N];
      fsqr(t, a);
      fmul(x2, t, a);
      fsqr(t, x2);
      fmul(x3, t, a);
      fsqr_n(t, x3, 3);
      fmul(x6, t, x3);
      fsqr_n(t, x6, 6);
      fmul(x12, t, x6);
      fsqr_n(t, x12, 3);
      fmul(x15, t, x3);
      fsqr_n(t, x15, 15);
      fmul(x30, t, x15);
      fsqr_n(t, x30, 2);
      fmul(x32, t, x2);      // bits 255..224: 32 ones
      fsqr_n(t, x32, 32);
      fmul(t, t, a);         // bits 223..192: 0...01
      fsqr_n(t, t, 128);
      fmul(t, t, x32);       // bits 191..96 zero, 95..64 ones
      fsqr_n(t, t, 32);
      fmul(t, t, x32);       // bits 63..32 ones
      fsqr_n(t, t, 30);
      fmul(t, t, x30);       // bits 31..2 ones
      fsqr_n(t, t, 2);
      fmul(r, t, a);         // bits 1..0: 01
      u64* temps[] = {x2, x3, x6, x12, x15, x30, x32, t};
      for (u64* p : temps)
        for (std::size_t k = 0; k < N; ++k) p[k] = 0;
    } else {
      pow<false>(r, a, C.p_minus_2);
    }
  }

  // -- points
  // Doubling, a = -3 (dbl-2001-b arranged around Y2 = 2Y: Z3 = Y2 Z,
  // T = Y2^2 = 4 gamma, 4 beta = X T, 8 gamma^2 = T^2 / 2; 4M + 4S and ten
  // additions/halvings). Infinity (Z = 0) maps to infinity. r may alias p
  // (p is read completely first).
  TERN_EC_FN static void dbl(Jac& r, const Jac& p) {
    // Ordered so that independent products sit next to each other (the
    // out-of-order window then overlaps them); the chain from Y to Y3 runs
    // through T, 4 beta, X3 and the last product.
    u64 delta[N], y2[N], t[N], beta4[N], alpha[N], t0[N], t1[N], g2[N], z3[N];
    fadd(y2, p.y, p.y);
    fsqr(delta, p.z);
    fsqr(t, y2);  // 4 gamma
    fsub(t0, p.x, delta);
    fadd(t1, p.x, delta);
    fmul(beta4, p.x, t);  // 4 beta
    fmul(alpha, t0, t1);
    fsqr(g2, t);  // 16 gamma^2
    fmul(z3, y2, p.z);  // Z3 = 2 Y Z
    fadd(t0, alpha, alpha);
    fadd(alpha, t0, alpha);  // 3 (X - delta)(X + delta)
    fadd(t1, beta4, beta4);
    fhalf(g2, g2);  // 8 gamma^2
    // X3 = alpha^2 - 8 beta
    fsqr(t0, alpha);
    fsub(r.x, t0, t1);
    // Y3 = alpha (4 beta - X3) - 8 gamma^2
    fsub(t0, beta4, r.x);
    fmul(t1, alpha, t0);
    fsub(r.y, t1, g2);
    copy<N>(r.z, z3);
  }

  // The same doubling on (X, 2Y, Z): p.y and r.y hold twice the point's Y
  // (for runs of doublings: point_mult doubles Y before a run and halves
  // it after). Then Z3 = (2Y) Z needs no addition first, 8 beta = 2X T
  // comes from one product (4 beta = its half, beside X3) and 2 Y3 =
  // 2 alpha (4 beta - X3) - 16 gamma^2 is T^2 unhalved: the chain from one
  // doubling's Y to the next is two additions shorter, for the same count
  // of operations. r may alias p.
  TERN_EC_FN static void dbl_y2(Jac& r, const Jac& p) {
    u64 delta[N], t[N], x2[N], beta4[N], beta8[N], alpha[N], t0[N], t1[N], g2[N], z3[N];
    fsqr(delta, p.z);
    fsqr(t, p.y);  // 4 gamma
    fadd(x2, p.x, p.x);
    fsub(t0, p.x, delta);
    fadd(t1, p.x, delta);
    fmul(beta8, x2, t);  // 8 beta
    fmul(alpha, t0, t1);
    fsqr(g2, t);  // 16 gamma^2
    fmul(z3, p.y, p.z);  // Z3 = 2 Y Z
    fadd(t0, alpha, alpha);
    fadd(alpha, t0, alpha);  // 3 (X - delta)(X + delta)
    fhalf(beta4, beta8);
    // X3 = alpha^2 - 8 beta
    fsqr(t0, alpha);
    fsub(r.x, t0, beta8);
    // 2 Y3 = 2 alpha (4 beta - X3) - 16 gamma^2
    fadd(x2, alpha, alpha);
    fsub(t0, beta4, r.x);
    fmul(t1, x2, t0);
    fsub(r.y, t1, g2);
    copy<N>(r.z, z3);
  }

  // Generic addition core (add-2007-bl, or madd-2007-bl when Mixed: q.z = 1
  // and not read). Sets h_zero / r_zero masks for the guards. Output is
  // wrong when p or q is infinity or p = q; callers guard.
  // (TERN_SMALL's MULX kernel keeps it out of line: there the mixed core has
  // one caller, add_ct, and clang 14 inlining it into add_ct runs out of
  // registers for the P-256 squaring asm.)
#if defined(TERN_SMALL) && defined(TERN_EC_MULX)
#define TERN_EC_ADD_CORE_FN TERN_EC_FN __attribute__((noinline))
#else
#define TERN_EC_ADD_CORE_FN TERN_EC_FN
#endif
  template <bool Mixed>
  TERN_EC_ADD_CORE_FN static void add_core(Jac& out, const Jac& p, const u64* qx, const u64* qy, const u64* qz,
                                  u64& h_zero, u64& r_zero) {
    // Independent products are kept next to each other (see dbl). out must
    // not alias p.
    u64 z1z1[N], z2z2[N], u1[N], u2[N], s1[N], s2[N], h[N], i[N], j[N], rr[N], v[N], t[N], zz[N];
    fsqr(z1z1, p.z);
    if constexpr (!Mixed) fsqr(z2z2, qz);
    fmul(s2, qy, p.z);
    if constexpr (Mixed)
      copy<N>(s1, p.y);
    else
      fmul(s1, p.y, qz);
    fmul(u2, qx, z1z1);
    if constexpr (Mixed)
      copy<N>(u1, p.x);
    else
      fmul(u1, p.x, z2z2);
    fmul(s2, s2, z1z1);
    if constexpr (Mixed) {
      copy<N>(zz, p.z);
    } else {
      fmul(s1, s1, z2z2);
      fmul(zz, p.z, qz);
    }
    fsub(h, u2, u1);
    fsub(rr, s2, s1);
    h_zero = is_zero_mask<N>(h);
    r_zero = is_zero_mask<N>(rr);
    fadd(i, h, h);
    fadd(rr, rr, rr);
    fsqr(i, i);
    fmul(zz, zz, h);
    fsqr(t, rr);
    fmul(j, h, i);
    fmul(v, u1, i);
    // Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H = 2 Z1 Z2 H (Mixed: 2 Z1 H)
    fadd(out.z, zz, zz);
    fmul(s1, s1, j);
    // X3 = r^2 - J - 2V
    fsub(t, t, j);
    fsub(t, t, v);
    fsub(out.x, t, v);
    // Y3 = r (V - X3) - 2 S1 J
    fadd(s1, s1, s1);
    fsub(t, v, out.x);
    fmul(t, rr, t);
    fsub(out.y, t, s1);
  }

  // Constant-time guarded addition r = p + q; q affine when Mixed (q_inf
  // mask says q is infinity), otherwise Jacobian (q.z == 0 is infinity).
  // Either input at infinity is always handled, and p = -q yields infinity
  // (Z3 = 0) by the formula itself. With Dbl, p = q is handled too (a
  // doubling is computed and selected); callers pass Dbl = false only where
  // p = q cannot occur (see base_mult_jac and point_mult).
  template <bool Mixed, bool Dbl = true>
  TERN_EC_FN static void add_ct(Jac& r, const Jac& p, const u64* qx, const u64* qy, const u64* qz, u64 q_inf) {
    Jac sum;
    u64 hz, rz;
    add_core<Mixed>(sum, p, qx, qy, qz, hz, rz);
    u64 p_inf = is_zero_mask<N>(p.z);
    if constexpr (!Mixed) q_inf = is_zero_mask<N>(qz);
    if constexpr (Dbl) {
      Jac d;
      dbl(d, p);
      u64 use_dbl = hz & rz & ~p_inf & ~q_inf;
      cmov<N>(sum.x, d.x, use_dbl);
      cmov<N>(sum.y, d.y, use_dbl);
      cmov<N>(sum.z, d.z, use_dbl);
    }
    cmov<N>(sum.x, qx, p_inf);
    cmov<N>(sum.y, qy, p_inf);
    cmov<N>(sum.z, Mixed ? C.p_one : qz, p_inf);
    cmov<N>(sum.x, p.x, q_inf);
    cmov<N>(sum.y, p.y, q_inf);
    cmov<N>(sum.z, p.z, q_inf);
    r = sum;
  }

  // Variable-time addition (public points only).
  template <bool Mixed>
  TERN_EC_FN static void add_vt(Jac& r, const Jac& p, const u64* qx, const u64* qy, const u64* qz) {
    if (is_zero_mask<N>(p.z)) {
      copy<N>(r.x, qx);
      copy<N>(r.y, qy);
      copy<N>(r.z, Mixed ? C.p_one : qz);
      return;
    }
    if (!Mixed && is_zero_mask<N>(qz)) {
      r = p;
      return;
    }
    Jac sum;
    u64 hz, rz;
    add_core<Mixed>(sum, p, qx, qy, qz, hz, rz);
    if (hz) {
      if (rz) {
        Jac d;
        dbl(d, p);
        r = d;
        return;
      }
      for (std::size_t k = 0; k < N; ++k) sum.x[k] = sum.y[k] = sum.z[k] = 0;
      sum.x[0] = 1;  // any x, y; z = 0 is infinity
    }
    r = sum;
  }

  // Signed 5-bit window recoding of k < n: k = sum d_i 2^(5i), |d_i| <= 16.
  // abs[i] = |d_i|, neg[i] = 1 when d_i < 0. Constant time.
  TERN_EC_FN static void recode(unsigned char* abs, unsigned char* neg, const u64* k) {
    u64 carry = 0;
    for (std::size_t i = 0; i < kWindows; ++i) {
      std::size_t bit = 5 * i, limb = bit / 64, off = bit % 64;
      u64 w = k[limb] >> off;
      if (off > 59 && limb + 1 < N) w |= k[limb + 1] << (64 - off);
      w = (w & 31u) + carry;  // 0..32
      u64 n = (16u - w) >> 63;  // w > 16
      carry = n;
      u64 a = (w ^ (0 - n)) + n;  // n ? -w : w  (mod 2^64)
      a = (a + (32u & (0 - n))) & 63u;  // n ? 32 - w : w
      abs[i] = static_cast<unsigned char>(a);
      neg[i] = static_cast<unsigned char>(n);
    }
  }

  // Conditional negation of a field element (y -> p - y), y != 0 assumed.
  TERN_EC_INLINE static void cneg(u64* y, u64 mask) {
    u64 t[N];
    u64 zero[N] = {0};
    fsub(t, zero, y);
    cmov<N>(y, t, mask);
  }

  TERN_EC_FN static void to_affine(u64* x, u64* y, const Jac& p) {
    u64 zi[N], zi2[N], t[N];
    finv(zi, p.z);
    fsqr(zi2, zi);
    fmul(t, p.x, zi2);
    from_mont(x, t);
    fmul(zi2, zi2, zi);
    fmul(t, p.y, zi2);
    from_mont(y, t);
  }

  // k*G, constant time (fixed-base comb with masked table scans).
  // Accumulating from the lowest window, acc = P_i G with
  // P_i = sum_{j<i} d_j 2^(5j), |P_i| < 0.52 * 2^(5i), is added to
  // Q = d_i 2^(5i) G, d_i != 0. acc = Q would need P_i = d_i 2^(5i) mod n.
  // Below the top window both sides are far smaller than n and differ as
  // integers. In the top window it would need 2 P_i - k = -n, i.e.
  // |P_i| = n mod 2^(5i) with |P_i| < 0.52 * 2^(5i), but n mod 2^(5i) is
  // about 0.99 * 2^(5i) for both curves (i = 51: 2^255, i = 76: 2^380). So
  // the doubling case never occurs and no doubling is computed; acc = -Q
  // gives infinity, which the formulas and the next addition handle.
  TERN_EC_FN static void base_mult_jac(Jac& acc, const u64* k) {
    unsigned char abs[kWindows], neg[kWindows];
    recode(abs, neg, k);
    for (std::size_t j = 0; j < N; ++j) acc.x[j] = acc.y[j] = acc.z[j] = 0;
    for (std::size_t i = 0; i < kWindows; ++i) {
      static_assert(sizeof(AffineMont<N>) == 16 * N);
      u64 q[2 * N];
      u64 a = abs[i];
      select_rows(q, reinterpret_cast<const u64*>(&Tab::at(i, 0)), 2 * N, 16, a);
      u64* qx = q;
      u64* qy = q + N;
      cneg(qy, 0 - static_cast<u64>(neg[i]));
      add_ct<true, false>(acc, acc, qx, qy, nullptr, ct::mask_zero(a));
    }
    for (std::size_t i = 0; i < kWindows; ++i) abs[i] = neg[i] = 0;
  }

  TERN_EC_FN static void base_mult(u64* x, u64* y, const u64* k) {
    Jac acc;
    base_mult_jac(acc, k);
    to_affine(x, y, acc);
    for (std::size_t j = 0; j < N; ++j) acc.x[j] = acc.y[j] = acc.z[j] = 0;
  }

  // k*P, constant time in k; P affine (plain coordinates), valid.
  // Top-down signed windows: before window i is added, acc = 32 s P with
  // |32 s| <= n / 32 + 17 for i >= 1, and Q = d_i P with |d_i| <= 16, so
  // acc = Q only when s = d_i = 0 (both at infinity, handled). In the last
  // window (i = 0) acc = Q means k = n - 2|d_0| with d_0 < 0 the low digit
  // of k, which needs n = |d_0| (mod 32); n mod 32 is 17 for P-256 and 19
  // for P-384 while |d_0| <= 16, so it cannot happen either, but that
  // addition keeps the doubling guard anyway (one doubling per call).
  TERN_EC_FN static bool point_mult(u64* x, u64* y, const u64* px, const u64* py, const u64* k) {
    Jac tab[16];
    to_mont(tab[0].x, px);
    to_mont(tab[0].y, py);
    copy<N>(tab[0].z, C.p_one);
    // tab[j - 1] = j P: even multiples by doubling, odd ones by a mixed
    // addition of P (Z = 1); j P = P never holds for 2 <= j <= 16.
    for (int j = 2; j <= 16; ++j) {
      if (j % 2 == 0)
        dbl(tab[j - 1], tab[j / 2 - 1]);
      else
        add_ct<true, false>(tab[j - 1], tab[j - 2], tab[0].x, tab[0].y, nullptr, 0);
    }
    unsigned char abs[kWindows], neg[kWindows];
    recode(abs, neg, k);
    static_assert(sizeof(Jac) == 24 * N);
    // d_i P by a masked scan (all zero, i.e. infinity, for d_i = 0).
    auto window = [&tab, &abs, &neg](Jac& q, std::size_t i) TERN_EC_FN {
      u64 w[3 * N];
      select_rows(w, reinterpret_cast<const u64*>(&tab[0]), 3 * N, 16, abs[i]);
      copy<N>(q.x, w);
      copy<N>(q.y, w + N);
      copy<N>(q.z, w + 2 * N);
      cneg(q.y, 0 - static_cast<u64>(neg[i]));
    };
    // The top window starts the accumulator (no doublings of infinity).
    Jac acc;
    window(acc, kWindows - 1);
    for (std::size_t i = kWindows - 1; i-- > 0;) {
#ifdef __OPTIMIZE_SIZE__
      for (int s = 0; s < 5; ++s) dbl(acc, acc);  // -Os: no second doubling routine
#else
      fadd(acc.y, acc.y, acc.y);
      for (int s = 0; s < 5; ++s) dbl_y2(acc, acc);
      fhalf(acc.y, acc.y);
#endif
      Jac q;
      window(q, i);
      if (i == 0)
        add_ct<false, true>(acc, acc, q.x, q.y, q.z, 0);
      else
        add_ct<false, false>(acc, acc, q.x, q.y, q.z, 0);
    }
    for (std::size_t i = 0; i < kWindows; ++i) abs[i] = neg[i] = 0;
    u64 inf = is_zero_mask<N>(acc.z);
    to_affine(x, y, acc);
    return ct::value_barrier(inf) == 0;  // public result (infinity only for invalid input)
  }

  // Width-5 NAF of k (public, variable time): k = sum naf[i] 2^i with
  // naf[i] in {0, +-1, +-3, ..., +-15}; returns the number of digits.
  TERN_EC_FN static int wnaf5(signed char* naf, const u64* k) {
    u64 t[N + 1];
    copy<N>(t, k);
    t[N] = 0;
    int len = 0;
    for (;;) {
      u64 any = 0;
      for (std::size_t j = 0; j <= N; ++j) any |= t[j];
      if (any == 0) break;
      int d = 0;
      if (t[0] & 1) {
        d = static_cast<int>(t[0] & 31);
        if (d > 16) d -= 32;
        u64 c = 0;
        if (d > 0) {
          for (std::size_t j = 0; j <= N; ++j) t[j] = subb(t[j], j == 0 ? static_cast<u64>(d) : 0, c, c);
        } else {
          for (std::size_t j = 0; j <= N; ++j) t[j] = addc(t[j], j == 0 ? static_cast<u64>(-d) : 0, c, c);
        }
      }
      naf[len++] = static_cast<signed char>(d);
      for (std::size_t j = 0; j < N; ++j) t[j] = (t[j] >> 1) | (t[j + 1] << 63);
      t[N] >>= 1;
    }
    return len;
  }

#ifdef TERN_SMALL
  // TERN_SMALL: points in homogeneous projective coordinates (x = X/Z,
  // y = Y/Z) added by the complete formulas for a = -3 (Renes, Costello
  // and Batina 2016, algorithm 4: 12M + 2 products by b + 29 additions,
  // correct for every pair of inputs, doubling and infinity (0:1:0)
  // included), so one routine does all the point arithmetic of
  // verification. r may alias p or q.
  // The 43 steps run as a table over a file of field elements (one call
  // site per operation instead of one per step). Steps are public: the
  // same sequence for every input.
  TERN_EC_FN static void add_complete(Jac& r, const Jac& p, const Jac& q) {
    enum : unsigned char { X1, Y1, Z1, X2, Y2, Z2, B, T0, T1, T2, T3, T4, X3, Y3, Z3, kSlots };
    enum : unsigned char { Mul, Add, Sub };
    // One step in 16 bits: operation, destination and two sources (4 bits each).
    constexpr auto S = [](unsigned op, unsigned d, unsigned x, unsigned y) {
      return static_cast<std::uint16_t>(op << 12 | d << 8 | x << 4 | y);
    };
    static constexpr std::uint16_t kSteps[] = {
        S(Mul, T0, X1, X2), S(Mul, T1, Y1, Y2), S(Mul, T2, Z1, Z2), S(Add, T3, X1, Y1), S(Add, T4, X2, Y2),
        S(Mul, T3, T3, T4), S(Add, T4, T0, T1), S(Sub, T3, T3, T4), S(Add, T4, Y1, Z1), S(Add, X3, Y2, Z2),
        S(Mul, T4, T4, X3), S(Add, X3, T1, T2), S(Sub, T4, T4, X3), S(Add, X3, X1, Z1), S(Add, Y3, X2, Z2),
        S(Mul, X3, X3, Y3), S(Add, Y3, T0, T2), S(Sub, Y3, X3, Y3), S(Mul, Z3, B, T2), S(Sub, X3, Y3, Z3),
        S(Add, Z3, X3, X3), S(Add, X3, X3, Z3), S(Sub, Z3, T1, X3), S(Add, X3, T1, X3), S(Mul, Y3, B, Y3),
        S(Add, T1, T2, T2), S(Add, T2, T1, T2), S(Sub, Y3, Y3, T2), S(Sub, Y3, Y3, T0), S(Add, T1, Y3, Y3),
        S(Add, Y3, T1, Y3), S(Add, T1, T0, T0), S(Add, T0, T1, T0), S(Sub, T0, T0, T2), S(Mul, T1, T4, Y3),
        S(Mul, T2, T0, Y3), S(Mul, Y3, X3, Z3), S(Add, Y3, Y3, T2), S(Mul, X3, T3, X3), S(Sub, X3, X3, T1),
        S(Mul, Z3, T4, Z3), S(Mul, T1, T3, T0), S(Add, Z3, Z3, T1),
    };
    // Called through pointers: out of line also where the field operations
    // are inline asm (the MULX kernel; clang cannot allocate registers for
    // them inlined with table-chosen operands).
    using Op = void (*)(u64*, const u64*, const u64*);
    static constexpr Op kOps[3] = {&fmul, &fadd, &fsub};
    u64 f[kSlots][N];
    const u64* in[7] = {p.x, p.y, p.z, q.x, q.y, q.z, C.b_mont};
    for (unsigned i = 0; i < 7; ++i) copy<N>(f[i], in[i]);
    for (const std::uint16_t s : kSteps) {
      u64* d = f[(s >> 8) & 15];
      const u64* a = f[(s >> 4) & 15];
      const u64* b = f[s & 15];
      kOps[s >> 12](d, a, b);
    }
    copy<N>(r.x, f[X3]);
    copy<N>(r.y, f[Y3]);
    copy<N>(r.z, f[Z3]);
  }

  // Variable time: x(u1 G + u2 P) mod n == r ? (r < n, P valid, plain coords.)
  // TERN_SMALL: Shamir's trick, one doubling per bit and one addition of G,
  // P or G + P where u1 or u2 has a bit set, all by add_complete. No comb
  // table (its 52 KB of .rodata go when nothing else uses it), no NAF
  // recoding and no Jacobian formulas: about 2x the field operations of the
  // windowed code below.
  TERN_EC_FN static bool verify(const u64* u1, const u64* u2, const u64* px, const u64* py, const u64* r) {
    Jac pts[4];  // infinity (0:1:0), G, P, G + P
    for (std::size_t j = 0; j < N; ++j) pts[0].x[j] = pts[0].z[j] = 0;
    copy<N>(pts[0].y, C.p_one);
    copy<N>(pts[1].x, C.gx);
    copy<N>(pts[1].y, C.gy);
    copy<N>(pts[1].z, C.p_one);
    to_mont(pts[2].x, px);
    to_mont(pts[2].y, py);
    copy<N>(pts[2].z, C.p_one);
    add_complete(pts[3], pts[1], pts[2]);
    Jac acc = pts[0];
    for (int i = static_cast<int>(N) * 64 - 1; i >= 0; --i) {
      add_complete(acc, acc, acc);
      const unsigned b = (static_cast<unsigned>(u1[i / 64] >> (i % 64)) & 1u) |
                         ((static_cast<unsigned>(u2[i / 64] >> (i % 64)) & 1u) << 1);
      if (b != 0) add_complete(acc, acc, pts[b]);
    }
    if (is_zero_mask<N>(acc.z)) return false;
    // X == x Z without inverting, for x = r and, when r + n < p, x = r + n.
    // In plain form: fmul of plain x by Montgomery Z is x Z, compared with
    // X out of Montgomery form. r + n mod p (r < n < p) is at least n
    // exactly when r + n < p (else it is r + n - p < r < n).
    u64 x[N], xp[N], t[N];
    from_mont(xp, acc.x);
    copy<N>(x, r);
    for (int k = 0;; ++k) {
      fmul(t, x, acc.z);
      if (equal_vartime<N>(t, xp)) return true;
      if (k) return false;
      fadd(x, r, C.n);
      u64 bo = 0;
      for (std::size_t j = 0; j < N; ++j) subb(x[j], C.n[j], bo, bo);
      if (bo) return false;  // r + n >= p
    }
  }
#else
  // Variable time: x(u1 G + u2 P) mod n == r ? (r < n, P valid, plain coords.)
  TERN_EC_FN static bool verify(const u64* u1, const u64* u2, const u64* px, const u64* py, const u64* r) {
    Jac acc;
    for (std::size_t j = 0; j < N; ++j) acc.x[j] = acc.y[j] = acc.z[j] = 0;
    unsigned char abs[kWindows], neg[kWindows];
    recode(abs, neg, u1);
    for (std::size_t i = 0; i < kWindows; ++i) {
      if (abs[i] == 0) continue;
      const AffineMont<N>& e = Tab::at(i, abs[i] - 1u);
      u64 ny[N];
      const u64* y = e.y;
      if (neg[i]) {
        u64 zero[N] = {0};
        fsub(ny, zero, e.y);
        y = ny;
      }
      add_vt<true>(acc, acc, e.x, y, nullptr);  // table points: Z = 1
    }
    // u2 P by a width-5 NAF (public scalar): odd multiples P, 3P, ..., 15P.
    Jac tab[8], p2;
    to_mont(tab[0].x, px);
    to_mont(tab[0].y, py);
    copy<N>(tab[0].z, C.p_one);
    dbl(p2, tab[0]);
    for (int i = 1; i < 8; ++i) add_vt<false>(tab[i], tab[i - 1], p2.x, p2.y, p2.z);
    signed char naf[64 * N + 1];
    const int len = wnaf5(naf, u2);
    Jac acc2;
    for (std::size_t j = 0; j < N; ++j) acc2.x[j] = acc2.y[j] = acc2.z[j] = 0;
    bool started = false;
    for (int i = len; i-- > 0;) {
      if (started) dbl(acc2, acc2);
      const int d = naf[i];
      if (d == 0) continue;
      const Jac& e = tab[(d < 0 ? -d : d) >> 1];
      u64 ny[N];
      const u64* y = e.y;
      if (d < 0) {
        u64 zero[N] = {0};
        fsub(ny, zero, e.y);
        y = ny;
      }
      add_vt<false>(acc2, acc2, e.x, y, e.z);
      started = true;
    }
    add_vt<false>(acc, acc, acc2.x, acc2.y, acc2.z);
    if (is_zero_mask<N>(acc.z)) return false;
    // Compare X == r Z^2 without inverting; also r + n when r + n < p.
    u64 z2[N], t[N], rm[N];
    fsqr(z2, acc.z);
    to_mont(rm, r);
    fmul(t, rm, z2);
    if (equal_vartime<N>(t, acc.x)) return true;
    u64 rn[N], c = 0;
    for (std::size_t j = 0; j < N; ++j) rn[j] = addc(r[j], C.n[j], c, c);
    if (c) return false;
    u64 bo = 0;
    for (std::size_t j = 0; j < N; ++j) subb(rn[j], C.p[j], bo, bo);
    if (!bo) return false;  // r + n >= p
    to_mont(rm, rn);
    fmul(t, rm, z2);
    return equal_vartime<N>(t, acc.x);
  }
#endif

  // y^2 = x^3 - 3x + b for plain x, y < p.
  TERN_EC_FN static void rhs(u64* out, const u64* xm) {
    u64 t[N], x3[N];
    fsqr(t, xm);
    fmul(x3, t, xm);
    fsub(x3, x3, xm);
    fsub(x3, x3, xm);
    fsub(x3, x3, xm);
    fadd(out, x3, C.b_mont);
  }
  TERN_EC_FN static bool on_curve(const u64* x, const u64* y) {
    u64 xm[N], ym[N], l[N], r[N];
    to_mont(xm, x);
    to_mont(ym, y);
    fsqr(l, ym);
    rhs(r, xm);
    return equal_vartime<N>(l, r);  // public input
  }
  // y with the given parity such that (x, y) is on the curve; false if none.
  TERN_EC_FN static bool decompress(u64* y, const u64* x, unsigned odd) {
    u64 xm[N], r[N], s[N], s2[N];
    to_mont(xm, x);
    rhs(r, xm);
    pow<false>(s, r, C.p_sqrt_exp);
    fsqr(s2, s);
    if (!equal_vartime<N>(s2, r)) return false;
    from_mont(y, s);
    if (is_zero_mask<N>(y) && odd) return false;
    if ((y[0] & 1u) != (odd & 1u)) {
      u64 zero[N] = {0};
      mod_sub<N>(y, zero, y, C.p);
    }
    return true;
  }

  // -- scalars mod n (plain representation in and out)
  TERN_EC_FN static void n_mul(u64* r, const u64* a, const u64* b) {
    u64 t[N];
    mont_mul<N>(t, a, b, C.n, C.n_inv);
    mont_mul<N>(r, t, C.n_rr, C.n, C.n_inv);
  }
  TERN_EC_FN static void n_inv(u64* r, const u64* a) {
#if TERN_EC_SAFEGCD
    SafeGcd<N>::inv(r, a, C.n, C.n_inv);
    return;
#endif
    u64 am[N], t[N];
    mont_mul<N>(am, a, C.n_rr, C.n, C.n_inv);
    pow<true>(t, am, C.n_minus_2);
    u64 one[N] = {1};
    mont_mul<N>(r, t, one, C.n, C.n_inv);
  }

  // -Dp256_private=disabled (TERN_NO_P256_PRIVATE): P-256 verifies only;
  // the constant-time scalar multiplications are not referenced (ec.cpp
  // answers Status::unsupported before reaching them).
  // TERN_SMALL: no point decompression (ec.cpp refuses compressed points).
#ifdef TERN_SMALL
  static constexpr decltype(&decompress) kDecompress = nullptr;
#else
  static constexpr decltype(&decompress) kDecompress = &decompress;
#endif
  static constexpr EcKernel<N> kernel(const char* name, std::uint32_t needs) {
#ifdef TERN_NO_P256_PRIVATE
    if constexpr (N == 4)
      return EcKernel<N>{name, needs, nullptr, nullptr, &verify, &on_curve, kDecompress, &n_mul, &n_inv};
#endif
    return EcKernel<N>{name, needs, &base_mult, &point_mult, &verify, &on_curve, kDecompress, &n_mul, &n_inv};
  }
};

struct P256Tab {
  static constexpr std::size_t kWindows = kP256CombWindows;
  static const AffineMont<4>& at(std::size_t i, std::size_t j) { return kP256Comb[i][j]; }
};
using P256 = Curve<4, kP256Consts, P256Tab>;
#ifndef TERN_NO_P384
struct P384Tab {
  static constexpr std::size_t kWindows = kP384CombWindows;
  static const AffineMont<6>& at(std::size_t i, std::size_t j) { return kP384Comb[i][j]; }
};
using P384 = Curve<6, kP384Consts, P384Tab>;
#endif

}  // namespace
}  // namespace tern::ec::internal
