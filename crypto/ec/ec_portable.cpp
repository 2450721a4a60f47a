// Portable P-256 / P-384 arithmetic kernel: 64-bit limbs, unsigned __int128
// products where the compiler has them (a 32x32-bit fallback otherwise).
#define TERN_EC_FN
#include "crypto/ec/ec_impl.hpp"

namespace tern::ec::internal {

constinit const EcKernel<4> kP256Portable = P256::kernel("portable", 0);
#ifndef TERN_NO_P384
constinit const EcKernel<6> kP384Portable = P384::kernel("portable", 0);
#endif

}  // namespace tern::ec::internal
