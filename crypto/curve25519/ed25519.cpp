// Ed25519 (RFC 8032 §5.1, pure Ed25519). See curve25519.hpp for the
// verification policy (cofactorless equation, strict S and A decoding).
#include <cstring>

#include "crypto/curve25519/curve25519.hpp"
#include "crypto/curve25519/kernel.hpp"
#include "crypto/curve25519/scalar.hpp"
#include "crypto/internal/wipe.hpp"
#include "crypto/sha2/sha2.hpp"

namespace tern {

#ifdef TERN_NO_ED25519
// -Ded25519=disabled: no Edwards arithmetic, SHA-512 or scalar code is
// linked for Ed25519; what stays declared reports that it is not built.
Status ed25519_verify(std::span<const std::uint8_t, 64>, std::span<const std::uint8_t, 32>,
                      std::span<const std::uint8_t>) noexcept {
  return Status::unsupported;
}
Status ed25519_keypair(std::span<std::uint8_t, 32> seed, std::span<std::uint8_t, 32> pub, RandomSource&) noexcept {
  wipe(seed);
  wipe(pub);
  return Status::unsupported;
}
Status ed25519_keypair(std::span<std::uint8_t, 32> seed, std::span<std::uint8_t, 32> pub) noexcept {
  wipe(seed);
  wipe(pub);
  return Status::unsupported;
}
#else
using curve25519_detail::Kernel;

// ---- Ed25519 -----------------------------------------------------------------
Ed25519PrivateKey::~Ed25519PrivateKey() {
  wipe(scalar_, sizeof scalar_);
  wipe(prefix_, sizeof prefix_);
}

void Ed25519PrivateKey::set_seed(std::span<const std::uint8_t, 32> seed) noexcept {
  std::uint8_t h[64];
  sha2::Sha512::hash(std::span<std::uint8_t, 64>(h), seed);
  std::memcpy(scalar_, h, 32);
  std::memcpy(prefix_, h + 32, 32);
  curve25519_clamp(scalar_);
  wipe(h, sizeof h);
  curve25519_kernel().base_ed(pub_, scalar_);
}

void Ed25519PrivateKey::sign(std::span<std::uint8_t, 64> sig, std::span<const std::uint8_t> msg) const noexcept {
  const Kernel& kern = curve25519_kernel();
  std::uint8_t h[64], r[32], rbytes[32], k[32];
  sha2::Sha512 hash;
  hash.update(std::span<const std::uint8_t>(prefix_, 32));
  hash.update(msg);
  hash.final(std::span<std::uint8_t, 64>(h));
  curve25519_detail::sc_reduce64(r, h);
  kern.base_ed(rbytes, r);
  hash.update(std::span<const std::uint8_t>(rbytes, 32));
  hash.update(std::span<const std::uint8_t>(pub_, 32));
  hash.update(msg);
  hash.final(std::span<std::uint8_t, 64>(h));
  curve25519_detail::sc_reduce64(k, h);
  // sig may alias msg: write it only at the end.
  std::uint8_t s[32];
  curve25519_detail::sc_muladd(s, k, scalar_, r);
  std::memcpy(sig.data(), rbytes, 32);
  std::memcpy(sig.data() + 32, s, 32);
  wipe(h, sizeof h);
  wipe(r, sizeof r);
  wipe(s, sizeof s);
}

void ed25519_public_key(std::span<std::uint8_t, 32> pub, std::span<const std::uint8_t, 32> seed) noexcept {
  const Ed25519PrivateKey key(seed);
  std::memcpy(pub.data(), key.public_key().data(), 32);
}

void ed25519_sign(std::span<std::uint8_t, 64> sig, std::span<const std::uint8_t, 32> seed,
                  std::span<const std::uint8_t> msg) noexcept {
  const Ed25519PrivateKey key(seed);
  key.sign(sig, msg);
}

Status ed25519_verify(std::span<const std::uint8_t, 64> sig, std::span<const std::uint8_t, 32> pub,
                      std::span<const std::uint8_t> msg) noexcept {
  const std::uint8_t* R = sig.data();
  const std::uint8_t* S = sig.data() + 32;
  if (!curve25519_detail::sc_is_canonical(S)) return Status::bad_signature;
  std::uint8_t h[64], k[32];
  sha2::Sha512 hash;
  hash.update(std::span<const std::uint8_t>(R, 32));
  hash.update(pub);
  hash.update(msg);
  hash.final(std::span<std::uint8_t, 64>(h));
  curve25519_detail::sc_reduce64(k, h);
  const int ok = curve25519_kernel().verify(R, pub.data(), S, k);
  if (ok < 0) return Status::bad_key;
  return ok == 1 ? Status::ok : Status::bad_signature;
}

Status ed25519_keypair(std::span<std::uint8_t, 32> seed, std::span<std::uint8_t, 32> pub, RandomSource& rng) noexcept {
  const Status s = rng.fill(seed);
  if (s != Status::ok) {
    wipe(seed);
    return s;
  }
  ed25519_public_key(pub, seed);
  return Status::ok;
}
Status ed25519_keypair(std::span<std::uint8_t, 32> seed, std::span<std::uint8_t, 32> pub) noexcept {
  return ed25519_keypair(seed, pub, default_random());
}
#endif  // TERN_NO_ED25519

}  // namespace tern
