// Portable Montgomery multiplication and squaring (SOS over a C addmul_1)
// on 64-bit limbs; the 128-bit products fall back to 32-bit halves on
// targets without unsigned __int128.
#include "crypto/bignum/bignum_internal.hpp"

namespace tern::bignum::detail {

void mont_mul_portable(Limb* r, const Limb* a, const Limb* b, const Limb* m, Limb m0inv,
                       std::size_t n) noexcept {
  sos_mul(r, a, b, m, m0inv, n, AddMulPortable{});
}

void mont_sqr_portable(Limb* r, const Limb* a, const Limb*, const Limb* m, Limb m0inv,
                       std::size_t n) noexcept {
  sos_sqr(r, a, m, m0inv, n, AddMulPortable{});
}

void redc_portable(Limb* r, Limb* T, const Limb* m, Limb m0inv, std::size_t n) noexcept {
  sos_reduce(r, T, m, m0inv, n, AddMulPortable{});
}

}  // namespace tern::bignum::detail
