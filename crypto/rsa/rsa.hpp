// RSA signatures (RFC 8017): PKCS#1 v1.5 and PSS verification, PSS (and
// PKCS#1 v1.5) signing with CRT, blinding and a fault check.
//
// Keys are plain values holding fixed-capacity numbers (no heap). Public
// keys: 1024..8192-bit moduli. Private keys: 8192 bits at most, and by
// default at least 2048 bits (PrivateKey::Options::min_bits lowers that for
// legacy keys such as RFC 8448's 1024-bit one; below it loading returns
// Status::weak_key). Signing and verification take the message digest.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/bignum/bignum.hpp"
#include "crypto/internal/random.hpp"
#include "crypto/sha2/sha2.hpp"
#include "crypto/status.hpp"

namespace tern::rsa {

inline constexpr std::size_t kMinPublicBits = 1024;
inline constexpr std::size_t kMaxBits = bignum::kMaxLimbs * 64;  // 8192
inline constexpr std::size_t kMaxBytes = kMaxBits / 8;

class PublicKey {
 public:
  // PKCS#1 RSAPublicKey: SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
  Status from_pkcs1_der(std::span<const std::uint8_t> der) noexcept;
  // SubjectPublicKeyInfo with rsaEncryption (1.2.840.113549.1.1.1, NULL
  // parameters) around an RSAPublicKey.
  Status from_spki_der(std::span<const std::uint8_t> der) noexcept;
  // Big-endian modulus and exponent (leading zeros allowed). bad_key when n
  // is even or below 1024 bits or above 8192, or e is even, < 3, or >= n.
  Status from_components(std::span<const std::uint8_t> n_be, std::span<const std::uint8_t> e_be) noexcept;

  bool valid() const noexcept { return mod_.n != 0; }
  std::size_t bits() const noexcept { return mod_.bits; }
  std::size_t size_bytes() const noexcept { return (mod_.bits + 7) / 8; }
  // The modulus / exponent, big-endian without leading zeros.
  std::span<const std::uint8_t> modulus() const noexcept { return {n_be_, size_bytes()}; }
  std::span<const std::uint8_t> exponent() const noexcept { return {e_be_, e_len_}; }

  // s^e mod n for a signature of exactly size_bytes() bytes whose value is
  // < n; writes size_bytes() bytes to out. bad_signature otherwise.
  Status public_op(std::span<std::uint8_t> out, std::span<const std::uint8_t> sig) const noexcept;
  const bignum::Modulus& mod() const noexcept { return mod_; }

 private:
  bignum::Modulus mod_;
  std::uint8_t n_be_[kMaxBytes];
  std::uint8_t e_be_[kMaxBytes];
  std::size_t e_len_ = 0;
};

// PKCS#1 v1.5 (RSASSA-PKCS1-v1_5) verification of a digest made with
// `hash` (SHA-256/384/512). The expected encoding (with the DigestInfo's
// NULL parameters) is built and compared; nothing is parsed.
Status verify_pkcs1v15(const PublicKey& key, sha2::HashId hash, std::span<const std::uint8_t> digest,
                       std::span<const std::uint8_t> sig) noexcept;

// RSASSA-PSS verification (MGF1 with mgf1_hash). salt_len >= 0 demands that
// salt length; -1 accepts any (recovered from the encoding).
Status verify_pss(const PublicKey& key, sha2::HashId hash, sha2::HashId mgf1_hash, std::ptrdiff_t salt_len,
                  std::span<const std::uint8_t> digest, std::span<const std::uint8_t> sig) noexcept;

class PrivateKey {
 public:
  struct Options {
    std::size_t min_bits = 2048;
  };
  PrivateKey() noexcept = default;
  ~PrivateKey();
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  // PKCS#1 RSAPrivateKey (version 0, two primes).
  Status from_pkcs1_der(std::span<const std::uint8_t> der, Options opt) noexcept;
  Status from_pkcs1_der(std::span<const std::uint8_t> der) noexcept { return from_pkcs1_der(der, Options{}); }
  // PKCS#8 PrivateKeyInfo (version 0 or 1) with rsaEncryption, or
  // id-RSASSA-PSS (1.2.840.113549.1.1.10; parameters, if any, ignored).
  Status from_pkcs8_der(std::span<const std::uint8_t> der, Options opt) noexcept;
  Status from_pkcs8_der(std::span<const std::uint8_t> der) noexcept { return from_pkcs8_der(der, Options{}); }
  // From the CRT components (big-endian). d is not needed.
  Status from_components(std::span<const std::uint8_t> n, std::span<const std::uint8_t> e,
                         std::span<const std::uint8_t> p, std::span<const std::uint8_t> q,
                         std::span<const std::uint8_t> dp, std::span<const std::uint8_t> dq,
                         std::span<const std::uint8_t> qinv, Options opt) noexcept;

  bool valid() const noexcept { return pub_.valid() && p_.n != 0; }
  const PublicKey& public_key() const noexcept { return pub_; }
  std::size_t bits() const noexcept { return pub_.bits(); }
  std::size_t size_bytes() const noexcept { return pub_.size_bytes(); }

  // m^d mod n for m < n (m of size_bytes() bytes), with blinding and a
  // check of the result against the public key.
  Status private_op(std::span<std::uint8_t> out, std::span<const std::uint8_t> m,
                    RandomSource& rng) const noexcept;

 private:
  friend struct PrivateKeyTestAccess;  // tests/ct marks the secret fields
  void clear() noexcept;
  PublicKey pub_;
  bignum::Modulus p_, q_;
  bignum::Limb dp_[bignum::kMaxLimbs], dq_[bignum::kMaxLimbs];
  bignum::Limb pm2_[bignum::kMaxLimbs], qm2_[bignum::kMaxLimbs];  // p-2, q-2
  bignum::Limb qinv_[bignum::kMaxLimbs];                           // q^-1 mod p (plain)
  // Blinding pair (Montgomery form mod n): A = r^e, B = r^-1 for a random
  // r, squared after every use and replaced by a fresh r every
  // kBlindingUses uses (the inversion costs about one signature). A
  // private operation that finds the pair busy (another thread) blinds
  // with a fresh r instead, folding r^-1 into the CRT exponentiations.
  static constexpr unsigned kBlindingUses = 32;
  mutable std::atomic_flag blind_lock_ = ATOMIC_FLAG_INIT;
  mutable bool blind_ready_ = false;
  mutable unsigned blind_uses_ = 0;
  mutable bignum::Limb blind_a_[bignum::kMaxLimbs], blind_b_[bignum::kMaxLimbs];
  Status refresh_blinding(RandomSource& rng) const noexcept;
  void garner(bignum::Limb* out, bignum::Limb* xp_mont, bignum::Limb* xq_mont) const noexcept;
};

// RSASSA-PSS signing of a digest: salt of salt_len bytes from rng, MGF1
// with the same hash. sig_out must hold key.size_bytes() bytes (exactly
// that many are written).
Status sign_pss(const PrivateKey& key, sha2::HashId hash, std::span<const std::uint8_t> digest,
                std::size_t salt_len, RandomSource& rng, std::span<std::uint8_t> sig_out) noexcept;

// RSASSA-PKCS1-v1_5 signing of a digest (deterministic; rng is used for
// blinding only).
Status sign_pkcs1v15(const PrivateKey& key, sha2::HashId hash, std::span<const std::uint8_t> digest,
                     RandomSource& rng, std::span<std::uint8_t> sig_out) noexcept;

// ---- key generation (crypto/rsa/keygen.cpp) ----------------------------------

// A generated key's components, big-endian at fixed widths: n and d take
// bits/8 bytes, p, q, dp, dq and qinv bits/16 bytes (d, dp, dq and qinv may
// have leading zeros). Wiped on destruction.
class GeneratedKey {
 public:
  static constexpr std::size_t kMaxGenBits = 4096;
  GeneratedKey() noexcept = default;
  ~GeneratedKey();
  GeneratedKey(const GeneratedKey&) = delete;
  GeneratedKey& operator=(const GeneratedKey&) = delete;

  std::size_t bits() const noexcept { return bits_; }
  std::span<const std::uint8_t> n() const noexcept { return {n_, bits_ / 8}; }
  std::span<const std::uint8_t> e() const noexcept { return {e_, sizeof(e_)}; }
  std::span<const std::uint8_t> d() const noexcept { return {d_, bits_ / 8}; }
  std::span<const std::uint8_t> p() const noexcept { return {p_, bits_ / 16}; }
  std::span<const std::uint8_t> q() const noexcept { return {q_, bits_ / 16}; }
  std::span<const std::uint8_t> dp() const noexcept { return {dp_, bits_ / 16}; }
  std::span<const std::uint8_t> dq() const noexcept { return {dq_, bits_ / 16}; }
  std::span<const std::uint8_t> qinv() const noexcept { return {qinv_, bits_ / 16}; }

  // PKCS#1 RSAPrivateKey (version 0) DER; `len` receives its size.
  // buffer_too_small when out is shorter than that (kMaxPkcs1Der suffices).
  static constexpr std::size_t kMaxPkcs1Der = 2400;
  Status to_pkcs1_der(std::span<std::uint8_t> out, std::size_t& len) const noexcept;
  // PKCS#1 RSAPublicKey DER.
  static constexpr std::size_t kMaxPublicDer = 540;
  Status to_public_der(std::span<std::uint8_t> out, std::size_t& len) const noexcept;
  // Loads the key for signing.
  Status to_private_key(PrivateKey& out) const noexcept;

 private:
  friend Status generate_key(std::size_t, GeneratedKey&, RandomSource&) noexcept;
  void clear() noexcept;
  std::size_t bits_ = 0;
  std::uint8_t e_[3] = {0x01, 0x00, 0x01};
  std::uint8_t n_[kMaxGenBits / 8], d_[kMaxGenBits / 8];
  std::uint8_t p_[kMaxGenBits / 16], q_[kMaxGenBits / 16];
  std::uint8_t dp_[kMaxGenBits / 16], dq_[kMaxGenBits / 16], qinv_[kMaxGenBits / 16];
};

// A new RSA key of `bits` bits (2048, 3072 or 4096; anything else is
// unsupported) with e = 65537, following FIPS 186-5 A.1.3 (probable
// primes): p and q are random odd numbers of bits/2 bits with the top two
// bits set, trial division by the odd primes below 2048, e must not divide
// p-1, Miller-Rabin with Table B.1's rounds, |p - q| > 2^(bits/2 - 100);
// d = e^-1 mod lcm(p-1, q-1) (regenerated in the negligible case
// d <= 2^(bits/2)), dp, dq, qinv; then a pairwise consistency test (one
// private operation checked against the public key).
//
// Side channels: every operation on a candidate, the primes, lambda and d
// is constant time (no DIV, no value-dependent branches or indices); the
// only branches on secret-derived values are the rejections of candidates
// (divisible by a small prime, composite, too close to p, e | p-1, 2^64 |
// p-1), whose timing reveals facts about discarded numbers only, since
// every attempt starts from fresh random bits.
Status generate_key(std::size_t bits, GeneratedKey& out, RandomSource& rng) noexcept;
inline Status generate_key(std::size_t bits, GeneratedKey& out) noexcept {
  return generate_key(bits, out, default_random());
}

}  // namespace tern::rsa
