// ChaCha20 AVX-512 keystream stitched with a scalar Poly1305: the
// "avx512mulx" ChaCha20 kernel's xor_mac, which the AEAD uses for the bulk
// of long messages when that kernel is selected (it is not the default).
//
// Each pass makes thirty-two blocks (2048 bytes: two interleaved sets of
// sixteen, one state word per zmm register, as chacha_avx512.cpp) while
// absorbing kStitchMacAvx512 / 16 Poly1305 blocks in 64-bit integer code spread
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
// pipes. The AEAD seal with 1536 MAC bytes per pass (the best of 1024/1536/2048)
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
#include "crypto/chacha/poly64_x86.hpp"
#include "crypto/chacha/simd_avx512.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/wipe.hpp"

#if TERN_SIMD && defined(__x86_64__)

namespace tern::chacha::detail {

namespace {

using namespace avx512;
using namespace poly64;

#define TERN_STITCH_FN __attribute__((target("avx512f,avx512vl,avx512bw,bmi2")))

constexpr int kPairs = static_cast<int>(kStitchMacAvx512 / 32);

// Single steps after quarter-round slot I (0..15) of an iteration with K
// pair steps: step t goes to chain a (t even) or b (t odd), block t / 2.
template <int K, int I>
TERN_POLY64_INLINE void slot(Acc& a, Acc& b, const std::uint8_t* ma, std::size_t half, const Key64& k) {
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

TERN_STITCH_FN void xor_mac_avx512mulx(std::uint8_t* out, const std::uint8_t* in, std::size_t passes,
                                      const std::uint32_t st[16], PolyState& ps,
                                      const std::uint8_t* mac) noexcept {
  if (passes == 0) return;
  Acc h = from44(ps.h);
  Key64 k = key64(ps);
  u64 rP[3];
  power44(rP, ps, kPairs);
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
