// Poly1305 with AVX-512 IFMA (vpmadd52luq/vpmadd52huq) in radix 2^44.
//
// Long inputs are absorbed sixteen blocks at a time by two sets of eight
// lane accumulators (block i of a 16-block group goes to lane i % 8 of set
// i / 8); each step multiplies by r^16, and the last step multiplies lane j
// of the two sets by r^(16-j) and r^(8-j) instead, after which the lanes
// are summed. The powers r^1..r^16 are computed once per key (three scalar
// products, then two vector products). Inputs shorter than 16 blocks, and
// the last < 16 blocks, use the scalar radix-2^44 code (the same limbs).
#include "crypto/chacha/internal.hpp"

#if TERN_SIMD && defined(__x86_64__)

// GCC 12 warns about _mm512_undefined_*() inside its own intrinsics once
// they are inlined; the value is never used.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

namespace tern::chacha::detail {

namespace {

using u128 = unsigned __int128;
constexpr std::uint64_t kM44 = (std::uint64_t{1} << 44) - 1;
constexpr std::uint64_t kM42 = (std::uint64_t{1} << 42) - 1;

#define TERN_IFMA __attribute__((target("avx512f,avx512vl,avx512ifma"), always_inline)) inline
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

struct V3 {
  __m512i l0, l1, l2;
};

TERN_IFMA __m512i times20(__m512i x) { return _mm512_add_epi64(_mm512_slli_epi64(x, 4), _mm512_slli_epi64(x, 2)); }

// h * r per lane (r given with s1 = 20 r1, s2 = 20 r2); inputs < 2^52.
TERN_IFMA V3 vmul(const V3& h, const V3& r, __m512i s1, __m512i s2) {
  const __m512i z = _mm512_setzero_si512();
  __m512i t0lo = _mm512_madd52lo_epu64(z, h.l0, r.l0);
  __m512i t0hi = _mm512_madd52hi_epu64(z, h.l0, r.l0);
  __m512i t1lo = _mm512_madd52lo_epu64(z, h.l0, r.l1);
  __m512i t1hi = _mm512_madd52hi_epu64(z, h.l0, r.l1);
  __m512i t2lo = _mm512_madd52lo_epu64(z, h.l0, r.l2);
  __m512i t2hi = _mm512_madd52hi_epu64(z, h.l0, r.l2);
  t0lo = _mm512_madd52lo_epu64(t0lo, h.l1, s2);
  t0hi = _mm512_madd52hi_epu64(t0hi, h.l1, s2);
  t1lo = _mm512_madd52lo_epu64(t1lo, h.l1, r.l0);
  t1hi = _mm512_madd52hi_epu64(t1hi, h.l1, r.l0);
  t2lo = _mm512_madd52lo_epu64(t2lo, h.l1, r.l1);
  t2hi = _mm512_madd52hi_epu64(t2hi, h.l1, r.l1);
  t0lo = _mm512_madd52lo_epu64(t0lo, h.l2, s1);
  t0hi = _mm512_madd52hi_epu64(t0hi, h.l2, s1);
  t1lo = _mm512_madd52lo_epu64(t1lo, h.l2, s2);
  t1hi = _mm512_madd52hi_epu64(t1hi, h.l2, s2);
  t2lo = _mm512_madd52lo_epu64(t2lo, h.l2, r.l0);
  t2hi = _mm512_madd52hi_epu64(t2hi, h.l2, r.l0);
  // The high halves weigh 2^52 = 2^8 * 2^44: shift them into the next limb;
  // the top one lands at 2^132 == 20 (mod p): 20 * 2^8 = 5120.
  const __m512i m44 = _mm512_set1_epi64(static_cast<long long>(kM44));
  __m512i d0 = _mm512_add_epi64(t0lo, _mm512_add_epi64(_mm512_slli_epi64(t2hi, 12), _mm512_slli_epi64(t2hi, 10)));
  __m512i d1 = _mm512_add_epi64(t1lo, _mm512_slli_epi64(t0hi, 8));
  __m512i d2 = _mm512_add_epi64(t2lo, _mm512_slli_epi64(t1hi, 8));
  d1 = _mm512_add_epi64(d1, _mm512_srli_epi64(d0, 44));
  d0 = _mm512_and_si512(d0, m44);
  d2 = _mm512_add_epi64(d2, _mm512_srli_epi64(d1, 44));
  d1 = _mm512_and_si512(d1, m44);
  const __m512i c = _mm512_srli_epi64(d2, 42);
  d2 = _mm512_and_si512(d2, _mm512_set1_epi64(static_cast<long long>(kM42)));
  d0 = _mm512_add_epi64(d0, _mm512_add_epi64(c, _mm512_slli_epi64(c, 2)));
  return {d0, d1, d2};
}

// Message limbs of eight consecutive blocks, block j in lane j, plus 2^128.
TERN_IFMA V3 load8(const std::uint8_t* m) {
  const __m512i a = _mm512_loadu_si512(m), b = _mm512_loadu_si512(m + 64);
  const __m512i lo = _mm512_permutex2var_epi64(a, _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14), b);
  const __m512i hi = _mm512_permutex2var_epi64(a, _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15), b);
  const __m512i m44 = _mm512_set1_epi64(static_cast<long long>(kM44));
  return {_mm512_and_si512(lo, m44),
          _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64(lo, 44), _mm512_slli_epi64(hi, 20)), m44),
          _mm512_or_si512(_mm512_srli_epi64(hi, 24), _mm512_set1_epi64(std::int64_t{1} << 40))};
}

TERN_IFMA V3 add(const V3& a, const V3& b) {
  return {_mm512_add_epi64(a.l0, b.l0), _mm512_add_epi64(a.l1, b.l1), _mm512_add_epi64(a.l2, b.l2)};
}

TERN_IFMA_FN void compute_powers(PolyState& st) noexcept {
  std::uint64_t p[16][3];  // p[i] = r^(i+1)
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
  const __m512i rev = _mm512_setr_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  _mm512_storeu_si512(st.pw[0], _mm512_permutexvar_epi64(rev, w.l0));
  _mm512_storeu_si512(st.pw[1], _mm512_permutexvar_epi64(rev, w.l1));
  _mm512_storeu_si512(st.pw[2], _mm512_permutexvar_epi64(rev, w.l2));
  _mm512_storeu_si512(st.pw[0] + 8, _mm512_permutexvar_epi64(rev, v.l0));
  _mm512_storeu_si512(st.pw[1] + 8, _mm512_permutexvar_epi64(rev, v.l1));
  _mm512_storeu_si512(st.pw[2] + 8, _mm512_permutexvar_epi64(rev, v.l2));
  st.powers = 1;
  for (auto& x : p) x[0] = x[1] = x[2] = 0;
}

// n16 >= 1 groups of sixteen blocks.
TERN_IFMA_FN void blocks16(PolyState& st, const std::uint8_t* m, std::size_t n16) noexcept {
  const V3 pa{_mm512_loadu_si512(st.pw[0]), _mm512_loadu_si512(st.pw[1]), _mm512_loadu_si512(st.pw[2])};
  const V3 pb{_mm512_loadu_si512(st.pw[0] + 8), _mm512_loadu_si512(st.pw[1] + 8), _mm512_loadu_si512(st.pw[2] + 8)};
  const __m512i zero = _mm512_setzero_si512();
  const V3 r16{_mm512_permutexvar_epi64(zero, pa.l0), _mm512_permutexvar_epi64(zero, pa.l1),
               _mm512_permutexvar_epi64(zero, pa.l2)};
  const __m512i r16s1 = times20(r16.l1), r16s2 = times20(r16.l2);
  V3 ha{_mm512_mask_mov_epi64(zero, 1, _mm512_set1_epi64(static_cast<long long>(st.h[0]))),
        _mm512_mask_mov_epi64(zero, 1, _mm512_set1_epi64(static_cast<long long>(st.h[1]))),
        _mm512_mask_mov_epi64(zero, 1, _mm512_set1_epi64(static_cast<long long>(st.h[2])))};
  V3 hb{zero, zero, zero};
  for (; n16 > 1; --n16, m += 256) {
    ha = vmul(add(ha, load8(m)), r16, r16s1, r16s2);
    hb = vmul(add(hb, load8(m + 128)), r16, r16s1, r16s2);
  }
  ha = vmul(add(ha, load8(m)), pa, times20(pa.l1), times20(pa.l2));
  hb = vmul(add(hb, load8(m + 128)), pb, times20(pb.l1), times20(pb.l2));
  const V3 s = add(ha, hb);
  std::uint64_t h0 = static_cast<std::uint64_t>(_mm512_reduce_add_epi64(s.l0));
  std::uint64_t h1 = static_cast<std::uint64_t>(_mm512_reduce_add_epi64(s.l1));
  std::uint64_t h2 = static_cast<std::uint64_t>(_mm512_reduce_add_epi64(s.l2));
  h1 += h0 >> 44;
  h0 &= kM44;
  h2 += h1 >> 44;
  h1 &= kM44;
  h0 += (h2 >> 42) * 5;
  h2 &= kM42;
  h1 += h0 >> 44;
  h0 &= kM44;
  st.h[0] = h0;
  st.h[1] = h1;
  st.h[2] = h2;
}

}  // namespace

void poly_blocks_ifma(PolyState& st, const std::uint8_t* m, std::size_t n) noexcept {
  if (n >= 16) {
    if (st.powers == 0) compute_powers(st);
    blocks16(st, m, n / 16);
    m += 16 * (n & ~std::size_t{15});
    n &= 15;
  }
  if (n > 0) poly_blocks_portable(st, m, n);
}

}  // namespace tern::chacha::detail

#endif
