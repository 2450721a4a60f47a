// AVX-512 IFMA exponentiation for the RSA CRT halves: numbers in radix
// 2^52, almost-Montgomery multiplication (outputs < 2m, R = 2^(52 K)) built
// on VPMADD52LUQ/VPMADD52HUQ, and the two-exponent fixed-window ladder of
// pow2_secret with masked vector table reads. Constant time: no branch or
// address depends on the operands. Generic Montgomery operations keep
// using the MULX/ADX code.

#include "crypto/bignum/bignum_internal.hpp"
#include "crypto/internal/wipe.hpp"

#if TERN_SIMD && defined(__x86_64__)

#include <immintrin.h>

#include <type_traits>

// GCC 12 reports its own _mm512_undefined_* placeholders inside the
// intrinsic headers (casts, alignr, srli) as (maybe-)uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#define TERN_IFMA_TARGET __attribute__((target("avx512f,avx512vl,avx512ifma,bmi2")))
#define TERN_IFMA_INLINE __attribute__((target("avx512f,avx512vl,avx512ifma,bmi2"), always_inline)) inline

namespace tern::bignum::detail {
namespace {

constexpr Limb kMask52 = (Limb{1} << 52) - 1;

// The vector shape: 512-bit vectors of eight limbs. (An all-256-bit
// variant measured slower on Zen 4; a 256-bit tail vector fills out sizes
// that are 4 mod 8 lanes, see amm.)
struct Z8 {
  using V = __m512i;
  static constexpr std::size_t W = 8;
  static TERN_IFMA_INLINE V zero() { return _mm512_setzero_si512(); }
  static TERN_IFMA_INLINE V load(const Limb* p) { return _mm512_loadu_si512(p); }
  static TERN_IFMA_INLINE void store(Limb* p, V v) { _mm512_storeu_si512(p, v); }
  static TERN_IFMA_INLINE V set1(Limb x) { return _mm512_set1_epi64(static_cast<long long>(x)); }
  static TERN_IFMA_INLINE V madlo(V acc, V a, V b) { return _mm512_madd52lo_epu64(acc, a, b); }
  static TERN_IFMA_INLINE V madhi(V acc, V a, V b) { return _mm512_madd52hi_epu64(acc, a, b); }
  static TERN_IFMA_INLINE V add(V a, V b) { return _mm512_add_epi64(a, b); }
  static TERN_IFMA_INLINE V and_(V a, V b) { return _mm512_and_si512(a, b); }
  static TERN_IFMA_INLINE V or_(V a, V b) { return _mm512_or_si512(a, b); }
  static TERN_IFMA_INLINE V shr52(V a) { return _mm512_srli_epi64(a, 52); }
  static TERN_IFMA_INLINE V down1(V hi, V lo) { return _mm512_alignr_epi64(hi, lo, 1); }
  static TERN_IFMA_INLINE V up1(V hi, V lo) { return _mm512_alignr_epi64(hi, lo, 7); }
  // 256-bit vector -> lanes 0-3 (upper lanes zero); lanes 4-7 -> 256-bit.
  static TERN_IFMA_INLINE V widen(__m256i x) { return _mm512_zextsi256_si512(x); }
  static TERN_IFMA_INLINE __m256i upper4(V x) { return _mm512_extracti64x4_epi64(x, 1); }
  static TERN_IFMA_INLINE __m256i lower4(V x) { return _mm512_castsi512_si256(x); }
  static TERN_IFMA_INLINE Limb lane1(V v) {
    return static_cast<Limb>(_mm_extract_epi64(_mm512_castsi512_si128(v), 1));
  }
  static TERN_IFMA_INLINE V set_lane0(V v, Limb x) { return _mm512_mask_set1_epi64(v, 1, static_cast<long long>(x)); }
  static TERN_IFMA_INLINE unsigned gt(V a, V b) { return _mm512_cmpgt_epu64_mask(a, b); }
  static TERN_IFMA_INLINE unsigned eq(V a, V b) { return _mm512_cmpeq_epu64_mask(a, b); }
  static TERN_IFMA_INLINE V mask_add(V a, unsigned k, V b) {
    return _mm512_mask_add_epi64(a, static_cast<__mmask8>(k), a, b);
  }
};

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

// lo and hi 52-bit halves of x*y (x, y < 2^52).
inline Limb lo52(Limb x, Limb y) noexcept { return (x * y) & kMask52; }
inline Limb hi52(Limb x, Limb y) noexcept {
  return static_cast<Limb>((static_cast<unsigned __int128>(x) * y) >> 52);
}

// NV vectors of T::W lanes, plus with Tail a 256-bit vector of four more
// (L = W*NV + 4*Tail >= K lanes). S independent streams (S = 2 runs the
// two CRT halves side by side). For each stream s: r = a*b/2^(52K) mod m,
// almost reduced (< 2m for a, b < 2m and 4m < 2^(52K); such a result fits
// in K lanes, so nothing is carried past lane K-1). Operands are
// normalised L-lane arrays, zero above lane K-1; r may alias a, b.
//
// Lane 0 is tracked in a scalar (z): each step's u needs only z, the
// vector's lane 1 as it stood at the start of the previous step, and
// scalar products of limbs 0 and 1, so the serial chain from one u to the
// next is a few scalar multiplies rather than a trip through the vector
// unit (broadcast, multiply, shift, extract).
template <class T, int NV, int S, bool Tail = false>
TERN_IFMA_TARGET void amm(Limb* const* r, const Limb* const* a, const Limb* const* b, const Limb* const* m,
                          const Limb* m0inv52, std::size_t K) noexcept {
  using V = typename T::V;
  constexpr std::size_t W = T::W;
  V A[S][NV], M[S][NV], acc[S][NV];
  const V zero = T::zero();
  // Tail: four more lanes in a 256-bit vector (lanes W*NV .. W*NV+3).
  [[maybe_unused]] __m256i At[S], Mt[S], acct[S];
  [[maybe_unused]] const __m256i zero4 = _mm256_setzero_si256();
  Limb a0[S], a1[S], m0[S], m1[S], z[S];
  for (int q = 0; q < S; ++q) {
    for (int v = 0; v < NV; ++v) {
      A[q][v] = T::load(a[q] + W * v);
      M[q][v] = T::load(m[q] + W * v);
      acc[q][v] = zero;
    }
    if constexpr (Tail) {
      At[q] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[q] + W * NV));
      Mt[q] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(m[q] + W * NV));
      acct[q] = zero4;
    }
    a0[q] = a[q][0];
    a1[q] = a[q][1];
    m0[q] = m[q][0];
    m1[q] = m[q][1];
    z[q] = 0;
  }
  for (std::size_t i = 0; i < K; ++i) {
    for (int q = 0; q < S; ++q) {
      const Limb bq = b[q][i];
      const Limb y = T::lane1(acc[q][0]);  // lane 1 before this step's products
      const Limb t = z[q] + lo52(a0[q], bq);
      const Limb u = (t * m0inv52[q]) & kMask52;
      const Limb carry = (t + lo52(m0[q], u)) >> 52;
      z[q] = y + lo52(a1[q], bq) + hi52(a0[q], bq) + lo52(m1[q], u) + hi52(m0[q], u) + carry;
      const V bi = T::set1(bq);
      const V ub = T::set1(u);
      // One stream (no Tail): the high halves go to a separate sum, which
      // keeps the vector chain to the next step's lane 1 short; with two
      // streams the latency is hidden and fewer instructions win.
      constexpr bool kSplit = S == 1 && !Tail;
      [[maybe_unused]] V H[NV];
      for (int v = 0; v < NV; ++v) {
        acc[q][v] = T::madlo(acc[q][v], A[q][v], bi);
        if constexpr (kSplit) {
          H[v] = T::madhi(zero, A[q][v], bi);
          H[v] = T::madhi(H[v], M[q][v], ub);
        }
        acc[q][v] = T::madlo(acc[q][v], M[q][v], ub);
      }
      [[maybe_unused]] __m256i bi4, ub4;
      if constexpr (Tail) {
        bi4 = T::lower4(bi);  // the same broadcasts, low half
        ub4 = T::lower4(ub);
        acct[q] = _mm256_madd52lo_epu64(acct[q], At[q], bi4);
        acct[q] = _mm256_madd52lo_epu64(acct[q], Mt[q], ub4);
      }
      // Divide by 2^52: shift every lane down one, then add the high halves
      // (worth one lane more than the low halves). The vector's lane 0
      // lacks the carry; z holds the true value (set back at the end).
      for (int v = 0; v < NV - 1; ++v) acc[q][v] = T::down1(acc[q][v + 1], acc[q][v]);
      if constexpr (Tail) {
        acc[q][NV - 1] = T::down1(T::widen(acct[q]), acc[q][NV - 1]);
        acct[q] = _mm256_alignr_epi64(zero4, acct[q], 1);
        acct[q] = _mm256_madd52hi_epu64(acct[q], At[q], bi4);
        acct[q] = _mm256_madd52hi_epu64(acct[q], Mt[q], ub4);
      } else {
        acc[q][NV - 1] = T::down1(zero, acc[q][NV - 1]);
      }
      for (int v = 0; v < NV; ++v) {
        if constexpr (kSplit) {
          acc[q][v] = T::add(acc[q][v], H[v]);
        } else {
          acc[q][v] = T::madhi(acc[q][v], A[q][v], bi);
          acc[q][v] = T::madhi(acc[q][v], M[q][v], ub);
        }
      }
    }
  }
  // Normalise to 52-bit limbs without a scalar carry loop: one vector
  // carry step, then the rare second-order carries (a lane that reached
  // 2^52 "generates", a lane of exactly 2^52-1 "propagates") resolved as
  // one integer addition over the lane bit masks: carries = (P + (G<<1)) ^ P.
  const V mask52 = T::set1(kMask52);
  const V one = T::set1(1);
  for (int q = 0; q < S; ++q) {
    acc[q][0] = T::set_lane0(acc[q][0], z[q]);
    V hi[NV];
    for (int v = 0; v < NV; ++v) {
      hi[v] = T::shr52(acc[q][v]);
      acc[q][v] = T::and_(acc[q][v], mask52);
    }
    [[maybe_unused]] const __m256i mask4 = _mm256_set1_epi64x(static_cast<long long>(kMask52));
    if constexpr (Tail) {
      const __m256i hit = _mm256_srli_epi64(acct[q], 52);
      acct[q] = _mm256_add_epi64(_mm256_and_si256(acct[q], mask4),
                                 _mm256_alignr_epi64(hit, T::upper4(hi[NV - 1]), 3));
    }
    for (int v = NV - 1; v > 0; --v) acc[q][v] = T::add(acc[q][v], T::up1(hi[v], hi[v - 1]));
    acc[q][0] = T::add(acc[q][0], T::up1(hi[0], zero));
    using Bits = std::conditional_t<(W * NV + 4 * Tail > 64), unsigned __int128, std::uint64_t>;
    Bits G = 0, P = 0;
    for (int v = 0; v < NV; ++v) {
      G |= static_cast<Bits>(T::gt(acc[q][v], mask52)) << (W * v);
      P |= static_cast<Bits>(T::eq(acc[q][v], mask52)) << (W * v);
    }
    if constexpr (Tail) {
      G |= static_cast<Bits>(_mm256_cmpgt_epu64_mask(acct[q], mask4)) << (W * NV);
      P |= static_cast<Bits>(_mm256_cmpeq_epu64_mask(acct[q], mask4)) << (W * NV);
    }
    const Bits c = (P + (G << 1)) ^ P;
    constexpr Bits lane_mask = (Bits{1} << W) - 1;
    for (int v = 0; v < NV; ++v) {
      const unsigned k = static_cast<unsigned>((c >> (W * v)) & lane_mask);
      acc[q][v] = T::and_(T::mask_add(acc[q][v], k, one), mask52);
      T::store(r[q] + W * v, acc[q][v]);
    }
    if constexpr (Tail) {
      const auto k = static_cast<__mmask8>((c >> (W * NV)) & 15);
      acct[q] = _mm256_and_si256(_mm256_mask_add_epi64(acct[q], k, acct[q], _mm256_set1_epi64x(1)), mask4);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(r[q] + W * NV), acct[q]);
    }
  }
}

// r = table[idx], every entry read (masked).
// Entries of W*NV (+4 with Tail) lanes.
template <class T, int NV, bool Tail = false>
TERN_IFMA_TARGET void gather(Limb* r, const Limb* table, std::size_t entries, unsigned idx) noexcept {
  using V = typename T::V;
  constexpr std::size_t L = T::W * NV + (Tail ? 4 : 0);
  V acc[NV];
  [[maybe_unused]] __m256i acct = _mm256_setzero_si256();
  for (int v = 0; v < NV; ++v) acc[v] = T::zero();
  for (std::size_t e = 0; e < entries; ++e) {
    const Limb mask = ct::mask_eq(static_cast<std::uint64_t>(e), static_cast<std::uint64_t>(idx));
    const V mv = T::set1(mask);
    for (int v = 0; v < NV; ++v) acc[v] = T::or_(acc[v], T::and_(mv, T::load(table + e * L + T::W * v)));
    if constexpr (Tail) {
      const __m256i t4 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(table + e * L + T::W * NV));
      acct = _mm256_or_si256(acct, _mm256_and_si256(_mm256_set1_epi64x(static_cast<long long>(mask)), t4));
    }
  }
  for (int v = 0; v < NV; ++v) T::store(r + T::W * v, acc[v]);
  if constexpr (Tail) _mm256_storeu_si256(reinterpret_cast<__m256i*>(r + T::W * NV), acct);
}

inline unsigned window4(const Limb* e, std::size_t nlimbs, std::size_t pos) noexcept {
  const std::size_t li = pos / 64, sh = pos % 64;
  Limb v = li < nlimbs ? e[li] >> sh : 0;
  if (sh + 4 > 64 && li + 1 < nlimbs) v |= e[li + 1] << (64 - sh);
  return static_cast<unsigned>(v & 15);
}

// x_conv = 2^(104K) / R64 mod m turns Montgomery-64 into Montgomery-52
// form: amm(a*R64, x_conv) = a*2^(52K). Computed with the 64-bit code:
// Mont64(2)^(104K), read back out of Montgomery form twice.
void conversion_factor(Limb* x, const Modulus& mod, std::size_t K) noexcept {
  Limb one[kMaxLimbs] = {1}, two[kMaxLimbs], acc[kMaxLimbs], T[2 * kMaxLimbs];
  mont_mul_adx(two, one, mod.rr, mod.m, mod.m0inv, mod.n);  // R mod m
  Limb carry = 0;
  for (std::size_t i = 0; i < mod.n; ++i) {  // 2R mod m
    const Limb v = two[i];
    two[i] = (v << 1) | carry;
    carry = v >> 63;
  }
  final_sub(two, two, carry, mod.m, mod.n);
  const std::size_t t = 104 * K;  // public
  int hb = 63;
  while (((t >> hb) & 1) == 0) --hb;
  for (std::size_t i = 0; i < mod.n; ++i) acc[i] = two[i];
  for (int b = hb - 1; b >= 0; --b) {
    mont_sqr_adx(acc, acc, acc, mod.m, mod.m0inv, mod.n);
    if ((t >> b) & 1) mont_mul_adx(acc, acc, two, mod.m, mod.m0inv, mod.n);
  }
  for (int step = 0; step < 2; ++step) {
    for (std::size_t i = 0; i < mod.n; ++i) {
      T[i] = acc[i];
      T[mod.n + i] = 0;
    }
    redc_adx(acc, T, mod.m, mod.m0inv, mod.n);
  }
  for (std::size_t i = 0; i < mod.n; ++i) x[i] = acc[i];
  wipe(acc, sizeof(acc));
  wipe(T, sizeof(T));
  wipe(two, sizeof(two));
}

// One job: r = b1^e1 * b2^e2 mod m (Montgomery-64 form in and out).
struct Job {
  Limb* r;
  const Limb *b1, *e1, *b2, *e2;
  const Modulus* mod;
};

// H4: operand size in four-lane units (K <= 4 H4): H4 / 2 512-bit vectors
// plus, for odd H4, a 256-bit tail (a 1024-bit prime, K = 20: two vectors
// and a tail, no idle lane).
template <class T, int H4, int S, bool Two>
void pow2_ifma_t(const Job* jobs, std::size_t K) noexcept {
  static_assert(T::W == 8);
  constexpr int NV = H4 / 2;
  constexpr bool Tail = (H4 % 2) != 0;
  constexpr std::size_t L = 4 * H4, entries = 16;
  struct Scratch {
    alignas(64) Limb m52[S][L], x52[S][L], t[S][L], u[S][L], acc[S][L], one[S][L];
    alignas(64) Limb tab1[S][entries * L], tab2[S][entries * L];
    Limb x64[kMaxLimbs], r64[kMaxLimbs];
  } s;
  WipeOnExit<Scratch> guard(s);
  Limb m0inv52[S];
  const Limb *mp[S], *mt[S];
  Limb *rp[S], *ap[S], *bp[S];
  std::size_t bits = 0;
  for (int q = 0; q < S; ++q) {
    const Modulus& mod = *jobs[q].mod;
    if (mod.bits > bits) bits = mod.bits;
    m0inv52[q] = mod.m0inv & kMask52;
    to52(s.m52[q], L, mod.m, mod.n);
    mp[q] = s.m52[q];
    if (mod.has_conv52) {
      to52(s.x52[q], L, mod.conv52, mod.n);
    } else {
      conversion_factor(s.x64, mod, K);
      to52(s.x52[q], L, s.x64, mod.n);
    }
    for (std::size_t i = 0; i < L; ++i) s.one[q][i] = 0;
    s.one[q][0] = 1;
  }
  auto run = [&](Limb* const* r, const Limb* const* a, const Limb* const* b) {
    amm<T, NV, S, Tail>(r, a, b, mp, m0inv52, K);
  };
  // Bases (and 1): Montgomery-64 -> Montgomery-52 via the conversion factor.
  for (int w = 0; w < (Two ? 3 : 2); ++w) {
    for (int q = 0; q < S; ++q) {
      const Modulus& mod = *jobs[q].mod;
      if (w == 0) {
        Limb one64[kMaxLimbs] = {1};
        mont_mul_adx(s.x64, one64, mod.rr, mod.m, mod.m0inv, mod.n);  // Mont64(1)
        to52(s.t[q], L, s.x64, mod.n);
        rp[q] = s.tab1[q];
      } else {
        to52(s.t[q], L, w == 1 ? jobs[q].b1 : jobs[q].b2, mod.n);
        rp[q] = (w == 1 ? s.tab1[q] : s.tab2[q]) + L;
      }
      ap[q] = s.t[q];
      mt[q] = s.x52[q];
    }
    amm<T, NV, S, Tail>(rp, ap, mt, mp, m0inv52, K);
  }
  for (int q = 0; q < S; ++q)
    for (std::size_t i = 0; i < L; ++i) s.tab2[q][i] = s.tab1[q][i];
  for (std::size_t i = 2; i < entries; ++i)
    for (int tb = 0; tb < (Two ? 2 : 1); ++tb) {
      for (int q = 0; q < S; ++q) {
        Limb* tab = tb == 0 ? s.tab1[q] : s.tab2[q];
        rp[q] = tab + i * L;
        ap[q] = tab + (i % 2 == 0 ? i / 2 : i - 1) * L;
        bp[q] = tab + (i % 2 == 0 ? i / 2 : 1) * L;
      }
      run(rp, ap, bp);
    }
  const std::size_t nwin = (bits + 3) / 4;
  for (int q = 0; q < S; ++q) {
    gather<T, NV, Tail>(s.acc[q], s.tab1[q], entries, window4(jobs[q].e1, jobs[q].mod->n, (nwin - 1) * 4));
    if (Two) gather<T, NV, Tail>(s.u[q], s.tab2[q], entries, window4(jobs[q].e2, jobs[q].mod->n, (nwin - 1) * 4));
    rp[q] = s.acc[q];
    ap[q] = s.u[q];
  }
  if (Two) run(rp, rp, ap);
  for (std::size_t w = nwin - 1; w > 0; --w) {
    for (int sq = 0; sq < 4; ++sq) run(rp, rp, rp);
    for (int q = 0; q < S; ++q)
      gather<T, NV, Tail>(s.u[q], s.tab1[q], entries, window4(jobs[q].e1, jobs[q].mod->n, (w - 1) * 4));
    run(rp, rp, ap);
    if (Two) {
      for (int q = 0; q < S; ++q)
        gather<T, NV, Tail>(s.u[q], s.tab2[q], entries, window4(jobs[q].e2, jobs[q].mod->n, (w - 1) * 4));
      run(rp, rp, ap);
    }
  }
  // Leave Montgomery-52 form (result <= m), reduce, enter Montgomery-64.
  for (int q = 0; q < S; ++q) ap[q] = s.one[q];
  run(rp, rp, ap);
  for (int q = 0; q < S; ++q) {
    const Modulus& mod = *jobs[q].mod;
    from52(s.r64, mod.n, s.acc[q], L);
    final_sub(s.r64, s.r64, 0, mod.m, mod.n);
    mont_mul_adx(jobs[q].r, s.r64, mod.rr, mod.m, mod.m0inv, mod.n);
  }
}

std::size_t k52(const Modulus& m) noexcept { return (m.bits + 2 + 51) / 52; }

// Calls f.template operator()<NV>() for the first NV of the list with
// T::W * NV >= K lanes; false when K is too large for every NV listed.
template <class T, int N0, int... Ns, class F>
bool with_nv(std::size_t K, F&& f) noexcept {
  if (K <= T::W * N0) {
    f.template operator()<N0>();
    return true;
  }
  if constexpr (sizeof...(Ns) == 0) {
    return false;
  } else {
    return with_nv<T, Ns...>(K, f);
  }
}

// CRT primes: up to 64 limbs (primes of ~3300 bits), in four-lane units.
struct Units4 {
  static constexpr std::size_t W = 4;
};
template <int S, bool Two>
bool dispatch_nv(const Job* jobs, std::size_t K) noexcept {
  return with_nv<Units4, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16>(
      K, [&]<int H4>() { pow2_ifma_t<Z8, H4, S, Two>(jobs, K); });
}

// out = x^e mod m (plain in and out, x < m), e public: square and multiply
// on almost-Montgomery radix-2^52 values. R52^2 mod m comes from the
// modulus's conv52 when prepared (one product), else from 2^(52K+4) mod m
// (doublings) raised to 13K with AMM: every AMM of powers of two adds their
// exponents' offsets above 52K, so offset 4 becomes 52K.
template <class T, int NV>
void pow_public_ifma_t(Limb* out, const Limb* x, std::span<const std::uint8_t> e, const Modulus& mod,
                       std::size_t K) noexcept {
  constexpr std::size_t L = T::W * NV;
  struct Scratch {
    alignas(64) Limb m52[L], rr[L], z[L], xm[L], acc[L], one[L];
    Limb t64[kMaxLimbs];
  } s;
  WipeOnExit<Scratch> guard(s);
  const std::size_t n = mod.n;
  const Limb m0inv52 = mod.m0inv & kMask52;
  to52(s.m52, L, mod.m, n);
  Limb* rp[1];
  const Limb *ap[1], *bp[1], *mp[1] = {s.m52};
  auto amm1 = [&](Limb* r, const Limb* a, const Limb* b) {
    rp[0] = r;
    ap[0] = a;
    bp[0] = b;
    amm<T, NV, 1>(rp, ap, bp, mp, &m0inv52, K);
  };
  if (mod.has_conv52) {
    // R52^2 = 2^(104K) mod m = conv52 * R64 mod m: one Montgomery-64 product.
    mont_mul_adx(s.t64, mod.conv52, mod.rr, mod.m, mod.m0inv, n);
    to52(s.rr, L, s.t64, n);
  } else {
    // 2^(52K+4) mod m by doubling from 2^(bits-1) < m (public counts).
    for (std::size_t i = 0; i < n; ++i) s.t64[i] = 0;
    s.t64[(mod.bits - 1) / 64] = Limb{1} << ((mod.bits - 1) % 64);
    for (std::size_t i = mod.bits - 1; i < 52 * K + 4; ++i) {
      const Limb carry = s.t64[n - 1] >> 63;
      for (std::size_t j = n - 1; j > 0; --j) s.t64[j] = (s.t64[j] << 1) | (s.t64[j - 1] >> 63);
      s.t64[0] <<= 1;
      final_sub(s.t64, s.t64, carry, mod.m, n);
    }
    to52(s.z, L, s.t64, n);
    const std::size_t f = 13 * K;  // public
    int hb = 63;
    while (((f >> hb) & 1) == 0) --hb;
    for (std::size_t i = 0; i < L; ++i) s.rr[i] = s.z[i];
    for (int b = hb - 1; b >= 0; --b) {
      amm1(s.rr, s.rr, s.rr);
      if ((f >> b) & 1) amm1(s.rr, s.rr, s.z);
    }
  }
  // x in Montgomery-52 form, then the exponentiation.
  to52(s.acc, L, x, n);
  amm1(s.xm, s.acc, s.rr);
  bool started = false;
  for (std::uint8_t byte : e)
    for (int b = 7; b >= 0; --b) {
      if (started) amm1(s.acc, s.acc, s.acc);
      if ((byte >> b) & 1) {
        if (started) {
          amm1(s.acc, s.acc, s.xm);
        } else {
          for (std::size_t i = 0; i < L; ++i) s.acc[i] = s.xm[i];
          started = true;
        }
      }
    }
  for (std::size_t i = 0; i < L; ++i) s.one[i] = 0;
  s.one[0] = 1;
  if (!started) for (std::size_t i = 0; i < L; ++i) s.acc[i] = s.rr[i];  // e = 0: R^2 -> R -> 1 below
  amm1(s.acc, s.acc, s.one);
  if (!started) amm1(s.acc, s.acc, s.one);
  from52(out, n, s.acc, L);
  final_sub(out, out, 0, mod.m, n);
}

}  // namespace

bool pow_public_ifma(Limb* out, const Limb* x, std::span<const std::uint8_t> e, const Modulus& mod) noexcept {
  const std::size_t K = k52(mod);
  // Up to 88 limbs (moduli of ~4500 bits).
  return with_nv<Z8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11>(K, [&]<int NV>() { pow_public_ifma_t<Z8, NV>(out, x, e, mod, K); });
}

bool pow2_ifma(Limb* r, const Limb* b1_mont, const Limb* e1, const Limb* b2_mont, const Limb* e2,
               const Modulus& mod) noexcept {
  const Job job{r, b1_mont, e1, b2_mont, e2, &mod};
  return e2 != nullptr ? dispatch_nv<1, true>(&job, k52(mod)) : dispatch_nv<1, false>(&job, k52(mod));
}

bool pow2x2_ifma(Limb* ra, const Limb* b1a, const Limb* e1a, const Limb* b2a, const Limb* e2a, const Modulus& ma,
                 Limb* rb, const Limb* b1b, const Limb* e1b, const Limb* b2b, const Limb* e2b,
                 const Modulus& mb) noexcept {
  if (k52(ma) != k52(mb)) return false;
  const Job jobs[2] = {{ra, b1a, e1a, b2a, e2a, &ma}, {rb, b1b, e1b, b2b, e2b, &mb}};
  if ((e2a == nullptr) != (e2b == nullptr)) return false;
  return e2a != nullptr ? dispatch_nv<2, true>(jobs, k52(ma)) : dispatch_nv<2, false>(jobs, k52(ma));
}

}  // namespace tern::bignum::detail

#endif
