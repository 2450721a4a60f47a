// The arithmetic kernel interface shared by ec.cpp and the kernel files.
// Numbers cross it as N little-endian 64-bit limbs in plain (non-Montgomery)
// form, fully reduced; the byte-level API, range checks and ECDSA logic are
// in ec.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::ec::internal {

template <std::size_t N>
struct EcKernel {
  const char* name;
  std::uint32_t needs;
  // (x, y) = k*G; 1 <= k < n. Constant time.
  void (*base_mult)(std::uint64_t* x, std::uint64_t* y, const std::uint64_t* k);
  // (x, y) = k*P for a valid point P; constant time in k. False if the
  // result is the point at infinity.
  bool (*point_mult)(std::uint64_t* x, std::uint64_t* y, const std::uint64_t* px, const std::uint64_t* py,
                     const std::uint64_t* k);
  // Variable time (public inputs): x(u1*G + u2*P) mod n == r, r < n.
  bool (*verify)(const std::uint64_t* u1, const std::uint64_t* u2, const std::uint64_t* px,
                 const std::uint64_t* py, const std::uint64_t* r);
  // (x, y) with x, y < p satisfies the curve equation.
  bool (*on_curve)(const std::uint64_t* x, const std::uint64_t* y);
  // y of the given parity with (x, y) on the curve; false when x is not an
  // x-coordinate of the curve.
  bool (*decompress)(std::uint64_t* y, const std::uint64_t* x, unsigned odd);
  // a*b mod n and a^-1 mod n (Fermat, constant time); inputs < n.
  void (*n_mul)(std::uint64_t* r, const std::uint64_t* a, const std::uint64_t* b);
  void (*n_inv)(std::uint64_t* r, const std::uint64_t* a);
};

// TERN_NO_P384 (-Dp384=disabled) leaves the P-384 kernels and comb table out.
extern const EcKernel<4> kP256Portable;
#ifndef TERN_NO_P384
extern const EcKernel<6> kP384Portable;
#endif
#if TERN_SIMD && defined(__x86_64__)
extern const EcKernel<4> kP256Adx;
#ifndef TERN_NO_P384
extern const EcKernel<6> kP384Adx;
#endif
#endif

}  // namespace tern::ec::internal
