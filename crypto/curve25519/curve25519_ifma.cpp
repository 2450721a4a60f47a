// The "ifma" kernel: the X25519 ladder, the fixed-base comb (X25519 and
// Ed25519 key generation, Ed25519 signing) and Ed25519 verification's
// double-scalar loop on AVX-512 IFMA (VPMADD52LUQ / VPMADD52HUQ, 256-bit
// vectors); inversions, decoding and encoding on the adx field of
// field_adx.hpp.
//
// Representation: a field element is 5 limbs in radix 2^51; a "vector"
// holds four field elements, one per 64-bit lane, limb i of all four in
// register l[i]. IFMA multiplies the low 52 bits of its inputs, so every
// multiplicand limb must stay below 2^52: all results are carried once
// (norm) to limbs < 2^51 + 2^17, which leaves one bit of headroom.
//
// Product of two vectors (inputs: limbs < 2^52): for limbs a_i, b_j the
// low 52 bits of a_i b_j land in column i+j, the high part (bits 52..103)
// has weight 2^52 = 2 * 2^51 and lands doubled in column i+j+1. Column
// sums stay below 15 * 2^52 < 2^56; column k+5 has weight 2^255 * 2^(51k)
// = 19 * 2^(51k) (mod p), so r_k = c_k + 19 c_(k+5) < 2^61. One parallel
// carry round then gives limbs < 2^51 + 2^15.
//
// Ladder step (RFC 7748 section 5) with the state [x3, z3, x2, z2] in
// lanes 0..3 (the conditional swap exchanges the 128-bit halves):
//   V  = [C, D, A, B]            = [x3+z3, x3-z3, x2+z2, x2-z2]
//   M1 = [D, C, A, B] x [A, B, A, B]      = [DA, CB, AA, BB]
//   M2 = [DA+CB, DA-CB, AA, E] x [DA+CB, DA-CB, BB, AA + a24 E]
//      = [x3', z3'/x1, x2', z2']         (E = AA - BB, a24 = 121665)
//   M3 = M2 x [1, x1, 1, 1]              = [x3', z3', x2', z2']
// Three 4-lane products per bit instead of ten scalar ones. Subtractions
// add 4p first (limbs of 4p exceed every normed limb). Everything is
// straight-line code; the swap is a mask blend: constant time.
#if TERN_SIMD && defined(__x86_64__)

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "crypto/curve25519/curve_impl.hpp"
#include "crypto/curve25519/field_adx.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/cpu.hpp"
#include "crypto/internal/wipe.hpp"

#define TERN_IFMA_FN __attribute__((target("avx2,avx512f,avx512vl,avx512ifma"), always_inline)) inline

namespace tern::curve25519_detail {
namespace {

struct Vec {
  __m256i l[5];
};

constexpr std::uint64_t kMask51 = (std::uint64_t{1} << 51) - 1;

TERN_IFMA_FN __m256i times19(__m256i x) {
  // 19 x = x + 2 x + 16 x
  return _mm256_add_epi64(_mm256_add_epi64(x, _mm256_slli_epi64(x, 1)), _mm256_slli_epi64(x, 4));
}

// One parallel carry round: limbs < 2^63 in, < 2^51 + 2^17 out.
TERN_IFMA_FN void norm(Vec& r, const __m256i (&c)[5]) {
  const __m256i m = _mm256_set1_epi64x(static_cast<long long>(kMask51));
  __m256i q[5];
  for (int k = 0; k < 5; ++k) q[k] = _mm256_srli_epi64(c[k], 51);
  r.l[0] = _mm256_add_epi64(_mm256_and_si256(c[0], m), times19(q[4]));
  for (int k = 1; k < 5; ++k) r.l[k] = _mm256_add_epi64(_mm256_and_si256(c[k], m), q[k - 1]);
}

TERN_IFMA_FN void vmul(Vec& r, const Vec& a, const Vec& b) {
  const __m256i z = _mm256_setzero_si256();
  __m256i lo[9], hi[10];
  for (int k = 0; k < 9; ++k) lo[k] = z;
  for (int k = 0; k < 10; ++k) hi[k] = z;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) {
      lo[i + j] = _mm256_madd52lo_epu64(lo[i + j], a.l[i], b.l[j]);
      hi[i + j + 1] = _mm256_madd52hi_epu64(hi[i + j + 1], a.l[i], b.l[j]);
    }
  // c_k = lo_k + 2 hi_k; r_k = c_k + 19 c_(k+5)
  __m256i c[5];
  for (int k = 0; k < 5; ++k) {
    const __m256i low = _mm256_add_epi64(lo[k], _mm256_slli_epi64(hi[k], 1));
    const __m256i up = _mm256_add_epi64(k + 5 < 9 ? lo[k + 5] : z, _mm256_slli_epi64(hi[k + 5], 1));
    c[k] = _mm256_add_epi64(low, times19(up));
  }
  norm(r, c);
}

// r = blend of a (lanes where the mask bit is 0) and b (bit 1); imm is a
// 32-bit-element blend mask for _mm256_blend_epi32.
#define TERN_IFMA_BLEND(a, b, imm) _mm256_blend_epi32((a), (b), (imm))
#define TERN_IFMA_PERM(x, imm) _mm256_permute4x64_epi64((x), (imm))
// lane selectors for _mm256_permute4x64_epi64: lane i takes lane ((imm >> 2i) & 3)
#define TERN_SEL(l0, l1, l2, l3) ((l0) | ((l1) << 2) | ((l2) << 4) | ((l3) << 6))
// 32-bit blend bits for 64-bit lanes
#define TERN_LANES(l0, l1, l2, l3) ((3 * (l0)) | (12 * (l1)) | (48 * (l2)) | (192 * (l3)))

// 4p in radix 2^51: 4 (2^51 - 19), 4 (2^51 - 1), ...
TERN_IFMA_FN __m256i four_p(int k) {
  return _mm256_set1_epi64x(static_cast<long long>(k == 0 ? 4 * (kMask51 - 18) : 4 * kMask51));
}

// 32 little-endian bytes (bit 255 ignored) -> five 51-bit limbs.
void bytes_to51(std::uint64_t l[5], const std::uint8_t s[32]) noexcept {
  const std::uint64_t w0 = load_le64(s), w1 = load_le64(s + 8), w2 = load_le64(s + 16),
                      w3 = load_le64(s + 24) & 0x7fffffffffffffffull;
  l[0] = w0 & kMask51;
  l[1] = ((w0 >> 51) | (w1 << 13)) & kMask51;
  l[2] = ((w1 >> 38) | (w2 << 26)) & kMask51;
  l[3] = ((w2 >> 25) | (w3 << 39)) & kMask51;
  l[4] = w3 >> 12;
}
// Five limbs < 2^51 + 2^17 (value < 2^256) -> the adx field's four words.
Fe64::T from51(const std::uint64_t l[5]) noexcept {
  std::uint64_t acc[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < 5; ++i) {
    const int s = 51 * i, wi = s / 64, off = s % 64;
    const unsigned __int128 v = static_cast<unsigned __int128>(l[i]) << off;
    unsigned __int128 t = static_cast<unsigned __int128>(acc[wi]) + static_cast<std::uint64_t>(v);
    acc[wi] = static_cast<std::uint64_t>(t);
    t = (t >> 64) + acc[wi + 1] + static_cast<std::uint64_t>(v >> 64);
    acc[wi + 1] = static_cast<std::uint64_t>(t);
    for (int j = wi + 2; j < 5; ++j) {
      t = (t >> 64) + acc[j];
      acc[j] = static_cast<std::uint64_t>(t);
    }
  }
  const Fe64::T r{{acc[0], acc[1], acc[2], acc[3]}};
  wipe(acc, sizeof acc);
  return r;
}

__attribute__((target("avx2,avx512f,avx512vl,avx512ifma"))) void ladder_ifma(
    std::uint8_t out[32], const std::uint8_t k[32], const std::uint8_t u[32]) noexcept {
  std::uint64_t x1[5];
  bytes_to51(x1, u);  // bit 255 of u ignored
  Vec st, r3;  // st = [x3, z3, x2, z2] = [x1, 1, 1, 0]
  for (int i = 0; i < 5; ++i) {
    const long long xi = static_cast<long long>(x1[i]);
    const long long one = i == 0 ? 1 : 0;
    st.l[i] = _mm256_set_epi64x(0, one, one, xi);
    r3.l[i] = _mm256_set_epi64x(one, one, xi, one);
  }
  const __m256i a24 = _mm256_set1_epi64x(121665);
  std::uint64_t swap = 0;
  for (int t = 254; t >= 0; --t) {
    const std::uint64_t bit = (k[t >> 3] >> (t & 7)) & 1;
    const __m256i m = _mm256_set1_epi64x(static_cast<long long>(ct::value_barrier(0 - (swap ^ bit))));
    swap = bit;
    Vec v, l1, r1, m1, l2, r2, m2;
    __m256i c[5];
    for (int i = 0; i < 5; ++i) {
      // conditional swap of the halves
      const __m256i x = st.l[i];
      const __m256i s = TERN_IFMA_PERM(x, TERN_SEL(2, 3, 0, 1));
      st.l[i] = _mm256_xor_si256(x, _mm256_and_si256(m, _mm256_xor_si256(x, s)));
      // [x3+z3, x3-z3, x2+z2, x2-z2]
      const __m256i p = TERN_IFMA_PERM(st.l[i], TERN_SEL(1, 0, 3, 2));
      const __m256i sum = _mm256_add_epi64(st.l[i], p);
      const __m256i dif = _mm256_sub_epi64(_mm256_add_epi64(p, four_p(i)), st.l[i]);  // lanes 1, 3: x - z
      c[i] = TERN_IFMA_BLEND(sum, dif, TERN_LANES(0, 1, 0, 1));
    }
    norm(v, c);  // [C, D, A, B]
    for (int i = 0; i < 5; ++i) {
      l1.l[i] = TERN_IFMA_PERM(v.l[i], TERN_SEL(1, 0, 2, 3));  // [D, C, A, B]
      r1.l[i] = TERN_IFMA_PERM(v.l[i], TERN_SEL(2, 3, 2, 3));  // [A, B, A, B]
    }
    vmul(m1, l1, r1);  // [DA, CB, AA, BB]
    for (int i = 0; i < 5; ++i) {
      const __m256i q = TERN_IFMA_PERM(m1.l[i], TERN_SEL(1, 0, 3, 2));  // [CB, DA, BB, AA]
      const __m256i sum = _mm256_add_epi64(m1.l[i], q);
      const __m256i dif = _mm256_sub_epi64(_mm256_add_epi64(q, four_p(i)), m1.l[i]);
      // [DA+CB, DA-CB, AA, AA-BB]
      c[i] = TERN_IFMA_BLEND(TERN_IFMA_BLEND(sum, dif, TERN_LANES(0, 1, 0, 1)), m1.l[i], TERN_LANES(0, 0, 1, 0));
    }
    norm(l2, c);
    {
      // lane 3: AA + a24 E; lane 2: BB; lanes 0, 1 as l2. The low 52 bits
      // of a24 E_i go to limb i, the high part (weight 2^52) doubled to
      // limb i + 1 (limb 4's to limb 0 times 38).
      __m256i hi[5];
      for (int i = 0; i < 5; ++i) {
        const __m256i q = TERN_IFMA_PERM(m1.l[i], TERN_SEL(1, 0, 3, 2));  // lane 3 AA, lane 2 BB
        c[i] = _mm256_madd52lo_epu64(q, l2.l[i], a24);
        hi[i] = _mm256_madd52hi_epu64(_mm256_setzero_si256(), l2.l[i], a24);
      }
      c[0] = _mm256_add_epi64(c[0], _mm256_slli_epi64(times19(hi[4]), 1));
      for (int i = 1; i < 5; ++i) c[i] = _mm256_add_epi64(c[i], _mm256_slli_epi64(hi[i - 1], 1));
      for (int i = 0; i < 5; ++i) {
        const __m256i q = TERN_IFMA_PERM(m1.l[i], TERN_SEL(1, 0, 3, 2));
        c[i] = TERN_IFMA_BLEND(TERN_IFMA_BLEND(l2.l[i], q, TERN_LANES(0, 0, 1, 0)), c[i], TERN_LANES(0, 0, 0, 1));
      }
      norm(r2, c);
    }
    vmul(m2, l2, r2);  // [x3', z3'/x1, x2', z2']
    vmul(st, m2, r3);
  }
  const __m256i m = _mm256_set1_epi64x(static_cast<long long>(ct::value_barrier(0 - swap)));
  alignas(32) std::uint64_t lanes[5][4];
  for (int i = 0; i < 5; ++i) {
    const __m256i x = st.l[i];
    const __m256i s = TERN_IFMA_PERM(x, TERN_SEL(2, 3, 0, 1));
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[i]), _mm256_xor_si256(x, _mm256_and_si256(m, _mm256_xor_si256(x, s))));
  }
  // x2 in lane 2, z2 in lane 3: to four 64-bit words (value < 2^256).
  using F = Fe64;
  F::T xz[2];
  for (int e = 0; e < 2; ++e) {
    std::uint64_t l[5] = {lanes[0][2 + e], lanes[1][2 + e], lanes[2][2 + e], lanes[3][2 + e], lanes[4][2 + e]};
    xz[e] = from51(l);
    wipe(l, sizeof l);
  }
  Curve<F>::invert(xz[1], xz[1]);
  F::mul(xz[0], xz[0], xz[1]);
  F::to_bytes(out, xz[0]);
  wipe(lanes, sizeof lanes);
  wipe(xz, sizeof xz);
  wipe(x1, sizeof x1);
  swap = 0;
}

// ---- fixed base [k]B on 4-lane vectors (X25519 and Ed25519 key generation,
// the Ed25519 nonce point) ----------------------------------------------------
// The same signed radix-16 comb as Curve::base_mult (64 digits in [-8, 8],
// table[i][j] = (j+1) 256^i B, odd digits, four doublings, even digits), with
// the point (X, Y, Z, T) in the four lanes of one vector:
//   mixed addition: [Y-X, Y+X, T, 2Z] x [ymx, ypx, xy2d, 1] = [a, b, c, d],
//     U = [E, H, F, G] = [b-a, b+a, d-c, d+c], then
//     [E, G, F, E] x [F, H, G, H] = [X3, Y3, Z3, T3];
//   doubling: [X, Y, Z, X+Y]^2 = [A, B, Z^2, S], U = [A+B-S, A+B, 2Z^2+A-B, A-B],
//     then the same product.
// Table rows: 16 words per entry, [ymx, ypx, xy2d] in radix 2^51 (canonical
// limbs) and one zero word; selected with the AVX2 masked scan of field_adx.hpp.
constexpr std::size_t kRow = 16;
struct BaseTable51 {
  std::uint64_t t[32][8][kRow];
  BaseTable51() noexcept {
    using C = Curve<Fe64>;
    const auto& tab = C::base_table();
    for (int i = 0; i < 32; ++i)
      for (int j = 0; j < 8; ++j) {
        C::Niels n;
        std::memcpy(&n, tab.t[i][j], sizeof n);
        std::uint8_t b[32];
        const Fe64::T* f[3] = {&n.ymx, &n.ypx, &n.xy2d};
        for (int k = 0; k < 3; ++k) {
          Fe64::to_bytes(b, *f[k]);
          bytes_to51(&t[i][j][5 * k], b);
        }
        t[i][j][15] = 0;
      }
  }
};
const BaseTable51& base_table51() noexcept {
  static const BaseTable51 t;
  return t;
}

// U = [E, H, F, G] (normed) -> [EF, GH, FG, EH] = (X, Y, Z, T).
TERN_IFMA_FN void efgh_to_p3(Vec& h, const Vec& u) {
  Vec l, r;
  for (int i = 0; i < 5; ++i) {
    l.l[i] = TERN_IFMA_PERM(u.l[i], TERN_SEL(0, 3, 2, 0));
    r.l[i] = TERN_IFMA_PERM(u.l[i], TERN_SEL(2, 1, 3, 1));
  }
  vmul(h, l, r);
}

// h += q for q = [ymx, ypx, xy2d * 2d-scaled T term, z2] in the lanes of r:
// affine Niels points have z2 = 2, cached points (Y+X, Y-X, 2Z, 2dT) their
// own 2Z. [Y-X, Y+X, T, Z] x r = [a, b, c, d], then E, F, G, H and the
// product to (X, Y, Z, T) as above.
TERN_IFMA_FN void add_vec(Vec& h, const Vec& r) {
  Vec l, m, u;
  __m256i c[5];
  for (int i = 0; i < 5; ++i) {
    const __m256i x = h.l[i];
    const __m256i q = TERN_IFMA_PERM(x, TERN_SEL(1, 0, 3, 2));  // [Y, X, T, Z]
    const __m256i sum = _mm256_add_epi64(x, q);
    const __m256i dif = _mm256_sub_epi64(_mm256_add_epi64(q, four_p(i)), x);
    c[i] = TERN_IFMA_BLEND(TERN_IFMA_BLEND(dif, sum, TERN_LANES(0, 1, 0, 0)), q, TERN_LANES(0, 0, 1, 1));
  }
  norm(l, c);
  vmul(m, l, r);  // [a, b, c, d]
  for (int i = 0; i < 5; ++i) {
    const __m256i p = TERN_IFMA_PERM(m.l[i], TERN_SEL(1, 0, 3, 2));  // [b, a, d, c]
    const __m256i sum = _mm256_add_epi64(m.l[i], p);
    const __m256i dif = _mm256_sub_epi64(_mm256_add_epi64(p, four_p(i)), m.l[i]);
    c[i] = TERN_IFMA_BLEND(dif, sum, TERN_LANES(0, 1, 0, 1));  // [b-a, a+b, d-c, c+d]
  }
  norm(u, c);
  efgh_to_p3(h, u);
}

// -q for q as in add_vec: swap Y+X / Y-X, negate the T term.
TERN_IFMA_FN void neg_vec(Vec& r, const Vec& q) {
  __m256i c[5];
  for (int i = 0; i < 5; ++i) {
    const __m256i sw = TERN_IFMA_PERM(q.l[i], TERN_SEL(1, 0, 2, 3));
    c[i] = TERN_IFMA_BLEND(sw, _mm256_sub_epi64(four_p(i), sw), TERN_LANES(0, 0, 1, 0));
  }
  norm(r, c);
}

// h += the table entry for `digit` (|digit| <= 8) of row `row`.
TERN_IFMA_FN void madd_digit(Vec& h, const std::uint64_t (*row)[kRow], std::int8_t digit) {
  const std::uint32_t neg = static_cast<std::uint32_t>(static_cast<std::uint8_t>(digit)) >> 7;
  const std::uint32_t mag =
      static_cast<std::uint32_t>((digit ^ -static_cast<std::int32_t>(neg)) + static_cast<std::int32_t>(neg)) & 0xff;
  alignas(32) std::uint64_t w[kRow];
  select_words_avx2(w, &row[0][0], kRow, 8, mag);
  // digit 0: the identity (ymx, ypx, xy2d) = (1, 1, 0)
  const std::uint64_t zm = ct::mask_eq(static_cast<std::uint64_t>(mag), std::uint64_t{0});
  w[0] |= zm & 1;
  w[5] |= zm & 1;
  Vec r, rn;
  for (int i = 0; i < 5; ++i)
    r.l[i] = _mm256_set_epi64x(i == 0 ? 2 : 0, static_cast<long long>(w[10 + i]), static_cast<long long>(w[5 + i]),
                               static_cast<long long>(w[i]));
  wipe(w, sizeof w);
  // negative digit: -P = (ypx, ymx, -xy2d)
  neg_vec(rn, r);
  const __m256i nm = _mm256_set1_epi64x(static_cast<long long>(ct::value_barrier(0 - static_cast<std::uint64_t>(neg))));
  for (int i = 0; i < 5; ++i) r.l[i] = _mm256_xor_si256(r.l[i], _mm256_and_si256(nm, _mm256_xor_si256(r.l[i], rn.l[i])));
  add_vec(h, r);
}

TERN_IFMA_FN void dbl_p3(Vec& h) {
  Vec l, m, u;
  __m256i c[5];
  for (int i = 0; i < 5; ++i) {
    const __m256i x = h.l[i];
    const __m256i xy = _mm256_add_epi64(TERN_IFMA_PERM(x, TERN_SEL(0, 1, 2, 0)), TERN_IFMA_PERM(x, TERN_SEL(0, 1, 2, 1)));
    c[i] = TERN_IFMA_BLEND(x, xy, TERN_LANES(0, 0, 0, 1));  // [X, Y, Z, X+Y]
  }
  norm(l, c);
  vmul(m, l, l);  // [A, B, Z^2, S]
  for (int i = 0; i < 5; ++i) {
    const __m256i v1 = TERN_IFMA_PERM(m.l[i], TERN_SEL(0, 0, 2, 0));  // [A, A, Z^2, A]
    const __m256i v2 = TERN_IFMA_PERM(m.l[i], TERN_SEL(1, 1, 2, 1));  // [B, B, Z^2, B]
    const __m256i v3 = TERN_IFMA_PERM(m.l[i], TERN_SEL(3, 3, 3, 3));  // S
    const __m256i t1 = _mm256_add_epi64(v1, v2);                                        // [A+B, A+B, 2Z^2, A+B]
    const __m256i t2 = _mm256_sub_epi64(_mm256_add_epi64(v1, four_p(i)), v2);           // [A-B, A-B, 4p, A-B]
    const __m256i x1 = TERN_IFMA_BLEND(t1, t2, TERN_LANES(0, 0, 0, 1));                  // [A+B, A+B, 2Z^2, A-B]
    const __m256i ns = _mm256_sub_epi64(four_p(i), v3);
    const __m256i y1 = TERN_IFMA_BLEND(TERN_IFMA_BLEND(ns, _mm256_setzero_si256(), TERN_LANES(0, 1, 0, 1)),
                                       TERN_IFMA_PERM(t2, TERN_SEL(0, 0, 0, 0)), TERN_LANES(0, 0, 1, 0));  // [-S, 0, A-B, 0]
    c[i] = _mm256_add_epi64(x1, y1);
  }
  norm(u, c);  // [E, H, F, G]
  efgh_to_p3(h, u);
}

// [k]B (k < 2^255) in extended coordinates on the adx field. Constant time.
__attribute__((target("avx2,avx512f,avx512vl,avx512ifma"))) void base_mult_ifma(Curve<Fe64>::P3& out,
                                                                               const std::uint8_t k[32]) noexcept {
  std::int8_t e[64];
  for (int i = 0; i < 32; ++i) {
    e[2 * i] = static_cast<std::int8_t>(k[i] & 15);
    e[2 * i + 1] = static_cast<std::int8_t>(k[i] >> 4);
  }
  std::int8_t carry = 0;
  for (int i = 0; i < 63; ++i) {
    e[i] = static_cast<std::int8_t>(e[i] + carry);
    carry = static_cast<std::int8_t>((e[i] + 8) >> 4);
    e[i] = static_cast<std::int8_t>(e[i] - (carry * 16));
  }
  e[63] = static_cast<std::int8_t>(e[63] + carry);
  const BaseTable51& tab = base_table51();
  Vec h;  // identity (0, 1, 1, 0)
  for (int i = 0; i < 5; ++i) h.l[i] = _mm256_set_epi64x(0, i == 0 ? 1 : 0, i == 0 ? 1 : 0, 0);
  for (int i = 1; i < 64; i += 2) madd_digit(h, tab.t[i / 2], e[i]);
  for (int d = 0; d < 4; ++d) dbl_p3(h);
  for (int i = 0; i < 64; i += 2) madd_digit(h, tab.t[i / 2], e[i]);
  alignas(32) std::uint64_t lanes[5][4];
  for (int i = 0; i < 5; ++i) _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[i]), h.l[i]);
  Fe64::T* dst[4] = {&out.X, &out.Y, &out.Z, &out.T};
  for (int j = 0; j < 4; ++j) {
    std::uint64_t l[5] = {lanes[0][j], lanes[1][j], lanes[2][j], lanes[3][j], lanes[4][j]};
    *dst[j] = from51(l);
    wipe(l, sizeof l);
  }
  wipe(lanes, sizeof lanes);
  wipe(e, sizeof e);
  carry = 0;
}

// As Curve::base_mont / base_ed, on base_mult_ifma.
void base_mont_ifma(std::uint8_t out[32], const std::uint8_t k[32]) noexcept {
  using F = Fe64;
  Curve<F>::P3 h;
  base_mult_ifma(h, k);
  F::T n, d;
  F::add(n, h.Z, h.Y);
  F::sub(d, h.Z, h.Y);
  Curve<F>::invert(d, d);
  F::mul(n, n, d);
  F::to_bytes(out, n);
  wipe_object(h);
  wipe_object(n);
  wipe_object(d);
}
void base_ed_ifma(std::uint8_t out[32], const std::uint8_t k[32]) noexcept {
  Curve<Fe64>::P3 h;
  base_mult_ifma(h, k);
  Curve<Fe64>::encode(out, h.X, h.Y, h.Z);
  wipe_object(h);
}

// ---- verification: [S]B - [h]A == R (variable time, public inputs) ---------
// Curve::verify's Straus/wNAF loop (width 5 for A, width 8 for B) with the
// point in one vector: a doubling and each addition are two 4-lane products.
// Fe64 values (ymx, ypx, t, z2) -> lanes of one vector (canonical limbs).
__attribute__((target("avx2,avx512f,avx512vl,avx512ifma"))) void pack4(Vec& r, const Fe64::T& a, const Fe64::T& b,
                                                                     const Fe64::T& c, const Fe64::T& d) noexcept {
  std::uint64_t l[4][5];
  const Fe64::T* f[4] = {&a, &b, &c, &d};
  for (int k = 0; k < 4; ++k) {
    std::uint8_t bytes[32];
    Fe64::to_bytes(bytes, *f[k]);
    bytes_to51(l[k], bytes);
  }
  for (int i = 0; i < 5; ++i)
    r.l[i] = _mm256_set_epi64x(static_cast<long long>(l[3][i]), static_cast<long long>(l[2][i]),
                               static_cast<long long>(l[1][i]), static_cast<long long>(l[0][i]));
}

struct OddBase51 {
  Vec odd[64];  // (2j+1) B as [ymx, ypx, xy2d, 2]
  OddBase51() noexcept {
    using C = Curve<Fe64>;
    const auto& tab = C::base_table();
    Fe64::T two;
    Fe64::set_small(two, 2);
    for (int j = 0; j < 64; ++j) pack4(odd[j], tab.odd[j].ymx, tab.odd[j].ypx, tab.odd[j].xy2d, two);
  }
};
const OddBase51& odd_base51() noexcept {
  static const OddBase51 t;
  return t;
}

__attribute__((target("avx2,avx512f,avx512vl,avx512ifma"))) int verify_ifma(const std::uint8_t R[32],
                                                                           const std::uint8_t A[32],
                                                                           const std::uint8_t S[32],
                                                                           const std::uint8_t h[32]) noexcept {
  using C = Curve<Fe64>;
  C::P3 a;
  if (!C::decode(a, A)) return -1;
  Fe64::neg(a.X, a.X);  // -A
  Fe64::neg(a.T, a.T);
  Vec ai[8], ain[8];  // (2j+1)(-A) as [Y-X, Y+X, 2dT, 2Z], and negated
  {
    C::P1 s;
    C::P3 a2, q = a;
    C::dbl(s, a);
    C::to_p3(a2, s);
    C::Cached c2, c;
    C::to_cached(c2, a2);
    for (int j = 0; j < 8; ++j) {
      if (j > 0) {
        C::add(s, q, c2);
        C::to_p3(q, s);
      }
      C::to_cached(c, q);
      pack4(ai[j], c.ymx, c.ypx, c.t2d, c.z2);
      neg_vec(ain[j], ai[j]);
    }
  }
  std::int8_t nh[257], ns[257];
  C::wnaf(nh, h, 5);
  C::wnaf(ns, S, 8);
  int i = 256;
  while (i >= 0 && nh[i] == 0 && ns[i] == 0) --i;
  const OddBase51& tab = odd_base51();
  Vec acc;
  for (int k = 0; k < 5; ++k) acc.l[k] = _mm256_set_epi64x(0, k == 0 ? 1 : 0, k == 0 ? 1 : 0, 0);
  for (; i >= 0; --i) {
    dbl_p3(acc);
    if (nh[i] > 0) add_vec(acc, ai[nh[i] / 2]);
    else if (nh[i] < 0) add_vec(acc, ain[(-nh[i]) / 2]);
    if (ns[i] > 0) {
      add_vec(acc, tab.odd[ns[i] / 2]);
    } else if (ns[i] < 0) {
      Vec n;
      neg_vec(n, tab.odd[(-ns[i]) / 2]);
      add_vec(acc, n);
    }
  }
  alignas(32) std::uint64_t lanes[5][4];
  for (int k = 0; k < 5; ++k) _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[k]), acc.l[k]);
  Fe64::T xyz[3];
  for (int j = 0; j < 3; ++j) {
    const std::uint64_t l[5] = {lanes[0][j], lanes[1][j], lanes[2][j], lanes[3][j], lanes[4][j]};
    xyz[j] = from51(l);
  }
  std::uint8_t enc[32];
  C::encode(enc, xyz[0], xyz[1], xyz[2]);
  return std::memcmp(enc, R, 32) == 0 ? 1 : 0;
}

#undef TERN_IFMA_BLEND
#undef TERN_IFMA_PERM
#undef TERN_SEL
#undef TERN_LANES

}  // namespace

constinit const Kernel kernel_ifma = [] {
  Kernel kn = Curve<Fe64>::kernel(cpu::bmi2 | cpu::adx | cpu::avx2 | cpu::avx512f | cpu::avx512vl | cpu::avx512ifma);
  kn.name = "ifma";
  kn.ladder = &ladder_ifma;
  kn.base_mont = &base_mont_ifma;
  kn.base_ed = &base_ed_ifma;
  kn.verify = &verify_ifma;
  return kn;
}();

}  // namespace tern::curve25519_detail
#endif
