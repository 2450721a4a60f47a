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
