// The "ifma" kernel: the X25519 ladder on AVX-512 IFMA (VPMADD52LUQ /
// VPMADD52HUQ, 256-bit vectors), everything else (inversion, fixed-base
// comb, Ed25519) on the adx field of field_adx.hpp.
//
// Representation: a field element is 5 limbs in radix 2^51; a "vector"
// holds four field elements, one per 64-bit lane, limb i of all four in
// register l[i]. IFMA multiplies the low 52 bits of its inputs, so every
// multiplicand limb must stay below 2^52: all results are carried once
// (norm) to limbs < 2^51 + 2^17, which leaves one bit of headroom.
//
// Product of two vectors (inputs: limbs < 2^52): for limbs a_i, b_j the
// low 52 bits of a_i b_j land in column i+j, the high part (bits 52..103)
// has weight 2^52 = 2 * 2^51 and lands doubled in column i+j+1. Column
// sums stay below 15 * 2^52 < 2^56; column k+5 has weight 2^255 * 2^(51k)
// = 19 * 2^(51k) (mod p), so r_k = c_k + 19 c_(k+5) < 2^61. One parallel
// carry round then gives limbs < 2^51 + 2^15.
//
// Ladder step (RFC 7748 section 5) with the state [x3, z3, x2, z2] in
// lanes 0..3 (the conditional swap exchanges the 128-bit halves):
//   V  = [C, D, A, B]            = [x3+z3, x3-z3, x2+z2, x2-z2]
//   M1 = [D, C, A, B] x [A, B, A, B]      = [DA, CB, AA, BB]
//   M2 = [DA+CB, DA-CB, AA, E] x [DA+CB, DA-CB, BB, AA + a24 E]
//      = [x3', z3'/x1, x2', z2']         (E = AA - BB, a24 = 121665)
//   M3 = M2 x [1, x1, 1, 1]              = [x3', z3', x2', z2']
// Three 4-lane products per bit instead of ten scalar ones. Subtractions
// add 4p first (limbs of 4p exceed every normed limb). Everything is
// straight-line code; the swap is a mask blend: constant time.
#if TERN_SIMD && defined(__x86_64__)

#include <immintrin.h>

#include <cstdint>

#include "crypto/curve25519/curve_impl.hpp"
#include "crypto/curve25519/field_adx.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/cpu.hpp"
#include "crypto/internal/wipe.hpp"

#define TERN_IFMA_FN __attribute__((target("avx2,avx512f,avx512vl,avx512ifma"), always_inline)) inline

namespace tern::curve25519_detail {
namespace {

struct Vec {
  __m256i l[5];
};

constexpr std::uint64_t kMask51 = (std::uint64_t{1} << 51) - 1;

TERN_IFMA_FN __m256i times19(__m256i x) {
  // 19 x = x + 2 x + 16 x
  return _mm256_add_epi64(_mm256_add_epi64(x, _mm256_slli_epi64(x, 1)), _mm256_slli_epi64(x, 4));
}

// One parallel carry round: limbs < 2^63 in, < 2^51 + 2^17 out.
TERN_IFMA_FN void norm(Vec& r, const __m256i (&c)[5]) {
  const __m256i m = _mm256_set1_epi64x(static_cast<long long>(kMask51));
  __m256i q[5];
  for (int k = 0; k < 5; ++k) q[k] = _mm256_srli_epi64(c[k], 51);
  r.l[0] = _mm256_add_epi64(_mm256_and_si256(c[0], m), times19(q[4]));
  for (int k = 1; k < 5; ++k) r.l[k] = _mm256_add_epi64(_mm256_and_si256(c[k], m), q[k - 1]);
}

TERN_IFMA_FN void vmul(Vec& r, const Vec& a, const Vec& b) {
  const __m256i z = _mm256_setzero_si256();
  __m256i lo[9], hi[10];
  for (int k = 0; k < 9; ++k) lo[k] = z;
  for (int k = 0; k < 10; ++k) hi[k] = z;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) {
      lo[i + j] = _mm256_madd52lo_epu64(lo[i + j], a.l[i], b.l[j]);
      hi[i + j + 1] = _mm256_madd52hi_epu64(hi[i + j + 1], a.l[i], b.l[j]);
    }
  // c_k = lo_k + 2 hi_k; r_k = c_k + 19 c_(k+5)
  __m256i c[5];
  for (int k = 0; k < 5; ++k) {
    const __m256i low = _mm256_add_epi64(lo[k], _mm256_slli_epi64(hi[k], 1));
    const __m256i up = _mm256_add_epi64(k + 5 < 9 ? lo[k + 5] : z, _mm256_slli_epi64(hi[k + 5], 1));
    c[k] = _mm256_add_epi64(low, times19(up));
  }
  norm(r, c);
}

// r = blend of a (lanes where the mask bit is 0) and b (bit 1); imm is a
// 32-bit-element blend mask for _mm256_blend_epi32.
#define TERN_IFMA_BLEND(a, b, imm) _mm256_blend_epi32((a), (b), (imm))
#define TERN_IFMA_PERM(x, imm) _mm256_permute4x64_epi64((x), (imm))
// lane selectors for _mm256_permute4x64_epi64: lane i takes lane ((imm >> 2i) & 3)
#define TERN_SEL(l0, l1, l2, l3) ((l0) | ((l1) << 2) | ((l2) << 4) | ((l3) << 6))
// 32-bit blend bits for 64-bit lanes
#define TERN_LANES(l0, l1, l2, l3) ((3 * (l0)) | (12 * (l1)) | (48 * (l2)) | (192 * (l3)))

// 4p in radix 2^51: 4 (2^51 - 19), 4 (2^51 - 1), ...
TERN_IFMA_FN __m256i four_p(int k) {
  return _mm256_set1_epi64x(static_cast<long long>(k == 0 ? 4 * (kMask51 - 18) : 4 * kMask51));
}

__attribute__((target("avx2,avx512f,avx512vl,avx512ifma"))) void ladder_ifma(
    std::uint8_t out[32], const std::uint8_t k[32], const std::uint8_t u[32]) noexcept {
  // x1 in radix 2^51 (bit 255 of u ignored)
  std::uint64_t w[4] = {load_le64(u), load_le64(u + 8), load_le64(u + 16), load_le64(u + 24) & 0x7fffffffffffffffull};
  std::uint64_t x1[5] = {w[0] & kMask51, ((w[0] >> 51) | (w[1] << 13)) & kMask51,
                         ((w[1] >> 38) | (w[2] << 26)) & kMask51, ((w[2] >> 25) | (w[3] << 39)) & kMask51,
                         w[3] >> 12};
  Vec st, r3;  // st = [x3, z3, x2, z2] = [x1, 1, 1, 0]
  for (int i = 0; i < 5; ++i) {
    const long long xi = static_cast<long long>(x1[i]);
    const long long one = i == 0 ? 1 : 0;
    st.l[i] = _mm256_set_epi64x(0, one, one, xi);
    r3.l[i] = _mm256_set_epi64x(one, one, xi, one);
  }
  const __m256i a24 = _mm256_set1_epi64x(121665);
  std::uint64_t swap = 0;
  for (int t = 254; t >= 0; --t) {
    const std::uint64_t bit = (k[t >> 3] >> (t & 7)) & 1;
    const __m256i m = _mm256_set1_epi64x(static_cast<long long>(ct::value_barrier(0 - (swap ^ bit))));
    swap = bit;
    Vec v, l1, r1, m1, l2, r2, m2;
    __m256i c[5];
    for (int i = 0; i < 5; ++i) {
      // conditional swap of the halves
      const __m256i x = st.l[i];
      const __m256i s = TERN_IFMA_PERM(x, TERN_SEL(2, 3, 0, 1));
      st.l[i] = _mm256_xor_si256(x, _mm256_and_si256(m, _mm256_xor_si256(x, s)));
      // [x3+z3, x3-z3, x2+z2, x2-z2]
      const __m256i p = TERN_IFMA_PERM(st.l[i], TERN_SEL(1, 0, 3, 2));
      const __m256i sum = _mm256_add_epi64(st.l[i], p);
      const __m256i dif = _mm256_sub_epi64(_mm256_add_epi64(p, four_p(i)), st.l[i]);  // lanes 1, 3: x - z
      c[i] = TERN_IFMA_BLEND(sum, dif, TERN_LANES(0, 1, 0, 1));
    }
    norm(v, c);  // [C, D, A, B]
    for (int i = 0; i < 5; ++i) {
      l1.l[i] = TERN_IFMA_PERM(v.l[i], TERN_SEL(1, 0, 2, 3));  // [D, C, A, B]
      r1.l[i] = TERN_IFMA_PERM(v.l[i], TERN_SEL(2, 3, 2, 3));  // [A, B, A, B]
    }
    vmul(m1, l1, r1);  // [DA, CB, AA, BB]
    for (int i = 0; i < 5; ++i) {
      const __m256i q = TERN_IFMA_PERM(m1.l[i], TERN_SEL(1, 0, 3, 2));  // [CB, DA, BB, AA]
      const __m256i sum = _mm256_add_epi64(m1.l[i], q);
      const __m256i dif = _mm256_sub_epi64(_mm256_add_epi64(q, four_p(i)), m1.l[i]);
      // [DA+CB, DA-CB, AA, AA-BB]
      c[i] = TERN_IFMA_BLEND(TERN_IFMA_BLEND(sum, dif, TERN_LANES(0, 1, 0, 1)), m1.l[i], TERN_LANES(0, 0, 1, 0));
    }
    norm(l2, c);
    {
      // lane 3: AA + a24 E; lane 2: BB; lanes 0, 1 as l2. The low 52 bits
      // of a24 E_i go to limb i, the high part (weight 2^52) doubled to
      // limb i + 1 (limb 4's to limb 0 times 38).
      __m256i hi[5];
      for (int i = 0; i < 5; ++i) {
        const __m256i q = TERN_IFMA_PERM(m1.l[i], TERN_SEL(1, 0, 3, 2));  // lane 3 AA, lane 2 BB
        c[i] = _mm256_madd52lo_epu64(q, l2.l[i], a24);
        hi[i] = _mm256_madd52hi_epu64(_mm256_setzero_si256(), l2.l[i], a24);
      }
      c[0] = _mm256_add_epi64(c[0], _mm256_slli_epi64(times19(hi[4]), 1));
      for (int i = 1; i < 5; ++i) c[i] = _mm256_add_epi64(c[i], _mm256_slli_epi64(hi[i - 1], 1));
      for (int i = 0; i < 5; ++i) {
        const __m256i q = TERN_IFMA_PERM(m1.l[i], TERN_SEL(1, 0, 3, 2));
        c[i] = TERN_IFMA_BLEND(TERN_IFMA_BLEND(l2.l[i], q, TERN_LANES(0, 0, 1, 0)), c[i], TERN_LANES(0, 0, 0, 1));
      }
      norm(r2, c);
    }
    vmul(m2, l2, r2);  // [x3', z3'/x1, x2', z2']
    vmul(st, m2, r3);
  }
  const __m256i m = _mm256_set1_epi64x(static_cast<long long>(ct::value_barrier(0 - swap)));
  alignas(32) std::uint64_t lanes[5][4];
  for (int i = 0; i < 5; ++i) {
    const __m256i x = st.l[i];
    const __m256i s = TERN_IFMA_PERM(x, TERN_SEL(2, 3, 0, 1));
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[i]), _mm256_xor_si256(x, _mm256_and_si256(m, _mm256_xor_si256(x, s))));
  }
  // x2 in lane 2, z2 in lane 3: to four 64-bit words (value < 2^256).
  using F = Fe64;
  F::T xz[2];
  for (int e = 0; e < 2; ++e) {
    std::uint64_t acc[5] = {0, 0, 0, 0, 0};
    for (int i = 0; i < 5; ++i) {
      const int s = 51 * i, wi = s / 64, off = s % 64;
      const unsigned __int128 v = static_cast<unsigned __int128>(lanes[i][2 + e]) << off;
      unsigned __int128 t = static_cast<unsigned __int128>(acc[wi]) + static_cast<std::uint64_t>(v);
      acc[wi] = static_cast<std::uint64_t>(t);
      t = (t >> 64) + acc[wi + 1] + static_cast<std::uint64_t>(v >> 64);
      acc[wi + 1] = static_cast<std::uint64_t>(t);
      for (int j = wi + 2; j < 5; ++j) {
        t = (t >> 64) + acc[j];
        acc[j] = static_cast<std::uint64_t>(t);
      }
    }
    xz[e] = F::T{{acc[0], acc[1], acc[2], acc[3]}};
    wipe(acc, sizeof acc);
  }
  Curve<F>::invert(xz[1], xz[1]);
  F::mul(xz[0], xz[0], xz[1]);
  F::to_bytes(out, xz[0]);
  wipe(lanes, sizeof lanes);
  wipe(xz, sizeof xz);
  wipe(x1, sizeof x1);
  wipe(w, sizeof w);
  swap = 0;
}

#undef TERN_IFMA_BLEND
#undef TERN_IFMA_PERM
#undef TERN_SEL
#undef TERN_LANES

}  // namespace

constinit const Kernel kernel_ifma = [] {
  Kernel kn = Curve<Fe64>::kernel(cpu::bmi2 | cpu::adx | cpu::avx2 | cpu::avx512f | cpu::avx512vl | cpu::avx512ifma);
  kn.name = "ifma";
  kn.ladder = &ladder_ifma;
  return kn;
}();

}  // namespace tern::curve25519_detail
#endif
