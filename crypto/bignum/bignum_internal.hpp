// Limb-level helpers shared by the bignum kernels (not installed).
#pragma once

#include "crypto/bignum/bignum.hpp"
#include "crypto/internal/ct.hpp"

namespace tern::bignum::detail {

// (hi, lo) = a*b + c + d; cannot overflow 128 bits.
inline void mac(Limb& hi, Limb& lo, Limb a, Limb b, Limb c, Limb d) noexcept {
#ifdef __SIZEOF_INT128__
  unsigned __int128 t = static_cast<unsigned __int128>(a) * b + c + d;
  lo = static_cast<Limb>(t);
  hi = static_cast<Limb>(t >> 64);
#else
  // 32-bit targets: four 32x32 products.
  const std::uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
  const std::uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  std::uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
  std::uint64_t l = (p00 & 0xffffffffu) | (mid << 32);
  std::uint64_t h = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  l += c;
  h += (l < c);
  l += d;
  h += (l < d);
  lo = l;
  hi = h;
#endif
}

// r = t - m (n limbs) when t (with extra top limb `top`, 0 or 1) >= m, else
// t; constant time. t and r may alias.
inline void final_sub(Limb* r, const Limb* t, Limb top, const Limb* m, std::size_t n) noexcept {
  Limb d[kMaxLimbs];
  Limb borrow = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Limb x = t[i], y = m[i];
    Limb s = x - y;
    Limb b1 = s > x;
    Limb s2 = s - borrow;
    Limb b2 = s2 > s;
    d[i] = s2;
    borrow = b1 | b2;
  }
  // keep t when the subtraction borrowed and there is no top limb.
  const Limb keep = ct::value_barrier(static_cast<Limb>(0) - (borrow & ~top & 1));
  for (std::size_t i = 0; i < n; ++i) r[i] = (t[i] & keep) | (d[i] & ~keep);
}

}  // namespace tern::bignum::detail

namespace tern::bignum::detail {

// Montgomery multiplication and squaring in SOS form (separated operand
// scanning: the full product, then n reduction rows) over a kernel's
// addmul_1 (r[0..n) += a[0..n) * b, returning the carry limb). Squaring
// computes the off-diagonal products once and doubles them. Constant time.
template <class AddMul>
inline void sos_reduce(Limb* r, Limb* T, const Limb* m, Limb m0inv, std::size_t n, AddMul addmul) noexcept {
  Limb cc = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Limb u = T[i] * m0inv;
    const Limb c = addmul(T + i, m, u, n);
    const Limb s = T[i + n] + c;
    const Limb c1 = s < c;
    const Limb s2 = s + cc;
    const Limb c2 = s2 < s;
    T[i + n] = s2;
    cc = c1 | c2;
  }
  final_sub(r, T + n, cc, m, n);
}

template <class AddMul>
inline void sos_mul(Limb* r, const Limb* a, const Limb* b, const Limb* m, Limb m0inv, std::size_t n,
                    AddMul addmul) noexcept {
  Limb T[2 * kMaxLimbs + 1];
  for (std::size_t i = 0; i < n; ++i) T[i] = 0;
  for (std::size_t i = 0; i < n; ++i) T[i + n] = addmul(T + i, a, b[i], n);
  sos_reduce(r, T, m, m0inv, n, addmul);
}

template <class AddMul>
inline void sos_sqr(Limb* r, const Limb* a, const Limb* m, Limb m0inv, std::size_t n, AddMul addmul) noexcept {
  Limb T[2 * kMaxLimbs + 1];
  for (std::size_t i = 0; i < 2 * n; ++i) T[i] = 0;
  // Off-diagonal products a[i]*a[j], i < j.
  for (std::size_t i = 0; i + 1 < n; ++i) T[i + n] = addmul(T + 2 * i + 1, a + i + 1, a[i], n - 1 - i);
  // T = 2*T + sum a[i]^2 * 2^(128 i), one pass over limb pairs.
  Limb top = 0, carry = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Limb hi, lo;
    mac(hi, lo, a[i], a[i], 0, 0);
    const Limb t0 = T[2 * i], t1 = T[2 * i + 1];
    const Limb d0 = (t0 << 1) | top, d1 = (t1 << 1) | (t0 >> 63);
    top = t1 >> 63;
    Limb c;
    mac(c, T[2 * i], 1, d0, lo, carry);       // d0 + lo + carry
    mac(carry, T[2 * i + 1], 1, d1, hi, c);   // d1 + hi + c
  }
  sos_reduce(r, T, m, m0inv, n, addmul);
}

// Portable addmul_1.
struct AddMulPortable {
  Limb operator()(Limb* r, const Limb* a, Limb b, std::size_t n) const noexcept {
    Limb c = 0;
    for (std::size_t j = 0; j < n; ++j) mac(c, r[j], a[j], b, r[j], c);
    return c;
  }
};

}  // namespace tern::bignum::detail
