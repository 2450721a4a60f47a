// Certificate path building and validation (RFC 5280 §6, the parts the web
// uses), hostname checks (RFC 6125 / RFC 9525), trust stores, expiry.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tls/arena.hpp"
#include "x509/cert/cert.hpp"

namespace tern::x509 {

// ---- signatures -----------------------------------------------------------------

// Verifies `signature` over `tbs` by the key in `spki` (a whole
// SubjectPublicKeyInfo) with algorithm `alg`. ok, bad_signature, or
// unsupported when tern lacks the algorithm (or the key does not fit it).
Status verify_signature(const AlgorithmId& alg, Bytes spki, Bytes tbs, Bytes signature) noexcept;

// A replaceable signature check (tests plug in other algorithms, e.g. the
// SHA-1/DSA signatures of NIST PKITS). Returns as verify_signature().
struct SignatureVerifier {
  Status (*fn)(void* ctx, const AlgorithmId& alg, Bytes spki, Bytes tbs, Bytes signature) = nullptr;
  void* ctx = nullptr;
};

// ---- errors ---------------------------------------------------------------------

enum class Error : std::uint8_t {
  ok = 0,
  malformed,                       // a certificate could not be parsed
  expired,                         // now > notAfter
  not_yet_valid,                   // now < notBefore
  unknown_issuer,                  // no path to a trust anchor
  bad_signature,                   // a signature did not verify
  name_mismatch,                   // the leaf is not valid for the requested host
  path_too_long,                   // more certificates than VerifyOptions::max_depth
  pathlen_exceeded,                // a CA's pathLenConstraint is violated
  not_a_ca,                        // an issuer lacks basicConstraints cA=TRUE
  bad_key_usage,                   // keyUsage forbids the certificate's role
  bad_ext_key_usage,               // extKeyUsage lacks the requested purpose
  unsupported_critical_extension,  // a critical extension tern does not process
  unsupported_algorithm,           // signature or key algorithm tern cannot verify
  name_constraints,                // a name violates an issuer's nameConstraints
  no_trust_anchors,                // the trust store is empty
};
const char* to_string(Error e) noexcept;

// What went wrong, where: depth 0 is the leaf. Builds with TERN_SMALL
// (-Dprofile=minimal) fill only `error` and `depth`; subject and detail
// stay empty there (no formatting code is linked).
struct Failure {
  Error error = Error::ok;
  int depth = -1;
  std::string subject;  // subject of the certificate at `depth`
  std::string detail;   // "expired on 2024-01-01 00:00:00 UTC", "certificate names: a.com, b.com", ...
  // One line for logs: "certificate 1 (CN=Sub CA): expired: expired on ...".
  std::string message() const;
};

// ---- trust store ------------------------------------------------------------------

class TrustStore {
 public:
  // Adds one certificate (DER or already parsed).
  Status add(const Certificate& c);
  Status add_der(Bytes der);
  // Every CERTIFICATE block of a PEM file; *added counts them. A block that
  // fails to parse is skipped and counted in *rejected (the rest still load).
  Status add_pem_file(const std::string& path, std::size_t* added = nullptr, std::size_t* rejected = nullptr);
  // Every regular file in `dir` holding PEM certificates (*.pem, *.crt).
  Status add_directory(const std::string& dir, std::size_t* added = nullptr, std::size_t* rejected = nullptr);
  // /etc/ssl/certs/ca-certificates.crt (Debian), or the first bundle found
  // among the usual locations.
  Status load_system(std::size_t* added = nullptr, std::size_t* rejected = nullptr);

  const std::vector<Certificate>& anchors() const noexcept { return anchors_; }
  std::size_t size() const noexcept { return anchors_.size(); }

 private:
  std::vector<Certificate> anchors_;
};

// ---- verification -------------------------------------------------------------------

enum class Purpose : std::uint8_t { any, server_auth, client_auth };

inline constexpr int kDefaultMaxDepth = 10;

struct VerifyOptions {
  Time now = 0;                 // the validation time (required)
  std::string hostname;         // DNS name or IP literal to match; empty = skip
  Purpose purpose = Purpose::server_auth;
  int max_depth = kDefaultMaxDepth;  // certificates in a path, leaf and anchor included (at most 32)
  SignatureVerifier verifier;   // default: verify_signature()
};

struct VerifyResult {
  Failure failure;                   // failure.error == ok on success
  // Leaf first, anchor last (on success). An arena vector: a TLS
  // connection in no-heap mode validates chains in its arena (tls/arena.hpp).
  tls::ArenaVector<Certificate> chain;
  bool ok() const noexcept { return failure.error == Error::ok; }
};

// Builds a path from `leaf` through `intermediates` (any order, may hold
// extra or duplicate certificates, cross-signs and loops) to an anchor of
// `store`, trying candidate issuers until one path validates. On failure
// reports the most relevant error of the best path found.
VerifyResult verify(const Certificate& leaf, std::span<const Certificate> intermediates,
                    const TrustStore& store, const VerifyOptions& opts);
// A braced list of intermediates ({} for none, {a, b}); vectors and arrays
// convert to the span above.
inline VerifyResult verify(const Certificate& leaf, std::initializer_list<Certificate> intermediates,
                           const TrustStore& store, const VerifyOptions& opts) {
  return verify(leaf, std::span<const Certificate>(intermediates.begin(), intermediates.size()), store, opts);
}

// The same validation for certificates already parsed (`chain`: leaf
// first, then the intermediates in any order) with the default max_depth
// and signature check: no copies, no chain kept (the TLS verifier). True
// on success (`failure` untouched); false with the failure in `failure`
// (TERN_SMALL builds set only its error and depth).
bool verify_parsed(std::span<const CertView> chain, const TrustStore& store, Time now, Purpose purpose,
                   std::string_view hostname, Failure& failure);

// ---- hostnames ------------------------------------------------------------------------

// RFC 6125/9525: DNS names match subjectAltName dNSName entries only (no
// common-name fallback), ASCII case-insensitively; a wildcard is allowed only
// as the whole leftmost label of a name with at least three labels and
// matches exactly one label. IP literals (dotted IPv4, IPv6) match
// iPAddress entries.
bool matches_hostname(const CertView& cert, std::string_view host);
// The names a certificate is valid for ("example.com, *.example.com, 192.0.2.1").
std::string san_list(const CertView& cert);
// Parses an IPv4 or IPv6 literal into 4 or 16 bytes; false if not one.
bool parse_ip(std::string_view text, std::vector<std::uint8_t>& out);

// ---- name constraints ------------------------------------------------------------------

// Whether `cert`'s names (subject, SAN dNSName/iPAddress/rfc822Name/
// directoryName, emailAddress) satisfy `issuer`'s nameConstraints. URIs and
// other name forms are not checked. `detail` names the offending name
// (left untouched in TERN_SMALL builds).
bool satisfies_name_constraints(const CertView& issuer, const CertView& cert, bool is_leaf, std::string* detail);

// ---- expiry ------------------------------------------------------------------------------

struct ExpiryReport {
  Time earliest_not_after = 0;
  int depth = -1;          // certificate that expires first (0 = leaf)
  std::string subject;
  std::int64_t days_left = 0;  // floor((notAfter - now) / 1 day); negative once expired
  bool expired = false;
};
// The first certificate of `chain` to expire, seen from `now`. depth -1 for an empty chain.
ExpiryReport expiry(std::span<const Certificate> chain, Time now);

}  // namespace tern::x509
