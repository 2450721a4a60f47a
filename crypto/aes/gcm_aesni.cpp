// AES-GCM with AES-NI and PCLMULQDQ on 128-bit registers.
//
// Eight blocks per loop: the AES rounds of eight counter blocks are issued
// together with the GHASH multiplications of eight ciphertext blocks (for
// sealing, the previous iteration's output; for opening, this iteration's
// input), each block multiplied by its own power H^8..H^1 so that only one
// reduction is done per eight blocks. The tail (< 128 bytes) and the length
// block share one more reduction.
#if TERN_SIMD && defined(__x86_64__)

#include <cstring>

#include "crypto/aes/gcm_internal.hpp"
#include "crypto/aes/gcm_x86.hpp"
#include "crypto/internal/wipe.hpp"

#define TERN_AESNI_TARGET __attribute__((target("aes,pclmul,sse4.1,ssse3")))

namespace tern::aes::detail {
namespace {

using namespace x86;

template <int NR>
TERN_AESNI_TARGET inline __m128i aes1(const __m128i* rk, __m128i b) noexcept {
  b = _mm_xor_si128(b, rk[0]);
  for (int r = 1; r < NR; ++r) b = _mm_aesenc_si128(b, rk[r]);
  return _mm_aesenclast_si128(b, rk[NR]);
}

// n (<= kHPowers) byte-swapped blocks, y folded into the first: one reduction.
TERN_AESNI_TARGET inline __m128i ghash_blocks(const GcmKey& k, __m128i y, const __m128i* x, std::size_t n) noexcept {
  Acc128 a = acc_zero();
  mul_acc(a, _mm_xor_si128(x[0], y), hpow(k, n));
  for (std::size_t i = 1; i < n; ++i) mul_acc(a, x[i], hpow(k, n - i));
  return reduce(a);
}

TERN_AESNI_TARGET inline __m128i ghash_bytes(const GcmKey& k, __m128i y, const std::uint8_t* p, std::size_t len) noexcept {
  __m128i x[8];
  while (len >= 128) {
    for (int j = 0; j < 8; ++j) x[j] = bswap128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * j)));
    y = ghash_blocks(k, y, x, 8);
    p += 128;
    len -= 128;
  }
  if (len > 0) {
    alignas(16) std::uint8_t buf[128] = {};
    std::memcpy(buf, p, len);
    const std::size_t n = (len + 15) / 16;
    for (std::size_t j = 0; j < n; ++j) x[j] = bswap128(_mm_load_si128(reinterpret_cast<const __m128i*>(buf + 16 * j)));
    y = ghash_blocks(k, y, x, n);
  }
  return y;
}

template <int NR, bool Dec>
TERN_AESNI_TARGET void crypt(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                             const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept {
  __m128i rk[NR + 1];
  for (int r = 0; r <= NR; ++r) rk[r] = _mm_load_si128(reinterpret_cast<const __m128i*>(k.x86.rk + 16 * r));
  const __m128i j0v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(j0));
  const __m128i ekj0 = aes1<NR>(rk, j0v);
  __m128i y = ghash_bytes(k, _mm_setzero_si128(), aad, aad_len);
  __m128i ctr = bswap128(j0v);  // low 32 bits: the block counter
  const __m128i one = _mm_set_epi32(0, 0, 0, 1);
  __m128i hp[8];
  for (int j = 0; j < 8; ++j) hp[j] = hpow(k, static_cast<std::size_t>(8 - j));

  std::size_t i = 0;
  if constexpr (!Dec) {
    __m128i pend[8];
    bool have = false;
    for (; len - i >= 128; i += 128) {
      __m128i b[8];
      for (int j = 0; j < 8; ++j) {
        ctr = _mm_add_epi32(ctr, one);
        b[j] = _mm_xor_si128(bswap128(ctr), rk[0]);
      }
      Acc128 a = acc_zero();
      if (have) pend[0] = _mm_xor_si128(pend[0], y);
      for (int r = 1; r < NR; ++r) {
        for (int j = 0; j < 8; ++j) b[j] = _mm_aesenc_si128(b[j], rk[r]);
        if (r - 1 < 8 && have) mul_acc(a, pend[r - 1], hp[r - 1]);
      }
      for (int j = 0; j < 8; ++j) {
        b[j] = _mm_xor_si128(_mm_aesenclast_si128(b[j], rk[NR]),
                             _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i + 16 * j)));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i + 16 * j), b[j]);
      }
      if (have) y = reduce(a);
      for (int j = 0; j < 8; ++j) pend[j] = bswap128(b[j]);
      have = true;
    }
    if (have) y = ghash_blocks(k, y, pend, 8);
  } else {
    for (; len - i >= 128; i += 128) {
      __m128i b[8], c[8];
      for (int j = 0; j < 8; ++j) {
        c[j] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i + 16 * j));
        ctr = _mm_add_epi32(ctr, one);
        b[j] = _mm_xor_si128(bswap128(ctr), rk[0]);
      }
      Acc128 a = acc_zero();
      for (int r = 1; r < NR; ++r) {
        for (int j = 0; j < 8; ++j) b[j] = _mm_aesenc_si128(b[j], rk[r]);
        if (r - 1 < 8) mul_acc(a, r == 1 ? _mm_xor_si128(bswap128(c[0]), y) : bswap128(c[r - 1]), hp[r - 1]);
      }
      for (int j = 0; j < 8; ++j)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i + 16 * j),
                         _mm_xor_si128(_mm_aesenclast_si128(b[j], rk[NR]), c[j]));
      y = reduce(a);
    }
  }

  // Tail (< 8 blocks) and the length block, one reduction.
  const std::size_t rem = len - i;
  const std::size_t nb = (rem + 15) / 16;
  __m128i x[9];
  if (rem > 0) {
    alignas(16) std::uint8_t buf[128];
    std::memset(buf, 0, sizeof buf);
    std::memcpy(buf, in + i, rem);
    for (std::size_t j = 0; j < nb; ++j) {
      ctr = _mm_add_epi32(ctr, one);
      const __m128i c = _mm_load_si128(reinterpret_cast<const __m128i*>(buf + 16 * j));
      if constexpr (Dec) x[j] = bswap128(c);
      _mm_store_si128(reinterpret_cast<__m128i*>(buf + 16 * j), _mm_xor_si128(c, aes1<NR>(rk, bswap128(ctr))));
    }
    std::memcpy(out + i, buf, rem);
    if constexpr (!Dec) {
      std::memset(buf + rem, 0, sizeof buf - rem);
      for (std::size_t j = 0; j < nb; ++j) x[j] = bswap128(_mm_load_si128(reinterpret_cast<const __m128i*>(buf + 16 * j)));
    }
    wipe_object(buf);
  }
  x[nb] = len_block(aad_len, len);
  y = ghash_blocks(k, y, x, nb + 1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(tag), _mm_xor_si128(bswap128(y), ekj0));
  wipe_object(rk);
}

}  // namespace

// Powers used: H^1..H^9 (eight tail blocks and the length block).
void gcm_aesni_init(GcmKey& k, const std::uint8_t* rk) noexcept {
  if (k.rounds == 10) init_x86<10>(k, rk, 9);
  else init_x86<14>(k, rk, 9);
}

void gcm_aesni_seal(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                    const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept {
  if (k.rounds == 10) crypt<10, false>(k, j0, aad, aad_len, in, out, len, tag);
  else crypt<14, false>(k, j0, aad, aad_len, in, out, len, tag);
}

void gcm_aesni_open(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                    const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept {
  if (k.rounds == 10) crypt<10, true>(k, j0, aad, aad_len, in, out, len, tag);
  else crypt<14, true>(k, j0, aad, aad_len, in, out, len, tag);
}

}  // namespace tern::aes::detail

#endif  // TERN_SIMD && __x86_64__
