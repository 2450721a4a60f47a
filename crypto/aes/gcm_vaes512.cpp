// AES-GCM with VAES + VPCLMULQDQ on 512-bit registers (AVX-512F/BW/VL).
//
// Main loop (main_loop_asm(), inline assembly): 32 blocks (eight zmm of four
// blocks) per iteration. The AES rounds of the 32 counter blocks are issued
// alongside the GHASH of 32 ciphertext blocks (sealing: the previous
// iteration's output, read back from out; opening: this iteration's input),
// two zmm at a time between AES rounds, each block multiplied by its own
// power H^32..H^1 (Karatsuba, three VPCLMULQDQ per zmm; the middle terms of
// a pair from one VPUNPCKL/HQDQ + VPXORQ), with one reduction
// per iteration (two carry-less multiplications by a constant, the powers
// being pre-multiplied by x^-1). Round keys stay in registers; the powers of
// H and the packed Karatsuba keys are memory operands, prepared once at
// init in the context (GcmKeyVaes512, 64-byte aligned there): preparing and
// wiping them on the stack per call cost ~70 cycles (1350 B records 10-19%
// slower, 16 KiB 2-3%). Every path uses the powers times x^-1 (reduce_xinv). Whole 256-byte chunks left after the main loop use
// ghash_then_ctr().
//
// Short messages and tails use masked loads/stores (no copies; near the end
// of a page they are moved so as not to reach into the next one, see
// load_part/store_part): the last < 256 bytes, the length block and, for
// short records (AAD <= 64 bytes and data <= 256 bytes, e.g. TLS), the AAD
// too are hashed as one batch with a single reduction; the powers for a
// batch of T blocks are the contiguous table entries H^T..H^1 (the table is
// zero padded so lanes past the end multiply zero data by zero).
//
// Measured (Zen 4, 16 KiB, 13 bytes of AAD, core cycles): main loop ~120
// (AES-128) and ~137 (AES-256) cycles per 512 bytes against 104 and 136 for
// the VAES + VPCLMULQDQ issue alone; ~250-400 cycles per call outside it.
#if TERN_SIMD && defined(__x86_64__)

#include <cstdint>
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

// h * x^-1 in each lane (the main-loop assembly's powers): a left shift of
// the 128-bit integer by one, and if a bit falls out, x^-1 = x^127 + x^6 +
// x + 1 added back (0xC2000000_00000000_00000000_00000001).
TERN_VAES512_TARGET inline __m512i mul_xinv512(__m512i h) noexcept {
  const __m512i carry = _mm512_srli_epi64(h, 63);
  const __m512i sh = _mm512_or_si512(_mm512_slli_epi64(h, 1), _mm512_bslli_epi128(carry, 8));
  const __m512i top = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_shuffle_epi32(carry, _MM_PERM_CCCC));
  const __m512i poly = _mm512_broadcast_i32x4(_mm_set_epi32(static_cast<int>(0xC2000000u), 0, 0, 1));
  return _mm512_xor_si512(sh, _mm512_and_si512(top, poly));
}

// The reduction for products made with powers pre-multiplied by x^-1 (see
// main_loop_asm): two carry-less multiplications by 0xC2 << 56.
TERN_VAES512_TARGET inline __m128i reduce_xinv(__m128i L, __m128i H) noexcept {
  const __m128i poly = _mm_set_epi32(static_cast<int>(0xC2000000u), 0, 0, 1);
  L = _mm_xor_si128(_mm_shuffle_epi32(L, 0x4e), _mm_clmulepi64_si128(L, poly, 0x10));
  L = _mm_xor_si128(_mm_shuffle_epi32(L, 0x4e), _mm_clmulepi64_si128(L, poly, 0x10));
  return _mm_xor_si128(L, H);
}

// Karatsuba key of h for the main loop: (h.hi ^ h.lo) in both halves; the
// middle term of a product is then one carry-less product (x.hi ^ x.lo) *
// (h.hi ^ h.lo), and mid ^= lo ^ hi once per batch recovers it. Three
// VPCLMULQDQ per block instead of four (they share execution pipes with
// VAESENC on Zen 4).
TERN_VAES512_TARGET inline __m512i kara_key(__m512i h) noexcept {
  return _mm512_xor_si512(h, _mm512_shuffle_epi32(h, _MM_PERM_BADC));
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

TERN_VAES512_TARGET inline Acc512 acc512_zero() noexcept {
  return {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
}

// The context's tables (see GcmKeyVaes512): the packed Karatsuba keys of
// the main loop, then the powers times x^-1, entry idx = H^(kHPowers - idx)
// * x^-1 (products with them are reduced by reduce_xinv).
inline const std::uint8_t* v512_pk(const GcmKey& k) noexcept { return k.v512.tab + k.v512_off; }
inline const std::uint8_t* v512_pw(const GcmKey& k) noexcept { return k.v512.tab + k.v512_off + kV512Pk; }

TERN_VAES512_TARGET inline __m512i htab512(const GcmKey& k, std::size_t idx) noexcept {
  return _mm512_loadu_si512(v512_pw(k) + 16 * idx);
}

inline __mmask64 byte_mask(std::size_t n) noexcept { return n >= 64 ? ~__mmask64{0} : ((__mmask64{1} << n) - 1); }

// Partial (masked) loads and stores of the first n bytes at p. A masked
// access whose 64 bytes reach into the next 4 KiB page while its active
// bytes do not takes a fault-suppression assist when that page is not
// mapped or not yet touched (measured: a 100-byte record ending at a guard
// page sealed in ~890 instead of ~250 cycles, 16 KiB +900..1400). For those
// rare placements (a branch on the public address and length only) the
// access is made from q, the last 64 bytes of p's page, with the mask moved
// up by p - q, and the data moved by a store and reload through a stack
// buffer (then zeroed). No calls: a memcpy there made the compiler save
// vector registers around it on every short record.
inline bool masked_span_faults(const std::uint8_t* p, std::size_t n) noexcept {
  const std::size_t o = reinterpret_cast<std::uintptr_t>(p) & 4095;
  return n < 64 && o > 4096 - 64 && o + n <= 4096;
}

TERN_VAES512_TARGET inline void zero_stack128(std::uint8_t* b) noexcept {
  _mm512_store_si512(b, _mm512_setzero_si512());
  _mm512_store_si512(b + 64, _mm512_setzero_si512());
  // The asm "reads" exactly these 128 bytes, so the zeroing stores are kept
  // (a "memory" clobber here made GCC keep the round keys on the stack).
  __asm__ __volatile__("" : : "m"(*reinterpret_cast<const std::uint8_t(*)[128]>(b)));
}

TERN_VAES512_TARGET inline __m512i load_part(const std::uint8_t* p, std::size_t n) noexcept {
  if (masked_span_faults(p, n)) [[unlikely]] {
    const std::size_t sh = (reinterpret_cast<std::uintptr_t>(p) & 63);  // p - q
    alignas(64) std::uint8_t b[128];
    _mm512_store_si512(b, _mm512_maskz_loadu_epi8(byte_mask(n) << sh, p - sh));
    const __m512i v = _mm512_maskz_loadu_epi8(byte_mask(n), b + sh);
    zero_stack128(b);
    return v;
  }
  return _mm512_maskz_loadu_epi8(byte_mask(n), p);
}

// Stores the first n bytes of v (only those bytes are written).
TERN_VAES512_TARGET inline void store_part(std::uint8_t* p, std::size_t n, __m512i v) noexcept {
  if (masked_span_faults(p, n)) [[unlikely]] {
    const std::size_t sh = (reinterpret_cast<std::uintptr_t>(p) & 63);
    alignas(64) std::uint8_t b[128];
    _mm512_storeu_si512(b + sh, v);
    _mm512_mask_storeu_epi8(p - sh, byte_mask(n) << sh, _mm512_load_si512(b));
    zero_stack128(b);
    return;
  }
  _mm512_mask_storeu_epi8(p, byte_mask(n), v);
}

// GHASH over up to 256 bytes of data (zero padded), y folded in, one reduction.
TERN_VAES512_TARGET inline __m128i ghash_chunk(const GcmKey& k, __m128i y, const std::uint8_t* p, std::size_t bytes) noexcept {
  const std::size_t n = (bytes + 15) / 16;
  Acc512 a = acc512_zero();
  for (std::size_t z = 0; 64 * z < bytes; ++z) {
    __m512i d = bswap512(load_part(p + 64 * z, bytes - 64 * z));
    if (z == 0) d = _mm512_xor_si512(d, _mm512_zextsi128_si512(y));
    mul_acc512(a, d, htab512(k, kHPowers - n + 4 * z));
  }
  __m128i L, H;
  fold512(a, L, H);
  return reduce_xinv(L, H);
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
    __m512i d = bswap512(load_part(aad, aad_here));
    d = _mm512_xor_si512(d, _mm512_zextsi128_si512(y));
    folded = true;
    mul_acc512(a, d, htab512(k, base));
  }
  if constexpr (NZ > 0) {
    __m512i b[NZ], d[NZ];
    __mmask64 m[NZ];
    for (int z = 0; z < NZ; ++z) {
      m[z] = byte_mask(rem - 64 * static_cast<std::size_t>(z));
      d[z] = load_part(in + 64 * z, rem - 64 * static_cast<std::size_t>(z));
      b[z] = _mm512_xor_si512(bswap512(ctr), rk[0]);
      ctr = _mm512_add_epi32(ctr, four);
    }
    for (int r = 1; r < NR; ++r)
      for (int z = 0; z < NZ; ++z) b[z] = _mm512_aesenc_epi128(b[z], rk[r]);
    for (int z = 0; z < NZ; ++z) {
      const __m512i c = _mm512_xor_si512(_mm512_aesenclast_epi128(b[z], rk[NR]), d[z]);
      const __m512i o = _mm512_maskz_mov_epi8(m[z], c);
      store_part(out + 64 * z, rem - 64 * static_cast<std::size_t>(z), o);
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
  if (!folded) lenblk = _mm_xor_si128(lenblk, y);
  const __m128i h1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(v512_pw(k) + 16 * (kHPowers - 1)));
  L = _mm_xor_si128(L, _mm_clmulepi64_si128(lenblk, h1, 0x00));
  H = _mm_xor_si128(H, _mm_clmulepi64_si128(lenblk, h1, 0x11));
  const __m128i m = _mm_xor_si128(_mm_clmulepi64_si128(lenblk, h1, 0x01), _mm_clmulepi64_si128(lenblk, h1, 0x10));
  return reduce_xinv(_mm_xor_si128(L, _mm_slli_si128(m, 8)), _mm_xor_si128(H, _mm_srli_si128(m, 8)));
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

// zmm (of four blocks) per main-loop iteration.
constexpr int kWide = 8;

// The first main-loop chunk of a sealing (nothing to hash yet): the AES
// rounds of 32 counter blocks, out = in ^ keystream.
template <int NR>
TERN_VAES512_TARGET __attribute__((always_inline)) inline void ctr_chunk(const __m512i* rk, __m512i& ctr, std::uint32_t& cnt,
                                                                        const std::uint8_t* in, std::uint8_t* out) noexcept {
  constexpr int W = kWide;
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
  TERN_UNROLL
  for (int r = 1; r < NR; ++r) {
    TERN_UNROLL
    for (int z = 0; z < W; ++z) b[z] = _mm512_aesenc_epi128(b[z], rk[r]);
  }
  // The last AES round ends with "xor key": fold the data into that key.
  // Every input load comes before the first store (see TERN_LAST8: loads
  // issued after stores were made to wait behind them for some buffer
  // placements; in and out may alias, so the compiler keeps this order).
  __m512i d[W];
  TERN_UNROLL
  for (int z = 0; z < W; ++z) d[z] = _mm512_xor_si512(rk[NR], _mm512_loadu_si512(in + 64 * z));
  TERN_UNROLL
  for (int z = 0; z < W; ++z) b[z] = _mm512_aesenclast_epi128(b[z], d[z]);
  TERN_UNROLL
  for (int z = 0; z < W; ++z) _mm512_storeu_si512(out + 64 * z, b[z]);
}

// Main loop in inline assembly (W = 8: 32 blocks per iteration), for n
// iterations that all hash: AES rounds of 32 counter blocks with the GHASH
// of the 32 blocks at g (opening: the input itself; sealing: the previous
// iteration's output), and one reduction per iteration. Register use:
//   zmm0-7   AES states          zmm8     next counter blocks, byte swapped
//   zmm9-11  GHASH lo, hi, mid   zmm12-14 temporaries
//   zmm15    y (xmm, upper zero) zmm16..  round keys 0..NR (broadcast)
//   zmm31    temporary (the byte-swap mask is a memory operand)
// Compiled intrinsics spilled the products to the stack and issued the GHASH
// apart from the AES rounds; here every register is placed by hand.
// Counter blocks: while the low byte of the (public) block counter does not
// wrap within the iteration, block z is zmm8 plus a constant on its last
// byte; otherwise (label 5) each zmm is swapped back, added and swapped again.
// On exit the vector registers are zeroed (round keys, keystream, GHASH state;
// zero idioms: 3 cycles here against 6 for VZEROALL).
// Reduction: a power stored as h * x^-1 makes the carry-less product of two
// (byte-swapped, bit-reflected) 128-bit values the 256-bit reflected form of
// the field product itself (no shift by one). With H:L its halves, the result
// is H + x^128 * l, l the polynomial of L. Writing l = l0 + x^64 l1 (l0 in
// the high qword of L), one step takes v = x^64 l0 + l1 * (x^7+x^2+x+1):
// L.lo times 0xC200000000000000 (the reflected 1 + x + x^6, times x by the
// product's alignment) xored into L with its qwords swapped; x^64 v = x^128 l
// mod P. Two steps give x^128 l itself.
struct alignas(64) AsmConsts {
  std::uint32_t v[18][16];
};
constexpr AsmConsts make_asm_consts() noexcept {
  AsmConsts c{};
  for (int l = 0; l < 4; ++l) {
    // [0]: byte reversal of each 128-bit lane (VPSHUFB indices 15..0).
    for (int d = 0; d < 4; ++d) {
      const std::uint32_t b0 = 15u - 4u * static_cast<std::uint32_t>(d);
      c.v[0][4 * l + d] = b0 | (b0 - 1) << 8 | (b0 - 2) << 16 | (b0 - 3) << 24;
    }
    // [z], z = 1..8: 4z added to the last byte (byte-swapped domain).
    // [8 + z], z = 1..8: 4z added to the counter (integer domain).
    for (std::uint32_t z = 1; z <= 8; ++z) {
      c.v[z][4 * l + 3] = (4u * z) << 24;
      c.v[8 + z][4 * l] = 4u * z;
    }
  }
  // [17], low 16 bytes: 0xC2000000_00000000_00000000_00000001 (see below).
  c.v[17][0] = 1;
  c.v[17][3] = 0xC2000000u;
  return c;
}
constexpr AsmConsts kAsmConsts = make_asm_consts();

#define TERN_AES8(K)                                                                                         \
  "vaesenc %%zmm" K ", %%zmm0, %%zmm0\n\t"                                                                   \
  "vaesenc %%zmm" K ", %%zmm1, %%zmm1\n\t"                                                                   \
  "vaesenc %%zmm" K ", %%zmm2, %%zmm2\n\t"                                                                   \
  "vaesenc %%zmm" K ", %%zmm3, %%zmm3\n\t"                                                                   \
  "vaesenc %%zmm" K ", %%zmm4, %%zmm4\n\t"                                                                   \
  "vaesenc %%zmm" K ", %%zmm5, %%zmm5\n\t"                                                                   \
  "vaesenc %%zmm" K ", %%zmm6, %%zmm6\n\t"                                                                   \
  "vaesenc %%zmm" K ", %%zmm7, %%zmm7\n\t"
// GHASH of the zmm pair at g + A (odd zmm index), g + B (the even one
// below it) with the powers at pw + A, B (Karatsuba; each accumulator takes
// both products in one VPTERNLOGQ). The middle terms: VPUNPCKLQDQ and
// VPUNPCKHQDQ of the pair, XORed, hold (x.lo ^ x.hi) of the even block in
// each lane's low qword and of the odd one in the high qword; the keys at
// pk + KO are packed the same way, so two VPCLMULQDQ (0x00, 0x11) give both
// middle products from three vector operations instead of four.
// YX: y folded into the even one.
#define TERN_GH2(A, B, KO, YX)                                                                               \
  "vmovdqu64 " A "(%[g]), %%zmm12\n\t"                                                                       \
  "vpshufb (%[cst]), %%zmm12, %%zmm12\n\t"                                                                   \
  "vmovdqu64 " B "(%[g]), %%zmm13\n\t"                                                                       \
  "vpshufb (%[cst]), %%zmm13, %%zmm13\n\t" YX                                                                \
  "vpclmulqdq $0x00, " A "(%[pw]), %%zmm12, %%zmm14\n\t"                                                     \
  "vpclmulqdq $0x00, " B "(%[pw]), %%zmm13, %%zmm31\n\t"                                                     \
  "vpternlogq $0x96, %%zmm14, %%zmm31, %%zmm9\n\t"                                                           \
  "vpclmulqdq $0x11, " A "(%[pw]), %%zmm12, %%zmm14\n\t"                                                     \
  "vpclmulqdq $0x11, " B "(%[pw]), %%zmm13, %%zmm31\n\t"                                                     \
  "vpternlogq $0x96, %%zmm14, %%zmm31, %%zmm10\n\t"                                                          \
  "vpunpcklqdq %%zmm12, %%zmm13, %%zmm14\n\t"                                                                \
  "vpunpckhqdq %%zmm12, %%zmm13, %%zmm31\n\t"                                                                \
  "vpxorq %%zmm31, %%zmm14, %%zmm14\n\t"                                                                     \
  "vpclmulqdq $0x00, " KO "(%[pk]), %%zmm14, %%zmm31\n\t"                                                    \
  "vpclmulqdq $0x11, " KO "(%[pk]), %%zmm14, %%zmm14\n\t"                                                    \
  "vpternlogq $0x96, %%zmm14, %%zmm31, %%zmm11\n\t"
#define TERN_YX "vpxorq %%zmm15, %%zmm13, %%zmm13\n\t"
// Counter block zmm Z: fast (byte-swapped base + constant) and slow.
#define TERN_CTRF(Z, OFF)                                                                                    \
  "vpaddd " OFF "(%[cst]), %%zmm8, %%zmm" Z "\n\t"                                                           \
  "vpxorq %%zmm16, %%zmm" Z ", %%zmm" Z "\n\t"
#define TERN_CTRS(Z, OFF)                                                                                    \
  "vpaddd " OFF "(%[cst]), %%zmm12, %%zmm13\n\t"                                                             \
  "vpshufb (%[cst]), %%zmm13, %%zmm13\n\t"                                                                  \
  "vpxorq %%zmm16, %%zmm13, %%zmm" Z "\n\t"
// Last round with the input folded into the key, then the stores. All
// eight input loads come before the first store: interleaved (load, store,
// load, ...), some placements of the input and output buffers (by physical
// address: the same process layout was fast or slow from run to run, never
// in place) made the loads wait behind the stores, sealing 16 KiB ~35%
// slower (5600 against 4250 cycles, AES-128); opening was not affected.
#define TERN_LX(K, T, OFF) "vpxorq " OFF "(%[in]), %%zmm" K ", %%zmm" T "\n\t"
#define TERN_LE(T, Z) "vaesenclast %%zmm" T ", %%zmm" Z ", %%zmm" Z "\n\t"
#define TERN_ST(Z, OFF) "vmovdqu64 %%zmm" Z ", " OFF "(%[out])\n\t"
#define TERN_LAST8(K)                                                                                        \
  TERN_LX(K, "12", "0") TERN_LX(K, "13", "64") TERN_LX(K, "14", "128") TERN_LX(K, "31", "192")                \
  TERN_LE("12", "0") TERN_LE("13", "1") TERN_LE("14", "2") TERN_LE("31", "3")                                  \
  TERN_LX(K, "12", "256") TERN_LX(K, "13", "320") TERN_LX(K, "14", "384") TERN_LX(K, "31", "448")             \
  TERN_LE("12", "4") TERN_LE("13", "5") TERN_LE("14", "6") TERN_LE("31", "7")                                  \
  TERN_ST("0", "0") TERN_ST("1", "64") TERN_ST("2", "128") TERN_ST("3", "192")                               \
  TERN_ST("4", "256") TERN_ST("5", "320") TERN_ST("6", "384") TERN_ST("7", "448")

// Entry: counter base, y, round keys 0..NR (broadcast from the context's
// 16-byte round keys) into zmm16.. (NR = 10 or 14).
#define TERN_ENTRY                                                                                           \
  "vmovdqa64 64(%[st]), %%zmm8\n\t"                                                                          \
  "vmovdqa (%[st]), %%xmm15\n\t"                                                                             \
  "vbroadcasti32x4 0(%[rk]), %%zmm16\n\t"                                                                    \
  "vbroadcasti32x4 16(%[rk]), %%zmm17\n\t"                                                                   \
  "vbroadcasti32x4 32(%[rk]), %%zmm18\n\t"                                                                   \
  "vbroadcasti32x4 48(%[rk]), %%zmm19\n\t"                                                                   \
  "vbroadcasti32x4 64(%[rk]), %%zmm20\n\t"                                                                   \
  "vbroadcasti32x4 80(%[rk]), %%zmm21\n\t"                                                                   \
  "vbroadcasti32x4 96(%[rk]), %%zmm22\n\t"                                                                   \
  "vbroadcasti32x4 112(%[rk]), %%zmm23\n\t"                                                                  \
  "vbroadcasti32x4 128(%[rk]), %%zmm24\n\t"                                                                  \
  "vbroadcasti32x4 144(%[rk]), %%zmm25\n\t"                                                                  \
  "vbroadcasti32x4 160(%[rk]), %%zmm26\n\t"
#define TERN_ENTRY14                                                                                         \
  "vbroadcasti32x4 176(%[rk]), %%zmm27\n\t"                                                                  \
  "vbroadcasti32x4 192(%[rk]), %%zmm28\n\t"                                                                  \
  "vbroadcasti32x4 208(%[rk]), %%zmm29\n\t"                                                                  \
  "vbroadcasti32x4 224(%[rk]), %%zmm30\n\t"

// Loop head: counter blocks (the slow path at 5: rejoins at 3:), GHASH
// accumulators cleared.
#define TERN_HEAD                                                                                            \
  "1:\n\t"                                                                                                   \
  "cmpb $220, %b[cnt]\n\t"                                                                                   \
  "ja 5f\n\t"                                                                                                \
  "vpxorq %%zmm16, %%zmm8, %%zmm0\n\t" TERN_CTRF("1", "64") TERN_CTRF("2", "128") TERN_CTRF("3", "192")     \
      TERN_CTRF("4", "256") TERN_CTRF("5", "320") TERN_CTRF("6", "384") TERN_CTRF("7", "448")               \
  "vpaddd 512(%[cst]), %%zmm8, %%zmm8\n\t"                                                                   \
  "3:\n\t"                                                                                                   \
  "vpxor %%xmm9, %%xmm9, %%xmm9\n\t"                                                                         \
  "vpxor %%xmm10, %%xmm10, %%xmm10\n\t"                                                                      \
  "vpxor %%xmm11, %%xmm11, %%xmm11\n\t"

// Loop tail: pointers, fold of the four lanes and the reduction (the
// shift-based reduce256 of gcm_x86.hpp) into xmm15, loop; then the slow
// counter path and the register wipe.
#define TERN_TAIL                                                                                            \
  "add $512, %[in]\n\t"                                                                                      \
  "add $512, %[out]\n\t"                                                                                     \
  "add $512, %[g]\n\t"                                                                                       \
  "add $32, %[cnt]\n\t"                                                                                      \
  "vextracti64x4 $1, %%zmm9, %%ymm12\n\t"                                                                    \
  "vextracti64x4 $1, %%zmm10, %%ymm13\n\t"                                                                   \
  "vextracti64x4 $1, %%zmm11, %%ymm14\n\t"                                                                   \
  "vpxor %%ymm12, %%ymm9, %%ymm9\n\t"                                                                        \
  "vpxor %%ymm13, %%ymm10, %%ymm10\n\t"                                                                      \
  "vpxor %%ymm14, %%ymm11, %%ymm11\n\t"                                                                      \
  "vextracti128 $1, %%ymm9, %%xmm12\n\t"                                                                     \
  "vextracti128 $1, %%ymm10, %%xmm13\n\t"                                                                    \
  "vextracti128 $1, %%ymm11, %%xmm14\n\t"                                                                    \
  "vpxor %%xmm12, %%xmm9, %%xmm9\n\t"                                                                        \
  "vpxor %%xmm13, %%xmm10, %%xmm10\n\t"                                                                      \
  "vpternlogq $0x96, %%xmm14, %%xmm9, %%xmm11\n\t"                                                           \
  "vpxor %%xmm10, %%xmm11, %%xmm11\n\t"                                                                      \
  "vpslldq $8, %%xmm11, %%xmm12\n\t"                                                                         \
  "vpsrldq $8, %%xmm11, %%xmm13\n\t"                                                                         \
  "vpxor %%xmm12, %%xmm9, %%xmm9\n\t"                                                                        \
  "vpxor %%xmm13, %%xmm10, %%xmm10\n\t"                                                                      \
  "vpclmulqdq $0x10, 1088(%[cst]), %%xmm9, %%xmm12\n\t"                                                      \
  "vpshufd $0x4e, %%xmm9, %%xmm9\n\t"                                                                        \
  "vpxor %%xmm12, %%xmm9, %%xmm9\n\t"                                                                        \
  "vpclmulqdq $0x10, 1088(%[cst]), %%xmm9, %%xmm12\n\t"                                                      \
  "vpshufd $0x4e, %%xmm9, %%xmm9\n\t"                                                                        \
  "vpxor %%xmm10, %%xmm12, %%xmm12\n\t"                                                                      \
  "vpxor %%xmm12, %%xmm9, %%xmm15\n\t"                                                                       \
  "dec %[n]\n\t"                                                                                             \
  "jnz 1b\n\t"                                                                                               \
  "jmp 6f\n\t"                                                                                               \
  "5:\n\t"                                                                                                   \
  "vpshufb (%[cst]), %%zmm8, %%zmm12\n\t"                                                                     \
  "vpxorq %%zmm16, %%zmm8, %%zmm0\n\t" TERN_CTRS("1", "576") TERN_CTRS("2", "640") TERN_CTRS("3", "704")    \
      TERN_CTRS("4", "768") TERN_CTRS("5", "832") TERN_CTRS("6", "896") TERN_CTRS("7", "960")               \
  "vpaddd 1024(%[cst]), %%zmm12, %%zmm13\n\t"                                                                \
  "vpshufb (%[cst]), %%zmm13, %%zmm8\n\t"                                                                     \
  "jmp 3b\n\t"                                                                                               \
  "6:\n\t"                                                                                                   \
  "vmovdqa %%xmm15, (%[st])\n\t"                                                                             \
  "vpxor %%xmm0, %%xmm0, %%xmm0\n\t"                                                                         \
  "vpxor %%xmm1, %%xmm1, %%xmm1\n\t"                                                                         \
  "vpxor %%xmm2, %%xmm2, %%xmm2\n\t"                                                                         \
  "vpxor %%xmm3, %%xmm3, %%xmm3\n\t"                                                                         \
  "vpxor %%xmm4, %%xmm4, %%xmm4\n\t"                                                                         \
  "vpxor %%xmm5, %%xmm5, %%xmm5\n\t"                                                                         \
  "vpxor %%xmm6, %%xmm6, %%xmm6\n\t"                                                                         \
  "vpxor %%xmm7, %%xmm7, %%xmm7\n\t"                                                                         \
  "vpxor %%xmm8, %%xmm8, %%xmm8\n\t"                                                                         \
  "vpxor %%xmm9, %%xmm9, %%xmm9\n\t"                                                                         \
  "vpxor %%xmm10, %%xmm10, %%xmm10\n\t"                                                                      \
  "vpxor %%xmm11, %%xmm11, %%xmm11\n\t"                                                                      \
  "vpxor %%xmm12, %%xmm12, %%xmm12\n\t"                                                                      \
  "vpxor %%xmm13, %%xmm13, %%xmm13\n\t"                                                                      \
  "vpxor %%xmm14, %%xmm14, %%xmm14\n\t"                                                                      \
  "vpxor %%xmm15, %%xmm15, %%xmm15\n\t"                                                                      \
  "vpxord %%zmm16, %%zmm16, %%zmm16\n\t"                                                                     \
  "vpxord %%zmm17, %%zmm17, %%zmm17\n\t"                                                                     \
  "vpxord %%zmm18, %%zmm18, %%zmm18\n\t"                                                                     \
  "vpxord %%zmm19, %%zmm19, %%zmm19\n\t"                                                                     \
  "vpxord %%zmm20, %%zmm20, %%zmm20\n\t"                                                                     \
  "vpxord %%zmm21, %%zmm21, %%zmm21\n\t"                                                                     \
  "vpxord %%zmm22, %%zmm22, %%zmm22\n\t"                                                                     \
  "vpxord %%zmm23, %%zmm23, %%zmm23\n\t"                                                                     \
  "vpxord %%zmm24, %%zmm24, %%zmm24\n\t"                                                                     \
  "vpxord %%zmm25, %%zmm25, %%zmm25\n\t"                                                                     \
  "vpxord %%zmm26, %%zmm26, %%zmm26\n\t"                                                                     \
  "vpxord %%zmm27, %%zmm27, %%zmm27\n\t"                                                                     \
  "vpxord %%zmm28, %%zmm28, %%zmm28\n\t"                                                                     \
  "vpxord %%zmm29, %%zmm29, %%zmm29\n\t"                                                                     \
  "vpxord %%zmm30, %%zmm30, %%zmm30\n\t"

#define TERN_ASM_OPERANDS                                                                                    \
  : [in] "+r"(in), [out] "+r"(out), [g] "+r"(g), [n] "+r"(n), [cnt] "+r"(cnt)                               \
  : [pw] "r"(pw), [pk] "r"(pk), [rk] "r"(rk), [cst] "r"(kAsmConsts.v), [st] "r"(st)                          \
  : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",  \
    "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21",      \
    "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31"

// n >= 1 iterations of 512 bytes. rk: the NR + 1 round keys (16 bytes
// each); st: y in the low 16 bytes of st[0] (rest zero) and the next
// counter blocks, byte swapped, in st[1]; y comes back in st[0]. cnt: the
// integer counter of the first block (advanced by 32 per iteration).
template <int NR>
TERN_VAES512_TARGET void main_loop_asm(const std::uint8_t* rk, __m512i* st, std::uint32_t& cnt_io, const std::uint8_t* in,
                                       std::uint8_t* out, const std::uint8_t* g, const std::uint8_t* pw,
                                       const std::uint8_t* pk, std::size_t n) noexcept {
  std::uint32_t cnt = cnt_io;
  // GHASH pair placement: measured best of several (front-loaded for
  // AES-128; every second round for AES-256).
  if constexpr (NR == 10) {
    __asm__ volatile(TERN_ENTRY TERN_HEAD                            //
                     TERN_AES8("17") TERN_GH2("448", "384", "192", "")      //
                     TERN_AES8("18") TERN_GH2("320", "256", "128", "")      //
                     TERN_AES8("19") TERN_GH2("192", "128", "64", "")      //
                     TERN_AES8("20")                                 //
                     TERN_AES8("21") TERN_GH2("64", "0", "0", TERN_YX)    //
                     TERN_AES8("22")                                 //
                     TERN_AES8("23")                                 //
                     TERN_AES8("24")                                 //
                     TERN_AES8("25")                                 //
                     TERN_LAST8("26") TERN_TAIL TERN_ASM_OPERANDS);
  } else {
    __asm__ volatile(TERN_ENTRY TERN_ENTRY14 TERN_HEAD               //
                     TERN_AES8("17")                                 //
                     TERN_AES8("18") TERN_GH2("448", "384", "192", "")      //
                     TERN_AES8("19")                                 //
                     TERN_AES8("20") TERN_GH2("320", "256", "128", "")      //
                     TERN_AES8("21")                                 //
                     TERN_AES8("22") TERN_GH2("192", "128", "64", "")      //
                     TERN_AES8("23")                                 //
                     TERN_AES8("24") TERN_GH2("64", "0", "0", TERN_YX)    //
                     TERN_AES8("25")                                 //
                     TERN_AES8("26")                                 //
                     TERN_AES8("27")                                 //
                     TERN_AES8("28")                                 //
                     TERN_AES8("29")                                 //
                     TERN_LAST8("30") TERN_TAIL TERN_ASM_OPERANDS);
  }
  cnt_io = cnt;
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
  return reduce_xinv(L, H);
}

// The first 1..3 blocks of a long message, so that the main loop's output
// is 64-byte aligned (split stores, and when sealing split reloads of them,
// cost up to 10% there): AES of `blocks` counter blocks, one GHASH batch.
template <int NR, bool Dec>
TERN_VAES512_TARGET inline __m128i head(const GcmKey& k, const __m512i* rk, __m512i& ctr, __m128i y, const std::uint8_t* in,
                                        std::uint8_t* out, std::size_t blocks) noexcept {
  const __mmask64 m = byte_mask(16 * blocks);
  const __m512i d = load_part(in, 16 * blocks);
  __m512i b = _mm512_xor_si512(bswap512(ctr), rk[0]);
  for (int r = 1; r < NR; ++r) b = _mm512_aesenc_epi128(b, rk[r]);
  const __m512i o = _mm512_maskz_mov_epi8(m, _mm512_xor_si512(_mm512_aesenclast_epi128(b, rk[NR]), d));
  store_part(out, 16 * blocks, o);
  Acc512 a = acc512_zero();
  mul_acc512(a, _mm512_xor_si512(bswap512(Dec ? d : o), _mm512_zextsi128_si512(y)), htab512(k, kHPowers - blocks));
  ctr = _mm512_add_epi32(ctr, _mm512_broadcast_i32x4(_mm_set_epi32(0, 0, 0, static_cast<int>(blocks))));
  __m128i L, H;
  fold512(a, L, H);
  return reduce_xinv(L, H);
}

template <int NR, bool Dec>
TERN_VAES512_TARGET void crypt(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                               const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept {
  // Round keys broadcast to all four lanes, for the intrinsics paths. They
  // stay in registers or in compiler spill slots of this frame, which are
  // not wiped (taking the array's address for a wipe would force 15 stores
  // on every call, short records included); main_loop_asm reads the
  // context's keys and zeroes its registers on exit.
  __m512i rk[NR + 1];
  for (int r = 0; r <= NR; ++r)
    rk[r] = _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(k.v512.rk + 16 * r)));
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
    constexpr int W = kWide;                // zmm per iteration
    constexpr std::size_t kBytes = 64 * W;  // bytes per iteration
    std::size_t i = 0;
    if (const std::size_t mis = reinterpret_cast<std::uintptr_t>(out) & 63;
        len >= 4 * kBytes && mis != 0 && (mis & 15) == 0) {
      i = (64 - mis) / 16;
      y = head<NR, Dec>(k, rk, ctr, y, in, out, i);
      i *= 16;
    }
    if (len - i >= kBytes) {
      // H^32..H^1 times x^-1 and their packed Karatsuba keys, prepared
      // at init in the context (64-byte aligned there, see GcmKeyVaes512).
      static_assert(kHPowers == 4 * W);
      const std::uint8_t* pk = v512_pk(k);
      const std::uint8_t* pw = v512_pw(k);
      std::uint32_t cnt = static_cast<std::uint32_t>(_mm_cvtsi128_si32(_mm512_castsi512_si128(ctr)));
      const std::uint8_t* g = in + i;  // the data hashed by the next iteration
      if constexpr (!Dec) {
        // Sealing hashes the previous chunk's ciphertext (already in out).
        ctr_chunk<NR>(rk, ctr, cnt, in + i, out + i);
        g = out + i;
        i += kBytes;
      }
      if (const std::size_t n = (len - i) / kBytes; n > 0) {
        alignas(64) __m512i st[2] = {_mm512_zextsi128_si512(y), bswap512(ctr)};
        main_loop_asm<NR>(k.v512.rk, st, cnt, in + i, out + i, g, pw, pk, n);
        y = _mm512_castsi512_si128(st[0]);
        wipe_object(st);
        ctr = _mm512_add_epi32(ctr, _mm512_broadcast_i32x4(_mm_set_epi32(0, 0, 0, static_cast<int>(4 * W * n))));
        i += n * kBytes;
      }
      if constexpr (!Dec) {
        Acc512 a = acc512_zero();
        const std::uint8_t* last = out + i - kBytes;
        for (int z = 0; z < W; ++z) {
          __m512i x = bswap512(_mm512_loadu_si512(last + 64 * z));
          if (z == 0) x = _mm512_xor_si512(x, _mm512_zextsi128_si512(y));
          const __m512i h = _mm512_loadu_si512(pw + 64 * z);
          const __m512i xk = _mm512_xor_si512(x, _mm512_shuffle_epi32(x, _MM_PERM_BADC));
          a.lo = _mm512_xor_si512(a.lo, _mm512_clmulepi64_epi128(x, h, 0x00));
          a.hi = _mm512_xor_si512(a.hi, _mm512_clmulepi64_epi128(x, h, 0x11));
          a.mid = _mm512_xor_si512(a.mid, _mm512_clmulepi64_epi128(xk, kara_key(h), 0x00));
        }
        a.mid = xor3(a.mid, a.lo, a.hi);  // Karatsuba
        __m128i L, H;
        fold512(a, L, H);
        y = reduce_xinv(L, H);
      }
    }
    // Whole 256-byte chunks left over, then the tail.
    for (; len - i >= 256; i += 256) {
      y = ghash_then_ctr<NR, Dec>(k, rk, ctr, y, in + i, out + i);
    }
    y = tail_any<NR, Dec>(k, rk, ctr, y, nullptr, 0, in + i, out + i, len - i, lenblk);
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(tag), _mm_xor_si128(bswap128(y), ekj0));
}

}  // namespace

namespace {
// k.v512 from the x86 layout t (round keys, H^1..H^32): the powers times
// x^-1 and the main loop's packed Karatsuba keys at a 64-byte aligned offset.
TERN_VAES512_TARGET void init_v512(GcmKey& k, const GcmKey& t) noexcept {
  std::memcpy(k.v512.rk, t.x86.rk, sizeof k.v512.rk);
  k.v512.h[0] = t.x86.htab[kHPowers - 1][0];
  k.v512.h[1] = t.x86.htab[kHPowers - 1][1];
  k.v512_off = static_cast<std::uint32_t>((64 - (reinterpret_cast<std::uintptr_t>(k.v512.tab) & 63)) & 63);
  std::uint8_t* pk = k.v512.tab + k.v512_off;
  std::uint8_t* pw = pk + kV512Pk;
  for (std::size_t z = 0; z < kHPowers / 4; z += 2) {
    const __m512i h0 = mul_xinv512(_mm512_loadu_si512(t.x86.htab[4 * z]));
    const __m512i h1 = mul_xinv512(_mm512_loadu_si512(t.x86.htab[4 * z + 4]));
    _mm512_storeu_si512(pw + 64 * z, h0);
    _mm512_storeu_si512(pw + 64 * z + 64, h1);
    // Lane l: (kara(h0).lo, kara(h1).lo), see TERN_GH2.
    _mm512_storeu_si512(pk + 32 * z, _mm512_unpacklo_epi64(kara_key(h0), kara_key(h1)));
  }
}
}  // namespace

// Powers used: H^1..H^32 (the 32-block main loop), kept times x^-1.
void gcm_vaes512_init(GcmKey& k, const std::uint8_t* rk) noexcept {
  GcmKey t{};
  t.rounds = k.rounds;
  if (k.rounds == 10) init_x86<10>(t, rk, 32);
  else init_x86<14>(t, rk, 32);
  init_v512(k, t);
  wipe_object(t);
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
