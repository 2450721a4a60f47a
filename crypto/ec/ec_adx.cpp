// x86-64 BMI2/ADX P-256 / P-384 arithmetic kernel: the shared arithmetic
// compiled for MULX/ADCX/ADOX.
#if TERN_SIMD && defined(__x86_64__)

#include <immintrin.h>

#define TERN_EC_FN __attribute__((target("bmi2,adx")))
#define TERN_EC_MULX 1
#include "crypto/ec/ec_impl.hpp"
#include "crypto/internal/cpu.hpp"

namespace tern::ec::internal {

constinit const EcKernel<4> kP256Adx = P256::kernel("adx", cpu::bmi2 | cpu::adx);
constinit const EcKernel<6> kP384Adx = P384::kernel("adx", cpu::bmi2 | cpu::adx);

}  // namespace tern::ec::internal

#endif
