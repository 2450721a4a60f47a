// ChaCha20 AVX-512 keystream stitched with a scalar Poly1305: the
// "avx512adx" ChaCha20 kernel's xor_mac, which the AEAD uses for the bulk
// of long messages when that kernel is selected (it is not the default).
//
// Each pass makes thirty-two blocks (2048 bytes: two interleaved sets of
// sixteen, one state word per zmm register, as chacha_avx512.cpp) while
// absorbing kStitchMac / 16 Poly1305 blocks in 64-bit integer code spread
// over the quarter rounds (a block or two after each). The idea: on Zen 4 the vector
// rounds use the FP/vector pipes and the mulx/adc chain the integer pipes
// (separate schedulers), where the IFMA kernel competes with vprold for the
// same two vector pipes.
//
// Measured on Zen 4 (cycles/B, 16 KiB, calibrated CPU time, pinned):
// scalar Poly1305 alone 0.93 (one chain, ~15 cycles per block), 0.71
// (two chains; 4 mulx at ~1.35 cycles + 2 imul per block bound it near
// 7.4 cycles per block). This pass: 0.69-0.82 for 1024-2048 MAC bytes per
// 2048 keystream bytes against 0.567 for the keystream alone, i.e. each
// stitched MAC block still costs 3-4 cycles, no less than IFMA (~3.3):
// with ~31 scalar instructions per block next to ~19 vector ones per 16
// keystream bytes the core runs out of dispatch/retire width rather than
// pipes. The AEAD seal with kStitchMac = 1536 (the best of 1024/1536/2048)
// breaks down as key block + first 1 KiB 0.052, next 1 KiB 0.045, seven
// stitched passes 0.600, IFMA over the last 5.5 KiB 0.08, tag 0.009 =
// 0.78, against 0.80 for avx512 + ifma in two passes; and the stitched
// pass is bimodal from one process to the next (0.60 or 0.90 for the same
// call, including with address randomisation off), which the two-pass
// path is not. So it is not the default. Fully unrolled rounds were worse
// still (1.06-1.2: the ~6000-instruction body overflows the op cache), as
// was rotating by 16 and 8 with vpshufb in the rounds (59 -> 77-83 cycles
// per double round per sixteen blocks).
//
// The scalar MAC is radix 2^64 with the clamped r (four 64x64 products per
// block, as in poly1305_portable.cpp). One accumulator is a chain of ~15
// cycles per block, so each pass runs two independent chains: A over the
// pass's first half of blocks (starting from the running h) and B over the
// second half (from 0); at the end of the pass h = A r^P + B (P blocks per
// chain; r^P in radix 2^44, one general product per pass).
// Constant time: no branches or memory indices depend on the key or data.
#include "crypto/chacha/internal.hpp"
#include "crypto/chacha/simd_avx512.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/wipe.hpp"

#if TERN_SIMD && defined(__x86_64__)

namespace tern::chacha::detail {

namespace {

using namespace avx512;
using u64 = std::uint64_t;
using u128 = unsigned __int128;

#define TERN_STITCH_FN __attribute__((target("avx512f,avx512vl,avx512bw,bmi2,adx")))
#define TERN_INLINE __attribute__((always_inline)) inline
#define TERN_STITCH_INLINE __attribute__((target("bmi2"), always_inline)) inline

// Accumulator h = h0 + h1 2^64 + h2 2^128 (h2 small).
struct Acc {
  u64 h0, h1, h2;
};

struct Key64 {
  u64 r0, r1, s1;  // r (clamped) and s1 = r1 + r1 / 4
};

constexpr int kPairs = static_cast<int>(kStitchMac / 32);
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
TERN_STITCH_INLINE void step(Acc& h, const Block& m, const Key64& k) {
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
TERN_INLINE void to44(u64 l[3], const Acc& h) {
  l[0] = h.h0 & kM44;
  l[1] = ((h.h0 >> 44) | (h.h1 << 20)) & kM44;
  l[2] = (h.h1 >> 24) | (h.h2 << 40);
}
// from44 carries and folds the bits from 2^130 up, so that h2 <= 4.
TERN_INLINE Acc from44(const u64 l[3]) {
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
TERN_INLINE void mul44(u64 c[3], const u64 a[3], const u64 b[3]) {
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
TERN_INLINE Acc combine(const Acc& a, const Acc& b, const u64 rP[3]) {
  u64 la[3], lb[3], p[3];
  to44(la, a);
  to44(lb, b);
  mul44(p, la, rP);
  p[0] += lb[0];
  p[1] += lb[1];
  p[2] += lb[2];
  return from44(p);
}

TERN_INLINE const Block& blk(const std::uint8_t* p) { return *reinterpret_cast<const Block*>(p); }

// Single steps after quarter-round slot I (0..15) of an iteration with K
// pair steps: step t goes to chain a (t even) or b (t odd), block t / 2.
template <int K, int I>
TERN_STITCH_INLINE void slot(Acc& a, Acc& b, const std::uint8_t* ma, std::size_t half, const Key64& k) {
  constexpr int from = 2 * K * I / 16, to = 2 * K * (I + 1) / 16;
#pragma GCC unroll 8
  for (int t = from; t < to; ++t) {
    if (t % 2 == 0)
      step(a, blk(ma + 16 * (t / 2)), k);
    else
      step(b, blk(ma + half + 16 * (t / 2)), k);
  }
}

// One pass: blocks ctr .. ctr+31 of keystream XORed into out, and the 2P
// blocks at mac absorbed (A over 0..P-1, B over P..2P-1, then combined
// with rP = r^P). mac is read before out is written, so it may be the
// pass's own input even when in == out.
template <int P>
TERN_STITCH_FN void pass32(std::uint8_t* out, const std::uint8_t* in, const std::uint32_t st[16],
                           const FirstRound& f, std::uint32_t ctr, const std::uint8_t* mac, Acc& h,
                           const Key64& k, const u64 rP[3]) noexcept {
  constexpr int K = P / 9, R = P - 9 * K;  // pair steps per round iteration, and before the loop
  constexpr std::size_t half = 16 * P;
  __m512i x[16], y[16], s[16];
  Acc a = h, b{0, 0, 0};
  const std::uint8_t* ma = mac;
  first_double_round(x, f, ctr);
  first_double_round(y, f, ctr + 16);
#pragma GCC unroll 16
  for (int j = 0; j < R; ++j) {
    step(a, blk(ma + 16 * j), k);
    step(b, blk(ma + half + 16 * j), k);
  }
  ma += 16 * R;
#pragma GCC unroll 1
  for (int r = 1; r < 10; ++r) {
    qr(x[0], x[4], x[8], x[12]);   slot<K, 0>(a, b, ma, half, k);
    qr(x[1], x[5], x[9], x[13]);   slot<K, 1>(a, b, ma, half, k);
    qr(x[2], x[6], x[10], x[14]);  slot<K, 2>(a, b, ma, half, k);
    qr(x[3], x[7], x[11], x[15]);  slot<K, 3>(a, b, ma, half, k);
    qr(y[0], y[4], y[8], y[12]);   slot<K, 4>(a, b, ma, half, k);
    qr(y[1], y[5], y[9], y[13]);   slot<K, 5>(a, b, ma, half, k);
    qr(y[2], y[6], y[10], y[14]);  slot<K, 6>(a, b, ma, half, k);
    qr(y[3], y[7], y[11], y[15]);  slot<K, 7>(a, b, ma, half, k);
    qr(x[0], x[5], x[10], x[15]);  slot<K, 8>(a, b, ma, half, k);
    qr(x[1], x[6], x[11], x[12]);  slot<K, 9>(a, b, ma, half, k);
    qr(x[2], x[7], x[8], x[13]);   slot<K, 10>(a, b, ma, half, k);
    qr(x[3], x[4], x[9], x[14]);   slot<K, 11>(a, b, ma, half, k);
    qr(y[0], y[5], y[10], y[15]);  slot<K, 12>(a, b, ma, half, k);
    qr(y[1], y[6], y[11], y[12]);  slot<K, 13>(a, b, ma, half, k);
    qr(y[2], y[7], y[8], y[13]);   slot<K, 14>(a, b, ma, half, k);
    qr(y[3], y[4], y[9], y[14]);   slot<K, 15>(a, b, ma, half, k);
    ma += 16 * K;
  }
  h = combine(a, b, rP);
  init16(s, st, ctr);
  finish16(out, in, x, s, _mm512_set1_epi32(-1));
  init16(s, st, ctr + 16);
  finish16(out + 1024, in + 1024, y, s, _mm512_set1_epi32(-1));
}

}  // namespace

TERN_STITCH_FN void xor_mac_avx512adx(std::uint8_t* out, const std::uint8_t* in, std::size_t passes,
                                      const std::uint32_t st[16], PolyState& ps,
                                      const std::uint8_t* mac) noexcept {
  if (passes == 0) return;
  Acc h = from44(ps.h);
  Key64 k;
  k.r0 = ps.r[0] | (ps.r[1] << 44);
  k.r1 = (ps.r[1] >> 20) | (ps.r[2] << 24);
  k.s1 = k.r1 + (k.r1 >> 2);
  u64 rP[3] = {ps.r[0], ps.r[1], ps.r[2]};
  {
    u64 acc[3] = {1, 0, 0};
    for (int i = 0; i < 7; ++i) {
      if ((kPairs >> i) & 1) mul44(acc, acc, rP);
      mul44(rP, rP, rP);
    }
    rP[0] = acc[0];
    rP[1] = acc[1];
    rP[2] = acc[2];
  }
  FirstRound f;
  pre_first(f, st);
  std::uint32_t ctr = st[12];
  for (; passes > 0; --passes) {
    pass32<kPairs>(out, in, st, f, ctr, mac, h, k, rP);
    ctr += 32;
    out += 2048;
    in += 2048;
    mac += 32 * kPairs;
  }
  to44(ps.h, h);
  wipe(&f, sizeof(f));
  wipe(&k, sizeof(k));
  wipe(rP, sizeof(rP));
  wipe(&h, sizeof(h));
}

}  // namespace tern::chacha::detail

#endif
