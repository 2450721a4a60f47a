// Trial division and Miller-Rabin (FIPS 186-5 B.3.1) in constant time with
// respect to the candidate; see prime.hpp.
#include "crypto/bignum/prime.hpp"

#include <array>

#include "crypto/internal/ct.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::bignum {

namespace {

// The odd primes below kTrialDivisionBound with floor(2^32 / p), computed
// at compile time.
struct SmallPrime {
  std::uint32_t p;
  std::uint64_t recip;
};

constexpr std::size_t count_odd_primes(std::uint32_t bound) {
  std::size_t c = 0;
  for (std::uint32_t v = 3; v < bound; v += 2) {
    bool prime = true;
    for (std::uint32_t f = 3; f * f <= v; f += 2)
      if (v % f == 0) prime = false;
    if (prime) ++c;
  }
  return c;
}

constexpr std::size_t kSmallPrimeCount = count_odd_primes(kTrialDivisionBound);

constexpr std::array<SmallPrime, kSmallPrimeCount> make_small_primes() {
  std::array<SmallPrime, kSmallPrimeCount> out{};
  std::size_t c = 0;
  for (std::uint32_t v = 3; v < kTrialDivisionBound; v += 2) {
    bool prime = true;
    for (std::uint32_t f = 3; f * f <= v; f += 2)
      if (v % f == 0) prime = false;
    if (prime) out[c++] = SmallPrime{v, (std::uint64_t{1} << 32) / v};
  }
  return out;
}

constexpr std::array<SmallPrime, kSmallPrimeCount> kSmallPrimes = make_small_primes();

// x mod s for x < 2^33, 2 <= s <= 65537, recip = floor(2^32 / s). The
// estimate q = floor(x * recip / 2^32) is at most 2 below floor(x / s)
// (x < 2^33), so two masked subtractions finish the reduction.
inline std::uint64_t reduce_small(std::uint64_t x, std::uint64_t s, std::uint64_t recip) noexcept {
  const std::uint64_t q = (x * recip) >> 32;
  std::uint64_t r = x - q * s;
  for (int i = 0; i < 2; ++i) {
    const std::uint64_t t = r - s;
    const std::uint64_t keep = (t >> 63) - 1;  // all ones when r >= s
    r = ct::select(ct::value_barrier(keep), t, r);
  }
  return r;
}

std::uint64_t residue(const Limb* a, std::size_t n, std::uint64_t s, std::uint64_t recip) noexcept {
  std::uint64_t r = 0;
  for (std::size_t i = n; i-- > 0;)
    for (int sh = 48; sh >= 0; sh -= 16) r = reduce_small((r << 16) | ((a[i] >> sh) & 0xffff), s, recip);
  return r;
}

// Number of trailing zero bits of a non-zero limb, without branches.
Limb trailing_zeros(Limb x) noexcept {
  Limb seen = 0, count = 0;
  for (unsigned i = 0; i < 64; ++i) {
    seen |= (x >> i) & 1;
    count += seen ^ 1;
  }
  return ct::value_barrier(count);
}

// r = a >> k for a public 1 <= k <= 63 (n limbs). r may alias a.
void shift_right_public(Limb* r, const Limb* a, std::size_t n, unsigned k) noexcept {
  for (std::size_t i = 0; i < n; ++i) r[i] = (a[i] >> k) | (i + 1 < n ? a[i + 1] << (64 - k) : 0);
}

Limb eq_mask(const Limb* a, const Limb* b, std::size_t n) noexcept {
  Limb acc = 0;
  for (std::size_t i = 0; i < n; ++i) acc |= a[i] ^ b[i];
  return ct::mask_zero(acc);
}

}  // namespace

std::uint32_t mod_small(const Limb* a, std::size_t n, std::uint32_t s) noexcept {
  if (s < 2 || s > 65537) return 0;
  return static_cast<std::uint32_t>(residue(a, n, s, (std::uint64_t{1} << 32) / s));
}

Limb small_factor_mask(const Limb* a, std::size_t n) noexcept {
  Limb hit = 0;
  for (const SmallPrime& sp : kSmallPrimes) hit |= ct::mask_zero(residue(a, n, sp.p, sp.recip));
  return ct::value_barrier(hit);
}

unsigned miller_rabin_rounds(std::size_t bits) noexcept {
  // FIPS 186-5 Table B.1 (probable primes p and q): 1024-bit factors 5
  // rounds, 1536-bit 4, 2048-bit 4. Smaller factors get FIPS 186-4's
  // 512-bit figure (7); anything between uses the next smaller row.
  if (bits < 1024) return 7;
  if (bits < 1536) return 5;
  return 4;
}

Status miller_rabin(const Limb* w, std::size_t n, unsigned rounds, RandomSource& rng, bool& probable) noexcept {
  probable = false;
  if (n < 2 || n > kMaxLimbs || w[n - 1] == 0 || (w[0] & 1) == 0) return Status::bad_length;
  struct Scratch {
    Modulus W;
    Limb m[kMaxLimbs], t[kMaxLimbs], x[kMaxLimbs + 1], b[kMaxLimbs], y[kMaxLimbs];
    Limb one[kMaxLimbs], minus_one[kMaxLimbs];
    std::uint8_t bytes[8 * (kMaxLimbs + 1)];
  } s;
  WipeOnExit<Scratch> guard(s);
  if (s.W.init(w, n) != Status::ok) return Status::bad_length;
  // w - 1 = 2^a * m with m odd. w is odd, so w - 1 only clears bit 0.
  for (std::size_t i = 0; i < n; ++i) s.m[i] = w[i];
  s.m[0] ^= 1;
  const Limb low = s.m[0];
  // Rejection of a candidate whose w - 1 has 64 or more trailing zeros.
  if (ct::value_barrier(ct::mask_zero(low)) != 0) return Status::ok;
  const Limb a = trailing_zeros(low);  // 1..63
  for (unsigned j = 0; j < 6; ++j) {
    shift_right_public(s.t, s.m, n, 1u << j);
    const Limb take = ct::mask_from_bit(a >> j);
    for (std::size_t i = 0; i < n; ++i) s.m[i] = ct::select(take, s.t[i], s.m[i]);
  }
  // 1 and -1 in Montgomery form.
  for (std::size_t i = 0; i < n; ++i) s.t[i] = i == 0 ? 1 : 0;
  to_mont(s.one, s.t, s.W);
  for (std::size_t i = 0; i < n; ++i) s.t[i] = 0;
  mod_sub(s.minus_one, s.t, s.one, s.W);

  for (unsigned round = 0; round < rounds; ++round) {
    // Base: a random (n+1)-limb value reduced mod w, taken directly as a
    // Montgomery-form value (uniform up to a 2^-64 bias). The bases 0, 1
    // and w-1 occur with probability about 3/w and are harmless.
    const std::size_t nbytes = 8 * (n + 1);
    if (rng.fill(std::span<std::uint8_t>(s.bytes, nbytes)) != Status::ok) return Status::rng_failure;
    from_be(s.x, n + 1, std::span<const std::uint8_t>(s.bytes, nbytes));
    reduce_to_mont(s.b, s.x, n + 1, s.W);
    pow_secret(s.y, s.b, s.m, s.W);
    Limb pass = eq_mask(s.y, s.one, n) | eq_mask(s.y, s.minus_one, n);
    // y^(2^j) == -1 for some 1 <= j < a; the loop always runs 63 times.
    for (Limb j = 1; j < 64; ++j) {
      mont_mul(s.y, s.y, s.y, s.W);
      const Limb in_range = ct::mask_lt(j, a);
      pass |= eq_mask(s.y, s.minus_one, n) & in_range;
    }
    if (ct::value_barrier(pass) == 0) return Status::ok;  // composite: the candidate is discarded
  }
  probable = true;
  return Status::ok;
}

}  // namespace tern::bignum
