// Internal to crypto/aes: 128-bit GHASH helpers shared by the x86 kernels
// (included only by the SIMD kernel files, inside their TERN_SIMD guard).
//
// GHASH values are kept as the big-endian integer of their 16 bytes (one
// byte swap per loaded block). A product of two such integers is the field
// product divided by x; we accumulate unreduced 256-bit products
// (lo, mid, hi) over a batch, then shift left by one and reduce modulo
// x^128 + x^7 + x^2 + x + 1 once per batch.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "crypto/aes/gcm.hpp"

#define TERN_GCM_XMM_TARGET __attribute__((target("aes,pclmul,sse4.1,ssse3")))

namespace tern::aes::detail::x86 {

TERN_GCM_XMM_TARGET inline __m128i bswap128(__m128i x) noexcept {
  return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

// H^i (1 <= i <= the kernel's count), as the big-endian integer.
TERN_GCM_XMM_TARGET inline __m128i hpow(const GcmKey& k, std::size_t i) noexcept {
  return _mm_load_si128(reinterpret_cast<const __m128i*>(k.x86.htab[kHPowers - i]));
}

struct Acc128 {
  __m128i lo, mid, hi;
};

TERN_GCM_XMM_TARGET inline Acc128 acc_zero() noexcept {
  return {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
}

TERN_GCM_XMM_TARGET inline void mul_acc(Acc128& a, __m128i x, __m128i h) noexcept {
  a.lo = _mm_xor_si128(a.lo, _mm_clmulepi64_si128(x, h, 0x00));
  a.hi = _mm_xor_si128(a.hi, _mm_clmulepi64_si128(x, h, 0x11));
  a.mid = _mm_xor_si128(a.mid, _mm_xor_si128(_mm_clmulepi64_si128(x, h, 0x01), _mm_clmulepi64_si128(x, h, 0x10)));
}

// (hi:lo) 256-bit product -> reduced field element.
TERN_GCM_XMM_TARGET inline __m128i reduce256(__m128i L, __m128i H) noexcept {
  // Shift hi:lo left by one bit.
  const __m128i c = _mm_srli_epi64(L, 63);
  const __m128i ch = _mm_srli_epi64(H, 63);
  L = _mm_or_si128(_mm_slli_epi64(L, 1), _mm_slli_si128(c, 8));
  H = _mm_or_si128(_mm_or_si128(_mm_slli_epi64(H, 1), _mm_slli_si128(ch, 8)), _mm_srli_si128(c, 8));
  // Fold the bits that L>>1, L>>2, L>>7 would push out back in, then
  // H ^= X ^ X>>1 ^ X>>2 ^ X>>7 (128-bit shifts).
  const __m128i t = _mm_xor_si128(_mm_xor_si128(_mm_slli_epi64(L, 63), _mm_slli_epi64(L, 62)), _mm_slli_epi64(L, 57));
  const __m128i X = _mm_xor_si128(L, _mm_slli_si128(t, 8));
  const __m128i u = _mm_xor_si128(_mm_xor_si128(_mm_slli_epi64(X, 63), _mm_slli_epi64(X, 62)), _mm_slli_epi64(X, 57));
  __m128i r = _mm_xor_si128(H, X);
  r = _mm_xor_si128(r, _mm_xor_si128(_mm_srli_epi64(X, 1), _mm_srli_epi64(X, 2)));
  r = _mm_xor_si128(r, _mm_xor_si128(_mm_srli_epi64(X, 7), _mm_srli_si128(u, 8)));
  return r;
}

TERN_GCM_XMM_TARGET inline __m128i reduce(const Acc128& a) noexcept {
  const __m128i L = _mm_xor_si128(a.lo, _mm_slli_si128(a.mid, 8));
  const __m128i H = _mm_xor_si128(a.hi, _mm_srli_si128(a.mid, 8));
  return reduce256(L, H);
}

TERN_GCM_XMM_TARGET inline __m128i gf_mul128(__m128i a, __m128i b) noexcept {
  Acc128 acc = acc_zero();
  mul_acc(acc, a, b);
  return reduce(acc);
}

// Copies the round keys into k.x86.rk, then computes H = E(K, 0) and stores
// H^1..H^n (n <= kHPowers) in k.x86.htab (the rest of the table is already zero).
template <int NR>
TERN_GCM_XMM_TARGET inline void init_x86(GcmKey& k, const std::uint8_t* rk, std::size_t n) noexcept {
  std::memcpy(k.x86.rk, rk, 16 * (NR + 1));
  __m128i b = _mm_load_si128(reinterpret_cast<const __m128i*>(k.x86.rk));
  for (int r = 1; r < NR; ++r) b = _mm_aesenc_si128(b, _mm_load_si128(reinterpret_cast<const __m128i*>(k.x86.rk + 16 * r)));
  b = _mm_aesenclast_si128(b, _mm_load_si128(reinterpret_cast<const __m128i*>(k.x86.rk + 16 * NR)));
  const __m128i h = bswap128(b);
  __m128i p = h;
  for (std::size_t i = 1; i <= n; ++i) {
    _mm_store_si128(reinterpret_cast<__m128i*>(k.x86.htab[kHPowers - i]), p);
    p = gf_mul128(p, h);
  }
}

// The length block as a GHASH value.
TERN_GCM_XMM_TARGET inline __m128i len_block(std::size_t aad_len, std::size_t len) noexcept {
  return _mm_set_epi64x(static_cast<long long>(static_cast<std::uint64_t>(aad_len) * 8u),
                        static_cast<long long>(static_cast<std::uint64_t>(len) * 8u));
}

}  // namespace tern::aes::detail::x86
