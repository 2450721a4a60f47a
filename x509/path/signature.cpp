// The single signature-verification step of the X.509 layer: algorithm
// identifier + SubjectPublicKeyInfo + signed bytes + signature -> Status.
// Each algorithm family is compiled in when the build includes it
// (TERN_X509_HAVE_* come from x509/meson.build).
#include "crypto/sha2/sha2.hpp"
#include "x509/path/verify.hpp"

#if TERN_X509_HAVE_ED25519
#include "crypto/curve25519/curve25519.hpp"
#endif
#if TERN_X509_HAVE_EC
#include "crypto/ec/ec.hpp"
#endif
#if TERN_X509_HAVE_RSA
#include "crypto/rsa/rsa.hpp"
#endif

namespace tern::x509 {
namespace {

[[maybe_unused]] bool hash_for(SigAlg a, unsigned pss_bits, sha2::HashId& h) noexcept {
  switch (a) {
    case SigAlg::ecdsa_sha256:
    case SigAlg::rsa_pkcs1_sha256: h = sha2::HashId::sha256; return true;
    case SigAlg::ecdsa_sha384:
    case SigAlg::rsa_pkcs1_sha384: h = sha2::HashId::sha384; return true;
    case SigAlg::ecdsa_sha512:
    case SigAlg::rsa_pkcs1_sha512: h = sha2::HashId::sha512; return true;
    case SigAlg::rsa_pss:
      if (pss_bits == 256) h = sha2::HashId::sha256;
      else if (pss_bits == 384) h = sha2::HashId::sha384;
      else if (pss_bits == 512) h = sha2::HashId::sha512;
      else return false;
      return true;
    default: return false;
  }
}

}  // namespace

__attribute__((noinline)) Status verify_signature(const AlgorithmId& alg, Bytes spki_der, Bytes tbs, Bytes sig) noexcept {
  (void)tbs;
  (void)sig;
  PublicKeyInfo key;
  if (parse_public_key_info(spki_der, key) != Status::ok) return Status::bad_key;
  [[maybe_unused]] std::uint8_t digest[sha2::max_digest_size];
  [[maybe_unused]] sha2::HashId h = sha2::HashId::sha256;
  switch (alg.alg) {
#if TERN_X509_HAVE_ED25519
    case SigAlg::ed25519: {
      if (key.type != KeyType::ed25519) return Status::bad_signature;
      if (sig.size() != 64) return Status::bad_signature;
      const Status s = ed25519_verify(std::span<const std::uint8_t, 64>(sig.data(), 64),
                                      std::span<const std::uint8_t, 32>(key.key.data(), 32), tbs);
      return s == Status::ok ? Status::ok : Status::bad_signature;
    }
#endif
#if TERN_X509_HAVE_EC
    case SigAlg::ecdsa_sha256:
    case SigAlg::ecdsa_sha384:
    case SigAlg::ecdsa_sha512: {
      ec::Curve curve;
      if (key.type == KeyType::ec_p256) curve = ec::Curve::p256;
      else if (key.type == KeyType::ec_p384) curve = ec::Curve::p384;
      else if (key.type == KeyType::ec_p521) return Status::unsupported;
      else return Status::bad_signature;
      hash_for(alg.alg, 0, h);
      sha2::AnyHash::hash(h, digest, tbs);
      const Status s = ec::ecdsa_verify_der(curve, key.key, std::span<const std::uint8_t>(digest, sha2::digest_size(h)), sig);
      return s == Status::ok ? Status::ok : Status::bad_signature;
    }
#endif
#if TERN_X509_HAVE_RSA
    case SigAlg::rsa_pkcs1_sha256:
    case SigAlg::rsa_pkcs1_sha384:
    case SigAlg::rsa_pkcs1_sha512:
    case SigAlg::rsa_pss: {
      if (key.type != KeyType::rsa) return Status::bad_signature;
      if (key.pss_only && alg.alg != SigAlg::rsa_pss) return Status::bad_signature;
      if (!hash_for(alg.alg, alg.pss.hash_bits, h)) return Status::unsupported;
      rsa::PublicKey pub;
      if (pub.from_pkcs1_der(key.key) != Status::ok) return Status::unsupported;  // e.g. > 8192 bits
      sha2::AnyHash::hash(h, digest, tbs);
      const auto d = std::span<const std::uint8_t>(digest, sha2::digest_size(h));
      const Status s = alg.alg == SigAlg::rsa_pss
                           ? rsa::verify_pss(pub, h, h, static_cast<std::ptrdiff_t>(alg.pss.salt_len), d, sig)
                           : rsa::verify_pkcs1v15(pub, h, d, sig);
      return s == Status::ok ? Status::ok : Status::bad_signature;
    }
#endif
    default: return Status::unsupported;
  }
}

}  // namespace tern::x509
