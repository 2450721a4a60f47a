// The per-kernel entry points of crypto/curve25519 (internal). Each kernel
// runs a whole scalar multiplication on one field implementation.
#pragma once

#include <cstdint>

namespace tern::curve25519_detail {

struct Kernel {
  const char* name;
  std::uint32_t needs;  // cpu::Feature bits
  // X25519 ladder; k already clamped. Constant time.
  void (*ladder)(std::uint8_t out[32], const std::uint8_t k[32], const std::uint8_t u[32]) noexcept;
  // u-coordinate of [k]B (k < 2^255). Constant time.
  void (*base_mont)(std::uint8_t out[32], const std::uint8_t k[32]) noexcept;
  // Ed25519 encoding of [k]B (k < 2^255). Constant time.
  void (*base_ed)(std::uint8_t out[32], const std::uint8_t k[32]) noexcept;
  // Cofactorless check encode([S]B - [h]A) == R: 1 holds, 0 not, -1 bad A.
  // Variable time (public inputs).
  int (*verify)(const std::uint8_t R[32], const std::uint8_t A[32], const std::uint8_t S[32],
                const std::uint8_t h[32]) noexcept;
};

#ifdef __SIZEOF_INT128__
extern const Kernel kernel_portable;  // field_51.hpp
#endif
extern const Kernel kernel_portable32;  // field_32.hpp
#if TERN_SIMD && defined(__x86_64__)
extern const Kernel kernel_adx;   // field_adx.hpp
extern const Kernel kernel_ifma;  // curve25519_ifma.cpp (ladder), adx otherwise
#endif

// Tests only: runs every call on the named kernel WITHOUT checking the CPU
// (nullptr: back to the dispatcher). Used by the valgrind constant-time
// check, whose emulated CPUID hides ADX although it executes ADCX/ADOX.
// Not thread safe; never call it outside tests.
bool force_kernel_unchecked(const char* name) noexcept;

}  // namespace tern::curve25519_detail

namespace tern {
// The kernel selected for this call (curve25519.cpp).
const curve25519_detail::Kernel& curve25519_kernel() noexcept;
void curve25519_clamp(std::uint8_t k[32]) noexcept;
}  // namespace tern
