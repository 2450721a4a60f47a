// Portable Montgomery multiplication (CIOS, coarsely integrated operand
// scanning) on 64-bit limbs; the 128-bit products fall back to 32-bit
// halves on targets without unsigned __int128.
#include "crypto/bignum/bignum_internal.hpp"

namespace tern::bignum::detail {

void mont_mul_portable(Limb* r, const Limb* a, const Limb* b, const Limb* m, Limb m0inv,
                       std::size_t n) noexcept {
  Limb t[kMaxLimbs + 2];
  for (std::size_t i = 0; i < n + 2; ++i) t[i] = 0;
  for (std::size_t i = 0; i < n; ++i) {
    // t += a * b[i]
    Limb c = 0;
    const Limb bi = b[i];
    for (std::size_t j = 0; j < n; ++j) mac(c, t[j], a[j], bi, t[j], c);
    Limb s = t[n] + c;
    t[n + 1] = s < c;
    t[n] = s;
    // t = (t + u*m) / 2^64 with u chosen so the low limb vanishes.
    const Limb u = t[0] * m0inv;
    Limb lo;
    mac(c, lo, u, m[0], t[0], 0);
    for (std::size_t j = 1; j < n; ++j) mac(c, t[j - 1], u, m[j], t[j], c);
    s = t[n] + c;
    t[n - 1] = s;
    t[n] = t[n + 1] + (s < c);
  }
  final_sub(r, t, t[n], m, n);
  // t held products of secrets; it is on the stack of a leaf function and
  // overwritten by the next call. (Callers wipe their own buffers.)
}

}  // namespace tern::bignum::detail
