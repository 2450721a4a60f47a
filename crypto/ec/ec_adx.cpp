// x86-64 BMI2/ADX P-256 / P-384 arithmetic kernel: the shared point and
// scalar code of ec_impl.hpp with TERN_EC_MULX set, which selects inline-asm
// 4-limb Montgomery multiplication (MULX with ADCX/ADOX carry chains; P-256's
// p reduced by its special form) and 4-limb add/sub (ADC/SBB + CMOV), and
// _mulx_u64/_addcarryx_u64 intrinsics for P-384's 6 limbs.
#if TERN_SIMD && defined(__x86_64__)

#include <immintrin.h>

#define TERN_EC_FN __attribute__((target("bmi2,adx")))
#define TERN_EC_MULX 1
#include "crypto/ec/ec_impl.hpp"
#include "crypto/internal/cpu.hpp"

namespace tern::ec::internal {

constinit const EcKernel<4> kP256Adx = P256::kernel("adx", cpu::bmi2 | cpu::adx);
#ifndef TERN_NO_P384
constinit const EcKernel<6> kP384Adx = P384::kernel("adx", cpu::bmi2 | cpu::adx);
#endif

}  // namespace tern::ec::internal

#endif
