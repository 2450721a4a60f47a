// X25519 (RFC 7748) and Ed25519 (RFC 8032, pure Ed25519).
//
// Kernels (curve25519_kernels()): "adx" (x86-64, four 64-bit limbs with
// MULX/ADCX/ADOX), "portable" (five 51-bit limbs, unsigned __int128) and
// "portable32" (ten 25.5-bit limbs, 32x32->64 products only; selectable for
// tests and benchmarks, never the default where __int128 exists; on targets
// without __int128 it is the only portable kernel and is named "portable").
// A whole scalar multiplication runs on the kernel selected when it starts.
//
// Constant time: the ladder, key generation and signing never branch on or
// index memory by secret data. Verification handles public data only and is
// variable time.
//
// X25519 policy (RFC 7748 §5, §6.1): the peer's u-coordinate is accepted as
// is (bit 255 ignored; non-canonical values u >= p are reduced; points on
// the twist are accepted). An all-zero result (a small-order peer point) is
// reported as Status::zero_shared_secret; the all-zero output is still
// written, so a caller that wants RFC 7748's raw function may ignore it.
// TLS 1.3 (RFC 8446 §7.4.2) must abort on it.
//
// Ed25519 verification policy: the signature is rejected when S >= L, when
// the public key A is not a canonical point encoding (y >= p, or x = 0 with
// the sign bit set) or is not on the curve, and when R is not the canonical
// encoding of the computed point. The check is COFACTORLESS: it accepts
// exactly when encode([S]B - [k]A) == R, with k = SHA-512(R || A || M) mod L
// (RFC 8032 §5.1.7 allows this form; it is what Wycheproof expects and what
// OpenSSL and BoringSSL do). Small-order A or R are not rejected by
// themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/internal/dispatch.hpp"
#include "crypto/internal/random.hpp"
#include "crypto/status.hpp"

namespace tern {

KernelSet& curve25519_kernels() noexcept;

// ---- X25519 ------------------------------------------------------------------
inline constexpr std::size_t x25519_key_size = 32;

// shared = X25519(scalar, peer). Returns Status::zero_shared_secret (and
// writes 32 zero bytes) when the result is all zero, Status::ok otherwise.
Status x25519(std::span<std::uint8_t, 32> shared, std::span<const std::uint8_t, 32> scalar,
              std::span<const std::uint8_t, 32> peer) noexcept;
// pub = X25519(scalar, 9), computed with the fixed-base table.
void x25519_public_key(std::span<std::uint8_t, 32> pub, std::span<const std::uint8_t, 32> scalar) noexcept;
// A fresh private scalar from `rng` (default: tern::random_bytes) and its public key.
Status x25519_keypair(std::span<std::uint8_t, 32> priv, std::span<std::uint8_t, 32> pub) noexcept;
Status x25519_keypair(std::span<std::uint8_t, 32> priv, std::span<std::uint8_t, 32> pub, RandomSource& rng) noexcept;

// ---- Ed25519 -----------------------------------------------------------------
// -Ded25519=disabled (TERN_NO_ED25519) leaves Ed25519 out: the signing API
// (Ed25519PrivateKey, ed25519_public_key, ed25519_sign) is not declared,
// ed25519_verify and ed25519_keypair return Status::unsupported.
inline constexpr std::size_t ed25519_seed_size = 32;
inline constexpr std::size_t ed25519_public_key_size = 32;
inline constexpr std::size_t ed25519_signature_size = 64;

#ifndef TERN_NO_ED25519

// The expanded private key: SHA-512(seed) split into the clamped scalar and
// the nonce prefix, plus the public key, so signing does not re-hash the
// seed. Wiped on destruction.
class Ed25519PrivateKey {
 public:
  Ed25519PrivateKey() noexcept = default;
  explicit Ed25519PrivateKey(std::span<const std::uint8_t, 32> seed) noexcept { set_seed(seed); }
  Ed25519PrivateKey(const Ed25519PrivateKey&) noexcept = default;
  Ed25519PrivateKey& operator=(const Ed25519PrivateKey&) noexcept = default;
  ~Ed25519PrivateKey();
  void set_seed(std::span<const std::uint8_t, 32> seed) noexcept;
  std::span<const std::uint8_t, 32> public_key() const noexcept { return std::span<const std::uint8_t, 32>(pub_, 32); }
  void sign(std::span<std::uint8_t, 64> sig, std::span<const std::uint8_t> msg) const noexcept;

 private:
  std::uint8_t scalar_[32] = {};
  std::uint8_t prefix_[32] = {};
  std::uint8_t pub_[32] = {};
};

void ed25519_public_key(std::span<std::uint8_t, 32> pub, std::span<const std::uint8_t, 32> seed) noexcept;
void ed25519_sign(std::span<std::uint8_t, 64> sig, std::span<const std::uint8_t, 32> seed,
                  std::span<const std::uint8_t> msg) noexcept;
inline void ed25519_sign(std::span<std::uint8_t, 64> sig, const Ed25519PrivateKey& key,
                         std::span<const std::uint8_t> msg) noexcept {
  key.sign(sig, msg);
}
#endif  // TERN_NO_ED25519
// Status::ok when valid; Status::bad_signature otherwise (including a
// malformed S or R); Status::bad_key when the public key does not decode.
Status ed25519_verify(std::span<const std::uint8_t, 64> sig, std::span<const std::uint8_t, 32> pub,
                      std::span<const std::uint8_t> msg) noexcept;
// A fresh seed from `rng` (default: tern::random_bytes) and its public key.
Status ed25519_keypair(std::span<std::uint8_t, 32> seed, std::span<std::uint8_t, 32> pub) noexcept;
Status ed25519_keypair(std::span<std::uint8_t, 32> seed, std::span<std::uint8_t, 32> pub, RandomSource& rng) noexcept;

}  // namespace tern
