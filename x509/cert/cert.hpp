// X.509 certificate parsing (RFC 5280 §4) into views over the original DER.
//
// CertView holds spans into a buffer the caller keeps alive; Certificate
// owns its DER (shared, so copies are cheap and the views stay valid).
// Parsing is strict DER through tern::der::Reader and never throws: a
// malformed certificate yields Status::bad_encoding plus a ParseError that
// says which part was wrong.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "crypto/status.hpp"

namespace tern::der {
class Reader;
}

namespace tern::x509 {

using Bytes = std::span<const std::uint8_t>;

// ---- algorithms -----------------------------------------------------------

// Signature algorithms a certificate may name. Only the ones marked
// "verified" are checked by tern itself; others can still be parsed (and a
// caller-supplied verifier may accept them).
enum class SigAlg : std::uint8_t {
  unknown = 0,
  ecdsa_sha256,      // verified
  ecdsa_sha384,      // verified
  ecdsa_sha512,
  ed25519,           // verified
  rsa_pkcs1_sha256,  // verified
  rsa_pkcs1_sha384,  // verified
  rsa_pkcs1_sha512,  // verified
  rsa_pss,           // verified (SHA-256/384/512, MGF1 with the same hash)
  rsa_pkcs1_sha1,    // legacy: parsed, not verified by tern
  rsa_pkcs1_sha224,
  ecdsa_sha1,
  dsa_sha1,
  dsa_sha256,
  ed448,
};
const char* to_string(SigAlg a) noexcept;

// RSA-PSS parameters (RFC 4055); hash_bits 0 when not PSS.
struct PssParams {
  unsigned hash_bits = 0;   // 256, 384, 512 (160 for the SHA-1 default)
  unsigned salt_len = 0;
};

struct AlgorithmId {
  SigAlg alg = SigAlg::unknown;
  PssParams pss;
  Bytes oid;   // OID content octets
  Bytes raw;   // the whole AlgorithmIdentifier
};

enum class KeyType : std::uint8_t { unknown = 0, rsa, ec_p256, ec_p384, ec_p521, ed25519, ed448, dsa };
const char* to_string(KeyType k) noexcept;

struct PublicKeyInfo {
  KeyType type = KeyType::unknown;
  Bytes key;   // BIT STRING contents: EC point, Ed25519 key, RSAPublicKey DER
  Bytes raw;   // the whole SubjectPublicKeyInfo
  bool pss_only = false;  // id-RSASSA-PSS key: PKCS#1 v1.5 signatures are refused
};

// Parses a whole SubjectPublicKeyInfo (unknown key types are not an error).
Status parse_public_key_info(Bytes der, PublicKeyInfo& out);

// ---- names ----------------------------------------------------------------

// A distinguished name: `raw` is the whole Name SEQUENCE.
struct Name {
  Bytes raw;
  bool empty() const noexcept { return raw.size() <= 2; }
};
// RFC 5280 §7.1 comparison: same RDN order and count, each RDN the same set
// of attributes; string values compared after RFC 4518-style folding (ASCII
// case, runs of spaces collapsed, leading/trailing spaces dropped) across
// PrintableString, UTF8String, IA5String, TeletexString, BMPString and
// UniversalString. Other values compare byte for byte.
bool names_equal(const Name& a, const Name& b) noexcept;
// Whether `raw` is a Name: SEQUENCE OF SET (non-empty) OF SEQUENCE { OID,
// value } (what parse_certificate() requires of issuer and subject).
bool name_well_formed(Bytes raw) noexcept;
// Name constraints: is `prefix`'s RDN sequence the start of `name`'s?
bool name_has_prefix(const Name& name, const Name& prefix) noexcept;
// "CN=example.com, O=Example, C=US" (RFC 4514-like, for messages).
std::string to_string(const Name& n);
// The value of each attribute of `oid` (content octets), as UTF-8.
std::vector<std::string> name_attributes(const Name& n, Bytes oid);
// Calls f(ctx, text) with the UTF-8 text of each string attribute of `oid`
// (the ones name_attributes() returns) until f returns true; then true. A
// value longer than 1 KiB in UTF-8 counts as f returning true (no heap).
bool any_attribute(const Name& n, Bytes oid, bool (*f)(const void* ctx, Bytes utf8), const void* ctx);

// ---- time -----------------------------------------------------------------

// Seconds since 1970-01-01T00:00:00Z.
using Time = std::int64_t;
// UTCTime (YYMMDDHHMMSSZ, 1950..2049) or GeneralizedTime (YYYYMMDDHHMMSSZ),
// the forms RFC 5280 §4.1.2.5 allows.
bool parse_time(std::uint32_t tag, Bytes value, Time& out) noexcept;
// "2026-11-27 02:26:57 UTC".
std::string format_time(Time t);
// Seconds for a civil UTC date.
Time make_time(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) noexcept;

// ---- extensions -------------------------------------------------------------

// keyUsage bits (RFC 5280 §4.2.1.3), bit 0 = digitalSignature.
enum KeyUsage : std::uint16_t {
  ku_digital_signature = 1u << 0, ku_non_repudiation = 1u << 1, ku_key_encipherment = 1u << 2,
  ku_data_encipherment = 1u << 3, ku_key_agreement = 1u << 4, ku_key_cert_sign = 1u << 5,
  ku_crl_sign = 1u << 6, ku_encipher_only = 1u << 7, ku_decipher_only = 1u << 8,
};
// extKeyUsage purposes tern knows.
enum ExtKeyUsage : std::uint8_t {
  eku_server_auth = 1u << 0, eku_client_auth = 1u << 1, eku_code_signing = 1u << 2,
  eku_email = 1u << 3, eku_time_stamping = 1u << 4, eku_ocsp_signing = 1u << 5, eku_any = 1u << 7,
};

// GeneralName choices (RFC 5280 §4.2.1.6) as context tags.
enum class GeneralNameType : std::uint8_t {
  other_name = 0, rfc822 = 1, dns = 2, x400 = 3, directory = 4, edi_party = 5, uri = 6, ip = 7, registered_id = 8,
};
struct GeneralName {
  GeneralNameType type;
  Bytes value;  // IA5 text, IP octets, or (directory) the Name DER
};
// Decodes a SEQUENCE OF GeneralName's contents.
bool parse_general_names(Bytes contents, std::vector<GeneralName>& out);
// Decodes one GeneralName: `tlv` is exactly one whole element.
bool parse_general_name(Bytes tlv, GeneralName& out);
// Reads the next element of `r` as one GeneralName; false when it is
// missing or malformed.
bool read_general_name(der::Reader& r, GeneralName& out);

struct Extensions {
  bool has_basic_constraints = false, is_ca = false;
  int path_len = -1;                        // -1: no pathLenConstraint
  bool has_key_usage = false;
  std::uint16_t key_usage = 0;
  bool has_ext_key_usage = false;
  std::uint8_t ext_key_usage = 0;
  bool has_san = false;
  Bytes san;                                // SEQUENCE OF GeneralName contents
  bool has_name_constraints = false;
  Bytes nc_permitted, nc_excluded;          // GeneralSubtrees contents (may be empty)
  bool has_permitted = false, has_excluded = false;
  Bytes subject_key_id, authority_key_id;   // empty when absent
  // OID of the first critical extension tern does not understand.
  Bytes unknown_critical;
};

// ---- certificate --------------------------------------------------------------

// Which part of a certificate failed to parse.
enum class ParseError : std::uint8_t {
  none = 0, structure, version, serial, signature_algorithm, algorithm_mismatch, issuer, validity,
  subject, public_key, unique_id, extensions, duplicate_extension, bad_extension, signature, trailing_data,
};
const char* to_string(ParseError e) noexcept;

struct CertView {
  // All-zero bytes are every member's empty value (null spans, zero
  // numbers): one memset instead of a store per member (issue #10 size).
  CertView() noexcept { clear(); }
  void clear() noexcept {
    std::memset(static_cast<void*>(this), 0, sizeof *this);
    version = 1;
    ext.path_len = -1;
  }
  Bytes raw;             // the whole Certificate
  Bytes tbs;             // tbsCertificate (what the signature covers)
  int version = 1;       // 1, 2 or 3
  Bytes serial;          // INTEGER content octets (may be negative or long)
  AlgorithmId sig_alg;   // outer signatureAlgorithm (equal to the inner one)
  Name issuer, subject;
  Time not_before = 0, not_after = 0;
  PublicKeyInfo spki;
  Extensions ext;
  Bytes signature;       // BIT STRING contents (after the unused-bits octet)
  std::uint8_t signature_unused_bits = 0;  // non-zero: the signature cannot be valid
  bool self_issued() const noexcept { return names_equal(issuer, subject); }
  // dNSName and iPAddress entries of subjectAltName.
  std::vector<GeneralName> san_names() const;
};
static_assert(std::is_trivially_copyable_v<CertView>);

Status parse_certificate(Bytes der, CertView& out, ParseError* why = nullptr);

// A certificate that owns its DER.
class Certificate {
 public:
  Certificate() = default;
  // Copies `der` and parses it.
  static Status from_der(Bytes der, Certificate& out, ParseError* why = nullptr);
  static Status from_der(std::vector<std::uint8_t>&& der, Certificate& out, ParseError* why = nullptr);
  // Parses `der` without copying it: `der` must outlive `out` and its
  // copies (TLS no-heap mode: the peer's chain in the connection's arena).
  static Status borrow(Bytes der, Certificate& out, ParseError* why = nullptr) {
    CertView v;
    const Status s = parse_certificate(der, v, why);
    if (s != Status::ok) return s;
    out.der_.reset();
    out.view_ = v;
    return s;
  }
  const CertView& view() const noexcept { return view_; }
  const CertView* operator->() const noexcept { return &view_; }
  Bytes der() const noexcept { return view_.raw; }
  bool empty() const noexcept { return view_.raw.empty(); }
  std::string subject_string() const { return to_string(view_.subject); }

 private:
  // Parses the DER `buf` holds into `out` (both from_der()s).
  static Status adopt(std::shared_ptr<const std::vector<std::uint8_t>> buf, Certificate& out, ParseError* why);
  std::shared_ptr<const std::vector<std::uint8_t>> der_;
  CertView view_;
};

// Every CERTIFICATE block of a PEM text (other blocks skipped). Stops at the
// first certificate that fails to parse; `*index` says which one (0-based).
Status certificates_from_pem(std::string_view pem, std::vector<Certificate>& out,
                             ParseError* why = nullptr, std::size_t* index = nullptr);

// OIDs (content octets) callers commonly need.
namespace oid {
extern const std::uint8_t common_name[3];
extern const std::uint8_t email_address[9];
}  // namespace oid

}  // namespace tern::x509
