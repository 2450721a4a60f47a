// The crypto TLS uses, behind small TLS-shaped interfaces: ephemeral key
// exchange per named group, CertificateVerify signatures (sign through a
// Signer, verify against the leaf certificate's public key), and the
// CertificateVerify content (RFC 8446 §4.4.3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "crypto/internal/random.hpp"
#include "crypto/sha2/sha2.hpp"
#include "crypto/status.hpp"
#include "tls/key_schedule.hpp"
#include "tls/types.hpp"

namespace tern::rsa {
class PrivateKey;
}

namespace tern::x509 {
struct PublicKeyInfo;
}

namespace tern::tls {

bool group_supported(std::uint16_t group) noexcept;
// Schemes acceptable in CertificateVerify (never rsa_pkcs1_*).
bool scheme_supported(std::uint16_t scheme) noexcept;
// True for groups and signature schemes (including the certificate-only
// rsa_pkcs1_*) whose code this build leaves out (TERN_NO_P384, TERN_NO_RSA,
// TERN_NO_ED25519, TERN_NO_P256_PRIVATE): a client does not offer them
// even when its Config lists them. Always false in a full build, and for
// values this implementation does not know.
bool group_compiled_out(std::uint16_t group) noexcept;
bool scheme_compiled_out(std::uint16_t scheme) noexcept;

// One ephemeral (EC)DHE key pair.
class KeyExchange {
 public:
  KeyExchange() noexcept = default;
  ~KeyExchange();
  KeyExchange(const KeyExchange&) = delete;
  KeyExchange& operator=(const KeyExchange&) = delete;
  std::uint16_t group() const noexcept { return group_; }
  // Wipes the key (group() 0).
  void clear() noexcept;
  // A fresh key from rng, or from `fixed_private` when it is not empty
  // (trace replay).
  Status generate(std::uint16_t group, RandomSource& rng, Bytes fixed_private = {}) noexcept;
  Bytes public_key() const noexcept { return Bytes(pub_, pub_len_); }
  // The shared secret with the peer's key_exchange value; bad_point for an
  // invalid peer key (the caller sends illegal_parameter).
  Status shared(Bytes peer, Secret& out) const noexcept;

 private:
  std::uint16_t group_ = 0;
  std::uint8_t priv_[48]{};
  std::size_t priv_len_ = 0;
  std::uint8_t pub_[97]{};
  std::size_t pub_len_ = 0;
};

// A private key that signs CertificateVerify content.
class Signer {
 public:
  virtual ~Signer() = default;
  // Schemes this key can produce, in preference order.
  virtual std::span<const std::uint16_t> schemes() const noexcept = 0;
  virtual Status sign(std::uint16_t scheme, Bytes content, RandomSource& rng,
                      ByteVector& sig) const = 0;
};
// Concrete signers (the key material is copied in).
std::unique_ptr<Signer> make_ed25519_signer(Bytes seed32);
std::unique_ptr<Signer> make_ecdsa_signer(std::uint16_t scheme, Bytes private_scalar);
// rsa_pss_rsae_sha256/384/512 over an RSA key (takes ownership); with
// pss_key (the certificate's key is id-RSASSA-PSS) rsa_pss_pss_sha256/384/512.
#if !defined(TERN_NO_RSA)
std::unique_ptr<Signer> make_rsa_pss_signer(std::unique_ptr<rsa::PrivateKey> key, bool pss_key = false);
#endif

// Whether a CertificateVerify with `scheme` can be made with the key of
// this certificate (rsae needs rsaEncryption, pss an id-RSASSA-PSS key,
// ECDSA the matching curve). False when x509 cannot parse the certificate.
bool scheme_fits_certificate(std::uint16_t scheme, Bytes leaf_der) noexcept;

// 64 spaces || context string || 0 || transcript hash (at most 64 bytes),
// built in place.
struct CvContent {
  std::uint8_t b[64 + 33 + 1 + 64];
  std::size_t n = 0;
  Bytes view() const noexcept { return Bytes(b, n); }
  operator Bytes() const noexcept { return view(); }
};
CvContent certificate_verify_content(bool server, Bytes transcript_hash);

// The public key of a certificate (DER), read by x509::parse_certificate
// (no second SubjectPublicKeyInfo parser in tls/). bad_certificate when the
// certificate does not parse.
Err leaf_public_key(Bytes leaf_der, x509::PublicKeyInfo& out);

// Verifies a CertificateVerify signature with the leaf certificate's public
// key. Alerts: bad_certificate (unusable key), illegal_parameter (scheme
// does not fit the key / not allowed), decrypt_error (signature does not
// verify).
Err verify_signature(std::uint16_t scheme, const x509::PublicKeyInfo& key, Bytes content, Bytes signature);
// The same with the leaf certificate's DER (leaf_public_key() first).
Err verify_signature(std::uint16_t scheme, Bytes leaf_der, Bytes content, Bytes signature);

}  // namespace tern::tls
