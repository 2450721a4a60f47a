// SHA-512 compression: AVX-512 message schedule (vprorq, vpternlogq,
// vpermt2q), two blocks' schedules per 512-bit vector for multi-block calls,
// + BMI2 scalar rounds.
#if TERN_SIMD && defined(__x86_64__)
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own 512-bit intrinsics' undefined pass-through operand
// (_mm512_undefined_epi32) as maybe-uninitialized once they are inlined.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define S512_TARGET "avx2,bmi,bmi2,avx512f,avx512vl"
#define S512_FN sha512_avx512
#define S512_VL 1
#define S512_LOWLAT 0
#define S512_SKEW 1
#include "crypto/sha2/sha512_x86.inc"
#endif
