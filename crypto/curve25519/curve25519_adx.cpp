// The "adx" kernel: four 64-bit limbs, MULX/ADCX/ADOX (x86-64).
#if TERN_SIMD && defined(__x86_64__)
#include "crypto/curve25519/curve_impl.hpp"
#include "crypto/curve25519/field_adx.hpp"
#include "crypto/internal/cpu.hpp"

namespace tern::curve25519_detail {
constinit const Kernel kernel_adx = Curve<Fe64>::kernel(cpu::bmi2 | cpu::adx);
}
#endif
