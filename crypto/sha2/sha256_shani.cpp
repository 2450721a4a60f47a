// SHA-256 compression with the x86 SHA extensions (SHA-NI).
//
// The eight working variables live in two registers in the order the
// instructions expect: ABEF and CDGH. Each sha256rnds2 does two rounds;
// sha256msg1/sha256msg2 compute four message-schedule words at a time.
#if TERN_SIMD && defined(__x86_64__)

#include <immintrin.h>

#include "crypto/sha2/sha2_kernels.hpp"

namespace tern::sha2::internal {

#define TERN_SHANI_TARGET __attribute__((target("sha,sse4.1,ssse3")))

namespace {

// Four rounds 4g..4g+3 with message words m (already byte-swapped).
TERN_SHANI_TARGET inline void rounds4(__m128i& abef, __m128i& cdgh, __m128i m, int g) noexcept {
  __m128i wk = _mm_add_epi32(m, _mm_load_si128(reinterpret_cast<const __m128i*>(K256 + 4 * g)));
  cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
  wk = _mm_shuffle_epi32(wk, 0x0e);
  abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);
}

// Next schedule group from the four previous ones (oldest first).
TERN_SHANI_TARGET inline __m128i next_group(__m128i m0, __m128i m1, __m128i m2, __m128i m3) noexcept {
  __m128i t = _mm_sha256msg1_epu32(m0, m1);
  t = _mm_add_epi32(t, _mm_alignr_epi8(m3, m2, 4));
  return _mm_sha256msg2_epu32(t, m3);
}

}  // namespace

TERN_SHANI_TARGET void sha256_shani(std::uint32_t state[8], const std::uint8_t* p, std::size_t nblocks) noexcept {
  const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
  __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));       // a b c d
  __m128i cdgh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));  // e f g h
  t = _mm_shuffle_epi32(t, 0xb1);                                               // b a d c
  cdgh = _mm_shuffle_epi32(cdgh, 0x1b);                                         // h g f e
  __m128i abef = _mm_alignr_epi8(t, cdgh, 8);                                   // f e b a
  cdgh = _mm_blend_epi16(cdgh, t, 0xf0);                                        // h g d c

  for (; nblocks > 0; --nblocks, p += 64) {
    const __m128i abef0 = abef, cdgh0 = cdgh;
    __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), bswap);
    __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)), bswap);
    __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32)), bswap);
    __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48)), bswap);
    rounds4(abef, cdgh, m0, 0);
    rounds4(abef, cdgh, m1, 1);
    rounds4(abef, cdgh, m2, 2);
    rounds4(abef, cdgh, m3, 3);
    // Groups 4..15, rotating the four schedule registers.
    m0 = next_group(m0, m1, m2, m3);
    rounds4(abef, cdgh, m0, 4);
    m1 = next_group(m1, m2, m3, m0);
    rounds4(abef, cdgh, m1, 5);
    m2 = next_group(m2, m3, m0, m1);
    rounds4(abef, cdgh, m2, 6);
    m3 = next_group(m3, m0, m1, m2);
    rounds4(abef, cdgh, m3, 7);
    m0 = next_group(m0, m1, m2, m3);
    rounds4(abef, cdgh, m0, 8);
    m1 = next_group(m1, m2, m3, m0);
    rounds4(abef, cdgh, m1, 9);
    m2 = next_group(m2, m3, m0, m1);
    rounds4(abef, cdgh, m2, 10);
    m3 = next_group(m3, m0, m1, m2);
    rounds4(abef, cdgh, m3, 11);
    m0 = next_group(m0, m1, m2, m3);
    rounds4(abef, cdgh, m0, 12);
    m1 = next_group(m1, m2, m3, m0);
    rounds4(abef, cdgh, m1, 13);
    m2 = next_group(m2, m3, m0, m1);
    rounds4(abef, cdgh, m2, 14);
    m3 = next_group(m3, m0, m1, m2);
    rounds4(abef, cdgh, m3, 15);
    abef = _mm_add_epi32(abef, abef0);
    cdgh = _mm_add_epi32(cdgh, cdgh0);
  }

  t = _mm_shuffle_epi32(abef, 0x1b);     // a b e f
  cdgh = _mm_shuffle_epi32(cdgh, 0xb1);  // g h c d
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(t, cdgh, 0xf0));      // a b c d
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(cdgh, t, 8));     // e f g h
}

#undef TERN_SHANI_TARGET

}  // namespace tern::sha2::internal

#endif
