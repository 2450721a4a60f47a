// The "portable32" kernel: ten 25.5-bit limbs, 32x32->64 products only.
#include "crypto/curve25519/curve_impl.hpp"
#include "crypto/curve25519/field_32.hpp"

namespace tern::curve25519_detail {
#ifdef __SIZEOF_INT128__
constinit const Kernel kernel_portable32 = Curve<Fe32>::kernel(0);
#else
// Without a 64x64->128 multiply this is the only portable kernel, and it
// answers to "portable".
constinit const Kernel kernel_portable32 = [] {
  Kernel k = Curve<Fe32>::kernel(0);
  k.name = "portable";
  return k;
}();
#endif
}  // namespace tern::curve25519_detail
