// Primality testing for RSA key generation: residues modulo small public
// divisors, trial division, and Miller-Rabin with random bases (FIPS 186-5
// B.3.1). Nothing allocates.
//
// The candidate is secret (it may become an RSA prime), so every function
// here runs in time that depends only on the limb count and the public
// parameters: residues use multiplications by precomputed reciprocals
// (no DIV), comparisons are masks, and Miller-Rabin always performs the
// same exponentiation and the same number of squarings. The verdicts
// (divisible / composite) are returned to the caller, which branches on
// them to discard a candidate: that reveals only facts about discarded
// candidates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/bignum/bignum.hpp"
#include "crypto/internal/random.hpp"
#include "crypto/status.hpp"

namespace tern::bignum {

// a mod s for a public divisor 2 <= s <= 65537 (n limbs). Constant time in a.
std::uint32_t mod_small(const Limb* a, std::size_t n, std::uint32_t s) noexcept;

// All-ones when a (n limbs) is divisible by one of the odd primes below
// kTrialDivisionBound, else 0. Constant time in a. (A candidate that is
// itself such a prime is reported divisible: only large candidates are
// meant to be tested.)
inline constexpr std::uint32_t kTrialDivisionBound = 2048;
Limb small_factor_mask(const Limb* a, std::size_t n) noexcept;

// Minimum Miller-Rabin rounds for a probable prime of `bits` bits used as
// an RSA factor (FIPS 186-5 Table B.1, error probability 2^-112 for
// 1024-bit factors, 2^-128 for 1536-bit, 2^-144 for 2048-bit).
unsigned miller_rabin_rounds(std::size_t bits) noexcept;

// Miller-Rabin with `rounds` bases drawn from rng. w: n limbs, odd, top
// limb non-zero, at least 128 bits. `probable` is set to the verdict.
// Candidates with w - 1 divisible by 2^64 are reported composite (a
// probability 2^-63 rejection that lets the squaring loop have a fixed
// length). Apart from stopping after the first failing round, the running
// time depends only on n, rounds and the bit length of w.
Status miller_rabin(const Limb* w, std::size_t n, unsigned rounds, RandomSource& rng, bool& probable) noexcept;

}  // namespace tern::bignum
