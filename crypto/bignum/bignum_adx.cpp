// x86-64 Montgomery multiplication with MULX (BMI2) and the two carry
// chains of ADCX/ADOX (ADX).
#include "crypto/bignum/bignum_internal.hpp"

#if TERN_SIMD && defined(__x86_64__)

#include <immintrin.h>

namespace tern::bignum::detail {

__attribute__((target("adx,bmi2"))) void mont_mul_adx(Limb* r, const Limb* a, const Limb* b,
                                                       const Limb* m, Limb m0inv,
                                                       std::size_t n) noexcept {
  Limb t[kMaxLimbs + 2];
  for (std::size_t i = 0; i < n + 2; ++i) t[i] = 0;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned long long hi, lo;
    const Limb bi = b[i];
    unsigned char c1 = 0, c2 = 0;
    unsigned long long carry_hi = 0;
    // t += a*bi: low halves on one chain, high halves on the other.
    for (std::size_t j = 0; j < n; ++j) {
      lo = _mulx_u64(a[j], bi, &hi);
      unsigned long long x;
      c1 = _addcarryx_u64(c1, t[j], lo, &x);
      c2 = _addcarryx_u64(c2, x, carry_hi, &x);
      t[j] = x;
      carry_hi = hi;
    }
    unsigned long long x;
    c1 = _addcarryx_u64(c1, t[n], carry_hi, &x);
    c2 = _addcarryx_u64(c2, x, 0, &x);
    t[n] = x;
    t[n + 1] = static_cast<Limb>(c1) + c2;
    const Limb u = t[0] * m0inv;
    c1 = 0;
    c2 = 0;
    carry_hi = 0;
    lo = _mulx_u64(u, m[0], &hi);
    c1 = _addcarryx_u64(c1, t[0], lo, &x);
    carry_hi = hi;
    for (std::size_t j = 1; j < n; ++j) {
      lo = _mulx_u64(u, m[j], &hi);
      c1 = _addcarryx_u64(c1, t[j], lo, &x);
      c2 = _addcarryx_u64(c2, x, carry_hi, &x);
      t[j - 1] = x;
      carry_hi = hi;
    }
    c1 = _addcarryx_u64(c1, t[n], carry_hi, &x);
    c2 = _addcarryx_u64(c2, x, 0, &x);
    t[n - 1] = x;
    t[n] = t[n + 1] + c1 + c2;
  }
  final_sub(r, t, t[n], m, n);
}

__attribute__((target("adx,bmi2"))) void mont_sqr_adx(Limb* r, const Limb* a, const Limb*,
                                                       const Limb* m, Limb m0inv,
                                                       std::size_t n) noexcept {
  mont_mul_adx(r, a, a, m, m0inv, n);
}


}  // namespace tern::bignum::detail

#endif
