// Key and certificate generation: Ed25519, ECDSA P-256/P-384 and RSA keys, a
// self-signed CA, and certificates issued by a CA with the subject
// alternative names, extended key usages, validity, basic and name
// constraints the caller chooses; written as DER or PEM.
//
// Signing goes through one Signer (algorithm identifier + sign callback),
// so callers can also issue certificates with keys held elsewhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "x509/cert/cert.hpp"

namespace tern::x509::gen {

// RSA keys have e = 65537 and sign certificates with
// sha256WithRSAEncryption (PKCS#1 v1.5).
enum class KeyAlg : std::uint8_t { ed25519, p256, p384, rsa2048, rsa3072, rsa4096 };
bool is_rsa(KeyAlg a) noexcept;
const char* to_string(KeyAlg a) noexcept;
// Whether this build of tern can generate and sign with `a`.
bool supported(KeyAlg a) noexcept;

class PrivateKey {
 public:
  PrivateKey() = default;
  PrivateKey(const PrivateKey&) = default;
  PrivateKey& operator=(const PrivateKey&) = default;
  ~PrivateKey();
  KeyAlg alg() const noexcept { return alg_; }
  bool empty() const noexcept { return secret_.empty(); }
  // SubjectPublicKeyInfo DER.
  std::vector<std::uint8_t> spki_der() const;
  // PKCS#8 PrivateKeyInfo (RFC 5958 / RFC 8410 for Ed25519, RFC 5915 inside
  // for EC, RFC 8017 RSAPrivateKey inside for RSA).
  std::vector<std::uint8_t> pkcs8_der() const;
  std::string pkcs8_pem() const;
  // RSA only: PKCS#1 RSAPrivateKey as PEM "RSA PRIVATE KEY" (empty for
  // other algorithms).
  std::string pkcs1_pem() const;
  const std::vector<std::uint8_t>& public_key() const noexcept { return pub_; }

 private:
  friend Status generate_key(KeyAlg, PrivateKey&);
  friend Status sign(const PrivateKey&, Bytes, std::vector<std::uint8_t>&);
  KeyAlg alg_ = KeyAlg::ed25519;
  std::vector<std::uint8_t> secret_;  // Ed25519 seed, EC scalar or RSAPrivateKey DER
  std::vector<std::uint8_t> pub_;     // Ed25519 key, uncompressed EC point or RSAPublicKey DER
};

// A fresh key pair from the system RNG. unsupported if the algorithm's
// family is not built.
Status generate_key(KeyAlg alg, PrivateKey& out);
// Signs `tbs` the way X.509 uses `key` (Ed25519; ECDSA with SHA-256 for
// P-256, SHA-384 for P-384, DER signature; RSA PKCS#1 v1.5 with SHA-256).
Status sign(const PrivateKey& key, Bytes tbs, std::vector<std::uint8_t>& sig);

// What to put in a certificate.
struct CertSpec {
  std::string common_name, organization, country;  // empty ones are left out
  std::vector<std::uint8_t> serial;                // empty: 16 random bytes
  Time not_before = 0, not_after = 0;
  bool is_ca = false;
  int path_len = -1;                               // CA only; -1: no pathLenConstraint
  bool basic_constraints = true;                   // false: omit the extension entirely
  std::vector<std::string> dns_names;              // subjectAltName dNSName
  std::vector<std::string> ip_addresses;           // subjectAltName iPAddress ("192.0.2.1", "2001:db8::1")
  std::uint8_t ext_key_usage = 0;                  // ExtKeyUsage bits; 0: no extension
  std::uint16_t key_usage = 0;                     // KeyUsage bits; 0: CA keyCertSign|cRLSign, leaf digitalSignature
  // nameConstraints (CA only): DNS names and "address/prefix" IP ranges.
  std::vector<std::string> permitted_dns, excluded_dns, permitted_ip, excluded_ip;
};

// An algorithm identifier and a signing function.
struct Signer {
  std::vector<std::uint8_t> algorithm;  // AlgorithmIdentifier DER
  Status (*fn)(void* ctx, Bytes tbs, std::vector<std::uint8_t>& sig) = nullptr;
  void* ctx = nullptr;
};
// The signer for a tern key (ctx points at `key`, which must outlive it).
Signer signer_for(const PrivateKey& key);
// AlgorithmIdentifier DER for a key algorithm's signatures.
std::vector<std::uint8_t> signature_algorithm(KeyAlg alg);

// Encodes a Name from the spec's CN/O/C.
std::vector<std::uint8_t> make_name(const CertSpec& spec);

// The general form: `subject_spki` certified by an issuer with name
// `issuer_name` (Name DER) and key identifier `issuer_key_id` (may be
// empty), signed by `signer`.
Status issue_with(const CertSpec& spec, Bytes subject_spki, Bytes issuer_name, Bytes issuer_key_id, const Signer& signer,
                  std::vector<std::uint8_t>& der_out);
// A self-signed certificate for `key`.
Status self_signed(const CertSpec& spec, const PrivateKey& key, std::vector<std::uint8_t>& der_out);
// A certificate for `subject_spki`, issued by `issuer` with `issuer_key`.
Status issue(const CertSpec& spec, Bytes subject_spki, const Certificate& issuer, const PrivateKey& issuer_key,
             std::vector<std::uint8_t>& der_out);

// PEM for a certificate's DER.
std::string to_pem(Bytes cert_der);

}  // namespace tern::x509::gen
