// ChaCha20 AVX2 keystream stitched with a scalar Poly1305: the
// "avx2mulx" ChaCha20 kernel (x86-64 with AVX2 and BMI2, no AVX-512). Its
// keystream is the avx2 kernel's; in the AEAD its xor_mac runs 2048-byte
// passes (four eight-block ymm sets, one after the other) with
// kStitchMacAvx2 bytes of Poly1305 per pass in 64-bit integer code (poly64_x86.hpp)
// placed between the quarter rounds, two chains combined with r^P per
// pass, as chacha_avx512mulx.cpp does with zmm registers. The keystream of
// a pass is staged on the stack (2 KiB, wiped) and XORed in at its end.
// Constant time: no branches or memory indices depend on the key or data.
#include "crypto/chacha/internal.hpp"

#if TERN_SIMD && defined(__x86_64__)

#include <immintrin.h>

#include "crypto/chacha/poly64_x86.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::chacha::detail {

namespace {

using namespace poly64;

#define TERN_AVX2M __attribute__((target("avx2,bmi2"), always_inline)) inline
#define TERN_AVX2M_FN __attribute__((target("avx2,bmi2")))

TERN_AVX2M __m256i rotl16(__m256i x) {
  const __m256i m = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4,
                                     5, 10, 11, 8, 9, 14, 15, 12, 13);
  return _mm256_shuffle_epi8(x, m);
}
TERN_AVX2M __m256i rotl8(__m256i x) {
  const __m256i m = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5,
                                     6, 11, 8, 9, 10, 15, 12, 13, 14);
  return _mm256_shuffle_epi8(x, m);
}
TERN_AVX2M __m256i rotl12(__m256i x) { return _mm256_or_si256(_mm256_slli_epi32(x, 12), _mm256_srli_epi32(x, 20)); }
TERN_AVX2M __m256i rotl7(__m256i x) { return _mm256_or_si256(_mm256_slli_epi32(x, 7), _mm256_srli_epi32(x, 25)); }

TERN_AVX2M void qr(__m256i& a, __m256i& b, __m256i& c, __m256i& d) {
  a = _mm256_add_epi32(a, b); d = rotl16(_mm256_xor_si256(d, a));
  c = _mm256_add_epi32(c, d); b = rotl12(_mm256_xor_si256(b, c));
  a = _mm256_add_epi32(a, b); d = rotl8(_mm256_xor_si256(d, a));
  c = _mm256_add_epi32(c, d); b = rotl7(_mm256_xor_si256(b, c));
}

// 8x8 transpose of 32-bit words: v[i] holds word i of blocks 0..7; stores
// bytes `half` .. half+31 (half 0 or 32) of each block's keystream at ks.
TERN_AVX2M void transpose_store(std::uint8_t* ks, const __m256i v[8], int half) {
  const __m256i t0 = _mm256_unpacklo_epi32(v[0], v[1]), t1 = _mm256_unpackhi_epi32(v[0], v[1]);
  const __m256i t2 = _mm256_unpacklo_epi32(v[2], v[3]), t3 = _mm256_unpackhi_epi32(v[2], v[3]);
  const __m256i t4 = _mm256_unpacklo_epi32(v[4], v[5]), t5 = _mm256_unpackhi_epi32(v[4], v[5]);
  const __m256i t6 = _mm256_unpacklo_epi32(v[6], v[7]), t7 = _mm256_unpackhi_epi32(v[6], v[7]);
  const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
  const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
  const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
  const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
  const __m256i w[8] = {_mm256_permute2x128_si256(u0, u4, 0x20), _mm256_permute2x128_si256(u1, u5, 0x20),
                        _mm256_permute2x128_si256(u2, u6, 0x20), _mm256_permute2x128_si256(u3, u7, 0x20),
                        _mm256_permute2x128_si256(u0, u4, 0x31), _mm256_permute2x128_si256(u1, u5, 0x31),
                        _mm256_permute2x128_si256(u2, u6, 0x31), _mm256_permute2x128_si256(u3, u7, 0x31)};
  for (int b = 0; b < 8; ++b) _mm256_store_si256(reinterpret_cast<__m256i*>(ks + 64 * b + half), w[b]);
}

constexpr int kPairs = static_cast<int>(kStitchMacAvx2 / 32);  // blocks per chain per 2048-byte pass
constexpr int kSub = kPairs / 4;                           // per eight-block set
static_assert(kPairs % 4 == 0 && kSub % 2 == 0 && kSub / 2 <= 10, "MAC schedule");

// Keystream of eight blocks (512 bytes, counters ctr .. ctr+7) into ks,
// with kSub blocks on each chain (a from ma, b from ma + half): one pair of
// steps after quarter rounds 2 and 6 of the first kSub / 2 double rounds.
TERN_AVX2M_FN void set8(std::uint8_t* ks, const std::uint32_t st[16], std::uint32_t ctr,
                        Acc& a, Acc& b, const std::uint8_t* ma, std::size_t half, const Key64& k) noexcept {
  __m256i x[16], s[16];
  for (int i = 0; i < 16; ++i) s[i] = _mm256_set1_epi32(static_cast<int>(st[i]));
  s[12] = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(ctr)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  for (int i = 0; i < 16; ++i) x[i] = s[i];
  for (int r = 0; r < 10; ++r) {
    qr(x[0], x[4], x[8], x[12]);
    qr(x[1], x[5], x[9], x[13]);
    if (r < kSub / 2) {
      step(a, blk(ma), k);
      step(b, blk(ma + half), k);
    }
    qr(x[2], x[6], x[10], x[14]);
    qr(x[3], x[7], x[11], x[15]);
    qr(x[0], x[5], x[10], x[15]);
    qr(x[1], x[6], x[11], x[12]);
    if (r < kSub / 2) {
      step(a, blk(ma + 16), k);
      step(b, blk(ma + half + 16), k);
      ma += 32;
    }
    qr(x[2], x[7], x[8], x[13]);
    qr(x[3], x[4], x[9], x[14]);
  }
  for (int i = 0; i < 16; ++i) x[i] = _mm256_add_epi32(x[i], s[i]);
  transpose_store(ks, x, 0);
  transpose_store(ks, x + 8, 32);
}

}  // namespace

TERN_AVX2M_FN void xor_mac_avx2mulx(std::uint8_t* out, const std::uint8_t* in, std::size_t passes,
                                    const std::uint32_t st[16], PolyState& ps, const std::uint8_t* mac) noexcept {
  if (passes == 0) return;
  Acc h = from44(ps.h);
  Key64 k = key64(ps);
  u64 rP[3];
  power44(rP, ps, kPairs);
  std::uint32_t ctr = st[12];
  constexpr std::size_t half = 16 * kPairs;
  // The pass's keystream goes through ks and is XORed in after all four
  // sets, so that every MAC byte of the pass is read before out is written
  // (opening in place MACs bytes of the pass's own input).
  alignas(32) std::uint8_t ks[2048];
  for (; passes > 0; --passes) {
    Acc a = h, b{0, 0, 0};
    for (int j = 0; j < 4; ++j)
      set8(ks + 512 * j, st, ctr + 8 * static_cast<std::uint32_t>(j), a, b, mac + 16 * kSub * j, half, k);
    h = combine(a, b, rP);
    for (int i = 0; i < 2048; i += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                          _mm256_xor_si256(v, _mm256_load_si256(reinterpret_cast<const __m256i*>(ks + i))));
    }
    ctr += 32;
    out += 2048;
    in += 2048;
    mac += 32 * kPairs;
  }
  to44(ps.h, h);
  wipe(ks, sizeof(ks));
  wipe(&k, sizeof(k));
  wipe(rP, sizeof(rP));
  wipe(&h, sizeof(h));
}

// The key block (counter st[12] - 1) and the first 1024 bytes, simply in
// two calls (the AEAD's stitched path wants this entry point).
void key_first_avx2(std::uint8_t key[64], std::uint8_t* out, const std::uint8_t* in,
                    const std::uint32_t st[16]) noexcept {
  std::uint32_t s[16];
  for (int i = 0; i < 16; ++i) s[i] = st[i];
  s[12] = st[12] - 1;
  for (int i = 0; i < 64; ++i) key[i] = 0;
  xor_stream_avx2(key, key, 64, s);
  xor_stream_avx2(out, in, 1024, st);
  wipe(s, sizeof(s));
}

}  // namespace tern::chacha::detail

#endif
