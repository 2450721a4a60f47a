// AVX-512 IFMA exponentiation for the RSA CRT halves: numbers in radix
// 2^52 (eight limbs per 512-bit vector), almost-Montgomery multiplication
// (outputs < 2m, R = 2^(52 K)) built on VPMADD52LUQ/VPMADD52HUQ, and the
// two-exponent fixed-window ladder of pow2_secret with masked vector table
// reads. Constant time: no branch or address depends on the operands.
// Generic Montgomery operations keep using the MULX/ADX code.
#include "crypto/bignum/bignum_internal.hpp"
#include "crypto/internal/wipe.hpp"

#if TERN_SIMD && defined(__x86_64__)

#include <immintrin.h>

// GCC 12 reports its own _mm512_undefined_* placeholders inside the
// intrinsic headers (castsi512_si128, alignr) as maybe-uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#define TERN_IFMA_TARGET __attribute__((target("avx512f,avx512ifma")))

namespace tern::bignum::detail {
namespace {

constexpr Limb kMask52 = (Limb{1} << 52) - 1;
constexpr int kMaxVec = 8;  // up to 64 radix-2^52 limbs (primes up to ~3300 bits)

// x (n64 limbs) -> lanes radix-2^52 limbs, zero padded.
void to52(Limb* out, std::size_t lanes, const Limb* x, std::size_t n64) noexcept {
  for (std::size_t j = 0; j < lanes; ++j) {
    const std::size_t bit = 52 * j, li = bit / 64, sh = bit % 64;
    Limb v = li < n64 ? x[li] >> sh : 0;
    if (sh > 12 && li + 1 < n64) v |= x[li + 1] << (64 - sh);
    out[j] = v & kMask52;
  }
}

// Normalised radix-2^52 limbs -> n64 limbs (bits beyond n64 limbs dropped).
void from52(Limb* out, std::size_t n64, const Limb* x, std::size_t lanes) noexcept {
  for (std::size_t i = 0; i < n64; ++i) out[i] = 0;
  for (std::size_t j = 0; j < lanes; ++j) {
    const std::size_t bit = 52 * j, li = bit / 64, sh = bit % 64;
    if (li < n64) out[li] |= x[j] << sh;
    if (sh > 12 && li + 1 < n64) out[li + 1] |= x[j] >> (64 - sh);
  }
}

// r = a*b/2^(52K) mod m, almost reduced (< 2m for a, b < 2m, 4m < 2^(52K)).
// All operands are normalised 8*NV-lane arrays; r may alias a or b.
template <int NV>
TERN_IFMA_TARGET void amm(Limb* r, const Limb* a, const Limb* b, const Limb* m, Limb m0inv52,
                          std::size_t K) noexcept {
  __m512i A[NV], M[NV], acc[NV];
  const __m512i zero = _mm512_setzero_si512();
  for (int v = 0; v < NV; ++v) {
    A[v] = _mm512_loadu_si512(a + 8 * v);
    M[v] = _mm512_loadu_si512(m + 8 * v);
    acc[v] = zero;
  }
  const Limb m0 = m[0];
  for (std::size_t i = 0; i < K; ++i) {
    const __m512i bi = _mm512_set1_epi64(static_cast<long long>(b[i]));
    for (int v = 0; v < NV; ++v) acc[v] = _mm512_madd52lo_epu64(acc[v], A[v], bi);
    const Limb t = static_cast<Limb>(_mm_cvtsi128_si64(_mm512_castsi512_si128(acc[0])));
    const Limb u = (t * m0inv52) & kMask52;
    const Limb carry = (t + ((u * m0) & kMask52)) >> 52;
    const __m512i ub = _mm512_set1_epi64(static_cast<long long>(u));
    __m512i H[NV];
    for (int v = 0; v < NV; ++v) {
      H[v] = _mm512_madd52hi_epu64(zero, A[v], bi);
      H[v] = _mm512_madd52hi_epu64(H[v], M[v], ub);
      acc[v] = _mm512_madd52lo_epu64(acc[v], M[v], ub);
    }
    // Divide by 2^52: shift every lane down one (lane 0 is now 0 mod 2^52).
    for (int v = 0; v < NV - 1; ++v) acc[v] = _mm512_alignr_epi64(acc[v + 1], acc[v], 1);
    acc[NV - 1] = _mm512_alignr_epi64(zero, acc[NV - 1], 1);
    for (int v = 0; v < NV; ++v) acc[v] = _mm512_add_epi64(acc[v], H[v]);
    acc[0] = _mm512_add_epi64(acc[0], _mm512_zextsi128_si512(_mm_cvtsi64_si128(static_cast<long long>(carry))));
  }
  alignas(64) Limb out[8 * NV];
  for (int v = 0; v < NV; ++v) _mm512_store_si512(out + 8 * v, acc[v]);
  Limb c = 0;
  for (int j = 0; j < 8 * NV; ++j) {
    const Limb x = out[j] + c;
    r[j] = x & kMask52;
    c = x >> 52;
  }
}

// r = table[idx], every entry read (masked).
template <int NV>
TERN_IFMA_TARGET void gather(Limb* r, const Limb* table, std::size_t entries, unsigned idx) noexcept {
  __m512i acc[NV];
  for (int v = 0; v < NV; ++v) acc[v] = _mm512_setzero_si512();
  for (std::size_t e = 0; e < entries; ++e) {
    const Limb mask = ct::mask_eq(static_cast<std::uint64_t>(e), static_cast<std::uint64_t>(idx));
    const __m512i mv = _mm512_set1_epi64(static_cast<long long>(mask));
    for (int v = 0; v < NV; ++v)
      acc[v] = _mm512_or_si512(acc[v], _mm512_and_si512(mv, _mm512_loadu_si512(table + e * 8 * NV + 8 * v)));
  }
  for (int v = 0; v < NV; ++v) _mm512_storeu_si512(r + 8 * v, acc[v]);
}

inline unsigned window4(const Limb* e, std::size_t nlimbs, std::size_t pos) noexcept {
  const std::size_t li = pos / 64, sh = pos % 64;
  Limb v = li < nlimbs ? e[li] >> sh : 0;
  if (sh + 4 > 64 && li + 1 < nlimbs) v |= e[li + 1] << (64 - sh);
  return static_cast<unsigned>(v & 15);
}

template <int NV>
bool pow2_ifma_t(Limb* r, const Limb* b1_mont, const Limb* e1, const Limb* b2_mont, const Limb* e2,
                 const Modulus& mod, const Limb* x_conv) noexcept {
  constexpr std::size_t L = 8 * NV, entries = 16;
  const std::size_t K = (mod.bits + 2 + 51) / 52;
  struct Scratch {
    alignas(64) Limb m52[L], x52[L], t[L], u[L], acc[L], one[L];
    alignas(64) Limb tab1[entries * L], tab2[entries * L];
    Limb r64[kMaxLimbs];
  } s;
  WipeOnExit<Scratch> guard(s);
  const Limb m0inv52 = mod.m0inv & kMask52;
  to52(s.m52, L, mod.m, mod.n);
  to52(s.x52, L, x_conv, mod.n);
  // Bases: Montgomery-64 form -> Montgomery-52 form via x_conv.
  to52(s.t, L, b1_mont, mod.n);
  amm<NV>(s.tab1 + L, s.t, s.x52, s.m52, m0inv52, K);
  to52(s.t, L, b2_mont, mod.n);
  amm<NV>(s.tab2 + L, s.t, s.x52, s.m52, m0inv52, K);
  // 1 in Montgomery-52 form: R64 mod m (Montgomery-64 form of 1) converted.
  for (std::size_t i = 0; i < L; ++i) s.one[i] = 0;
  s.one[0] = 1;
  {
    Limb one64[kMaxLimbs] = {1};
    Limb one_m[kMaxLimbs];
    mont_mul_portable(one_m, one64, mod.rr, mod.m, mod.m0inv, mod.n);
    to52(s.t, L, one_m, mod.n);
  }
  amm<NV>(s.tab1, s.t, s.x52, s.m52, m0inv52, K);
  for (std::size_t i = 0; i < L; ++i) s.tab2[i] = s.tab1[i];
  for (std::size_t i = 2; i < entries; ++i) {
    if (i % 2 == 0) {
      amm<NV>(s.tab1 + i * L, s.tab1 + (i / 2) * L, s.tab1 + (i / 2) * L, s.m52, m0inv52, K);
      amm<NV>(s.tab2 + i * L, s.tab2 + (i / 2) * L, s.tab2 + (i / 2) * L, s.m52, m0inv52, K);
    } else {
      amm<NV>(s.tab1 + i * L, s.tab1 + (i - 1) * L, s.tab1 + L, s.m52, m0inv52, K);
      amm<NV>(s.tab2 + i * L, s.tab2 + (i - 1) * L, s.tab2 + L, s.m52, m0inv52, K);
    }
  }
  const std::size_t nwin = (mod.bits + 3) / 4;
  gather<NV>(s.acc, s.tab1, entries, window4(e1, mod.n, (nwin - 1) * 4));
  gather<NV>(s.u, s.tab2, entries, window4(e2, mod.n, (nwin - 1) * 4));
  amm<NV>(s.acc, s.acc, s.u, s.m52, m0inv52, K);
  for (std::size_t w = nwin - 1; w > 0; --w) {
    for (int q = 0; q < 4; ++q) amm<NV>(s.acc, s.acc, s.acc, s.m52, m0inv52, K);
    gather<NV>(s.u, s.tab1, entries, window4(e1, mod.n, (w - 1) * 4));
    amm<NV>(s.acc, s.acc, s.u, s.m52, m0inv52, K);
    gather<NV>(s.u, s.tab2, entries, window4(e2, mod.n, (w - 1) * 4));
    amm<NV>(s.acc, s.acc, s.u, s.m52, m0inv52, K);
  }
  // Leave Montgomery-52 form (result <= m), reduce, enter Montgomery-64.
  amm<NV>(s.acc, s.acc, s.one, s.m52, m0inv52, K);
  from52(s.r64, mod.n + 1 <= kMaxLimbs ? mod.n : mod.n, s.acc, L);
  // The value is < 2^(64 n) since it is <= m; one conditional subtraction.
  final_sub(s.r64, s.r64, 0, mod.m, mod.n);
  mont_mul_adx(r, s.r64, mod.rr, mod.m, mod.m0inv, mod.n);
  return true;
}

}  // namespace

bool pow2_ifma(Limb* r, const Limb* b1_mont, const Limb* e1, const Limb* b2_mont, const Limb* e2,
               const Modulus& mod) noexcept {
  const std::size_t K = (mod.bits + 2 + 51) / 52;
  const std::size_t nv = (K + 1 + 7) / 8;
  if (nv < 2 || nv > kMaxVec) return false;
  // x_conv = 2^(104K) / R64 mod m turns Montgomery-64 into Montgomery-52
  // form: amm(a*R64, x_conv) = a*2^(52K). Computed with the 64-bit code:
  // 2^(104K) = Mont64(2)^(104K) read back out of Montgomery form.
  Limb one[kMaxLimbs] = {1}, two[kMaxLimbs], x[kMaxLimbs];
  mont_mul_adx(two, one, mod.rr, mod.m, mod.m0inv, mod.n);  // R mod m
  Limb carry = 0;
  for (std::size_t i = 0; i < mod.n; ++i) {  // 2R mod m
    const Limb v = two[i];
    two[i] = (v << 1) | carry;
    carry = v >> 63;
  }
  final_sub(two, two, carry, mod.m, mod.n);
  const std::size_t t = 104 * K;
  std::uint8_t eb[8];
  for (int i = 0; i < 8; ++i) eb[i] = static_cast<std::uint8_t>(t >> (56 - 8 * i));
  // left-to-right square and multiply on the public exponent t
  Limb acc[kMaxLimbs];
  bool started = false;
  for (std::uint8_t byte : eb)
    for (int b = 7; b >= 0; --b) {
      if (started) mont_sqr_adx(acc, acc, acc, mod.m, mod.m0inv, mod.n);
      if ((byte >> b) & 1) {
        if (started) {
          mont_mul_adx(acc, acc, two, mod.m, mod.m0inv, mod.n);
        } else {
          for (std::size_t i = 0; i < mod.n; ++i) acc[i] = two[i];
          started = true;
        }
      }
    }
  // acc = 2^t * R; two redc steps give 2^t / R.
  Limb T[2 * kMaxLimbs];
  for (int step = 0; step < 2; ++step) {
    for (std::size_t i = 0; i < mod.n; ++i) {
      T[i] = acc[i];
      T[mod.n + i] = 0;
    }
    redc_adx(acc, T, mod.m, mod.m0inv, mod.n);
  }
  for (std::size_t i = 0; i < mod.n; ++i) x[i] = acc[i];
  bool ok;
  switch (nv) {
    case 2: ok = pow2_ifma_t<2>(r, b1_mont, e1, b2_mont, e2, mod, x); break;
    case 3: ok = pow2_ifma_t<3>(r, b1_mont, e1, b2_mont, e2, mod, x); break;
    case 4: ok = pow2_ifma_t<4>(r, b1_mont, e1, b2_mont, e2, mod, x); break;
    case 5: ok = pow2_ifma_t<5>(r, b1_mont, e1, b2_mont, e2, mod, x); break;
    case 6: ok = pow2_ifma_t<6>(r, b1_mont, e1, b2_mont, e2, mod, x); break;
    case 7: ok = pow2_ifma_t<7>(r, b1_mont, e1, b2_mont, e2, mod, x); break;
    default: ok = pow2_ifma_t<8>(r, b1_mont, e1, b2_mont, e2, mod, x); break;
  }
  wipe(acc, sizeof(acc));
  wipe(T, sizeof(T));
  return ok;
}

}  // namespace tern::bignum::detail

#endif
