// Fixed-capacity natural numbers and Montgomery arithmetic for RSA.
//
// Numbers are little-endian arrays of 64-bit limbs with an explicit limb
// count; nothing allocates. The capacity is kMaxLimbs limbs (8192 bits),
// enough for RSA public keys up to 8192 bits and private keys up to 8192
// bits (whose CRT primes are half that).
//
// Unless a function says "variable time", its running time and memory
// access pattern depend only on the limb counts and bit lengths of its
// arguments (public sizes), never on their values. Montgomery
// multiplication is dispatched to a kernel (portable CIOS, or MULX/ADX on
// x86-64); see bignum_kernels().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/internal/dispatch.hpp"
#include "crypto/status.hpp"

namespace tern::bignum {

using Limb = std::uint64_t;
inline constexpr std::size_t kLimbBits = 64;
inline constexpr std::size_t kMaxLimbs = 128;  // 8192 bits

// Kernel control ("ifma", "adx", "portable"). "ifma" is adx plus an AVX-512
// IFMA exponentiation for the RSA CRT halves.
KernelSet& bignum_kernels() noexcept;

// An odd modulus m > 1 prepared for Montgomery arithmetic with R = 2^(64 n).
// Values "in Montgomery form" are x*R mod m, fully reduced (< m).
struct Modulus {
  Limb m[kMaxLimbs];
  Limb rr[kMaxLimbs];  // R^2 mod m
  Limb m0inv;          // -m^-1 mod 2^64
  std::size_t n = 0;   // limbs
  std::size_t bits = 0;
  // Optional: 2^(104 K) / R mod m with K = ceil((bits + 2) / 52), the factor
  // that moves Montgomery form to radix-2^52 Montgomery form (IFMA kernel).
  Limb conv52[kMaxLimbs];
  bool has_conv52 = false;

  // m: `limbs` limbs, odd, top limb non-zero (so `limbs` is minimal),
  // limbs <= kMaxLimbs. Constant time in the value of m (its bit length is
  // treated as public). bad_key if the requirements fail.
  Status init(const Limb* mod, std::size_t limbs) noexcept;
  // Precomputes conv52 (for moduli that are exponentiated often, such as
  // RSA primes). Constant time in the value of m.
  void prepare_radix52() noexcept;
  // prepare_radix52() if the active kernel would use it (moduli such as
  // RSA public keys, exponentiated often with a public exponent); the
  // result does not depend on it either way.
  void prepare_radix52_if_used() noexcept;
  ~Modulus();
};

// ---- conversions -------------------------------------------------------------

// Big-endian bytes -> n limbs. False (out zeroed) if the value needs more
// than n limbs. Time depends only on in.size() and n.
bool from_be(Limb* out, std::size_t n, std::span<const std::uint8_t> in) noexcept;
// n limbs -> out.size() big-endian bytes (high limbs beyond out are
// dropped; zero padding when out is longer). Time depends only on sizes.
void to_be(std::span<std::uint8_t> out, const Limb* a, std::size_t n) noexcept;
// Bit length of a (variable time: public values only).
std::size_t bit_length_vartime(const Limb* a, std::size_t n) noexcept;

// ---- plain arithmetic (constant time) ----------------------------------------

// a < b as an all-ones mask (n limbs each).
Limb lt_mask(const Limb* a, const Limb* b, std::size_t n) noexcept;
// a == 0 as an all-ones mask.
Limb zero_mask(const Limb* a, std::size_t n) noexcept;
// r = a - b, returns the borrow (0/1). r may alias a or b.
Limb sub(Limb* r, const Limb* a, const Limb* b, std::size_t n) noexcept;
// r = a + b, returns the carry (0/1). r may alias a or b.
Limb add(Limb* r, const Limb* a, const Limb* b, std::size_t n) noexcept;
// r[0..an+bn) = a * b (schoolbook). r must not alias a or b.
void mul(Limb* r, const Limb* a, std::size_t an, const Limb* b, std::size_t bn) noexcept;

// ---- modular arithmetic (constant time; operands < m unless noted) ------------

// r = a*b/R mod m. a < R and b < m suffice. r may alias a or b.
void mont_mul(Limb* r, const Limb* a, const Limb* b, const Modulus& m) noexcept;
// r = a*R mod m for a < R (any n-limb value).
void to_mont(Limb* r, const Limb* a, const Modulus& m) noexcept;
// r = a/R mod m (leaves Montgomery form).
void from_mont(Limb* r, const Limb* a, const Modulus& m) noexcept;
// r = (a + b) mod m, r = (a - b) mod m.
void mod_add(Limb* r, const Limb* a, const Limb* b, const Modulus& m) noexcept;
void mod_sub(Limb* r, const Limb* a, const Limb* b, const Modulus& m) noexcept;
// r (n limbs, Montgomery form) = x mod m for any x of xn limbs.
void reduce_to_mont(Limb* r, const Limb* x, std::size_t xn, const Modulus& m) noexcept;

// r = base^e (all Montgomery form), exponent given as big-endian bytes.
// Variable time in e (a public exponent), constant time in base.
void pow_public(Limb* r, const Limb* base_mont, std::span<const std::uint8_t> e,
                const Modulus& m) noexcept;
// out = x^e mod m with plain (non-Montgomery) x < m in and out; e public
// (variable time in e only). Kernels may use their own representation.
void modexp_public(Limb* out, const Limb* x, std::span<const std::uint8_t> e, const Modulus& m) noexcept;
// r = base^e (Montgomery form in and out), e a secret of m.n limbs whose
// value is < 2^m.bits. Fixed window, masked table reads.
void pow_secret(Limb* r, const Limb* base_mont, const Limb* e, const Modulus& m) noexcept;
// r = b1^e1 * b2^e2 (Montgomery form): two secret exponents sharing their
// squarings (used to fold RSA blinding's unblinding into the CRT halves).
void pow2_secret(Limb* r, const Limb* b1_mont, const Limb* e1, const Limb* b2_mont, const Limb* e2,
                 const Modulus& m) noexcept;
// Two independent pow2_secret jobs (the CRT halves); kernels may
// interleave them. e2a/e2b == nullptr (both or neither): single-exponent
// jobs r = b1^e1 (b2 ignored).
void pow2_secret_pair(Limb* ra, const Limb* b1a, const Limb* e1a, const Limb* b2a, const Limb* e2a,
                      const Modulus& ma, Limb* rb, const Limb* b1b, const Limb* e1b, const Limb* b2b,
                      const Limb* e2b, const Modulus& mb) noexcept;

namespace detail {
// Kernel entry points: r = a*b/R mod m, n limbs, fully reduced.
using MontMulFn = void (*)(Limb* r, const Limb* a, const Limb* b, const Limb* m, Limb m0inv,
                           std::size_t n);
// r = T/R mod m for T (2n limbs, clobbered) < m*R.
using RedcFn = void (*)(Limb* r, Limb* T, const Limb* m, Limb m0inv, std::size_t n);
struct Kernel {
  const char* name;
  std::uint32_t needs;
  MontMulFn mont_mul;
  MontMulFn mont_sqr;  // called with a == b
  RedcFn redc;
  // Optional whole-exponentiation override for pow2_secret (false: use the
  // generic ladder).
  bool (*pow2)(Limb* r, const Limb* b1_mont, const Limb* e1, const Limb* b2_mont, const Limb* e2,
               const Modulus& m) noexcept;
  // Optional: plain x^e mod m for a public exponent (false: generic).
  bool (*pow_public_plain)(Limb* out, const Limb* x, std::span<const std::uint8_t> e, const Modulus& m) noexcept;
  // Optional: two pow2_secret jobs at once (false: run them one by one).
  bool (*pow2x2)(Limb* ra, const Limb* b1a, const Limb* e1a, const Limb* b2a, const Limb* e2a,
                 const Modulus& ma, Limb* rb, const Limb* b1b, const Limb* e1b, const Limb* b2b,
                 const Limb* e2b, const Modulus& mb) noexcept;
};
void mont_mul_portable(Limb* r, const Limb* a, const Limb* b, const Limb* m, Limb m0inv,
                       std::size_t n) noexcept;
void mont_sqr_portable(Limb* r, const Limb* a, const Limb* b, const Limb* m, Limb m0inv,
                       std::size_t n) noexcept;
void redc_portable(Limb* r, Limb* T, const Limb* m, Limb m0inv, std::size_t n) noexcept;
#if TERN_SIMD && defined(__x86_64__)
void mont_mul_adx(Limb* r, const Limb* a, const Limb* b, const Limb* m, Limb m0inv,
                  std::size_t n) noexcept;
void mont_sqr_adx(Limb* r, const Limb* a, const Limb* b, const Limb* m, Limb m0inv,
                  std::size_t n) noexcept;
void redc_adx(Limb* r, Limb* T, const Limb* m, Limb m0inv, std::size_t n) noexcept;
bool pow_public_ifma(Limb* out, const Limb* x, std::span<const std::uint8_t> e, const Modulus& m) noexcept;
bool pow2_ifma(Limb* r, const Limb* b1_mont, const Limb* e1, const Limb* b2_mont, const Limb* e2,
               const Modulus& m) noexcept;
bool pow2x2_ifma(Limb* ra, const Limb* b1a, const Limb* e1a, const Limb* b2a, const Limb* e2a, const Modulus& ma,
                 Limb* rb, const Limb* b1b, const Limb* e1b, const Limb* b2b, const Limb* e2b,
                 const Modulus& mb) noexcept;
#endif
const Kernel& active_kernel() noexcept;
}  // namespace detail

}  // namespace tern::bignum
