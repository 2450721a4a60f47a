#include "x509/cert/cert.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "crypto/internal/der.hpp"
#include "x509/pem/pem.hpp"

namespace tern::x509 {
namespace {

template <std::size_t N>
bool oid_is(Bytes oid, const std::uint8_t (&ref)[N]) noexcept {
  return oid.size() == N && std::memcmp(oid.data(), ref, N) == 0;
}

// Algorithm OIDs (content octets).
constexpr std::uint8_t kRsaEncryption[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
constexpr std::uint8_t kRsaSha1[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05};
constexpr std::uint8_t kRsaPss[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};
constexpr std::uint8_t kRsaSha256[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
constexpr std::uint8_t kRsaSha384[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c};
constexpr std::uint8_t kRsaSha512[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d};
constexpr std::uint8_t kRsaSha224[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0e};
constexpr std::uint8_t kMgf1[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08};
constexpr std::uint8_t kEcPublicKey[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
constexpr std::uint8_t kP256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
constexpr std::uint8_t kP384[] = {0x2b, 0x81, 0x04, 0x00, 0x22};
constexpr std::uint8_t kP521[] = {0x2b, 0x81, 0x04, 0x00, 0x23};
constexpr std::uint8_t kEcdsaSha1[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01};
constexpr std::uint8_t kEcdsaSha256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
constexpr std::uint8_t kEcdsaSha384[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
constexpr std::uint8_t kEcdsaSha512[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};
constexpr std::uint8_t kEd25519[] = {0x2b, 0x65, 0x70};
constexpr std::uint8_t kEd448[] = {0x2b, 0x65, 0x71};
constexpr std::uint8_t kDsa[] = {0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01};
constexpr std::uint8_t kDsaSha1[] = {0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03};
constexpr std::uint8_t kDsaSha256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02};
constexpr std::uint8_t kSha1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};
constexpr std::uint8_t kSha256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
constexpr std::uint8_t kSha384[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};
constexpr std::uint8_t kSha512[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03};

// Extension OIDs.
constexpr std::uint8_t kExtSki[] = {0x55, 0x1d, 0x0e};
constexpr std::uint8_t kExtKu[] = {0x55, 0x1d, 0x0f};
constexpr std::uint8_t kExtSan[] = {0x55, 0x1d, 0x11};
constexpr std::uint8_t kExtBc[] = {0x55, 0x1d, 0x13};
constexpr std::uint8_t kExtNc[] = {0x55, 0x1d, 0x1e};
constexpr std::uint8_t kExtAki[] = {0x55, 0x1d, 0x23};
constexpr std::uint8_t kExtEku[] = {0x55, 0x1d, 0x25};
// Understood and deliberately not processed: certificate policies (and
// mapping/constraints/inhibitAnyPolicy), CRL distribution points, issuer
// alternative names, authority/subject information access, SCTs.
constexpr std::uint8_t kIgnored3[][3] = {{0x55, 0x1d, 0x20}, {0x55, 0x1d, 0x21}, {0x55, 0x1d, 0x24},
                                         {0x55, 0x1d, 0x36}, {0x55, 0x1d, 0x1f}, {0x55, 0x1d, 0x12},
                                         {0x55, 0x1d, 0x2e}, {0x55, 0x1d, 0x09}};
constexpr std::uint8_t kAia[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01};
constexpr std::uint8_t kSia[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x0b};

// EKU purposes: id-kp 1.3.6.1.5.5.7.3.x
constexpr std::uint8_t kKpPrefix[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03};
constexpr std::uint8_t kAnyEku[] = {0x55, 0x1d, 0x25, 0x00};

bool parse_hash_alg(Bytes raw_seq, unsigned& bits) {
  der::Reader r(raw_seq), seq(Bytes{});
  der::Element oid;
  if (!r.enter(der::kSequence, seq) || !seq.read(der::kOid, oid)) return false;
  if (!seq.empty() && !seq.read_null()) return false;
  if (!seq.finish()) return false;
  if (oid_is(oid.value, kSha256)) bits = 256;
  else if (oid_is(oid.value, kSha384)) bits = 384;
  else if (oid_is(oid.value, kSha512)) bits = 512;
  else if (oid_is(oid.value, kSha1)) bits = 160;
  else bits = 0;
  return true;
}

bool parse_pss(Bytes params, PssParams& p) {
  der::Reader r(params), seq(Bytes{});
  if (!r.enter(der::kSequence, seq) || !r.finish()) return false;
  p.hash_bits = 160;
  p.salt_len = 20;
  unsigned mgf_bits = 160;
  der::Element e;
  if (seq.read_optional(der::context(0, true), e)) {
    if (!parse_hash_alg(e.value, p.hash_bits)) return false;
  }
  if (seq.read_optional(der::context(1, true), e)) {
    der::Reader m(e.value), ms(Bytes{});
    der::Element moid, hash;
    if (!m.enter(der::kSequence, ms) || !m.finish() || !ms.read(der::kOid, moid) || !oid_is(moid.value, kMgf1) ||
        !ms.read(der::kSequence, hash) || !ms.finish() || !parse_hash_alg(hash.raw, mgf_bits))
      return false;
  }
  if (seq.read_optional(der::context(2, true), e)) {
    der::Reader s(e.value);
    std::uint64_t salt = 0;
    if (!s.read_uint64(salt) || !s.finish() || salt > 1024) return false;
    p.salt_len = static_cast<unsigned>(salt);
  }
  if (seq.read_optional(der::context(3, true), e)) {
    der::Reader t(e.value);
    std::uint64_t trailer = 0;
    if (!t.read_uint64(trailer) || !t.finish() || trailer != 1) return false;
  }
  if (!seq.finish()) return false;
  if (mgf_bits != p.hash_bits) p.hash_bits = 0;  // mixed hashes: unsupported
  return true;
}

bool parse_algorithm(der::Reader& r, AlgorithmId& out) {
  der::Reader seq(Bytes{});
  der::Element whole, oid;
  {
    der::Reader copy = r;
    if (!copy.read(der::kSequence, whole)) return r.fail(), false;
  }
  if (!r.enter(der::kSequence, seq) || !seq.read(der::kOid, oid)) return false;
  out.raw = whole.raw;
  out.oid = oid.value;
  out.alg = SigAlg::unknown;
  const Bytes o = oid.value;
  const bool no_params = seq.empty();
  bool null_params = false;
  if (!no_params && seq.peek_tag() == der::kNull) {
    der::Reader copy = seq;
    null_params = copy.read_null() && copy.finish();
  }
  if (oid_is(o, kRsaSha256) || oid_is(o, kRsaSha384) || oid_is(o, kRsaSha512) || oid_is(o, kRsaSha1) ||
      oid_is(o, kRsaSha224)) {
    if (!(no_params || null_params)) return false;
    out.alg = oid_is(o, kRsaSha256)   ? SigAlg::rsa_pkcs1_sha256
              : oid_is(o, kRsaSha384) ? SigAlg::rsa_pkcs1_sha384
              : oid_is(o, kRsaSha512) ? SigAlg::rsa_pkcs1_sha512
              : oid_is(o, kRsaSha1)   ? SigAlg::rsa_pkcs1_sha1
                                      : SigAlg::rsa_pkcs1_sha224;
  } else if (oid_is(o, kEcdsaSha256) || oid_is(o, kEcdsaSha384) || oid_is(o, kEcdsaSha512) || oid_is(o, kEcdsaSha1)) {
    if (!no_params) return false;  // RFC 5758 §3.2: parameters absent
    out.alg = oid_is(o, kEcdsaSha256)   ? SigAlg::ecdsa_sha256
              : oid_is(o, kEcdsaSha384) ? SigAlg::ecdsa_sha384
              : oid_is(o, kEcdsaSha512) ? SigAlg::ecdsa_sha512
                                        : SigAlg::ecdsa_sha1;
  } else if (oid_is(o, kEd25519) || oid_is(o, kEd448)) {
    if (!no_params) return false;  // RFC 8410 §3
    out.alg = oid_is(o, kEd25519) ? SigAlg::ed25519 : SigAlg::ed448;
  } else if (oid_is(o, kRsaPss)) {
    der::Element params;
    if (!seq.read(der::kSequence, params)) return false;
    if (!parse_pss(params.raw, out.pss)) return false;
    out.alg = SigAlg::rsa_pss;
  } else if (oid_is(o, kDsaSha1) || oid_is(o, kDsaSha256)) {
    if (!no_params) return false;
    out.alg = oid_is(o, kDsaSha1) ? SigAlg::dsa_sha1 : SigAlg::dsa_sha256;
  }
  // Unknown algorithms keep their parameters unparsed.
  der::Element skip;
  while (!seq.empty())
    if (!seq.read(skip)) return false;
  return seq.ok();
}

bool parse_spki(der::Reader& r, PublicKeyInfo& out) {
  der::Element whole;
  {
    der::Reader copy = r;
    if (!copy.read(der::kSequence, whole)) return false;
  }
  der::Reader seq(Bytes{}), alg(Bytes{});
  der::Element oid;
  if (!r.enter(der::kSequence, seq) || !seq.enter(der::kSequence, alg) || !alg.read(der::kOid, oid)) return false;
  out.raw = whole.raw;
  out.type = KeyType::unknown;
  out.pss_only = false;
  if (oid_is(oid.value, kRsaEncryption)) {
    if (!alg.empty() && !alg.read_null()) return false;
    out.type = KeyType::rsa;
  } else if (oid_is(oid.value, kRsaPss)) {
    out.type = KeyType::rsa;  // RFC 4055 §1.2: an RSA key restricted to PSS
    out.pss_only = true;
  } else if (oid_is(oid.value, kEcPublicKey)) {
    der::Element curve;
    if (alg.peek_tag() == der::kOid) {
      if (!alg.read(der::kOid, curve)) return false;
      out.type = oid_is(curve.value, kP256)   ? KeyType::ec_p256
                 : oid_is(curve.value, kP384) ? KeyType::ec_p384
                 : oid_is(curve.value, kP521) ? KeyType::ec_p521
                                              : KeyType::unknown;
    }
  } else if (oid_is(oid.value, kEd25519)) {
    if (!alg.empty()) return false;
    out.type = KeyType::ed25519;
  } else if (oid_is(oid.value, kEd448)) {
    if (!alg.empty()) return false;
    out.type = KeyType::ed448;
  } else if (oid_is(oid.value, kDsa)) {
    out.type = KeyType::dsa;
  }
  der::Element skip;
  while (!alg.empty())
    if (!alg.read(skip)) return false;
  if (!seq.read_bit_string_bytes(out.key) || !seq.finish()) return false;
  if (out.type == KeyType::ed25519 && out.key.size() != 32) return false;
  if (out.type == KeyType::ec_p256 && (out.key.size() != 65 || out.key[0] != 4) &&
      (out.key.size() != 33 || (out.key[0] != 2 && out.key[0] != 3)))
    return false;
  if (out.type == KeyType::ec_p384 && (out.key.size() != 97 || out.key[0] != 4) &&
      (out.key.size() != 49 || (out.key[0] != 2 && out.key[0] != 3)))
    return false;
  return true;
}

bool is_digit(std::uint8_t c) noexcept { return c >= '0' && c <= '9'; }

bool parse_bits(Bytes v, std::uint16_t& bits) {
  // BIT STRING contents: unused-bits count, then the bits.
  if (v.empty() || v[0] > 7 || (v.size() == 1 && v[0] != 0)) return false;
  if (v.size() > 1 && (v.back() & ((1u << v[0]) - 1))) return false;  // unused bits must be zero
  bits = 0;
  for (unsigned i = 0; i < 9 && i / 8 + 1 < v.size(); ++i)
    if (v[1 + i / 8] & (0x80u >> (i % 8))) bits = static_cast<std::uint16_t>(bits | (1u << i));
  return true;
}

bool parse_extension_value(Bytes oid, Bytes value, Extensions& ext, bool critical) {
  der::Reader r(value);
  if (oid_is(oid, kExtBc)) {
    der::Reader seq(Bytes{});
    if (!r.enter(der::kSequence, seq) || !r.finish()) return false;
    ext.has_basic_constraints = true;
    if (seq.peek_tag() == der::kBoolean && !seq.read_bool(ext.is_ca)) return false;
    if (!seq.empty()) {
      std::uint64_t n = 0;
      if (!seq.read_uint64(n)) return false;
      ext.path_len = n > 255 ? 255 : static_cast<int>(n);
    }
    return seq.finish();
  }
  if (oid_is(oid, kExtKu)) {
    der::Element e;
    if (!r.read(der::kBitString, e) || !r.finish() || !parse_bits(e.value, ext.key_usage)) return false;
    ext.has_key_usage = true;
    return true;
  }
  if (oid_is(oid, kExtEku)) {
    der::Reader seq(Bytes{});
    if (!r.enter(der::kSequence, seq) || !r.finish()) return false;
    ext.has_ext_key_usage = true;
    while (!seq.empty()) {
      der::Element p;
      if (!seq.read(der::kOid, p)) return false;
      if (oid_is(p.value, kAnyEku)) ext.ext_key_usage |= eku_any;
      if (p.value.size() == sizeof(kKpPrefix) + 1 && std::memcmp(p.value.data(), kKpPrefix, sizeof(kKpPrefix)) == 0) {
        switch (p.value.back()) {
          case 1: ext.ext_key_usage |= eku_server_auth; break;
          case 2: ext.ext_key_usage |= eku_client_auth; break;
          case 3: ext.ext_key_usage |= eku_code_signing; break;
          case 4: ext.ext_key_usage |= eku_email; break;
          case 8: ext.ext_key_usage |= eku_time_stamping; break;
          case 9: ext.ext_key_usage |= eku_ocsp_signing; break;
          default: break;
        }
      }
    }
    return seq.ok();
  }
  if (oid_is(oid, kExtSan)) {
    der::Element e;
    if (!r.read(der::kSequence, e) || !r.finish()) return false;
    std::vector<GeneralName> names;
    if (!parse_general_names(e.value, names)) return false;
    ext.has_san = true;
    ext.san = e.value;
    return true;
  }
  if (oid_is(oid, kExtNc)) {
    der::Reader seq(Bytes{});
    if (!r.enter(der::kSequence, seq) || !r.finish()) return false;
    der::Element e;
    if (seq.read_optional(der::context(0, true), e)) {
      ext.has_permitted = true;
      ext.nc_permitted = e.value;
    }
    if (seq.read_optional(der::context(1, true), e)) {
      ext.has_excluded = true;
      ext.nc_excluded = e.value;
    }
    if (!seq.finish()) return false;
    // Validate the subtrees now so that checking them later cannot fail.
    for (Bytes trees : {ext.nc_permitted, ext.nc_excluded}) {
      der::Reader t(trees);
      while (!t.empty()) {
        der::Reader sub(Bytes{});
        if (!t.enter(der::kSequence, sub)) return false;
        der::Element base;
        if (!sub.read(base)) return false;
        std::vector<GeneralName> one;
        if (!parse_general_names(base.raw, one)) return false;
        der::Element skip;
        while (!sub.empty())
          if (!sub.read(skip)) return false;
      }
      if (!t.ok()) return false;
    }
    ext.has_name_constraints = true;
    return true;
  }
  if (oid_is(oid, kExtSki)) {
    der::Element e;
    if (!r.read(der::kOctetString, e) || !r.finish()) return false;
    ext.subject_key_id = e.value;
    return true;
  }
  if (oid_is(oid, kExtAki)) {
    der::Reader seq(Bytes{});
    if (!r.enter(der::kSequence, seq) || !r.finish()) return false;
    der::Element e;
    if (seq.read_optional(der::context(0, false), e)) ext.authority_key_id = e.value;
    while (!seq.empty())
      if (!seq.read(e)) return false;
    return seq.ok();
  }
  bool known = oid_is(oid, kAia) || oid_is(oid, kSia);
  for (const auto& k : kIgnored3) known = known || oid_is(oid, k);
  if (critical && !known && ext.unknown_critical.empty()) ext.unknown_critical = oid;
  return true;
}

}  // namespace

const char* to_string(SigAlg a) noexcept {
  switch (a) {
    case SigAlg::unknown: return "unknown";
    case SigAlg::ecdsa_sha256: return "ecdsa-with-SHA256";
    case SigAlg::ecdsa_sha384: return "ecdsa-with-SHA384";
    case SigAlg::ecdsa_sha512: return "ecdsa-with-SHA512";
    case SigAlg::ed25519: return "Ed25519";
    case SigAlg::rsa_pkcs1_sha256: return "sha256WithRSAEncryption";
    case SigAlg::rsa_pkcs1_sha384: return "sha384WithRSAEncryption";
    case SigAlg::rsa_pkcs1_sha512: return "sha512WithRSAEncryption";
    case SigAlg::rsa_pss: return "RSASSA-PSS";
    case SigAlg::rsa_pkcs1_sha1: return "sha1WithRSAEncryption";
    case SigAlg::rsa_pkcs1_sha224: return "sha224WithRSAEncryption";
    case SigAlg::ecdsa_sha1: return "ecdsa-with-SHA1";
    case SigAlg::dsa_sha1: return "dsa-with-SHA1";
    case SigAlg::dsa_sha256: return "dsa-with-SHA256";
    case SigAlg::ed448: return "Ed448";
  }
  return "unknown";
}

const char* to_string(KeyType k) noexcept {
  switch (k) {
    case KeyType::unknown: return "unknown";
    case KeyType::rsa: return "RSA";
    case KeyType::ec_p256: return "EC P-256";
    case KeyType::ec_p384: return "EC P-384";
    case KeyType::ec_p521: return "EC P-521";
    case KeyType::ed25519: return "Ed25519";
    case KeyType::ed448: return "Ed448";
    case KeyType::dsa: return "DSA";
  }
  return "unknown";
}

const char* to_string(ParseError e) noexcept {
  switch (e) {
    case ParseError::none: return "none";
    case ParseError::structure: return "malformed certificate structure";
    case ParseError::version: return "bad version";
    case ParseError::serial: return "bad serial number";
    case ParseError::signature_algorithm: return "bad signature algorithm";
    case ParseError::algorithm_mismatch: return "inner and outer signature algorithms differ";
    case ParseError::issuer: return "bad issuer name";
    case ParseError::validity: return "bad validity time";
    case ParseError::subject: return "bad subject name";
    case ParseError::public_key: return "bad subject public key";
    case ParseError::unique_id: return "bad unique identifier";
    case ParseError::extensions: return "bad extensions";
    case ParseError::duplicate_extension: return "duplicate extension";
    case ParseError::bad_extension: return "malformed extension value";
    case ParseError::signature: return "bad signature value";
    case ParseError::trailing_data: return "trailing data after the certificate";
  }
  return "unknown";
}

// ---- time ---------------------------------------------------------------------

Time make_time(int y, int m, int d, int hh, int mm, int ss) noexcept {
  // Days from civil (proleptic Gregorian), H. Hinnant's well-known method.
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + hh * 3600 + mm * 60 + ss;
}

bool parse_time(std::uint32_t tag, Bytes v, Time& out) noexcept {
  std::size_t ylen;
  if (tag == der::kUtcTime) ylen = 2;
  else if (tag == der::kGeneralizedTime) ylen = 4;
  else return false;
  if (v.size() != ylen + 11 || v.back() != 'Z') return false;
  for (std::size_t i = 0; i + 1 < v.size(); ++i)
    if (!is_digit(v[i])) return false;
  auto num = [&](std::size_t at, std::size_t n) {
    int x = 0;
    for (std::size_t i = 0; i < n; ++i) x = x * 10 + (v[at + i] - '0');
    return x;
  };
  int year = num(0, ylen);
  if (ylen == 2) year += year >= 50 ? 1900 : 2000;
  const int mon = num(ylen, 2), day = num(ylen + 2, 2), hh = num(ylen + 4, 2), mm = num(ylen + 6, 2),
            ss = num(ylen + 8, 2);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mon < 1 || mon > 12 || day < 1 || hh > 23 || mm > 59 || ss > 59) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[mon - 1] + (mon == 2 && leap ? 1 : 0)) return false;
  out = make_time(year, mon, day, hh, mm, ss);
  return true;
}

std::string format_time(Time t) {
  std::int64_t days = t / 86400, secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  // Civil from days.
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld UTC", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

// ---- general names ------------------------------------------------------------

bool parse_general_names(Bytes contents, std::vector<GeneralName>& out) {
  out.clear();
  der::Reader r(contents);
  while (!r.empty()) {
    der::Element e;
    if (!r.read(e)) return false;
    const std::uint32_t num = e.tag & 0x1f;
    const bool cls_context = (e.tag & 0xc0) == 0x80 && e.tag <= 0xff;
    if (!cls_context || num > 8) return false;
    GeneralName g{static_cast<GeneralNameType>(num), e.value};
    switch (g.type) {
      case GeneralNameType::rfc822:
      case GeneralNameType::dns:
      case GeneralNameType::uri:
        if (e.constructed()) return false;
        for (auto c : e.value)
          if (c >= 0x80) return false;  // IA5String
        break;
      case GeneralNameType::ip:
        if (e.constructed()) return false;
        break;
      case GeneralNameType::directory: {
        if (!e.constructed()) return false;
        der::Reader n(e.value);
        der::Element name;
        if (!n.read(der::kSequence, name) || !n.finish()) return false;
        g.value = name.raw;
        break;
      }
      case GeneralNameType::registered_id:
        if (e.constructed()) return false;
        break;
      default:
        if (!e.constructed()) return false;
        break;
    }
    out.push_back(g);
  }
  return r.ok();
}

std::vector<GeneralName> CertView::san_names() const {
  std::vector<GeneralName> all, out;
  if (!ext.has_san || !parse_general_names(ext.san, all)) return out;
  for (const auto& g : all)
    if (g.type == GeneralNameType::dns || g.type == GeneralNameType::ip) out.push_back(g);
  return out;
}

Status parse_public_key_info(Bytes data, PublicKeyInfo& out) {
  der::Reader r(data);
  if (!parse_spki(r, out) || !r.finish()) return Status::bad_encoding;
  return Status::ok;
}

// ---- certificate --------------------------------------------------------------

Status parse_certificate(Bytes data, CertView& out, ParseError* why) {
  out = CertView{};
  auto fail = [&](ParseError e) {
    if (why) *why = e;
    return Status::bad_encoding;
  };
  if (why) *why = ParseError::none;
  der::Reader top(data), cert(Bytes{}), tbs(Bytes{});
  der::Element whole;
  {
    der::Reader copy = top;
    if (!copy.read(der::kSequence, whole)) return fail(ParseError::structure);
    if (!copy.empty()) return fail(ParseError::trailing_data);
  }
  out.raw = whole.raw;
  der::Element tbs_el;
  if (!top.enter(der::kSequence, cert)) return fail(ParseError::structure);
  {
    der::Reader copy = cert;
    if (!copy.read(der::kSequence, tbs_el)) return fail(ParseError::structure);
  }
  out.tbs = tbs_el.raw;
  if (!cert.enter(der::kSequence, tbs)) return fail(ParseError::structure);

  // version [0] EXPLICIT Version DEFAULT v1
  der::Element e;
  out.version = 1;
  if (tbs.read_optional(der::context(0, true), e)) {
    der::Reader v(e.value);
    std::uint64_t ver = 0;
    if (!v.read_uint64(ver) || !v.finish() || ver > 2) return fail(ParseError::version);
    out.version = static_cast<int>(ver) + 1;
  }
  if (!tbs.ok()) return fail(ParseError::version);
  // serialNumber: any non-empty INTEGER (negative and long serials exist).
  if (!tbs.read(der::kInteger, e) || e.value.empty()) return fail(ParseError::serial);
  out.serial = e.value;
  AlgorithmId inner;
  if (!parse_algorithm(tbs, inner)) return fail(ParseError::signature_algorithm);
  der::Element name;
  if (!tbs.read(der::kSequence, name)) return fail(ParseError::issuer);
  out.issuer.raw = name.raw;
  der::Reader validity(Bytes{});
  if (!tbs.enter(der::kSequence, validity)) return fail(ParseError::validity);
  der::Element t1, t2;
  if (!validity.read(t1) || !validity.read(t2) || !validity.finish() || !parse_time(t1.tag, t1.value, out.not_before) ||
      !parse_time(t2.tag, t2.value, out.not_after))
    return fail(ParseError::validity);
  if (!tbs.read(der::kSequence, name)) return fail(ParseError::subject);
  out.subject.raw = name.raw;
  {
    // Names must at least be SEQUENCE OF SET OF SEQUENCE { OID, value }.
    for (const Name* n : {&out.issuer, &out.subject}) {
      der::Reader r(n->raw), seq(Bytes{});
      if (!r.enter(der::kSequence, seq)) return fail(n == &out.issuer ? ParseError::issuer : ParseError::subject);
      while (!seq.empty()) {
        der::Reader set(Bytes{});
        if (!seq.enter(der::kSet, set) || set.empty()) return fail(n == &out.issuer ? ParseError::issuer : ParseError::subject);
        while (!set.empty()) {
          der::Reader atv(Bytes{});
          der::Element oid, val;
          if (!set.enter(der::kSequence, atv) || !atv.read(der::kOid, oid) || !atv.read(val) || !atv.finish())
            return fail(n == &out.issuer ? ParseError::issuer : ParseError::subject);
        }
      }
    }
  }
  if (!parse_spki(tbs, out.spki)) return fail(ParseError::public_key);
  // issuerUniqueID [1] / subjectUniqueID [2] (v2 and v3 only).
  if (tbs.read_optional(der::context(1, false), e) || tbs.read_optional(der::context(1, true), e)) {
    if (out.version < 2) return fail(ParseError::unique_id);
  }
  if (tbs.read_optional(der::context(2, false), e) || tbs.read_optional(der::context(2, true), e)) {
    if (out.version < 2) return fail(ParseError::unique_id);
  }
  if (!tbs.ok()) return fail(ParseError::unique_id);
  if (tbs.read_optional(der::context(3, true), e)) {
    if (out.version != 3) return fail(ParseError::extensions);
    der::Reader w(e.value), list(Bytes{});
    if (!w.enter(der::kSequence, list) || !w.finish() || list.empty()) return fail(ParseError::extensions);
    std::vector<Bytes> seen;
    while (!list.empty()) {
      der::Reader ext(Bytes{});
      der::Element oid, value;
      bool critical = false;
      if (!list.enter(der::kSequence, ext) || !ext.read(der::kOid, oid)) return fail(ParseError::extensions);
      if (ext.peek_tag() == der::kBoolean && !ext.read_bool(critical)) return fail(ParseError::extensions);
      if (!ext.read(der::kOctetString, value) || !ext.finish()) return fail(ParseError::extensions);
      for (const auto& s : seen)
        if (s.size() == oid.value.size() && std::equal(s.begin(), s.end(), oid.value.begin()))
          return fail(ParseError::duplicate_extension);
      seen.push_back(oid.value);
      if (!parse_extension_value(oid.value, value.value, out.ext, critical)) return fail(ParseError::bad_extension);
    }
  }
  if (!tbs.finish()) return fail(ParseError::structure);
  if (!parse_algorithm(cert, out.sig_alg)) return fail(ParseError::signature_algorithm);
  if (out.sig_alg.raw.size() != inner.raw.size() ||
      !std::equal(inner.raw.begin(), inner.raw.end(), out.sig_alg.raw.begin()))
    return fail(ParseError::algorithm_mismatch);
  // A signature BIT STRING with unused bits cannot verify; it is kept (and
  // rejected as a bad signature by path validation) so the error says so.
  if (!cert.read(der::kBitString, e) || e.value.empty() || e.value[0] > 7 || (e.value.size() == 1 && e.value[0] != 0))
    return fail(ParseError::signature);
  out.signature_unused_bits = e.value[0];
  out.signature = e.value.subspan(1);
  if (!cert.finish()) return fail(ParseError::structure);
  return Status::ok;
}

Status Certificate::from_der(Bytes der, Certificate& out, ParseError* why) {
  return from_der(std::vector<std::uint8_t>(der.begin(), der.end()), out, why);
}

Status Certificate::from_der(std::vector<std::uint8_t>&& der, Certificate& out, ParseError* why) {
  auto buf = std::make_shared<const std::vector<std::uint8_t>>(std::move(der));
  CertView v;
  const Status s = parse_certificate(Bytes(buf->data(), buf->size()), v, why);
  if (s != Status::ok) return s;
  out.der_ = std::move(buf);
  out.view_ = v;
  return Status::ok;
}

Status certificates_from_pem(std::string_view text, std::vector<Certificate>& out, ParseError* why,
                             std::size_t* index) {
  std::vector<pem::Block> blocks;
  const Status s = pem::parse(text, blocks);
  if (s != Status::ok) {
    if (why) *why = ParseError::structure;
    return s;
  }
  std::size_t n = 0;
  for (auto& b : blocks) {
    if (b.label != "CERTIFICATE" && b.label != "X509 CERTIFICATE") continue;
    Certificate c;
    if (Certificate::from_der(std::move(b.der), c, why) != Status::ok) {
      if (index) *index = n;
      return Status::bad_encoding;
    }
    out.push_back(std::move(c));
    ++n;
  }
  return Status::ok;
}

}  // namespace tern::x509
