// CPU feature detection: the one place that reads CPUID.
//
// features() is read once (CPUID + XGETBV for the OS-enabled register state)
// and then ANDed with a mask taken from the environment variable
// TERN_CPU_DISABLE, a comma-separated list of feature names (see
// feature_name()), plus the aliases "avx512" (every AVX-512 bit), "sha"
// for "shani", "aes" for "aesni", and "all". This lets every kernel be
// forced on one machine: TERN_CPU_DISABLE=avx512f,vaes selects the AVX2 /
// AES-NI paths; TERN_CPU_DISABLE=all selects the portable code.
#pragma once

#include <cstdint>

namespace tern::cpu {

enum Feature : std::uint32_t {
  sse41 = 1u << 0,
  aesni = 1u << 1,
  pclmul = 1u << 2,
  avx = 1u << 3,
  avx2 = 1u << 4,
  bmi2 = 1u << 5,
  adx = 1u << 6,
  shani = 1u << 7,
  avx512f = 1u << 8,
  avx512bw = 1u << 9,
  avx512vl = 1u << 10,
  avx512ifma = 1u << 11,
  vaes = 1u << 12,
  vpclmulqdq = 1u << 13,
  ssse3 = 1u << 14,
  bmi1 = 1u << 15,
};
inline constexpr int feature_count = 16;

// The features this CPU and OS support, after the TERN_CPU_DISABLE mask.
std::uint32_t features() noexcept;
// The features detected before masking.
std::uint32_t detected() noexcept;
// True when every bit of `need` is available. With TERN_SIMD=0 no kernel
// needing a CPU feature is compiled in, so this is a constant (only the
// feature-free portable kernels run) and no detection code is linked for it;
// features() and detected() still report the CPU.
#if defined(TERN_SIMD) && !TERN_SIMD
constexpr bool has(std::uint32_t need) noexcept { return need == 0; }
#else
inline bool has(std::uint32_t need) noexcept { return (features() & need) == need; }
#endif

// Lowercase name of one feature bit ("avx512ifma"), or "?".
const char* feature_name(std::uint32_t bit) noexcept;

// Parses a TERN_CPU_DISABLE-style list into a mask of bits to clear.
std::uint32_t parse_disable_list(const char* list) noexcept;

}  // namespace tern::cpu
