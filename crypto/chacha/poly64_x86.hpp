// Scalar Poly1305 in radix 2^64 for x86-64 with BMI2 (mulx), shared by the
// stitched AVX-512 ChaCha20 kernel (chacha_avx512mulx.cpp) and the "mulx"
// Poly1305 kernel (internal; x86-64 SIMD builds only).
#pragma once

#if TERN_SIMD && defined(__x86_64__)

#include <cstddef>
#include <cstdint>

#include "crypto/chacha/chacha.hpp"
#include "crypto/internal/bytes.hpp"

namespace tern::chacha::detail::poly64 {

using u64 = std::uint64_t;
using u128 = unsigned __int128;

#define TERN_POLY64_PLAIN __attribute__((always_inline)) inline
#define TERN_POLY64_INLINE __attribute__((target("bmi2"), always_inline)) inline

inline constexpr u64 kM44 = (u64{1} << 44) - 1;
inline constexpr u64 kM42 = (u64{1} << 42) - 1;

// Accumulator h = h0 + h1 2^64 + h2 2^128 (h2 small).
struct Acc {
  u64 h0, h1, h2;
};

struct Key64 {
  u64 r0, r1, s1;  // r (clamped) and s1 = r1 + r1 / 4
};

using u64a = std::uint64_t __attribute__((may_alias));

// One Poly1305 block.
struct Block {
  std::uint8_t b[16];
};

// h = (h + m + 2^128) r, partly reduced: with h2 <= 4 on entry, the
// products h2 s1 and h2 r0 fit in 64 bits and h2 <= 4 again on exit.
// (r1 is a multiple of 4, so r1 2^128 == (r1 / 4) 5 and h1 r1 2^128 ==
// h1 s1; the bits of d2 from 2^130 up fold back in as 5 (d2 >> 2).)
// Inline assembly: the compiler's version of the 128-bit arithmetic
// spilled and zeroed registers for every carry (about twice the
// instructions), which matters when the integer pipes are the budget.
TERN_POLY64_INLINE void step(Acc& h, const Block& m, const Key64& k) {
  u64 d0l, d0h, d1l, d1h, dx;
  asm("addq %[m0], %[h0]\n\t"
      "adcq %[m1], %[h1]\n\t"
      "adcq $1, %[h2]\n\t"
      "movq %[h0], %%rdx\n\t"
      "mulxq %[r0], %[d0l], %[d0h]\n\t"  // h0 r0
      "mulxq %[r1], %[d1l], %[d1h]\n\t"  // h0 r1
      "movq %[h1], %%rdx\n\t"
      "mulxq %[s1], %[h0], %[h1]\n\t"    // h1 s1
      "addq %[h0], %[d0l]\n\t"
      "adcq %[h1], %[d0h]\n\t"
      "mulxq %[r0], %[h0], %[h1]\n\t"    // h1 r0
      "addq %[h0], %[d1l]\n\t"
      "adcq %[h1], %[d1h]\n\t"
      "movq %[h2], %%rdx\n\t"
      "imulq %[s1], %%rdx\n\t"           // h2 s1
      "imulq %[r0], %[h2]\n\t"           // h2 r0 (weight 2^128)
      "addq %%rdx, %[d1l]\n\t"
      "adcq %[h2], %[d1h]\n\t"
      "addq %[d0h], %[d1l]\n\t"
      "adcq $0, %[d1h]\n\t"              // d1h = d2
      "movq %[d1h], %[h0]\n\t"
      "andq $-4, %[h0]\n\t"
      "movq %[d1h], %[h2]\n\t"
      "andq $3, %[h2]\n\t"
      "shrq $2, %[d1h]\n\t"
      "addq %[d1h], %[h0]\n\t"           // 5 (d2 >> 2)
      "addq %[d0l], %[h0]\n\t"
      "adcq $0, %[d1l]\n\t"
      "adcq $0, %[h2]\n\t"
      "movq %[d1l], %[h1]"
      : [h0] "+&r"(h.h0), [h1] "+&r"(h.h1), [h2] "+&r"(h.h2), [d0l] "=&r"(d0l), [d0h] "=&r"(d0h),
        [d1l] "=&r"(d1l), [d1h] "=&r"(d1h), "=&d"(dx)
      : [m0] "m"(*reinterpret_cast<const u64a*>(m.b)), [m1] "m"(*reinterpret_cast<const u64a*>(m.b + 8)), [r0] "m"(k.r0), [r1] "m"(k.r1), [s1] "m"(k.s1)
      : "cc");
}

// Radix 2^64 <-> radix 2^44 (limbs 44, 44, 42+ bits).
TERN_POLY64_PLAIN void to44(u64 l[3], const Acc& h) {
  l[0] = h.h0 & kM44;
  l[1] = ((h.h0 >> 44) | (h.h1 << 20)) & kM44;
  l[2] = (h.h1 >> 24) | (h.h2 << 40);
}
// from44 carries and folds the bits from 2^130 up, so that h2 <= 4.
TERN_POLY64_PLAIN Acc from44(const u64 l[3]) {
  u64 l0 = l[0], l1 = l[1], l2 = l[2];
  l1 += l0 >> 44;
  l0 &= kM44;
  l2 += l1 >> 44;
  l1 &= kM44;
  l0 += (l2 >> 42) * 5;
  l2 &= kM42;
  l1 += l0 >> 44;
  l0 &= kM44;
  l2 += l1 >> 44;
  l1 &= kM44;
  return {l0 | (l1 << 44), (l1 >> 20) | (l2 << 24), l2 >> 40};
}

// c = a * b mod 2^130 - 5 in radix 2^44 (a limbs < 2^45, b reduced);
// c limbs < 2^44 + 2^15, 2^44, 2^42.
TERN_POLY64_PLAIN void mul44(u64 c[3], const u64 a[3], const u64 b[3]) {
  const u64 s1 = b[1] * 20, s2 = b[2] * 20;
  const u128 d0 = u128{a[0]} * b[0] + u128{a[1]} * s2 + u128{a[2]} * s1;
  u128 d1 = u128{a[0]} * b[1] + u128{a[1]} * b[0] + u128{a[2]} * s2;
  u128 d2 = u128{a[0]} * b[2] + u128{a[1]} * b[1] + u128{a[2]} * b[0];
  u64 h0 = static_cast<u64>(d0) & kM44;
  d1 += static_cast<u64>(d0 >> 44);
  u64 h1 = static_cast<u64>(d1) & kM44;
  d2 += static_cast<u64>(d1 >> 44);
  const u64 h2 = static_cast<u64>(d2) & kM42;
  h0 += static_cast<u64>(d2 >> 42) * 5;
  h1 += h0 >> 44;
  h0 &= kM44;
  c[0] = h0;
  c[1] = h1;
  c[2] = h2;
}

// h = A r^P + B.
TERN_POLY64_PLAIN Acc combine(const Acc& a, const Acc& b, const u64 rP[3]) {
  u64 la[3], lb[3], p[3];
  to44(la, a);
  to44(lb, b);
  mul44(p, la, rP);
  p[0] += lb[0];
  p[1] += lb[1];
  p[2] += lb[2];
  return from44(p);
}

TERN_POLY64_PLAIN const Block& blk(const std::uint8_t* p) { return *reinterpret_cast<const Block*>(p); }

// The clamped r (radix 2^44 in PolyState) in radix 2^64 with s1.
TERN_POLY64_PLAIN Key64 key64(const PolyState& ps) {
  Key64 k;
  k.r0 = ps.r[0] | (ps.r[1] << 44);
  k.r1 = (ps.r[1] >> 20) | (ps.r[2] << 24);
  k.s1 = k.r1 + (k.r1 >> 2);
  return k;
}

// rp = r^e (e >= 1, public) in radix 2^44.
TERN_POLY64_PLAIN void power44(u64 rp[3], const PolyState& ps, std::size_t e) {
  u64 sq[3] = {ps.r[0], ps.r[1], ps.r[2]};
  u64 acc[3] = {1, 0, 0};
  for (; e > 0; e >>= 1) {
    if (e & 1) mul44(acc, acc, sq);
    mul44(sq, sq, sq);
  }
  rp[0] = acc[0];
  rp[1] = acc[1];
  rp[2] = acc[2];
}

}  // namespace tern::chacha::detail::poly64

#endif
