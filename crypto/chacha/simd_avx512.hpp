// AVX-512 helpers shared by the ChaCha20 AVX-512 kernel and the IFMA Poly1305
// kernel (internal; x86-64 SIMD builds
// only). Every function is always_inline with a target attribute that is a
// subset of its callers'.
#pragma once

#if TERN_SIMD && defined(__x86_64__)

// GCC 12 warns about _mm512_undefined_*() inside its own intrinsics once
// they are inlined; the value is never used.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace tern::chacha::detail::avx512 {

#define TERN_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw"), always_inline)) inline
#define TERN_IFMA __attribute__((target("avx512f,avx512vl,avx512ifma"), always_inline)) inline

inline constexpr std::uint64_t kM44 = (std::uint64_t{1} << 44) - 1;
inline constexpr std::uint64_t kM42 = (std::uint64_t{1} << 42) - 1;

// ---- ChaCha20, one state word per zmm across 16 blocks ----
TERN_AVX512 void qr(__m512i& a, __m512i& b, __m512i& c, __m512i& d) {
  a = _mm512_add_epi32(a, b); d = _mm512_rol_epi32(_mm512_xor_si512(d, a), 16);
  c = _mm512_add_epi32(c, d); b = _mm512_rol_epi32(_mm512_xor_si512(b, c), 12);
  a = _mm512_add_epi32(a, b); d = _mm512_rol_epi32(_mm512_xor_si512(d, a), 8);
  c = _mm512_add_epi32(c, d); b = _mm512_rol_epi32(_mm512_xor_si512(b, c), 7);
}
// out = (in ^ ks) & m in one ternary-logic op ((A^B)&C = 0x28).
TERN_AVX512 void xor64(std::uint8_t* out, const std::uint8_t* in, __m512i ks, __m512i m) {
  _mm512_storeu_si512(out, _mm512_ternarylogic_epi64(_mm512_loadu_si512(in), ks, m, 0x28));
}
// Four registers each holding four 128-bit lanes (lane l = block l's words
// 4k..4k+3 for register k) -> four whole blocks.
TERN_AVX512 void lanes_to_blocks(__m512i u0, __m512i u1, __m512i u2, __m512i u3, __m512i blk[4]) {
  const __m512i x0 = _mm512_shuffle_i32x4(u0, u1, 0x44), x1 = _mm512_shuffle_i32x4(u0, u1, 0xee);
  const __m512i x2 = _mm512_shuffle_i32x4(u2, u3, 0x44), x3 = _mm512_shuffle_i32x4(u2, u3, 0xee);
  blk[0] = _mm512_shuffle_i32x4(x0, x2, 0x88);
  blk[1] = _mm512_shuffle_i32x4(x0, x2, 0xdd);
  blk[2] = _mm512_shuffle_i32x4(x1, x3, 0x88);
  blk[3] = _mm512_shuffle_i32x4(x1, x3, 0xdd);
}

// Counters ctr .. ctr+15 and the other 15 words broadcast.
TERN_AVX512 void init16(__m512i s[16], const std::uint32_t st[16], std::uint32_t ctr) {
  for (int i = 0; i < 16; ++i) s[i] = _mm512_set1_epi32(static_cast<int>(st[i]));
  s[12] = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(ctr)),
                           _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}
TERN_AVX512 void column_round(__m512i x[16]) {
  qr(x[0], x[4], x[8], x[12]);
  qr(x[1], x[5], x[9], x[13]);
  qr(x[2], x[6], x[10], x[14]);
  qr(x[3], x[7], x[11], x[15]);
}
TERN_AVX512 void diagonal_round(__m512i x[16]) {
  qr(x[0], x[5], x[10], x[15]);
  qr(x[1], x[6], x[11], x[12]);
  qr(x[2], x[7], x[8], x[13]);
  qr(x[3], x[4], x[9], x[14]);
}
// ---- The first double round without the counter-free work ----
// Only word 12 (the block counter) differs between blocks, so in the first
// column round the quarter rounds on columns 1, 2 and 3 are the same for
// every block of a message, as is the first addition of column 0 and, in
// the diagonal round, the first additions of the quarter rounds led by
// words 1 and 2. pre_first computes those once per call (scalar, into
// p, which holds secrets: wipe it); first_double_round then does the
// remaining vector work (39 fewer zmm operations per 16 blocks).
__attribute__((always_inline)) inline std::uint32_t rotl32(std::uint32_t v, int n) {
  return (v << n) | (v >> (32 - n));
}
__attribute__((always_inline)) inline void qr(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c,
                                              std::uint32_t& d) {
  a += b; d = rotl32(d ^ a, 16);
  c += d; b = rotl32(b ^ c, 12);
  a += b; d = rotl32(d ^ a, 8);
  c += d; b = rotl32(b ^ c, 7);
}
// p: columns 1..3 after the first column round, p[0] = st[0] + st[4],
// p[4] = st[4], p[8] = st[8] (p[12] unused); e: the first additions of the
// diagonal quarter rounds led by words 1 and 2.
struct FirstRound {
  std::uint32_t p[16];
  std::uint32_t e[2];
};
__attribute__((always_inline)) inline void pre_first(FirstRound& f, const std::uint32_t st[16]) {
  for (int i = 0; i < 16; ++i) f.p[i] = st[i];
  qr(f.p[1], f.p[5], f.p[9], f.p[13]);
  qr(f.p[2], f.p[6], f.p[10], f.p[14]);
  qr(f.p[3], f.p[7], f.p[11], f.p[15]);
  f.p[0] = st[0] + st[4];
  f.e[0] = f.p[1] + f.p[6];
  f.e[1] = f.p[2] + f.p[7];
}
// A quarter round whose first addition a += b has been done already.
TERN_AVX512 void qr_tail(__m512i& a, __m512i& b, __m512i& c, __m512i& d) {
  d = _mm512_rol_epi32(_mm512_xor_si512(d, a), 16);
  c = _mm512_add_epi32(c, d); b = _mm512_rol_epi32(_mm512_xor_si512(b, c), 12);
  a = _mm512_add_epi32(a, b); d = _mm512_rol_epi32(_mm512_xor_si512(d, a), 8);
  c = _mm512_add_epi32(c, d); b = _mm512_rol_epi32(_mm512_xor_si512(b, c), 7);
}
// x = the sixteen blocks (counters ctr .. ctr+15) after one double round.
TERN_AVX512 void first_double_round(__m512i x[16], const FirstRound& f, std::uint32_t ctr) {
  for (int i = 0; i < 16; ++i) x[i] = _mm512_set1_epi32(static_cast<int>(f.p[i]));
  x[12] = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(ctr)),
                           _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  qr_tail(x[0], x[4], x[8], x[12]);
  qr(x[0], x[5], x[10], x[15]);
  x[1] = _mm512_set1_epi32(static_cast<int>(f.e[0]));
  qr_tail(x[1], x[6], x[11], x[12]);
  x[2] = _mm512_set1_epi32(static_cast<int>(f.e[1]));
  qr_tail(x[2], x[7], x[8], x[13]);
  qr(x[3], x[4], x[9], x[14]);
}

// x (after the rounds, before adding s) -> out = (in ^ keystream) & m, 1024 bytes.
TERN_AVX512 void finish16(std::uint8_t* out, const std::uint8_t* in, __m512i x[16], const __m512i s[16], __m512i m) {
  for (int i = 0; i < 16; ++i) x[i] = _mm512_add_epi32(x[i], s[i]);
  __m512i u[4][4];
  for (int k = 0; k < 4; ++k) {
    const __m512i t0 = _mm512_unpacklo_epi32(x[4 * k], x[4 * k + 1]);
    const __m512i t1 = _mm512_unpackhi_epi32(x[4 * k], x[4 * k + 1]);
    const __m512i t2 = _mm512_unpacklo_epi32(x[4 * k + 2], x[4 * k + 3]);
    const __m512i t3 = _mm512_unpackhi_epi32(x[4 * k + 2], x[4 * k + 3]);
    u[k][0] = _mm512_unpacklo_epi64(t0, t2);
    u[k][1] = _mm512_unpackhi_epi64(t0, t2);
    u[k][2] = _mm512_unpacklo_epi64(t1, t3);
    u[k][3] = _mm512_unpackhi_epi64(t1, t3);
  }
  for (int j = 0; j < 4; ++j) {
    __m512i blk[4];
    lanes_to_blocks(u[0][j], u[1][j], u[2][j], u[3][j], blk);
    for (int l = 0; l < 4; ++l) xor64(out + 64 * (j + 4 * l), in + 64 * (j + 4 * l), blk[l], m);
  }
}

// ---- Poly1305, radix 2^44, eight lanes ----
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
  // The high halves weigh 2^52 = 2^8 * 2^44: they go into the next limb
  // times 2^8, the top one at 2^132 == 20 (mod p), i.e. times 20 * 2^8 =
  // 5120 into limb 0. These small products are done with vpmadd52luq too
  // (exact: t*hi < 2^52 for the limb bounds kept here), which leaves the
  // ALU pipes to ChaCha20-style work.
  const __m512i m44 = _mm512_set1_epi64(static_cast<long long>(kM44));
  __m512i d0 = _mm512_madd52lo_epu64(t0lo, t2hi, _mm512_set1_epi64(5120));
  __m512i d1 = _mm512_madd52lo_epu64(t1lo, t0hi, _mm512_set1_epi64(256));
  __m512i d2 = _mm512_madd52lo_epu64(t2lo, t1hi, _mm512_set1_epi64(256));
  const __m512i n44 = _mm512_set1_epi64(44);
  d1 = _mm512_add_epi64(d1, _mm512_srlv_epi64(d0, n44));
  d0 = _mm512_and_si512(d0, m44);
  d2 = _mm512_add_epi64(d2, _mm512_srlv_epi64(d1, n44));
  d1 = _mm512_and_si512(d1, m44);
  const __m512i c = _mm512_srlv_epi64(d2, _mm512_set1_epi64(42));
  d2 = _mm512_and_si512(d2, _mm512_set1_epi64(static_cast<long long>(kM42)));
  d0 = _mm512_madd52lo_epu64(d0, c, _mm512_set1_epi64(5));
  return {d0, d1, d2};
}

// Message limbs of eight consecutive blocks plus 2^128. Lane i holds block
// kLaneBlock[i] (the order vpunpck{l,h}qdq produce); the final powers are
// stored in the same order.
inline constexpr int kLaneBlock[8] = {0, 4, 1, 5, 2, 6, 3, 7};
TERN_IFMA V3 load8(const std::uint8_t* m) {
  const __m512i a = _mm512_loadu_si512(m), b = _mm512_loadu_si512(m + 64);
  const __m512i lo = _mm512_unpacklo_epi64(a, b), hi = _mm512_unpackhi_epi64(a, b);
  const __m512i m44 = _mm512_set1_epi64(static_cast<long long>(kM44));
  // (lo >> 44 | hi << 20) & m44 in one ternary-logic op (A|B)&C = 0xa8.
  return {_mm512_and_si512(lo, m44),
          _mm512_ternarylogic_epi64(_mm512_srlv_epi64(lo, _mm512_set1_epi64(44)),
                                    _mm512_sllv_epi64(hi, _mm512_set1_epi64(20)), m44, 0xa8),
          _mm512_or_si512(_mm512_srlv_epi64(hi, _mm512_set1_epi64(24)), _mm512_set1_epi64(std::int64_t{1} << 40))};
}

TERN_IFMA V3 add(const V3& a, const V3& b) {
  return {_mm512_add_epi64(a.l0, b.l0), _mm512_add_epi64(a.l1, b.l1), _mm512_add_epi64(a.l2, b.l2)};
}

// h = sum of the lanes of a and b, carried (limbs < 2^44, 2^44 + 1, 2^42).
TERN_IFMA void fold_lanes(std::uint64_t h[3], const V3& a, const V3& b) {
  const V3 s = add(a, b);
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
  h[0] = h0;
  h[1] = h1;
  h[2] = h2;
}

// Lane 0 = h, other lanes 0.
TERN_IFMA V3 lane0(const std::uint64_t h[3]) {
  const __m512i z = _mm512_setzero_si512();
  return {_mm512_mask_mov_epi64(z, 1, _mm512_set1_epi64(static_cast<long long>(h[0]))),
          _mm512_mask_mov_epi64(z, 1, _mm512_set1_epi64(static_cast<long long>(h[1]))),
          _mm512_mask_mov_epi64(z, 1, _mm512_set1_epi64(static_cast<long long>(h[2])))};
}

// The key powers as loaded from PolyState::pw: lane i of pa = r^(16 - kLaneBlock[i]),
// of pb = r^(8 - kLaneBlock[i]),
// r16 = r^16 in every lane; s* = 20 * limbs 1 and 2.
struct Powers {
  V3 pa, pb, r16;
  __m512i pa1, pa2, pb1, pb2, r1, r2;
};
TERN_IFMA Powers load_powers(const std::uint64_t pw[3][16]) {
  Powers p;
  p.pa = {_mm512_loadu_si512(pw[0]), _mm512_loadu_si512(pw[1]), _mm512_loadu_si512(pw[2])};
  p.pb = {_mm512_loadu_si512(pw[0] + 8), _mm512_loadu_si512(pw[1] + 8), _mm512_loadu_si512(pw[2] + 8)};
  const __m512i z = _mm512_setzero_si512();
  p.r16 = {_mm512_permutexvar_epi64(z, p.pa.l0), _mm512_permutexvar_epi64(z, p.pa.l1),
           _mm512_permutexvar_epi64(z, p.pa.l2)};
  p.pa1 = times20(p.pa.l1);
  p.pa2 = times20(p.pa.l2);
  p.pb1 = times20(p.pb.l1);
  p.pb2 = times20(p.pb.l2);
  p.r1 = times20(p.r16.l1);
  p.r2 = times20(p.r16.l2);
  return p;
}

// One group of sixteen blocks: middle groups multiply by r^16, the last
// group by the descending powers.
TERN_IFMA void group16(V3& ha, V3& hb, const std::uint8_t* m, const Powers& p, bool last) {
  if (last) {
    ha = vmul(add(ha, load8(m)), p.pa, p.pa1, p.pa2);
    hb = vmul(add(hb, load8(m + 128)), p.pb, p.pb1, p.pb2);
  } else {
    ha = vmul(add(ha, load8(m)), p.r16, p.r1, p.r2);
    hb = vmul(add(hb, load8(m + 128)), p.r16, p.r1, p.r2);
  }
}

}  // namespace tern::chacha::detail::avx512

#endif
