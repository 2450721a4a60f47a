// AES-GCM with VAES + VPCLMULQDQ on 512-bit registers (AVX-512F/BW/VL).
//
// Main loop (chunk()): 32 blocks (eight zmm of four blocks) per iteration.
// The AES rounds of the 32 counter blocks are issued alongside the GHASH of
// 32 ciphertext blocks (sealing: the previous iteration's output, read back
// from out; opening: this iteration's input), one zmm between two AES
// rounds, each block multiplied by its own power H^32..H^1 (Karatsuba, three
// VPCLMULQDQ per zmm), with one reduction per iteration. Round keys are
// broadcast into registers at entry; the powers of H are memory operands.
// Whole 256-byte chunks left after the main loop use ghash_then_ctr().
//
// Short messages and tails use masked loads/stores (no copies): the last
// < 256 bytes, the length block and, for short records (AAD <= 64 bytes and
// data <= 256 bytes, e.g. TLS), the AAD too are hashed as one batch with a
// single reduction; the powers for a batch of T blocks are the contiguous
// table entries H^T..H^1 (the table is zero padded so lanes past the end
// multiply zero data by zero).
#if TERN_SIMD && defined(__x86_64__)

#include <cstring>

#include "crypto/aes/gcm_internal.hpp"
#include "crypto/aes/gcm_x86.hpp"
#include "crypto/internal/wipe.hpp"

// GCC 12's AVX-512 intrinsic headers initialise "undefined" vectors from
// themselves, which trips -Wuninitialized once inlined here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// Main-loop width in zmm (4 = 16 blocks, 8 = 32 blocks); see kWide.
#ifndef TERN_GCM512_WIDE
#define TERN_GCM512_WIDE 8
#endif

// Full unrolling of the round and block loops (GCC leaves a 14-round loop
// with a GHASH step inside rolled otherwise).
#define TERN_UNROLL _Pragma("GCC unroll 16")

#define TERN_VAES512_TARGET \
  __attribute__((target("vaes,vpclmulqdq,avx512f,avx512bw,avx512vl,avx2,avx,aes,pclmul,sse4.1,ssse3")))

namespace tern::aes::detail {
namespace {

using namespace x86;

struct Acc512 {
  __m512i lo, mid, hi;
};

TERN_VAES512_TARGET inline __m512i bswap512(__m512i x) noexcept {
  const __m512i m = _mm512_broadcast_i32x4(_mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  return _mm512_shuffle_epi8(x, m);
}

TERN_VAES512_TARGET inline __m512i xor3(__m512i a, __m512i b, __m512i c) noexcept {
  return _mm512_ternarylogic_epi64(a, b, c, 0x96);
}

TERN_VAES512_TARGET inline void mul_acc512(Acc512& a, __m512i x, __m512i h) noexcept {
  a.lo = _mm512_xor_si512(a.lo, _mm512_clmulepi64_epi128(x, h, 0x00));
  a.hi = _mm512_xor_si512(a.hi, _mm512_clmulepi64_epi128(x, h, 0x11));
  a.mid = xor3(a.mid, _mm512_clmulepi64_epi128(x, h, 0x01), _mm512_clmulepi64_epi128(x, h, 0x10));
}

// Karatsuba form for the main loop: the middle term is one carry-less
// product (x.hi ^ x.lo)(h.hi ^ h.lo) per block, with hk = h ^ swap(h)
// precomputed; fold_k512 then recovers mid ^= lo ^ hi once per batch. Three
// VPCLMULQDQ per block instead of four (they share execution pipes with
// VAESENC on Zen 4).
TERN_VAES512_TARGET inline __m512i kara_key(__m512i h) noexcept {
  return _mm512_xor_si512(h, _mm512_shuffle_epi32(h, _MM_PERM_BADC));
}
TERN_VAES512_TARGET inline void mul_acc512k(Acc512& a, __m512i x, __m512i h, __m512i hk) noexcept {
  a.lo = _mm512_xor_si512(a.lo, _mm512_clmulepi64_epi128(x, h, 0x00));
  a.hi = _mm512_xor_si512(a.hi, _mm512_clmulepi64_epi128(x, h, 0x11));
  const __m512i xk = _mm512_xor_si512(x, _mm512_shuffle_epi32(x, _MM_PERM_BADC));
  a.mid = _mm512_xor_si512(a.mid, _mm512_clmulepi64_epi128(xk, hk, 0x00));
}

TERN_VAES512_TARGET inline __m128i hsum512(__m512i v) noexcept {
  const __m256i a = _mm256_xor_si256(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
  return _mm_xor_si128(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
}

// Sum of the four lanes' 256-bit products, as (L, H) 128-bit halves.
TERN_VAES512_TARGET inline void fold512(const Acc512& a, __m128i& L, __m128i& H) noexcept {
  L = hsum512(_mm512_xor_si512(a.lo, _mm512_bslli_epi128(a.mid, 8)));
  H = hsum512(_mm512_xor_si512(a.hi, _mm512_bsrli_epi128(a.mid, 8)));
}

TERN_VAES512_TARGET inline void fold_k512(Acc512 a, __m128i& L, __m128i& H) noexcept {
  a.mid = xor3(a.mid, a.lo, a.hi);
  fold512(a, L, H);
}

TERN_VAES512_TARGET inline Acc512 acc512_zero() noexcept {
  return {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
}

TERN_VAES512_TARGET inline __m512i htab512(const GcmKey& k, std::size_t idx) noexcept {
  return _mm512_loadu_si512(k.x86.htab[idx]);
}

inline __mmask64 byte_mask(std::size_t n) noexcept { return n >= 64 ? ~__mmask64{0} : ((__mmask64{1} << n) - 1); }

// GHASH over up to 256 bytes of data (zero padded), y folded in, one reduction.
TERN_VAES512_TARGET inline __m128i ghash_chunk(const GcmKey& k, __m128i y, const std::uint8_t* p, std::size_t bytes) noexcept {
  const std::size_t n = (bytes + 15) / 16;
  Acc512 a = acc512_zero();
  for (std::size_t z = 0; 64 * z < bytes; ++z) {
    __m512i d = bswap512(_mm512_maskz_loadu_epi8(byte_mask(bytes - 64 * z), p + 64 * z));
    if (z == 0) d = _mm512_xor_si512(d, _mm512_zextsi128_si512(y));
    mul_acc512(a, d, htab512(k, kHPowers - n + 4 * z));
  }
  __m128i L, H;
  fold512(a, L, H);
  return reduce256(L, H);
}

template <int NR>
TERN_VAES512_TARGET inline __m128i aes_xmm(const __m512i* rk, __m128i b) noexcept {
  b = _mm_xor_si128(b, _mm512_castsi512_si128(rk[0]));
  for (int r = 1; r < NR; ++r) b = _mm_aesenc_si128(b, _mm512_castsi512_si128(rk[r]));
  return _mm_aesenclast_si128(b, _mm512_castsi512_si128(rk[NR]));
}

// The last rem (< 256, NZ = ceil(rem/64) zmm) bytes, plus optionally up to
// 64 bytes of AAD before them, plus the length block: one GHASH batch.
// Returns the final GHASH value.
template <int NR, bool Dec, int NZ>
TERN_VAES512_TARGET inline __m128i tail(const GcmKey& k, const __m512i* rk, __m512i ctr, __m128i y,
                                        const std::uint8_t* aad, std::size_t aad_here, const std::uint8_t* in,
                                        std::uint8_t* out, std::size_t rem, __m128i lenblk) noexcept {
  const __m512i four = _mm512_broadcast_i32x4(_mm_set_epi32(0, 0, 0, 4));
  const std::size_t na = (aad_here + 15) / 16, nb = (rem + 15) / 16;
  const std::size_t base = kHPowers - (na + nb + 1);
  Acc512 a = acc512_zero();
  bool folded = false;
  if (na > 0) {
    __m512i d = bswap512(_mm512_maskz_loadu_epi8(byte_mask(aad_here), aad));
    d = _mm512_xor_si512(d, _mm512_zextsi128_si512(y));
    folded = true;
    mul_acc512(a, d, htab512(k, base));
  }
  if constexpr (NZ > 0) {
    __m512i b[NZ], d[NZ];
    __mmask64 m[NZ];
    for (int z = 0; z < NZ; ++z) {
      m[z] = byte_mask(rem - 64 * static_cast<std::size_t>(z));
      d[z] = _mm512_maskz_loadu_epi8(m[z], in + 64 * z);
      b[z] = _mm512_xor_si512(bswap512(ctr), rk[0]);
      ctr = _mm512_add_epi32(ctr, four);
    }
    for (int r = 1; r < NR; ++r)
      for (int z = 0; z < NZ; ++z) b[z] = _mm512_aesenc_epi128(b[z], rk[r]);
    for (int z = 0; z < NZ; ++z) {
      const __m512i c = _mm512_xor_si512(_mm512_aesenclast_epi128(b[z], rk[NR]), d[z]);
      const __m512i o = _mm512_maskz_mov_epi8(m[z], c);
      _mm512_mask_storeu_epi8(out + 64 * z, m[z], o);
      __m512i g = bswap512(Dec ? d[z] : o);
      if (z == 0 && !folded) {
        g = _mm512_xor_si512(g, _mm512_zextsi128_si512(y));
        folded = true;
      }
      mul_acc512(a, g, htab512(k, base + na + 4 * static_cast<std::size_t>(z)));
    }
  }
  __m128i L, H;
  fold512(a, L, H);
  Acc128 t = {L, _mm_setzero_si128(), H};
  if (!folded) lenblk = _mm_xor_si128(lenblk, y);
  mul_acc(t, lenblk, hpow(k, 1));
  return reduce(t);
}

template <int NR, bool Dec>
TERN_VAES512_TARGET inline __m128i tail_any(const GcmKey& k, const __m512i* rk, __m512i ctr, __m128i y,
                                            const std::uint8_t* aad, std::size_t aad_here, const std::uint8_t* in,
                                            std::uint8_t* out, std::size_t rem, __m128i lenblk) noexcept {
  switch ((rem + 63) / 64) {
    case 0: return tail<NR, Dec, 0>(k, rk, ctr, y, aad, aad_here, in, out, rem, lenblk);
    case 1: return tail<NR, Dec, 1>(k, rk, ctr, y, aad, aad_here, in, out, rem, lenblk);
    case 2: return tail<NR, Dec, 2>(k, rk, ctr, y, aad, aad_here, in, out, rem, lenblk);
    case 3: return tail<NR, Dec, 3>(k, rk, ctr, y, aad, aad_here, in, out, rem, lenblk);
    default: return tail<NR, Dec, 4>(k, rk, ctr, y, aad, aad_here, in, out, rem, lenblk);
  }
}

// zmm (of four blocks) per main-loop iteration, by key size and direction.
template <int NR, bool Dec>
inline constexpr int kWide = TERN_GCM512_WIDE;

// Returns p unchanged, but hides its value from the optimiser: loads through
// it then stay inside the loop as memory operands instead of being hoisted
// into (and spilled from) registers. The main loop keeps the round keys in
// registers and reads the powers of H from memory.
template <class T>
inline T* opaque(T* p) noexcept {
  __asm__("" : "+r"(p));
  return p;
}

// One main-loop chunk: the AES rounds of W*4 counter blocks, out = in ^
// keystream, and (if Ghash) the GHASH of the W*4 ciphertext blocks at g,
// one zmm of it between AES rounds, highest block first so that y (the
// previous chunk's reduced value, folded into block 0) is needed last.
// pw/pk: the powers H^(4W)..H^1 and their Karatsuba keys, 64 bytes per zmm.
template <int NR, int W, bool Ghash>
TERN_VAES512_TARGET __attribute__((always_inline)) inline void chunk(const __m512i* rk, __m512i& ctr, std::uint32_t& cnt,
                                                                    const std::uint8_t* in, std::uint8_t* out,
                                                                    const std::uint8_t* g, const std::uint8_t* pw,
                                                                    const std::uint8_t* pk, __m128i& y) noexcept {
  __m512i b[W];
  // While the low byte of the (public) counter does not wrap within the
  // chunk, its counter blocks are one byte swap of the first four plus
  // constants added to their last byte (VPSHUFB competes with VAESENC for
  // execution pipes; VPADDD does not).
  if ((cnt & 0xffu) <= 256u - 4u * W) {
    const __m512i base = bswap512(ctr);
    b[0] = _mm512_xor_si512(base, rk[0]);
    TERN_UNROLL
    for (int z = 1; z < W; ++z)
      b[z] = _mm512_xor_si512(_mm512_add_epi32(base, _mm512_broadcast_i32x4(_mm_set_epi32(4 * z << 24, 0, 0, 0))), rk[0]);
    ctr = _mm512_add_epi32(ctr, _mm512_broadcast_i32x4(_mm_set_epi32(0, 0, 0, 4 * W)));
  } else {
    const __m512i four = _mm512_broadcast_i32x4(_mm_set_epi32(0, 0, 0, 4));
    TERN_UNROLL
    for (int z = 0; z < W; ++z) {
      b[z] = _mm512_xor_si512(bswap512(ctr), rk[0]);
      ctr = _mm512_add_epi32(ctr, four);
    }
  }
  cnt += 4u * W;
  Acc512 a = acc512_zero();
  TERN_UNROLL
  for (int r = 1; r < NR; ++r) {
    TERN_UNROLL
    for (int z = 0; z < W; ++z) b[z] = _mm512_aesenc_epi128(b[z], rk[r]);
    if constexpr (Ghash) {
      if (r - 1 < W) {
        const int z = W - r;
        __m512i x = bswap512(_mm512_loadu_si512(g + 64 * z));
        if (z == 0) x = _mm512_xor_si512(x, _mm512_zextsi128_si512(y));
        mul_acc512k(a, x, _mm512_load_si512(pw + 64 * z), _mm512_load_si512(pk + 64 * z));
      }
    }
  }
  // The last AES round ends with "xor key": fold the data into that key.
  TERN_UNROLL
  for (int z = 0; z < W; ++z) {
    b[z] = _mm512_aesenclast_epi128(b[z], _mm512_xor_si512(rk[NR], _mm512_loadu_si512(in + 64 * z)));
    _mm512_storeu_si512(out + 64 * z, b[z]);
  }
  if constexpr (Ghash) {
    __m128i L, H;
    fold_k512(a, L, H);
    y = reduce256(L, H);
  }
}

// One full 256-byte chunk (16 blocks) with its own reduction.
template <int NR, bool Dec>
TERN_VAES512_TARGET inline __m128i ghash_then_ctr(const GcmKey& k, const __m512i* rk, __m512i& ctr, __m128i y,
                                                  const std::uint8_t* in, std::uint8_t* out) noexcept {
  const __m512i four = _mm512_broadcast_i32x4(_mm_set_epi32(0, 0, 0, 4));
  __m512i b[4], c[4];
  for (int z = 0; z < 4; ++z) {
    b[z] = _mm512_xor_si512(bswap512(ctr), rk[0]);
    ctr = _mm512_add_epi32(ctr, four);
    c[z] = _mm512_loadu_si512(in + 64 * z);
  }
  for (int r = 1; r < NR; ++r)
    for (int z = 0; z < 4; ++z) b[z] = _mm512_aesenc_epi128(b[z], rk[r]);
  Acc512 a = acc512_zero();
  for (int z = 0; z < 4; ++z) {
    b[z] = _mm512_xor_si512(_mm512_aesenclast_epi128(b[z], rk[NR]), c[z]);
    _mm512_storeu_si512(out + 64 * z, b[z]);
    __m512i g = bswap512(Dec ? c[z] : b[z]);
    if (z == 0) g = _mm512_xor_si512(g, _mm512_zextsi128_si512(y));
    mul_acc512(a, g, htab512(k, kHPowers - 16 + 4 * static_cast<std::size_t>(z)));
  }
  __m128i L, H;
  fold512(a, L, H);
  return reduce256(L, H);
}

template <int NR, bool Dec>
TERN_VAES512_TARGET void crypt(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                               const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept {
  // Round keys broadcast to all four lanes.
  __m512i rk[NR + 1];
  for (int r = 0; r <= NR; ++r)
    rk[r] = _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(k.x86.rk + 16 * r)));
  const __m128i j0v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(j0));
  const __m128i ekj0 = aes_xmm<NR>(rk, j0v);
  const __m128i lenblk = len_block(aad_len, len);
  // Counter blocks J0+1..J0+4 (as integers; 32-bit lane adds wrap mod 2^32 as GCM requires).
  __m512i ctr = _mm512_add_epi32(_mm512_broadcast_i32x4(bswap128(j0v)),
                                 _mm512_set_epi32(0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1));
  __m128i y;
  if (len <= 256 && aad_len <= 64) {
    // Short record: one batch for everything.
    y = tail_any<NR, Dec>(k, rk, ctr, _mm_setzero_si128(), aad, aad_len, in, out, len, lenblk);
  } else {
    y = _mm_setzero_si128();
    for (std::size_t p = 0; p < aad_len; p += 256)
      y = ghash_chunk(k, y, aad + p, aad_len - p < 256 ? aad_len - p : 256);
    constexpr int W = kWide<NR, Dec>;       // zmm per iteration
    constexpr std::size_t kBytes = 64 * W;  // bytes per iteration
    static_assert(W <= NR - 1, "one GHASH zmm per AES round");
    std::size_t i = 0;
    if (len >= kBytes) {
      // H^(4W)..H^1 and their Karatsuba keys, copied to 64-byte aligned
      // stack buffers (the context is only 16-byte aligned; split loads in
      // the main loop would cost twice).
      alignas(64) std::uint8_t pk[64 * W], pw[64 * W];
      for (int z = 0; z < W; ++z) {
        const __m512i h = htab512(k, kHPowers - 4 * W + 4 * static_cast<std::size_t>(z));
        _mm512_store_si512(pw + 64 * z, h);
        _mm512_store_si512(pk + 64 * z, kara_key(h));
      }
      std::uint32_t cnt = static_cast<std::uint32_t>(_mm_cvtsi128_si32(_mm512_castsi512_si128(ctr)));
      if constexpr (Dec) {
        for (; len - i >= kBytes; i += kBytes)
          chunk<NR, W, true>(rk, ctr, cnt, in + i, out + i, in + i, opaque(pw), opaque(pk), y);
      } else {
        // Sealing hashes the previous chunk's ciphertext (already in out).
        chunk<NR, W, false>(rk, ctr, cnt, in, out, nullptr, nullptr, nullptr, y);
        for (i = kBytes; len - i >= kBytes; i += kBytes)
          chunk<NR, W, true>(rk, ctr, cnt, in + i, out + i, out + i - kBytes, opaque(pw), opaque(pk), y);
        Acc512 a = acc512_zero();
        const std::uint8_t* g = out + i - kBytes;
        for (int z = 0; z < W; ++z) {
          __m512i x = bswap512(_mm512_loadu_si512(g + 64 * z));
          if (z == 0) x = _mm512_xor_si512(x, _mm512_zextsi128_si512(y));
          mul_acc512k(a, x, _mm512_load_si512(pw + 64 * z), _mm512_load_si512(pk + 64 * z));
        }
        __m128i L, H;
        fold_k512(a, L, H);
        y = reduce256(L, H);
      }
      wipe_object(pk);
      wipe_object(pw);
    }
    // Whole 256-byte chunks left over (W > 4), then the tail.
    for (; len - i >= 256; i += 256) {
      y = ghash_then_ctr<NR, Dec>(k, rk, ctr, y, in + i, out + i);
    }
    y = tail_any<NR, Dec>(k, rk, ctr, y, nullptr, 0, in + i, out + i, len - i, lenblk);
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(tag), _mm_xor_si128(bswap128(y), ekj0));
}

}  // namespace

// Powers used: H^1..H^32 (the 32-block main loop).
void gcm_vaes512_init(GcmKey& k, const std::uint8_t* rk) noexcept {
  if (k.rounds == 10) init_x86<10>(k, rk, 32);
  else init_x86<14>(k, rk, 32);
}

void gcm_vaes512_seal(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                      const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept {
  if (k.rounds == 10) crypt<10, false>(k, j0, aad, aad_len, in, out, len, tag);
  else crypt<14, false>(k, j0, aad, aad_len, in, out, len, tag);
}

void gcm_vaes512_open(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                      const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept {
  if (k.rounds == 10) crypt<10, true>(k, j0, aad, aad_len, in, out, len, tag);
  else crypt<14, true>(k, j0, aad, aad_len, in, out, len, tag);
}

}  // namespace tern::aes::detail

#endif  // TERN_SIMD && __x86_64__
