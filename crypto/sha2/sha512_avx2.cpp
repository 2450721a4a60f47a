// SHA-512 compression: AVX2 message schedule + BMI2 scalar rounds.
#if TERN_SIMD && defined(__x86_64__)
#define S512_TARGET "avx2,bmi,bmi2"
#define S512_FN sha512_avx2
#define S512_VL 0
#define S512_LOWLAT 0
#define S512_SKEW 0
#include "crypto/sha2/sha512_x86.inc"
#endif
