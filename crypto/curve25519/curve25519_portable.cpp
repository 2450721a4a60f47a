// The "portable" kernel: five 51-bit limbs (needs unsigned __int128).
#ifdef __SIZEOF_INT128__
#include "crypto/curve25519/curve_impl.hpp"
#include "crypto/curve25519/field_51.hpp"

namespace tern::curve25519_detail {
constinit const Kernel kernel_portable = Curve<Fe51>::kernel(0);
}
#endif
