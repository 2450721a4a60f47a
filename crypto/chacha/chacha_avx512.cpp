// ChaCha20 keystream XOR with AVX-512 (F, VL, BW): thirty-two blocks per
// pass (two interleaved sets of sixteen) then sixteen blocks per pass in
// zmm registers (one state word per register, 16x16 transpose), eight
// blocks per pass in ymm registers with native rotates for the 256..1023
// byte remainder, and a four-block row-wise zmm path with masked loads and
// stores for short inputs and the tail. The width is chosen by length, so
// short messages do not pay for the wide setup.
#include "crypto/chacha/internal.hpp"
#include "crypto/chacha/simd_avx512.hpp"
#include "crypto/internal/wipe.hpp"

#if TERN_SIMD && defined(__x86_64__)

namespace tern::chacha::detail {

namespace {

using namespace avx512;
using avx512::qr;

#define TERN_AVX512_FN __attribute__((target("avx512f,avx512vl,avx512bw")))

TERN_AVX512 void qr(__m256i& a, __m256i& b, __m256i& c, __m256i& d) {
  a = _mm256_add_epi32(a, b); d = _mm256_rol_epi32(_mm256_xor_si256(d, a), 16);
  c = _mm256_add_epi32(c, d); b = _mm256_rol_epi32(_mm256_xor_si256(b, c), 12);
  a = _mm256_add_epi32(a, b); d = _mm256_rol_epi32(_mm256_xor_si256(d, a), 8);
  c = _mm256_add_epi32(c, d); b = _mm256_rol_epi32(_mm256_xor_si256(b, c), 7);
}

template <class V>
TERN_AVX512 void double_rounds(V x[16]) {
  for (int r = 0; r < 10; ++r) {
    qr(x[0], x[4], x[8], x[12]);
    qr(x[1], x[5], x[9], x[13]);
    qr(x[2], x[6], x[10], x[14]);
    qr(x[3], x[7], x[11], x[15]);
    qr(x[0], x[5], x[10], x[15]);
    qr(x[1], x[6], x[11], x[12]);
    qr(x[2], x[7], x[8], x[13]);
    qr(x[3], x[4], x[9], x[14]);
  }
}

TERN_AVX512 void qr(__m128i& a, __m128i& b, __m128i& c, __m128i& d) {
  a = _mm_add_epi32(a, b); d = _mm_rol_epi32(_mm_xor_si128(d, a), 16);
  c = _mm_add_epi32(c, d); b = _mm_rol_epi32(_mm_xor_si128(b, c), 12);
  a = _mm_add_epi32(a, b); d = _mm_rol_epi32(_mm_xor_si128(d, a), 8);
  c = _mm_add_epi32(c, d); b = _mm_rol_epi32(_mm_xor_si128(b, c), 7);
}

// Byte mask for the first n (< 64 allowed as >= 64) bytes of a 64-byte lane.
TERN_AVX512 __mmask64 mask64(std::size_t n) {
  return n >= 64 ? ~__mmask64{0} : ((__mmask64{1} << n) - 1);
}
TERN_AVX512 __mmask32 mask32(std::size_t n) {
  return n >= 32 ? ~__mmask32{0} : ((__mmask32{1} << n) - 1);
}

// XOR of the first n bytes (any n; nothing when n == 0).
// (in ^ ks) & v, as xor64.
TERN_AVX512 void xor64_part(std::uint8_t* out, const std::uint8_t* in, __m512i ks, std::size_t n, __m512i v) {
  const __mmask64 m = mask64(n);
  _mm512_mask_storeu_epi8(out, m, _mm512_ternarylogic_epi64(_mm512_maskz_loadu_epi8(m, in), ks, v, 0x28));
}
TERN_AVX512 void xor32_part(std::uint8_t* out, const std::uint8_t* in, __m256i ks, std::size_t n, __m256i v) {
  const __mmask32 m = mask32(n);
  _mm256_mask_storeu_epi8(out, m, _mm256_ternarylogic_epi64(_mm256_maskz_loadu_epi8(m, in), ks, v, 0x28));
}

// Sixteen full blocks (1024 bytes), counters ctr .. ctr+15.
// f = pre_first(st).
TERN_AVX512_FN void blocks16(std::uint8_t* out, const std::uint8_t* in, const std::uint32_t st[16],
                             const FirstRound& f, std::uint32_t ctr, __m512i m) noexcept {
  __m512i x[16], s[16];
  first_double_round(x, f, ctr);
#pragma GCC unroll 9
  for (int r = 1; r < 10; ++r) {
    column_round(x);
    diagonal_round(x);
  }
  init16(s, st, ctr);
  finish16(out, in, x, s, m);
}

// Thirty-two full blocks (2048 bytes), counters ctr .. ctr+31: two sets
// of sixteen with their rounds interleaved. One set's rounds are four
// dependency chains per round (vprold has a two-cycle latency on Zen 4);
// two sets give the scheduler twice the independent work (pure rounds
// measured 60 -> 54 cycles per double round per sixteen blocks, with the
// spills that 32 state registers cost).
TERN_AVX512_FN void blocks32(std::uint8_t* out, const std::uint8_t* in, const std::uint32_t st[16],
                             const FirstRound& f, std::uint32_t ctr, __m512i m) noexcept {
  __m512i x[16], y[16], s[16];
  first_double_round(x, f, ctr);
  first_double_round(y, f, ctr + 16);
#pragma GCC unroll 9
  for (int r = 1; r < 10; ++r) {
    column_round(x);
    column_round(y);
    diagonal_round(x);
    diagonal_round(y);
  }
  init16(s, st, ctr);
  finish16(out, in, x, s, m);
  init16(s, st, ctr + 16);
  finish16(out + 1024, in + 1024, y, s, m);
}

// Single block row-wise in xmm (rows a, b, c, d): one double round.
TERN_AVX512 void row_double_round(__m128i& a, __m128i& b, __m128i& c, __m128i& d) {
  qr(a, b, c, d);
  b = _mm_shuffle_epi32(b, 0x39);
  c = _mm_shuffle_epi32(c, 0x4e);
  d = _mm_shuffle_epi32(d, 0x93);
  qr(a, b, c, d);
  b = _mm_shuffle_epi32(b, 0x93);
  c = _mm_shuffle_epi32(c, 0x4e);
  d = _mm_shuffle_epi32(d, 0x39);
}

// Eight blocks in ymm registers; writes the first len (<= 512) bytes.
TERN_AVX512_FN void blocks8(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                            const std::uint32_t st[16], std::uint32_t ctr, __m256i m) noexcept {
  __m256i x[16], s[16];
  for (int i = 0; i < 16; ++i) s[i] = _mm256_set1_epi32(static_cast<int>(st[i]));
  s[12] = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(ctr)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  for (int i = 0; i < 16; ++i) x[i] = s[i];
  double_rounds(x);
  for (int i = 0; i < 16; ++i) x[i] = _mm256_add_epi32(x[i], s[i]);
  for (int h = 0; h < 2; ++h) {
    const __m256i* v = x + 8 * h;
    const __m256i t0 = _mm256_unpacklo_epi32(v[0], v[1]), t1 = _mm256_unpackhi_epi32(v[0], v[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(v[2], v[3]), t3 = _mm256_unpackhi_epi32(v[2], v[3]);
    const __m256i t4 = _mm256_unpacklo_epi32(v[4], v[5]), t5 = _mm256_unpackhi_epi32(v[4], v[5]);
    const __m256i t6 = _mm256_unpacklo_epi32(v[6], v[7]), t7 = _mm256_unpackhi_epi32(v[6], v[7]);
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
    const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
    const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
    const __m256i ks[8] = {
        _mm256_permute2x128_si256(u0, u4, 0x20), _mm256_permute2x128_si256(u1, u5, 0x20),
        _mm256_permute2x128_si256(u2, u6, 0x20), _mm256_permute2x128_si256(u3, u7, 0x20),
        _mm256_permute2x128_si256(u0, u4, 0x31), _mm256_permute2x128_si256(u1, u5, 0x31),
        _mm256_permute2x128_si256(u2, u6, 0x31), _mm256_permute2x128_si256(u3, u7, 0x31)};
    for (std::size_t b = 0; b < 8; ++b) {
      const std::size_t off = 64 * b + 32 * static_cast<std::size_t>(h);
      if (off >= len) break;
      xor32_part(out + off, in + off, ks[b], len - off, m);
    }
  }
}

// Up to four blocks row-wise (one block per 128-bit lane); len <= 256.
TERN_AVX512_FN void blocks4(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                            const std::uint32_t st[16], std::uint32_t ctr, __m512i m) noexcept {
  const __m512i a0 = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(st)));
  const __m512i b0 = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(st + 4)));
  const __m512i c0 = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(st + 8)));
  __m512i d0 = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(st + 12)));
  d0 = _mm512_mask_mov_epi32(d0, 0x1111,
                             _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(ctr)),
                                              _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3)));
  __m512i a = a0, b = b0, c = c0, d = d0;
  for (int r = 0; r < 10; ++r) {
    qr(a, b, c, d);
    b = _mm512_shuffle_epi32(b, static_cast<_MM_PERM_ENUM>(0x39));
    c = _mm512_shuffle_epi32(c, static_cast<_MM_PERM_ENUM>(0x4e));
    d = _mm512_shuffle_epi32(d, static_cast<_MM_PERM_ENUM>(0x93));
    qr(a, b, c, d);
    b = _mm512_shuffle_epi32(b, static_cast<_MM_PERM_ENUM>(0x93));
    c = _mm512_shuffle_epi32(c, static_cast<_MM_PERM_ENUM>(0x4e));
    d = _mm512_shuffle_epi32(d, static_cast<_MM_PERM_ENUM>(0x39));
  }
  a = _mm512_add_epi32(a, a0);
  b = _mm512_add_epi32(b, b0);
  c = _mm512_add_epi32(c, c0);
  d = _mm512_add_epi32(d, d0);
  __m512i blk[4];
  lanes_to_blocks(a, b, c, d, blk);
  for (std::size_t l = 0; l < 4 && 64 * l < len; ++l) xor64_part(out + 64 * l, in + 64 * l, blk[l], len - 64 * l, m);
}

}  // namespace

TERN_AVX512_FN void xor_masked_avx512(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                                     const std::uint32_t st[16], std::uint64_t mask) noexcept {
  const __m512i m = _mm512_set1_epi64(static_cast<long long>(mask));
  std::uint32_t ctr = st[12];
  if (len >= 1024) {
    FirstRound f;
    pre_first(f, st);
    while (len >= 2048) {
      blocks32(out, in, st, f, ctr, m);
      ctr += 32;
      out += 2048;
      in += 2048;
      len -= 2048;
    }
    while (len >= 1024) {
      blocks16(out, in, st, f, ctr, m);
      ctr += 16;
      out += 1024;
      in += 1024;
      len -= 1024;
    }
    wipe(&f, sizeof(f));
  }
  while (len > 256) {
    const std::size_t n = len < 512 ? len : 512;
    blocks8(out, in, n, st, ctr, _mm512_castsi512_si256(m));
    ctr += 8;
    out += n;
    in += n;
    len -= n;
  }
  if (len > 0) blocks4(out, in, len, st, ctr, m);
}

// The single block's rounds are a dependency chain; interleaved with the
// sixteen-block rounds they cost little more than the sixteen alone.
TERN_AVX512_FN void key_first_avx512(std::uint8_t key[64], std::uint8_t* out, const std::uint8_t* in,
                                     const std::uint32_t st[16]) noexcept {
  __m512i x[16], s[16];
  FirstRound f;
  pre_first(f, st);
  first_double_round(x, f, st[12]);
  wipe(&f, sizeof(f));
  const __m128i a0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(st));
  const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(st + 4));
  const __m128i c0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(st + 8));
  const __m128i d0 = _mm_sub_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(st + 12)), _mm_setr_epi32(1, 0, 0, 0));
  __m128i a = a0, b = b0, c = c0, d = d0;
  row_double_round(a, b, c, d);
  for (int r = 1; r < 10; ++r) {
    column_round(x);
    row_double_round(a, b, c, d);
    diagonal_round(x);
  }
  init16(s, st, st[12]);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(key), _mm_add_epi32(a, a0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(key + 16), _mm_add_epi32(b, b0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(key + 32), _mm_add_epi32(c, c0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(key + 48), _mm_add_epi32(d, d0));
  finish16(out, in, x, s, _mm512_set1_epi32(-1));
}

void xor_stream_avx512(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                       const std::uint32_t st[16]) noexcept {
  xor_masked_avx512(out, in, len, st, ~std::uint64_t{0});
}

TERN_AVX512_FN void mask_avx512(std::uint8_t* p, std::size_t n, std::uint64_t mask) noexcept {
  const __m512i m = _mm512_set1_epi64(static_cast<long long>(mask));
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) _mm512_storeu_si512(p + i, _mm512_and_si512(_mm512_loadu_si512(p + i), m));
  if (i < n) {
    const __mmask64 k = (__mmask64{1} << (n - i)) - 1;
    _mm512_mask_storeu_epi8(p + i, k, _mm512_and_si512(_mm512_maskz_loadu_epi8(k, p + i), m));
  }
}

}  // namespace tern::chacha::detail

#endif
