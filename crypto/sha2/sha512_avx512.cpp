// SHA-512 compression: AVX-512VL message schedule (vprorq, vpternlogq,
// valignq on 256-bit vectors) + BMI2 scalar rounds.
#if TERN_SIMD && defined(__x86_64__)
#define S512_TARGET "avx2,bmi,bmi2,avx512f,avx512vl"
#define S512_FN sha512_avx512
#define S512_VL 1
#define S512_LOWLAT 1
#include "crypto/sha2/sha512_x86.inc"
#endif
