// ChaCha20 keystream XOR with AVX2: eight blocks per pass (one state word
// per ymm register across eight blocks, then an 8x8 transpose), and a
// two-block row-wise path (one block per 128-bit lane) for short inputs and
// the tail, so that short messages do not pay for the wide setup.
#include "crypto/chacha/internal.hpp"

#if TERN_SIMD && defined(__x86_64__)

#include <immintrin.h>

#include "crypto/internal/wipe.hpp"

namespace tern::chacha::detail {

namespace {

#define TERN_AVX2 __attribute__((target("avx2"), always_inline)) inline

TERN_AVX2 __m256i rotl16(__m256i x) {
  const __m256i m = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4,
                                     5, 10, 11, 8, 9, 14, 15, 12, 13);
  return _mm256_shuffle_epi8(x, m);
}
TERN_AVX2 __m256i rotl8(__m256i x) {
  const __m256i m = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5,
                                     6, 11, 8, 9, 10, 15, 12, 13, 14);
  return _mm256_shuffle_epi8(x, m);
}
TERN_AVX2 __m256i rotl12(__m256i x) { return _mm256_or_si256(_mm256_slli_epi32(x, 12), _mm256_srli_epi32(x, 20)); }
TERN_AVX2 __m256i rotl7(__m256i x) { return _mm256_or_si256(_mm256_slli_epi32(x, 7), _mm256_srli_epi32(x, 25)); }

TERN_AVX2 void qr(__m256i& a, __m256i& b, __m256i& c, __m256i& d) {
  a = _mm256_add_epi32(a, b); d = rotl16(_mm256_xor_si256(d, a));
  c = _mm256_add_epi32(c, d); b = rotl12(_mm256_xor_si256(b, c));
  a = _mm256_add_epi32(a, b); d = rotl8(_mm256_xor_si256(d, a));
  c = _mm256_add_epi32(c, d); b = rotl7(_mm256_xor_si256(b, c));
}

TERN_AVX2 void xor32(std::uint8_t* out, const std::uint8_t* in, __m256i ks) {
  const __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_xor_si256(m, ks));
}

// 8x8 transpose of 32-bit words: v[i] holds word i of blocks 0..7; writes
// out/in at byte offset `half` (0 or 32) of each of the eight blocks.
TERN_AVX2 void transpose_xor(std::uint8_t* out, const std::uint8_t* in, const __m256i v[8], int half) {
  const __m256i t0 = _mm256_unpacklo_epi32(v[0], v[1]), t1 = _mm256_unpackhi_epi32(v[0], v[1]);
  const __m256i t2 = _mm256_unpacklo_epi32(v[2], v[3]), t3 = _mm256_unpackhi_epi32(v[2], v[3]);
  const __m256i t4 = _mm256_unpacklo_epi32(v[4], v[5]), t5 = _mm256_unpackhi_epi32(v[4], v[5]);
  const __m256i t6 = _mm256_unpacklo_epi32(v[6], v[7]), t7 = _mm256_unpackhi_epi32(v[6], v[7]);
  const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
  const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
  const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
  const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
  xor32(out + 0 * 64 + half, in + 0 * 64 + half, _mm256_permute2x128_si256(u0, u4, 0x20));
  xor32(out + 1 * 64 + half, in + 1 * 64 + half, _mm256_permute2x128_si256(u1, u5, 0x20));
  xor32(out + 2 * 64 + half, in + 2 * 64 + half, _mm256_permute2x128_si256(u2, u6, 0x20));
  xor32(out + 3 * 64 + half, in + 3 * 64 + half, _mm256_permute2x128_si256(u3, u7, 0x20));
  xor32(out + 4 * 64 + half, in + 4 * 64 + half, _mm256_permute2x128_si256(u0, u4, 0x31));
  xor32(out + 5 * 64 + half, in + 5 * 64 + half, _mm256_permute2x128_si256(u1, u5, 0x31));
  xor32(out + 6 * 64 + half, in + 6 * 64 + half, _mm256_permute2x128_si256(u2, u6, 0x31));
  xor32(out + 7 * 64 + half, in + 7 * 64 + half, _mm256_permute2x128_si256(u3, u7, 0x31));
}

// Eight full blocks (512 bytes) with counters ctr .. ctr+7.
__attribute__((target("avx2"))) void blocks8(std::uint8_t* out, const std::uint8_t* in,
                                             const std::uint32_t st[16], std::uint32_t ctr) noexcept {
  __m256i x[16], s[16];
  for (int i = 0; i < 16; ++i) s[i] = _mm256_set1_epi32(static_cast<int>(st[i]));
  s[12] = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(ctr)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  for (int i = 0; i < 16; ++i) x[i] = s[i];
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
  for (int i = 0; i < 16; ++i) x[i] = _mm256_add_epi32(x[i], s[i]);
  transpose_xor(out, in, x, 0);
  transpose_xor(out, in, x + 8, 32);
}

// Up to two blocks (len <= 128 bytes) row-wise, one block per 128-bit lane.
__attribute__((target("avx2"))) void blocks2(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                                             const std::uint32_t st[16], std::uint32_t ctr) noexcept {
  const __m256i a0 = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(st)));
  const __m256i b0 = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(st + 4)));
  const __m256i c0 = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(st + 8)));
  const __m256i d0 = _mm256_setr_epi32(static_cast<int>(ctr), static_cast<int>(st[13]), static_cast<int>(st[14]),
                                       static_cast<int>(st[15]), static_cast<int>(ctr + 1),
                                       static_cast<int>(st[13]), static_cast<int>(st[14]),
                                       static_cast<int>(st[15]));
  __m256i a = a0, b = b0, c = c0, d = d0;
  for (int r = 0; r < 10; ++r) {
    qr(a, b, c, d);
    b = _mm256_shuffle_epi32(b, 0x39);
    c = _mm256_shuffle_epi32(c, 0x4e);
    d = _mm256_shuffle_epi32(d, 0x93);
    qr(a, b, c, d);
    b = _mm256_shuffle_epi32(b, 0x93);
    c = _mm256_shuffle_epi32(c, 0x4e);
    d = _mm256_shuffle_epi32(d, 0x39);
  }
  a = _mm256_add_epi32(a, a0);
  b = _mm256_add_epi32(b, b0);
  c = _mm256_add_epi32(c, c0);
  d = _mm256_add_epi32(d, d0);
  __m256i ks[4] = {_mm256_permute2x128_si256(a, b, 0x20), _mm256_permute2x128_si256(c, d, 0x20),
                   _mm256_permute2x128_si256(a, b, 0x31), _mm256_permute2x128_si256(c, d, 0x31)};
  std::size_t i = 0;
  for (; i + 32 <= len; i += 32) xor32(out + i, in + i, ks[i / 32]);
  if (i < len) {
    alignas(32) std::uint8_t buf[32];
    _mm256_store_si256(reinterpret_cast<__m256i*>(buf), ks[i / 32]);
    for (std::size_t j = 0; i + j < len; ++j) out[i + j] = static_cast<std::uint8_t>(in[i + j] ^ buf[j]);
    _mm256_store_si256(reinterpret_cast<__m256i*>(buf), _mm256_setzero_si256());
  }
}

}  // namespace

void xor_stream_avx2(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                     const std::uint32_t st[16]) noexcept {
  std::uint32_t ctr = st[12];
  while (len >= 512) {
    blocks8(out, in, st, ctr);
    ctr += 8;
    out += 512;
    in += 512;
    len -= 512;
  }
  while (len > 0) {
    const std::size_t n = len < 128 ? len : 128;
    blocks2(out, in, n, st, ctr);
    ctr += 2;
    out += n;
    in += n;
    len -= n;
  }
  // Keystream lives only in registers (and the zeroed tail buffer).
}

__attribute__((target("avx2"))) void mask_avx2(std::uint8_t* p, std::size_t n, std::uint64_t mask) noexcept {
  const __m256i m = _mm256_set1_epi64x(static_cast<long long>(mask));
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i* q = reinterpret_cast<__m256i*>(p + i);
    _mm256_storeu_si256(q, _mm256_and_si256(_mm256_loadu_si256(q), m));
  }
  mask_portable(p + i, n - i, mask);
}

}  // namespace tern::chacha::detail

#endif
