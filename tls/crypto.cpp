#include "tls/crypto.hpp"

#include <algorithm>
#include <cstring>

#include "crypto/curve25519/curve25519.hpp"
#include "crypto/ec/ec.hpp"
#include "crypto/internal/wipe.hpp"
#if !defined(TERN_NO_RSA)
#include "crypto/rsa/rsa.hpp"
#endif
#include "x509/cert/cert.hpp"

namespace tern::tls {

namespace {
// Constrained builds (TERN_NO_P384 / TERN_NO_RSA / TERN_NO_ED25519 /
// TERN_NO_P256_PRIVATE) leave these out. Without P-256 private-key code
// there is no secp256r1 group and no P-256 signer; P-256 certificates and
// CertificateVerify signatures are still verified.
#if defined(TERN_NO_P384)
constexpr bool kP384 = false;
#else
constexpr bool kP384 = true;
#endif
#if defined(TERN_NO_RSA)
constexpr bool kRsa = false;
#else
constexpr bool kRsa = true;
#endif
#if defined(TERN_NO_ED25519)
constexpr bool kEd25519 = false;
#else
constexpr bool kEd25519 = true;
#endif
#if defined(TERN_NO_P256_PRIVATE)
constexpr bool kP256Private = false;
#else
constexpr bool kP256Private = true;
#endif
}  // namespace

bool group_supported(std::uint16_t g) noexcept {
  return g == static_cast<std::uint16_t>(NamedGroup::x25519) ||
         (kP256Private && g == static_cast<std::uint16_t>(NamedGroup::secp256r1)) ||
         (kP384 && g == static_cast<std::uint16_t>(NamedGroup::secp384r1));
}

bool scheme_supported(std::uint16_t s) noexcept {
  switch (static_cast<SignatureScheme>(s)) {
    case SignatureScheme::ed25519:
      return kEd25519;
    case SignatureScheme::ecdsa_secp256r1_sha256:
      return true;
    case SignatureScheme::ecdsa_secp384r1_sha384:
      return kP384;
    case SignatureScheme::rsa_pss_rsae_sha256:
    case SignatureScheme::rsa_pss_rsae_sha384:
    case SignatureScheme::rsa_pss_rsae_sha512:
    case SignatureScheme::rsa_pss_pss_sha256:
    case SignatureScheme::rsa_pss_pss_sha384:
    case SignatureScheme::rsa_pss_pss_sha512:
      return kRsa;
    default:
      // rsa_pkcs1_* (and anything else) are never acceptable in
      // CertificateVerify (RFC 8446 §4.2.3): only in certificates, i.e. in
      // signature_algorithms_cert.
      return false;
  }
}

bool group_compiled_out(std::uint16_t g) noexcept {
  return (!kP256Private && g == static_cast<std::uint16_t>(NamedGroup::secp256r1)) ||
         (!kP384 && g == static_cast<std::uint16_t>(NamedGroup::secp384r1));
}

bool scheme_compiled_out(std::uint16_t s) noexcept {
  switch (s) {
    case 0x0807:  // ed25519
      return !kEd25519;
    case 0x0503:  // ecdsa_secp384r1_sha384
      return !kP384;
    case 0x0401:  // rsa_pkcs1_sha256/384/512 (certificates only)
    case 0x0501:
    case 0x0601:
    case 0x0804:  // rsa_pss_rsae_sha256/384/512
    case 0x0805:
    case 0x0806:
    case 0x0809:  // rsa_pss_pss_sha256/384/512
    case 0x080a:
    case 0x080b:
      return !kRsa;
    default:
      return false;
  }
}

KeyExchange::~KeyExchange() { wipe(priv_, sizeof priv_); }

void KeyExchange::clear() noexcept {
  wipe(priv_, sizeof priv_);
  group_ = 0;
  priv_len_ = pub_len_ = 0;
}

Status KeyExchange::generate(std::uint16_t group, RandomSource& rng, Bytes fixed) noexcept {
  group_ = group;
  if (!group_supported(group)) return Status::unsupported;
  switch (static_cast<NamedGroup>(group)) {
    case NamedGroup::x25519: {
      priv_len_ = 32;
      pub_len_ = 32;
      if (!fixed.empty()) {
        if (fixed.size() != 32) return Status::bad_key;
        std::memcpy(priv_, fixed.data(), 32);
      } else if (Status st = rng.fill(std::span<std::uint8_t>(priv_, 32)); st != Status::ok) {
        return st;
      }
      x25519_public_key(std::span<std::uint8_t, 32>(pub_, 32), std::span<const std::uint8_t, 32>(priv_, 32));
      return Status::ok;
    }
#if !(defined(TERN_NO_P256_PRIVATE) && defined(TERN_NO_P384))
    case NamedGroup::secp256r1:
    case NamedGroup::secp384r1: {
      const auto c = group == static_cast<std::uint16_t>(NamedGroup::secp256r1) ? ec::Curve::p256 : ec::Curve::p384;
      priv_len_ = ec::scalar_size(c);
      pub_len_ = ec::uncompressed_point_size(c);
      if (fixed.empty())
        return ec::generate_key(c, std::span<std::uint8_t>(priv_, priv_len_), std::span<std::uint8_t>(pub_, pub_len_),
                                rng);
      if (fixed.size() != priv_len_) return Status::bad_key;
      std::memcpy(priv_, fixed.data(), priv_len_);
      return ec::public_key_from_private(c, std::span<std::uint8_t>(pub_, pub_len_),
                                         std::span<const std::uint8_t>(priv_, priv_len_));
    }
#endif
    default:
      break;
  }
  return Status::unsupported;
}

Status KeyExchange::shared(Bytes peer, Secret& out) const noexcept {
  if (!group_supported(group_)) return Status::unsupported;
  switch (static_cast<NamedGroup>(group_)) {
    case NamedGroup::x25519:
      if (peer.size() != 32) return Status::bad_point;
      out.n = 32;
      return x25519(std::span<std::uint8_t, 32>(out.b, 32), std::span<const std::uint8_t, 32>(priv_, 32),
                    std::span<const std::uint8_t, 32>(peer.data(), 32));
#if !(defined(TERN_NO_P256_PRIVATE) && defined(TERN_NO_P384))
    case NamedGroup::secp256r1:
    case NamedGroup::secp384r1: {
      const auto c = group_ == static_cast<std::uint16_t>(NamedGroup::secp256r1) ? ec::Curve::p256 : ec::Curve::p384;
      // TLS 1.3 sends uncompressed points only (RFC 8446 §4.2.8.2).
      if (peer.size() != ec::uncompressed_point_size(c) || peer[0] != 4) return Status::bad_point;
      out.n = ec::field_size(c);
      return ec::ecdh(c, out.span(), Bytes(priv_, priv_len_), peer);
    }
#endif
    default:
      break;
  }
  return Status::unsupported;
}

CvContent certificate_verify_content(bool server, Bytes th) {
  // The two context strings differ only in "server"/"client".
  static const char kCtx[] = "TLS 1.3, server CertificateVerify";
  constexpr std::size_t cl = sizeof kCtx - 1;
  CvContent v;
  std::memset(v.b, 0x20, 64);
  std::memcpy(v.b + 64, kCtx, cl);
  if (!server) std::memcpy(v.b + 64 + 9, "client", 6);
  v.b[64 + cl] = 0;
  const std::size_t hl = th.size() < 64 ? th.size() : 64;  // digests are at most 64 bytes
  if (hl) std::memcpy(v.b + 65 + cl, th.data(), hl);
  v.n = 65 + cl + hl;
  return v;
}

namespace {

HashId scheme_hash(std::uint16_t s) {
  switch (static_cast<SignatureScheme>(s)) {
    case SignatureScheme::ecdsa_secp384r1_sha384:
    case SignatureScheme::rsa_pss_rsae_sha384:
    case SignatureScheme::rsa_pss_pss_sha384:
      return HashId::sha384;
    case SignatureScheme::rsa_pss_rsae_sha512:
    case SignatureScheme::rsa_pss_pss_sha512:
      return HashId::sha512;
    default:
      return HashId::sha256;
  }
}

#if !defined(TERN_NO_ED25519)
class Ed25519Signer final : public Signer {
 public:
  explicit Ed25519Signer(Bytes seed) : key_(std::span<const std::uint8_t, 32>(seed.data(), 32)) {}
  std::span<const std::uint16_t> schemes() const noexcept override { return kSchemes; }
  Status sign(std::uint16_t scheme, Bytes content, RandomSource&, ByteVector& sig) const override {
    if (scheme != static_cast<std::uint16_t>(SignatureScheme::ed25519)) return Status::unsupported;
    sig.resize(64);
    key_.sign(std::span<std::uint8_t, 64>(sig.data(), 64), content);
    return Status::ok;
  }

 private:
  static constexpr std::uint16_t kSchemes[] = {0x0807};
  Ed25519PrivateKey key_;
};
#endif  // !TERN_NO_ED25519

class EcdsaSigner final : public Signer {
 public:
  EcdsaSigner(std::uint16_t scheme, Bytes priv) : scheme_{scheme}, len_(priv.size()) {
    std::memcpy(priv_, priv.data(), priv.size());
  }
  ~EcdsaSigner() override { wipe(priv_, sizeof priv_); }
  std::span<const std::uint16_t> schemes() const noexcept override { return std::span<const std::uint16_t>(scheme_, 1); }
  Status sign(std::uint16_t scheme, Bytes content, RandomSource& rng, ByteVector& sig) const override {
    if (scheme != scheme_[0]) return Status::unsupported;
    const bool p256 = scheme == static_cast<std::uint16_t>(SignatureScheme::ecdsa_secp256r1_sha256);
    const auto c = p256 ? ec::Curve::p256 : ec::Curve::p384;
    std::uint8_t digest[64];
    const HashId h = scheme_hash(scheme);
    sha2::AnyHash::hash(h, std::span<std::uint8_t>(digest, sha2::digest_size(h)), content);
    sig.resize(ec::max_der_signature_size(c));
    std::size_t n = 0;
    Status st = ec::ecdsa_sign_der(c, sig, n, Bytes(priv_, len_), Bytes(digest, sha2::digest_size(h)), &rng);
    sig.resize(st == Status::ok ? n : 0);
    return st;
  }

 private:
  std::uint16_t scheme_[1];
  std::uint8_t priv_[48]{};
  std::size_t len_;
};

#if !defined(TERN_NO_RSA)
class RsaPssSigner final : public Signer {
 public:
  // pss_key: the certificate carries an id-RSASSA-PSS key (rsa_pss_pss_*);
  // otherwise an rsaEncryption key (rsa_pss_rsae_*).
  RsaPssSigner(std::unique_ptr<rsa::PrivateKey> k, bool pss_key) : key_(std::move(k)) {
    // PSS with salt = hash length needs emLen >= 2 * hLen + 2 (a 1024-bit
    // key cannot do SHA-512).
    // Without pss_key both families are listed: the connection keeps the
    // ones that fit the certificate's key (scheme_fits_certificate).
    for (auto s : kAll)
      if ((!pss_key || s >= 0x0809) && key_->size_bytes() >= 2 * sha2::digest_size(scheme_hash(s)) + 2) usable_[n_++] = s;
  }
  std::span<const std::uint16_t> schemes() const noexcept override { return std::span<const std::uint16_t>(usable_, n_); }
  Status sign(std::uint16_t scheme, Bytes content, RandomSource& rng, ByteVector& sig) const override {
    if (std::find(usable_, usable_ + n_, scheme) == usable_ + n_) return Status::unsupported;
    const HashId h = scheme_hash(scheme);
    std::uint8_t digest[64];
    sha2::AnyHash::hash(h, std::span<std::uint8_t>(digest, sha2::digest_size(h)), content);
    sig.resize(key_->size_bytes());
    return rsa::sign_pss(*key_, h, Bytes(digest, sha2::digest_size(h)), sha2::digest_size(h), rng, sig);
  }

 private:
  static constexpr std::uint16_t kAll[] = {0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b};
  std::unique_ptr<rsa::PrivateKey> key_;
  std::uint16_t usable_[6] = {};
  std::size_t n_ = 0;
};
#endif  // !TERN_NO_RSA

}  // namespace

// nullptr for what the build leaves out (TERN_NO_ED25519, TERN_NO_P256_PRIVATE, TERN_NO_P384).
std::unique_ptr<Signer> make_ed25519_signer(Bytes seed) {
#if defined(TERN_NO_ED25519)
  (void)seed;
  return nullptr;
#else
  if (seed.size() != 32) return nullptr;
  return std::make_unique<Ed25519Signer>(seed);
#endif
}
std::unique_ptr<Signer> make_ecdsa_signer(std::uint16_t scheme, Bytes priv) {
  if (kP256Private && scheme == 0x0403 && priv.size() == 32) return std::make_unique<EcdsaSigner>(scheme, priv);
  if (kP384 && scheme == 0x0503 && priv.size() == 48) return std::make_unique<EcdsaSigner>(scheme, priv);
  return nullptr;
}
#if !defined(TERN_NO_RSA)
std::unique_ptr<Signer> make_rsa_pss_signer(std::unique_ptr<rsa::PrivateKey> key, bool pss_key) {
  if (!key || !key->valid()) return nullptr;
  return std::make_unique<RsaPssSigner>(std::move(key), pss_key);
}
#endif

namespace {
// Whether a CertificateVerify with `scheme` can be made with key `k` (rsae
// needs rsaEncryption, pss an id-RSASSA-PSS key, ECDSA the matching curve).
bool key_fits(std::uint16_t scheme, const x509::PublicKeyInfo& k) noexcept {
  using x509::KeyType;
  switch (static_cast<SignatureScheme>(scheme)) {
    case SignatureScheme::ed25519: return k.type == KeyType::ed25519;
    case SignatureScheme::ecdsa_secp256r1_sha256: return k.type == KeyType::ec_p256;
    case SignatureScheme::ecdsa_secp384r1_sha384: return k.type == KeyType::ec_p384;
    case SignatureScheme::rsa_pss_rsae_sha256:
    case SignatureScheme::rsa_pss_rsae_sha384:
    case SignatureScheme::rsa_pss_rsae_sha512: return k.type == KeyType::rsa && !k.pss_only;
    case SignatureScheme::rsa_pss_pss_sha256:
    case SignatureScheme::rsa_pss_pss_sha384:
    case SignatureScheme::rsa_pss_pss_sha512: return k.type == KeyType::rsa && k.pss_only;
    default: return false;
  }
}
}  // namespace

Err leaf_public_key(Bytes leaf_der, x509::PublicKeyInfo& out) {
  x509::CertView v;
  if (x509::parse_certificate(leaf_der, v) != Status::ok)
    return fail(Alert::bad_certificate, "certificate: cannot read the public key");
  out = v.spki;
  return kOk;
}

bool scheme_fits_certificate(std::uint16_t scheme, Bytes leaf_der) noexcept {
  x509::PublicKeyInfo k;
  return !leaf_public_key(leaf_der, k) && key_fits(scheme, k);
}

Err verify_signature(std::uint16_t scheme, Bytes leaf_der, Bytes content, Bytes sig) {
  x509::PublicKeyInfo k;
  TERN_TLS_TRY(leaf_public_key(leaf_der, k));
  return verify_signature(scheme, k, content, sig);
}

Err verify_signature(std::uint16_t scheme, const x509::PublicKeyInfo& k, Bytes content, Bytes sig) {
  // Every refusal before the signature is checked is illegal_parameter: a
  // scheme that does not fit the key, or one this build cannot verify
  // (x509 has checked the key's encoding: Ed25519 32 bytes, EC points).
  if (!key_fits(scheme, k)) return fail(Alert::illegal_parameter, "signature scheme does not match the certificate key");
  const Bytes key = k.key;
  // The content's digest, taken by the cases that sign one (each names its
  // scheme's hash: no scheme-to-hash lookup for the ECDSA ones).
  std::uint8_t digest[64];
  const auto digest_of = [&](HashId h) {
    const std::size_t hl = sha2::digest_size(h);
    sha2::AnyHash::hash(h, std::span<std::uint8_t>(digest, hl), content);
    return Bytes(digest, hl);
  };
  const Err bad = fail(Alert::decrypt_error, "CertificateVerify signature does not verify");
  Status st = Status::unsupported;
  switch (static_cast<SignatureScheme>(scheme)) {
#if !defined(TERN_NO_ED25519)
    case SignatureScheme::ed25519:
      if (sig.size() != 64) return bad;
      st = ed25519_verify(std::span<const std::uint8_t, 64>(sig.data(), 64),
                          std::span<const std::uint8_t, 32>(key.data(), 32), content);
      break;
#endif
    case SignatureScheme::ecdsa_secp256r1_sha256:
      st = ec::ecdsa_verify_der(ec::Curve::p256, key, digest_of(HashId::sha256), sig);
      break;
    case SignatureScheme::ecdsa_secp384r1_sha384:
      if (!kP384) return fail(Alert::illegal_parameter, "P-384 not built");
      st = ec::ecdsa_verify_der(ec::Curve::p384, key, digest_of(HashId::sha384), sig);
      break;
#if !defined(TERN_NO_RSA)
    case SignatureScheme::rsa_pss_rsae_sha256:
    case SignatureScheme::rsa_pss_rsae_sha384:
    case SignatureScheme::rsa_pss_rsae_sha512:
    case SignatureScheme::rsa_pss_pss_sha256:
    case SignatureScheme::rsa_pss_pss_sha384:
    case SignatureScheme::rsa_pss_pss_sha512: {
      // rsa_pss_pss_*: an id-RSASSA-PSS key, whose BIT STRING holds a
      // PKCS#1 RSAPublicKey. (Parameters restricting the hash, if present,
      // are the X.509 layer's business; TLS fixes salt = hash length.) An
      // rsaEncryption key is read from the whole SPKI, which requires the
      // NULL parameters.
      rsa::PublicKey pk;
      if ((k.pss_only ? pk.from_pkcs1_der(key) : pk.from_spki_der(k.raw)) != Status::ok)
        return fail(Alert::bad_certificate, k.pss_only ? "bad RSA-PSS public key" : "bad RSA public key");
      const HashId h = scheme_hash(scheme);
      const Bytes dg = digest_of(h);
      st = rsa::verify_pss(pk, h, h, static_cast<std::ptrdiff_t>(dg.size()), dg, sig);
      break;
    }
#endif
    default:
      return fail(Alert::illegal_parameter, "signature scheme not allowed in CertificateVerify");
  }
  return st == Status::ok ? kOk : bad;
}

}  // namespace tern::tls
