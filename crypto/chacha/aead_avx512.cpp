// Fused ChaCha20-Poly1305 pass: AVX-512 ChaCha20 (sixteen blocks per pass)
// with Poly1305 spread over two independent chains running beside it.
//
// ChaCha20 saturates the vector pipes, so Poly1305 work placed between its
// rounds would only queue behind it. Instead each 64-block (1024-byte)
// chunk is split: its first kScalar blocks go to a scalar radix-2^64 chain
// on the integer multipliers (idle during ChaCha20), the rest to the IFMA
// vector chain. Both chains are Horner evaluations with strides:
//  - scalar: (h + m) * r per block, and after each run one extra multiply
//    by r^(64 - kScalar) to skip the vector blocks;
//  - vector: groups of sixteen blocks (two sets of eight lanes); each group
//    multiplies by r^16 to reach the next group of its chunk, by
//    r^(16 + kScalar) to reach the next chunk's first vector group, and the
//    final group by r^16..r^1 (lane-wise).
// At the end both chains hold sum m_i r^(n - i) over their blocks (the
// incoming accumulator rides on the scalar chain) and are added.
// Sealing MACs the previous pass's ciphertext; opening MACs the current
// pass's input before its plaintext is stored (in place is fine).
#include "crypto/chacha/internal.hpp"
#include "crypto/chacha/simd_avx512.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/wipe.hpp"

#if TERN_SIMD && defined(__x86_64__)

namespace tern::chacha::detail {

namespace {

using namespace avx512;
using u128 = unsigned __int128;
using u64 = std::uint64_t;

constexpr int kScalar = 16;                       // blocks per chunk on the scalar chain
constexpr int kGroups = (64 - kScalar) / 16;      // vector groups per chunk
static_assert(kScalar % 16 == 0 && kGroups >= 1);

// c = a * b mod p in radix 2^44 (limbs < 2^44 + 2^15, 2^44, 2^42).
void mul44(u64 c[3], const u64 a[3], const u64 b[3]) noexcept {
  const u64 s1 = b[1] * 20, s2 = b[2] * 20;
  const u128 d0 = u128{a[0]} * b[0] + u128{a[1]} * s2 + u128{a[2]} * s1;
  u128 d1 = u128{a[0]} * b[1] + u128{a[1]} * b[0] + u128{a[2]} * s2;
  u128 d2 = u128{a[0]} * b[2] + u128{a[1]} * b[1] + u128{a[2]} * b[0];
  u64 h0 = static_cast<u64>(d0) & kM44;
  d1 += static_cast<u64>(d0 >> 44);
  u64 h1 = static_cast<u64>(d1) & kM44;
  d2 += static_cast<u64>(d1 >> 44);
  const u64 h2 = static_cast<u64>(d2) & kM42;
  h0 += static_cast<u64>(d2 >> 42) * 5;
  h1 += h0 >> 44;
  h0 &= kM44;
  c[0] = h0;
  c[1] = h1;
  c[2] = h2;
}

// Radix 2^64 scalar chain: h = h0 + h1 2^64 + h2 2^128 (h2 small).
struct Chain64 {
  u64 h0, h1, h2, r0, r1, s1;
};

inline void to44(u64 l[3], const Chain64& c) noexcept {
  l[0] = c.h0 & kM44;
  l[1] = ((c.h0 >> 44) | (c.h1 << 20)) & kM44;
  l[2] = (c.h1 >> 24) | (c.h2 << 40);
}
inline void from44(Chain64& c, const u64 in[3]) noexcept {
  u64 l0 = in[0], l1 = in[1], l2 = in[2];
  l1 += l0 >> 44;
  l0 &= kM44;
  l2 += l1 >> 44;
  l1 &= kM44;
  c.h0 = l0 | (l1 << 44);
  c.h1 = (l1 >> 20) | (l2 << 24);
  c.h2 = l2 >> 40;
}

inline void chain_block(Chain64& c, const std::uint8_t* m) noexcept {
  const u128 t0 = u128{c.h0} + load_le64(m);
  const u128 t1 = u128{c.h1} + load_le64(m + 8) + static_cast<u64>(t0 >> 64);
  const u64 a0 = static_cast<u64>(t0), a1 = static_cast<u64>(t1);
  const u64 a2 = c.h2 + static_cast<u64>(t1 >> 64) + 1;
  const u128 d0 = u128{a0} * c.r0 + u128{a1} * c.s1;
  const u128 d1 = u128{a0} * c.r1 + u128{a1} * c.r0 + u128{a2} * c.s1 + static_cast<u64>(d0 >> 64);
  const u64 d2 = a2 * c.r0 + static_cast<u64>(d1 >> 64);
  // 2^130 == 5: fold d2's bits above 2 back in as (d2 >> 2) * 5.
  const u64 fold = (d2 & ~u64{3}) + (d2 >> 2);
  const u128 e0 = u128{static_cast<u64>(d0)} + fold;
  const u128 e1 = u128{static_cast<u64>(d1)} + static_cast<u64>(e0 >> 64);
  c.h0 = static_cast<u64>(e0);
  c.h1 = static_cast<u64>(e1);
  c.h2 = (d2 & 3) + static_cast<u64>(e1 >> 64);
}

// One chunk's scalar run spread over the ten double rounds, the vector
// groups after double rounds 2, 5 and 8 (or earlier ones).
template <bool kWithChaCha>
__attribute__((target("avx512f,avx512vl,avx512bw,avx512ifma"), always_inline)) inline void chunk(
    __m512i x[16], const std::uint8_t* m, Chain64& sc, const u64 gap_s[3], V3& ha, V3& hb, const Powers& p,
    const V3& rjump, __m512i rj1, __m512i rj2, bool final) {
#pragma GCC unroll 10
  for (int r = 0; r < 10; ++r) {
    if constexpr (kWithChaCha) {
      column_round(x);
      diagonal_round(x);
    }
    if (m != nullptr) {
#pragma GCC unroll 8
      for (int b = kScalar * r / 10; b < kScalar * (r + 1) / 10; ++b) chain_block(sc, m + 16 * b);
    }
  }
  if (m != nullptr) {
    for (int g = 0; g < kGroups; ++g) {
      const std::uint8_t* q = m + 16 * kScalar + 256 * g;
      if (g + 1 < kGroups) {
        group16(ha, hb, q, p, false);
      } else if (final) {
        group16(ha, hb, q, p, true);
      } else {
        ha = vmul(add(ha, load8(q)), rjump, rj1, rj2);
        hb = vmul(add(hb, load8(q + 128)), rjump, rj1, rj2);
      }
    }
  }
  if (m != nullptr) {
    u64 l[3];
    to44(l, sc);
    mul44(l, l, gap_s);
    from44(sc, l);
  }
}

}  // namespace

__attribute__((target("avx512f,avx512vl,avx512bw,avx512ifma"))) void chacha_poly_fused_avx512(
    std::uint8_t* out, const std::uint8_t* in, std::size_t n1024, const std::uint32_t st[16], PolyState& ps,
    bool open) noexcept {
  if (ps.powers == 0) poly_ifma_powers(ps);
  const Powers p = load_powers(ps.pw);
  u64 r16[3] = {ps.pw[0][0], ps.pw[1][0], ps.pw[2][0]}, r32[3], r48[3];
  mul44(r32, r16, r16);
  mul44(r48, r32, r16);
  const u64* gap_s = kScalar == 32 ? r32 : r48;          // r^(64 - kScalar)
  const u64* gap_v = kScalar == 32 ? r48 : r32;          // r^(16 + kScalar)
  const V3 rjump{_mm512_set1_epi64(static_cast<long long>(gap_v[0])),
                 _mm512_set1_epi64(static_cast<long long>(gap_v[1])),
                 _mm512_set1_epi64(static_cast<long long>(gap_v[2]))};
  const __m512i rj1 = times20(rjump.l1), rj2 = times20(rjump.l2);
  Chain64 sc;
  from44(sc, ps.h);
  sc.r0 = ps.r[0] | (ps.r[1] << 44);
  sc.r1 = (ps.r[1] >> 20) | (ps.r[2] << 24);
  sc.s1 = sc.r1 + (sc.r1 >> 2);
  const __m512i zero = _mm512_setzero_si512();
  V3 ha{zero, zero, zero}, hb{zero, zero, zero};
  std::uint32_t ctr = st[12];
  for (std::size_t c = 0; c < n1024; ++c, ctr += 16) {
    const std::uint8_t* m = open ? in + 1024 * c : (c > 0 ? out + 1024 * (c - 1) : nullptr);
    __m512i x[16], s[16];
    init16(s, st, ctr);
    for (int i = 0; i < 16; ++i) x[i] = s[i];
    chunk<true>(x, m, sc, gap_s, ha, hb, p, rjump, rj1, rj2, open && c + 1 == n1024);
    finish16(out + 1024 * c, in + 1024 * c, x, s);
  }
  if (!open) chunk<false>(nullptr, out + 1024 * (n1024 - 1), sc, gap_s, ha, hb, p, rjump, rj1, rj2, true);
  u64 hv[3], hs[3];
  fold_lanes(hv, ha, hb);
  to44(hs, sc);
  ps.h[0] = hv[0] + hs[0];
  ps.h[1] = hv[1] + hs[1];
  ps.h[2] = hv[2] + hs[2];
  wipe(&sc, sizeof(sc));
}

}  // namespace tern::chacha::detail

#endif
