// RSA key generation (FIPS 186-5 A.1.3, probable primes); see rsa.hpp.
//
// Everything after a candidate is drawn is straight-line arithmetic on
// masks: residues by multiplication with reciprocals (bignum::mod_small),
// Miller-Rabin with a fixed squaring count (bignum::miller_rabin), a
// fixed-iteration binary gcd, exact divisions done as multiplications by
// 2-adic inverses, and Fermat inversion modulo the prime p.
#include <cstring>

#include "crypto/bignum/prime.hpp"
#include "crypto/internal/ct.hpp"
#include "crypto/internal/der.hpp"
#include "crypto/internal/wipe.hpp"
#include "crypto/rsa/rsa.hpp"

namespace tern::rsa {

namespace {

using bignum::Limb;
using bignum::kMaxLimbs;

constexpr std::uint32_t kE = 65537;

void copy(Limb* r, const Limb* a, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) r[i] = a[i];
}

void zero(Limb* r, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) r[i] = 0;
}

void cond_copy(Limb* r, const Limb* a, std::size_t n, Limb mask) noexcept {
  for (std::size_t i = 0; i < n; ++i) r[i] = ct::select(mask, a[i], r[i]);
}

Limb trailing_zeros(Limb x) noexcept {  // x != 0; no branches
  Limb seen = 0, count = 0;
  for (unsigned i = 0; i < 64; ++i) {
    seen |= (x >> i) & 1;
    count += seen ^ 1;
  }
  return ct::value_barrier(count);
}

// r = a >> k (public 1 <= k <= 63), n limbs; r may alias a.
void shr_public(Limb* r, const Limb* a, std::size_t n, unsigned k) noexcept {
  for (std::size_t i = 0; i < n; ++i) r[i] = (a[i] >> k) | (i + 1 < n ? a[i + 1] << (64 - k) : 0);
}

// a >>= c for a secret 0 <= c <= 63, through masked power-of-two stages.
void shr_secret(Limb* a, std::size_t n, Limb c) noexcept {
  Limb t[kMaxLimbs];
  for (unsigned j = 0; j < 6; ++j) {
    shr_public(t, a, n, 1u << j);
    cond_copy(a, t, n, ct::mask_from_bit(c >> j));
  }
  wipe(t, sizeof(t));
}

// (hi, lo) = a * b.
void mul_limb(Limb& hi, Limb& lo, Limb a, Limb b) noexcept {
  Limb r[2];
  bignum::mul(r, &a, 1, &b, 1);
  lo = r[0];
  hi = r[1];
}

// r = a * b mod 2^(64 n) (n limbs each).
void mul_low(Limb* r, const Limb* a, const Limb* b, std::size_t n) noexcept {
  Limb full[2 * kMaxLimbs];
  bignum::mul(full, a, n, b, n);
  copy(r, full, n);
  wipe(full, sizeof(full));
}

// x = a^-1 mod 2^(64 n) for odd a, by Newton's iteration x <- x (2 - a x):
// x = a is right to 3 bits and every step doubles that.
void inverse_2adic(Limb* x, const Limb* a, std::size_t n) noexcept {
  Limb t[kMaxLimbs], two[kMaxLimbs];
  copy(x, a, n);
  zero(two, n);
  two[0] = 2;
  for (std::size_t good = 3; good < 64 * n; good *= 2) {
    mul_low(t, a, x, n);
    bignum::sub(t, two, t, n);  // 2 - a x mod 2^(64 n)
    mul_low(x, x, t, n);
  }
  wipe(t, sizeof(t));
}

// gcd(a, b) into a, for odd a (n limbs each; b is clobbered). Binary gcd
// with a fixed 128 n iterations: each one at least halves a*b.
void gcd_odd(Limb* a, Limb* b, std::size_t n) noexcept {
  Limb t[kMaxLimbs];
  for (std::size_t it = 0; it < 128 * n; ++it) {
    const Limb odd = ct::mask_from_bit(b[0]);
    const Limb swap = odd & bignum::lt_mask(b, a, n);
    for (std::size_t i = 0; i < n; ++i) {
      const Limb d = (a[i] ^ b[i]) & swap;
      a[i] ^= d;
      b[i] ^= d;
    }
    bignum::sub(t, b, a, n);  // b >= a when b is odd
    cond_copy(b, t, n, odd);
    shr_public(b, b, n, 1);
  }
  wipe(t, sizeof(t));
}

// x^(kE - 2) mod kE = x^-1 mod kE for 0 < x < kE (constant time).
std::uint64_t inverse_mod_e(std::uint64_t x) noexcept {
  std::uint64_t r = 1;
  // kE - 2 = 0xffff: 16 square-and-multiply steps, all multiplying.
  for (int i = 0; i < 16; ++i) {
    Limb sq[1] = {r * r};  // < 2^33
    r = bignum::mod_small(sq, 1, kE);
    Limb m[1] = {r * x};
    r = bignum::mod_small(m, 1, kE);
  }
  return r;
}

// out (n limbs) = kE^-1 mod phi, for phi (n limbs) prime to kE:
// (1 + phi * t) / kE with t = (-phi)^-1 mod kE, the division exact and
// done by multiplying with kE^-1 mod 2^64 limb by limb.
void inverse_of_e(Limb* out, const Limb* phi, std::size_t n) noexcept {
  const std::uint64_t r = bignum::mod_small(phi, n, kE);  // non-zero
  const std::uint64_t t = inverse_mod_e(kE - r);
  Limb num[kMaxLimbs + 1];
  Limb carry = 1;  // the "+ 1"
  for (std::size_t i = 0; i < n; ++i) {
    Limb hi, lo;
    mul_limb(hi, lo, phi[i], t);
    lo += carry;
    hi += lo < carry;
    num[i] = lo;
    carry = hi;
  }
  num[n] = carry;
  Limb inv = kE;  // kE^-1 mod 2^64
  for (int i = 0; i < 5; ++i) inv *= 2 - kE * inv;
  Limb borrow = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Limb x = num[i] - borrow;
    const Limb b1 = num[i] < borrow;
    const Limb qi = x * inv;
    Limb hi, lo;
    mul_limb(hi, lo, qi, kE);  // lo == x
    out[i] = qi;
    borrow = hi + b1;
  }
  wipe(num, sizeof(num));
}

// A random odd prime candidate of 64 hl bits with the top two bits set,
// accepted after trial division, the e | c-1 test, (for q) the distance to
// p, and Miller-Rabin. Every attempt uses fresh random bits.
Status generate_prime(Limb* out, std::size_t hl, const Limb* other, RandomSource& rng) noexcept {
  const std::size_t half_bits = 64 * hl;
  const unsigned rounds = bignum::miller_rabin_rounds(half_bits);
  std::uint8_t bytes[kMaxBytes / 2];
  Limb c[kMaxLimbs], d1[kMaxLimbs], d2[kMaxLimbs];
  Status st = Status::internal_error;
  // FIPS 186-5 A.1.3 step 4.7: give up after 5 * nlen/2 attempts.
  for (std::size_t attempt = 0; attempt < 5 * half_bits; ++attempt) {
    if (rng.fill(std::span<std::uint8_t>(bytes, 8 * hl)) != Status::ok) {
      st = Status::rng_failure;
      break;
    }
    bignum::from_be(c, hl, std::span<const std::uint8_t>(bytes, 8 * hl));
    c[hl - 1] |= Limb{3} << 62;
    c[0] |= 1;
    Limb reject = bignum::small_factor_mask(c, hl);
    reject |= ct::mask_eq(static_cast<std::uint64_t>(bignum::mod_small(c, hl, kE)), std::uint64_t{1});
    if (other != nullptr) {
      // |c - other| must exceed 2^(half_bits - 100): some bit at or above
      // position half_bits - 100 is set.
      const Limb neg = bignum::sub(d1, c, other, hl);
      bignum::sub(d2, other, c, hl);
      cond_copy(d1, d2, hl, ct::mask_from_bit(neg));
      const std::size_t pos = half_bits - 100;
      Limb high = d1[pos / 64] >> (pos % 64);
      for (std::size_t i = pos / 64 + 1; i < hl; ++i) high |= d1[i];
      reject |= ct::mask_zero(high);
    }
    if (ct::value_barrier(reject) != 0) continue;  // discarded candidate
    bool probable = false;
    st = bignum::miller_rabin(c, hl, rounds, rng, probable);
    if (st != Status::ok) break;
    st = Status::internal_error;
    if (!probable) continue;  // discarded candidate
    copy(out, c, hl);
    st = Status::ok;
    break;
  }
  wipe(bytes, sizeof(bytes));
  wipe(c, sizeof(c));
  wipe(d1, sizeof(d1));
  wipe(d2, sizeof(d2));
  return st;
}

}  // namespace

GeneratedKey::~GeneratedKey() { clear(); }

void GeneratedKey::clear() noexcept {
  wipe(d_, sizeof(d_));
  wipe(p_, sizeof(p_));
  wipe(q_, sizeof(q_));
  wipe(dp_, sizeof(dp_));
  wipe(dq_, sizeof(dq_));
  wipe(qinv_, sizeof(qinv_));
  std::memset(n_, 0, sizeof(n_));
  bits_ = 0;
}

Status GeneratedKey::to_pkcs1_der(std::span<std::uint8_t> out, std::size_t& len) const noexcept {
  len = 0;
  if (bits_ == 0) return Status::bad_key;
  std::uint8_t buf[kMaxPkcs1Der];
  der::Writer w(buf);
  const std::size_t mark = w.begin(der::kSequence);
  w.uint64(0);
  for (auto part : {n(), e(), d(), p(), q(), dp(), dq(), qinv()}) w.unsigned_integer(part);
  w.end(mark);
  Status st = Status::ok;
  if (!w.ok()) st = Status::internal_error;
  else if (out.size() < w.size()) st = Status::buffer_too_small;
  else {
    std::memcpy(out.data(), buf, w.size());
    len = w.size();
  }
  wipe(buf, sizeof(buf));
  return st;
}

Status GeneratedKey::to_public_der(std::span<std::uint8_t> out, std::size_t& len) const noexcept {
  len = 0;
  if (bits_ == 0) return Status::bad_key;
  std::uint8_t buf[kMaxPublicDer];
  der::Writer w(buf);
  const std::size_t mark = w.begin(der::kSequence);
  w.unsigned_integer(n());
  w.unsigned_integer(e());
  w.end(mark);
  if (!w.ok()) return Status::internal_error;
  if (out.size() < w.size()) return Status::buffer_too_small;
  std::memcpy(out.data(), buf, w.size());
  len = w.size();
  return Status::ok;
}

Status GeneratedKey::to_private_key(PrivateKey& out) const noexcept {
  if (bits_ == 0) return Status::bad_key;
  return out.from_components(n(), e(), p(), q(), dp(), dq(), qinv(), PrivateKey::Options{});
}

Status generate_key(std::size_t bits, GeneratedKey& out, RandomSource& rng) noexcept {
  out.clear();
  if (bits != 2048 && bits != 3072 && bits != 4096) return Status::unsupported;
  const std::size_t hl = bits / 128, nl = 2 * hl;
  struct Scratch {
    Limb p[kMaxLimbs], q[kMaxLimbs], pm1[kMaxLimbs], qm1[kMaxLimbs], u[kMaxLimbs], v[kMaxLimbs];
    Limb inv[kMaxLimbs], quo[kMaxLimbs], lambda[2 * kMaxLimbs], d[2 * kMaxLimbs], n[2 * kMaxLimbs];
    Limb dp[kMaxLimbs], dq[kMaxLimbs], x[kMaxLimbs], pm2[kMaxLimbs], two[kMaxLimbs];
    bignum::Modulus P;
  } s;
  WipeOnExit<Scratch> guard(s);
  for (int tries = 0; tries < 4; ++tries) {
    Status st = generate_prime(s.p, hl, nullptr, rng);
    if (st != Status::ok) return st;
    st = generate_prime(s.q, hl, s.p, rng);
    if (st != Status::ok) return st;
    // lambda = lcm(p-1, q-1) = (p-1) * ((q-1) / g), g = gcd(p-1, q-1)
    // = 2^min(a,b) gcd(u, v) where p-1 = 2^a u, q-1 = 2^b v (u, v odd;
    // a, b < 64 since Miller-Rabin rejected the rest).
    copy(s.pm1, s.p, hl);
    s.pm1[0] ^= 1;
    copy(s.qm1, s.q, hl);
    s.qm1[0] ^= 1;
    const Limb a = trailing_zeros(s.pm1[0]), b = trailing_zeros(s.qm1[0]);
    const Limb c = ct::select(ct::mask_lt(a, b), a, b);
    copy(s.u, s.pm1, hl);
    shr_secret(s.u, hl, a);
    copy(s.v, s.qm1, hl);
    shr_secret(s.v, hl, b);
    gcd_odd(s.u, s.v, hl);      // u = odd part of g
    copy(s.v, s.qm1, hl);
    shr_secret(s.v, hl, c);     // (q-1) / 2^min(a,b), a multiple of u
    inverse_2adic(s.inv, s.u, hl);
    mul_low(s.quo, s.v, s.inv, hl);  // exact quotient (q-1) / g, < 2^(64 hl)
    bignum::mul(s.lambda, s.pm1, hl, s.quo, hl);
    inverse_of_e(s.d, s.lambda, nl);
    // FIPS 186-5 A.1.1: d > 2^(nlen/2), else start over (probability about
    // 2^-(nlen/2)).
    Limb high = 0;
    for (std::size_t i = hl; i < nl; ++i) high |= s.d[i];
    if (ct::value_barrier(ct::mask_zero(high)) != 0) continue;
    inverse_of_e(s.dp, s.pm1, hl);
    inverse_of_e(s.dq, s.qm1, hl);
    // qinv = q^(p-2) mod p.
    if (s.P.init(s.p, hl) != Status::ok) return Status::internal_error;
    zero(s.two, hl);
    s.two[0] = 2;
    bignum::sub(s.pm2, s.p, s.two, hl);
    bignum::reduce_to_mont(s.x, s.q, hl, s.P);
    bignum::pow_secret(s.x, s.x, s.pm2, s.P);
    bignum::from_mont(s.x, s.x, s.P);
    bignum::mul(s.n, s.p, hl, s.q, hl);

    out.bits_ = bits;
    bignum::to_be(std::span<std::uint8_t>(out.n_, bits / 8), s.n, nl);
    bignum::to_be(std::span<std::uint8_t>(out.d_, bits / 8), s.d, nl);
    bignum::to_be(std::span<std::uint8_t>(out.p_, bits / 16), s.p, hl);
    bignum::to_be(std::span<std::uint8_t>(out.q_, bits / 16), s.q, hl);
    bignum::to_be(std::span<std::uint8_t>(out.dp_, bits / 16), s.dp, hl);
    bignum::to_be(std::span<std::uint8_t>(out.dq_, bits / 16), s.dq, hl);
    bignum::to_be(std::span<std::uint8_t>(out.qinv_, bits / 16), s.x, hl);

    // Pairwise consistency test (FIPS 186-5 A.1.1 / SP 800-56B 6.4.1.1):
    // a private operation on a fixed value, verified against the public
    // key by private_op's own fault check.
    PrivateKey key;
    st = out.to_private_key(key);
    if (st == Status::ok) {
      std::uint8_t m[kMaxBytes], sig[kMaxBytes];
      std::memset(m, 0, bits / 8);
      m[bits / 8 - 1] = 0x2a;
      m[1] = 0x55;
      st = key.private_op(std::span<std::uint8_t>(sig, bits / 8), std::span<const std::uint8_t>(m, bits / 8), rng);
    }
    if (st != Status::ok) {
      out.clear();
      return st == Status::rng_failure ? st : Status::internal_error;
    }
    return Status::ok;
  }
  return Status::internal_error;
}

}  // namespace tern::rsa
