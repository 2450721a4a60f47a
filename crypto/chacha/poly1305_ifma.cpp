// Poly1305 with AVX-512 IFMA (vpmadd52luq/vpmadd52huq) in radix 2^44.
//
// Long inputs are absorbed sixteen blocks at a time by two sets of eight
// lane accumulators (blocks 0..7 of a group go to set a, 8..15 to set b, in
// the lane order of simd_avx512.hpp's load8); each step multiplies by r^16,
// and the last step multiplies each lane by r^(16 - its block index)
// instead, after which the lanes are summed. The powers are computed once
// per key (three scalar products, then two vector products). Products are
// split into 52-bit halves by vpmadd52luq/vpmadd52huq and recombined into
// the 44-bit limbs with further vpmadd52luq by small constants. Inputs
// shorter than 16 blocks, and the last < 16 blocks, use the portable code
// (the accumulator format is shared).
#include "crypto/chacha/internal.hpp"
#include "crypto/chacha/simd_avx512.hpp"
#include "crypto/internal/wipe.hpp"

#if TERN_SIMD && defined(__x86_64__)

namespace tern::chacha::detail {

namespace {

using namespace avx512;
using u128 = unsigned __int128;
#define TERN_IFMA_FN __attribute__((target("avx512f,avx512vl,avx512ifma")))

// c = a * b mod 2^130-5, limbs left below 2^44 + 2^15, 2^44, 2^42.
void mul_scalar(std::uint64_t c[3], const std::uint64_t a[3], const std::uint64_t b[3]) noexcept {
  const std::uint64_t s1 = b[1] * 20, s2 = b[2] * 20;
  const u128 d0 = u128{a[0]} * b[0] + u128{a[1]} * s2 + u128{a[2]} * s1;
  u128 d1 = u128{a[0]} * b[1] + u128{a[1]} * b[0] + u128{a[2]} * s2;
  u128 d2 = u128{a[0]} * b[2] + u128{a[1]} * b[1] + u128{a[2]} * b[0];
  std::uint64_t h0 = static_cast<std::uint64_t>(d0) & kM44;
  d1 += static_cast<std::uint64_t>(d0 >> 44);
  std::uint64_t h1 = static_cast<std::uint64_t>(d1) & kM44;
  d2 += static_cast<std::uint64_t>(d1 >> 44);
  const std::uint64_t h2 = static_cast<std::uint64_t>(d2) & kM42;
  h0 += static_cast<std::uint64_t>(d2 >> 42) * 5;
  h1 += h0 >> 44;
  h0 &= kM44;
  c[0] = h0;
  c[1] = h1;
  c[2] = h2;
}

}  // namespace

TERN_IFMA_FN void poly_ifma_powers(PolyState& st) noexcept {
  std::uint64_t p[4][3];  // p[i] = r^(i+1)
  p[0][0] = st.r[0];
  p[0][1] = st.r[1];
  p[0][2] = st.r[2];
  mul_scalar(p[1], p[0], p[0]);
  mul_scalar(p[2], p[1], p[0]);
  mul_scalar(p[3], p[2], p[0]);
  // [r^1..r^4] * r^4 -> r^5..r^8; then [r^1..r^8] * r^8 -> r^9..r^16.
  const __m512i lo4 = _mm512_setr_epi64(0, 1, 2, 3, 0, 1, 2, 3);
  V3 a{_mm512_permutexvar_epi64(lo4, _mm512_setr_epi64(static_cast<long long>(p[0][0]), static_cast<long long>(p[1][0]), static_cast<long long>(p[2][0]), static_cast<long long>(p[3][0]), 0, 0, 0, 0)),
       _mm512_permutexvar_epi64(lo4, _mm512_setr_epi64(static_cast<long long>(p[0][1]), static_cast<long long>(p[1][1]), static_cast<long long>(p[2][1]), static_cast<long long>(p[3][1]), 0, 0, 0, 0)),
       _mm512_permutexvar_epi64(lo4, _mm512_setr_epi64(static_cast<long long>(p[0][2]), static_cast<long long>(p[1][2]), static_cast<long long>(p[2][2]), static_cast<long long>(p[3][2]), 0, 0, 0, 0))};
  V3 r4{_mm512_set1_epi64(static_cast<long long>(p[3][0])), _mm512_set1_epi64(static_cast<long long>(p[3][1])),
        _mm512_set1_epi64(static_cast<long long>(p[3][2]))};
  const V3 b = vmul(a, r4, times20(r4.l1), times20(r4.l2));  // lanes 0..3: r^5..r^8
  // v = [r^1..r^4, r^5..r^8]
  const __m512i sel = _mm512_setr_epi64(0, 1, 2, 3, 8, 9, 10, 11);
  const V3 v{_mm512_permutex2var_epi64(a.l0, sel, b.l0), _mm512_permutex2var_epi64(a.l1, sel, b.l1),
             _mm512_permutex2var_epi64(a.l2, sel, b.l2)};
  const __m512i top = _mm512_set1_epi64(7);
  const V3 r8{_mm512_permutexvar_epi64(top, v.l0), _mm512_permutexvar_epi64(top, v.l1),
              _mm512_permutexvar_epi64(top, v.l2)};
  const V3 w = vmul(v, r8, times20(r8.l1), times20(r8.l2));  // r^9..r^16
  // Lane i gets r^(k - kLaneBlock[i]) (k = 16 or 8): index 7 - kLaneBlock[i].
  const __m512i rev = _mm512_setr_epi64(7, 3, 6, 2, 5, 1, 4, 0);
  _mm512_storeu_si512(st.pw[0], _mm512_permutexvar_epi64(rev, w.l0));
  _mm512_storeu_si512(st.pw[1], _mm512_permutexvar_epi64(rev, w.l1));
  _mm512_storeu_si512(st.pw[2], _mm512_permutexvar_epi64(rev, w.l2));
  _mm512_storeu_si512(st.pw[0] + 8, _mm512_permutexvar_epi64(rev, v.l0));
  _mm512_storeu_si512(st.pw[1] + 8, _mm512_permutexvar_epi64(rev, v.l1));
  _mm512_storeu_si512(st.pw[2] + 8, _mm512_permutexvar_epi64(rev, v.l2));
  st.powers = 1;
  wipe(p, sizeof(p));
}

namespace {

// n16 >= 1 groups of sixteen blocks.
TERN_IFMA_FN void blocks16(PolyState& st, const std::uint8_t* m, std::size_t n16) noexcept {
  const Powers p = load_powers(st.pw);
  V3 ha = lane0(st.h);
  const __m512i zero = _mm512_setzero_si512();
  V3 hb{zero, zero, zero};
  for (; n16 > 1; --n16, m += 256) group16(ha, hb, m, p, false);
  group16(ha, hb, m, p, true);
  fold_lanes(st.h, ha, hb);
}

}  // namespace

void poly_blocks_ifma(PolyState& st, const std::uint8_t* m, std::size_t n) noexcept {
  if (n >= 16) {
    if (st.powers == 0) poly_ifma_powers(st);
    blocks16(st, m, n / 16);
    m += 16 * (n & ~std::size_t{15});
    n &= 15;
  }
  if (n > 0) poly_blocks_portable(st, m, n);
}

}  // namespace tern::chacha::detail

#endif
