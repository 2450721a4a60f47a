// AES-GCM with VAES + VPCLMULQDQ on 256-bit registers (AVX2 class, no
// AVX-512 needed).
//
// Main loop: 16 blocks (eight ymm of two blocks) per iteration; the AES
// rounds of the counter blocks are interleaved with the GHASH of 16
// ciphertext blocks (sealing: the previous iteration's output; opening: this
// iteration's input), each block multiplied by its own power H^16..H^1, one
// reduction per iteration. Tails go through a zero-padded stack buffer (AVX2
// has no byte-masked loads) and are hashed together with the length block
// (and, for short records, the AAD) in one batch.
#if TERN_SIMD && defined(__x86_64__)

#include <cstring>

#include "crypto/aes/gcm_internal.hpp"
#include "crypto/aes/gcm_x86.hpp"
#include "crypto/internal/wipe.hpp"

#define TERN_VAES256_TARGET __attribute__((target("vaes,vpclmulqdq,avx2,avx,aes,pclmul,sse4.1,ssse3")))

namespace tern::aes::detail {
namespace {

using namespace x86;

struct Acc256 {
  __m256i lo, mid, hi;
};

TERN_VAES256_TARGET inline __m256i bswap256(__m256i x) noexcept {
  const __m256i m = _mm256_broadcastsi128_si256(_mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  return _mm256_shuffle_epi8(x, m);
}

TERN_VAES256_TARGET inline void mul_acc256(Acc256& a, __m256i x, __m256i h) noexcept {
  a.lo = _mm256_xor_si256(a.lo, _mm256_clmulepi64_epi128(x, h, 0x00));
  a.hi = _mm256_xor_si256(a.hi, _mm256_clmulepi64_epi128(x, h, 0x11));
  a.mid = _mm256_xor_si256(a.mid, _mm256_xor_si256(_mm256_clmulepi64_epi128(x, h, 0x01),
                                                    _mm256_clmulepi64_epi128(x, h, 0x10)));
}

TERN_VAES256_TARGET inline __m128i hsum256(__m256i v) noexcept {
  return _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}

TERN_VAES256_TARGET inline __m128i reduce_acc256(const Acc256& a) noexcept {
  const __m128i L = hsum256(_mm256_xor_si256(a.lo, _mm256_bslli_epi128(a.mid, 8)));
  const __m128i H = hsum256(_mm256_xor_si256(a.hi, _mm256_bsrli_epi128(a.mid, 8)));
  return reduce256(L, H);
}

TERN_VAES256_TARGET inline Acc256 acc256_zero() noexcept {
  return {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
}

TERN_VAES256_TARGET inline __m256i htab256(const GcmKey& k, std::size_t idx) noexcept {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(k.x86.htab[idx]));
}

TERN_VAES256_TARGET inline __m256i zext(__m128i y) noexcept { return _mm256_zextsi128_si256(y); }

// GHASH over up to 256 bytes (zero padded), y folded in, one reduction.
TERN_VAES256_TARGET inline __m128i ghash_chunk(const GcmKey& k, __m128i y, const std::uint8_t* p, std::size_t bytes) noexcept {
  alignas(32) std::uint8_t buf[256];
  if (bytes < 256) {
    std::memset(buf, 0, sizeof buf);
    std::memcpy(buf, p, bytes);
    p = buf;
  }
  const std::size_t n = (bytes + 15) / 16;
  Acc256 a = acc256_zero();
  for (std::size_t z = 0; 32 * z < bytes; ++z) {
    __m256i d = bswap256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * z)));
    if (z == 0) d = _mm256_xor_si256(d, zext(y));
    mul_acc256(a, d, htab256(k, kHPowers - n + 2 * z));
  }
  return reduce_acc256(a);
}

template <int NR>
TERN_VAES256_TARGET inline __m256i aes_ymm(const __m256i* rk, __m256i b) noexcept {
  b = _mm256_xor_si256(b, rk[0]);
  for (int r = 1; r < NR; ++r) b = _mm256_aesenc_epi128(b, rk[r]);
  return _mm256_aesenclast_epi128(b, rk[NR]);
}

// The last rem (<= 256) bytes, optionally up to 64 bytes of AAD before them,
// and the length block, as one GHASH batch. Returns the final GHASH value.
template <int NR, bool Dec>
TERN_VAES256_TARGET __m128i tail(const GcmKey& k, const __m256i* rk, __m256i ctr, __m128i y, const std::uint8_t* aad,
                                 std::size_t aad_here, const std::uint8_t* in, std::uint8_t* out, std::size_t rem,
                                 __m128i lenblk) noexcept {
  const __m256i two = _mm256_broadcastsi128_si256(_mm_set_epi32(0, 0, 0, 2));
  const std::size_t na = (aad_here + 15) / 16, nb = (rem + 15) / 16;
  const std::size_t base = kHPowers - (na + nb + 1);
  Acc256 a = acc256_zero();
  bool folded = false;
  if (na > 0) {
    alignas(32) std::uint8_t ab[64] = {};
    std::memcpy(ab, aad, aad_here);
    for (std::size_t z = 0; 32 * z < aad_here; ++z) {
      __m256i d = bswap256(_mm256_load_si256(reinterpret_cast<const __m256i*>(ab + 32 * z)));
      if (z == 0) d = _mm256_xor_si256(d, zext(y));
      mul_acc256(a, d, htab256(k, base + 2 * z));
    }
    folded = true;
  }
  if (rem > 0 && rem <= 256) {  // always <= 256; the bound also informs the compiler
    alignas(32) std::uint8_t buf[256];
    std::memset(buf, 0, sizeof buf);
    std::memcpy(buf, in, rem);
    const std::size_t ny = (rem + 31) / 32;
    __m256i g[8];
    for (std::size_t z = 0; z < ny; ++z) {
      const __m256i d = _mm256_load_si256(reinterpret_cast<const __m256i*>(buf + 32 * z));
      g[z] = d;
      _mm256_store_si256(reinterpret_cast<__m256i*>(buf + 32 * z), _mm256_xor_si256(d, aes_ymm<NR>(rk, bswap256(ctr))));
      ctr = _mm256_add_epi32(ctr, two);
    }
    std::memcpy(out, buf, rem);
    if constexpr (!Dec) {
      std::memset(buf + rem, 0, sizeof buf - rem);
      for (std::size_t z = 0; z < ny; ++z) g[z] = _mm256_load_si256(reinterpret_cast<const __m256i*>(buf + 32 * z));
    }
    for (std::size_t z = 0; z < ny; ++z) {
      __m256i d = bswap256(g[z]);
      if (z == 0 && !folded) {
        d = _mm256_xor_si256(d, zext(y));
        folded = true;
      }
      mul_acc256(a, d, htab256(k, base + na + 2 * z));
    }
    wipe_object(buf);
  }
  const __m128i L = hsum256(_mm256_xor_si256(a.lo, _mm256_bslli_epi128(a.mid, 8)));
  const __m128i H = hsum256(_mm256_xor_si256(a.hi, _mm256_bsrli_epi128(a.mid, 8)));
  Acc128 t = {L, _mm_setzero_si128(), H};
  if (!folded) lenblk = _mm_xor_si128(lenblk, y);
  mul_acc(t, lenblk, hpow(k, 1));
  return reduce(t);
}

template <int NR, bool Dec>
TERN_VAES256_TARGET void crypt(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                               const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept {
  // Round keys broadcast to both lanes.
  __m256i rk[NR + 1];
  for (int r = 0; r <= NR; ++r) rk[r] = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(k.x86.rk + 16 * r)));
  const __m128i j0v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(j0));
  __m128i ekj0 = _mm_xor_si128(j0v, _mm256_castsi256_si128(rk[0]));
  for (int r = 1; r < NR; ++r) ekj0 = _mm_aesenc_si128(ekj0, _mm256_castsi256_si128(rk[r]));
  ekj0 = _mm_aesenclast_si128(ekj0, _mm256_castsi256_si128(rk[NR]));
  const __m128i lenblk = len_block(aad_len, len);
  // Counter blocks J0+1, J0+2 (32-bit lane adds wrap mod 2^32 as GCM requires).
  __m256i ctr = _mm256_add_epi32(_mm256_broadcastsi128_si256(bswap128(j0v)), _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 1));
  __m128i y;
  if (len <= 256 && aad_len <= 64) {
    y = tail<NR, Dec>(k, rk, ctr, _mm_setzero_si128(), aad, aad_len, in, out, len, lenblk);
  } else {
    y = _mm_setzero_si128();
    for (std::size_t p = 0; p < aad_len; p += 256) y = ghash_chunk(k, y, aad + p, aad_len - p < 256 ? aad_len - p : 256);
    const __m256i two = _mm256_broadcastsi128_si256(_mm_set_epi32(0, 0, 0, 2));
    constexpr int W = 8;  // ymm per iteration: 16 blocks
    static_assert(W <= NR - 1, "one GHASH ymm per AES round");
    __m256i pw[W];
    for (int z = 0; z < W; ++z) pw[z] = htab256(k, kHPowers - 2 * W + 2 * static_cast<std::size_t>(z));
    std::size_t i = 0;
    __m256i pend[W];
    bool have = false;
    for (; len - i >= 32 * W; i += 32 * W) {
      __m256i b[W], c[W];
      for (int z = 0; z < W; ++z) {
        b[z] = _mm256_xor_si256(bswap256(ctr), rk[0]);
        ctr = _mm256_add_epi32(ctr, two);
      }
      if constexpr (Dec) {
        for (int z = 0; z < W; ++z) {
          c[z] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i + 32 * z));
          pend[z] = bswap256(c[z]);
        }
        have = true;
      }
      Acc256 a = acc256_zero();
      if (have) pend[0] = _mm256_xor_si256(pend[0], zext(y));
      for (int r = 1; r < NR; ++r) {
        for (int z = 0; z < W; ++z) b[z] = _mm256_aesenc_epi128(b[z], rk[r]);
        if (r - 1 < W && have) mul_acc256(a, pend[r - 1], pw[r - 1]);
      }
      if constexpr (!Dec)
        for (int z = 0; z < W; ++z) c[z] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i + 32 * z));
      for (int z = 0; z < W; ++z) {
        b[z] = _mm256_xor_si256(_mm256_aesenclast_epi128(b[z], rk[NR]), c[z]);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + 32 * z), b[z]);
      }
      if (have) y = reduce_acc256(a);
      if constexpr (!Dec) {
        for (int z = 0; z < W; ++z) pend[z] = bswap256(b[z]);
        have = true;
      }
    }
    if (!Dec && have) {
      Acc256 a = acc256_zero();
      mul_acc256(a, _mm256_xor_si256(pend[0], zext(y)), pw[0]);
      for (int z = 1; z < W; ++z) mul_acc256(a, pend[z], pw[z]);
      y = reduce_acc256(a);
    }
    y = tail<NR, Dec>(k, rk, ctr, y, nullptr, 0, in + i, out + i, len - i, lenblk);
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(tag), _mm_xor_si128(bswap128(y), ekj0));
}

}  // namespace

// Powers used: H^1..H^21 (a short record: 4 AAD blocks, 16 data blocks and
// the length block in one batch).
void gcm_vaes256_init(GcmKey& k, const std::uint8_t* rk) noexcept {
  if (k.rounds == 10) init_x86<10>(k, rk, 21);
  else init_x86<14>(k, rk, 21);
}

void gcm_vaes256_seal(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                      const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept {
  if (k.rounds == 10) crypt<10, false>(k, j0, aad, aad_len, in, out, len, tag);
  else crypt<14, false>(k, j0, aad, aad_len, in, out, len, tag);
}

void gcm_vaes256_open(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                      const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept {
  if (k.rounds == 10) crypt<10, true>(k, j0, aad, aad_len, in, out, len, tag);
  else crypt<14, true>(k, j0, aad, aad_len, in, out, len, tag);
}

}  // namespace tern::aes::detail

#endif  // TERN_SIMD && __x86_64__
