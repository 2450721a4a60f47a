#include "x509/cert/cert.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "crypto/internal/der.hpp"
#include "x509/pem/pem.hpp"

namespace tern::x509 {
namespace {

// Every OID the parser recognises (content octets), one table: each entry
// is its length followed by the octets; a zero length ends the table. The
// order matches the Oid enum below. One table and one lookup keep the
// parser small (the minimal client's size budget, issue #10).
constexpr std::uint8_t kOids[] = {
    // signature algorithms (kSigAlgOf below gives the SigAlg)
    9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,  // sha256WithRSAEncryption
    9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c,  // sha384WithRSAEncryption
    9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d,  // sha512WithRSAEncryption
    9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05,  // sha1WithRSAEncryption
    9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0e,  // sha224WithRSAEncryption
    8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,        // ecdsa-with-SHA256
    8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,        // ecdsa-with-SHA384
    8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04,        // ecdsa-with-SHA512
    7, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01,              // ecdsa-with-SHA1
    7, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03,              // dsa-with-SHA1
    9, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02,  // dsa-with-SHA256
    3, 0x2b, 0x65, 0x70,                                      // Ed25519 (also a key type)
    3, 0x2b, 0x65, 0x71,                                      // Ed448 (also a key type)
    9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,  // RSASSA-PSS (also a key type)
    // key types
    9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,  // rsaEncryption
    7, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,              // id-ecPublicKey
    7, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01,              // id-dsa
    // named curves
    8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,        // P-256
    5, 0x2b, 0x81, 0x04, 0x00, 0x22,                          // P-384
    5, 0x2b, 0x81, 0x04, 0x00, 0x23,                          // P-521
    // hashes (RSA-PSS parameters) and MGF1
    9, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,  // SHA-256
    9, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,  // SHA-384
    9, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,  // SHA-512
    5, 0x2b, 0x0e, 0x03, 0x02, 0x1a,                          // SHA-1
    9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08,  // MGF1
    // extensions understood and deliberately not processed (besides the
    // id-ce ones, see parse_extension_value): authority/subject information access
    8, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01,
    8, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x0b,
    // extKeyUsage purposes (kEkuOf below gives the bit): anyExtendedKeyUsage
    // 2.5.29.37.0, then id-kp 1.3.6.1.5.5.7.3.x serverAuth 1, clientAuth 2,
    // codeSigning 3, emailProtection 4, timeStamping 8, OCSPSigning 9
    4, 0x55, 0x1d, 0x25, 0x00,
    8, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01,
    8, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02,
    8, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03,
    8, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04,
    8, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
    8, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09,
    0};
enum Oid : int {
  o_rsa_sha256, o_rsa_sha384, o_rsa_sha512, o_rsa_sha1, o_rsa_sha224,
  o_ecdsa_sha256, o_ecdsa_sha384, o_ecdsa_sha512, o_ecdsa_sha1,
  o_dsa_sha1, o_dsa_sha256, o_ed25519, o_ed448, o_rsa_pss,
  o_rsa, o_ec, o_dsa,
  o_p256, o_p384, o_p521,
  o_sha256, o_sha384, o_sha512, o_sha1, o_mgf1,
  o_aia, o_sia,
  o_eku_any, o_kp_server_auth, o_kp_client_auth, o_kp_code_signing, o_kp_email, o_kp_time_stamping, o_kp_ocsp_signing,
};
constexpr std::uint8_t kEkuOf[] = {eku_any, eku_server_auth, eku_client_auth, eku_code_signing, eku_email,
                                   eku_time_stamping, eku_ocsp_signing};
static_assert(sizeof kEkuOf == o_kp_ocsp_signing - o_eku_any + 1);
constexpr SigAlg kSigAlgOf[] = {
    SigAlg::rsa_pkcs1_sha256, SigAlg::rsa_pkcs1_sha384, SigAlg::rsa_pkcs1_sha512, SigAlg::rsa_pkcs1_sha1,
    SigAlg::rsa_pkcs1_sha224, SigAlg::ecdsa_sha256,     SigAlg::ecdsa_sha384,     SigAlg::ecdsa_sha512,
    SigAlg::ecdsa_sha1,       SigAlg::dsa_sha1,         SigAlg::dsa_sha256,       SigAlg::ed25519,
    SigAlg::ed448,            SigAlg::rsa_pss,
};
static_assert(sizeof kSigAlgOf / sizeof kSigAlgOf[0] == o_rsa_pss + 1);

// Index of `oid` in kOids, -1 when it is not there.
int find_oid(Bytes oid) noexcept {
  int i = 0;
  for (const std::uint8_t* p = kOids; *p; p += *p + 1, ++i)
    if (*p == oid.size() && std::memcmp(p + 1, oid.data(), *p) == 0) return i;
  return -1;
}

// Skips whatever elements are left (unparsed parameters); false if one is malformed.
bool skip_rest(der::Reader& r) noexcept {
  der::Element skip;
  while (!r.empty())
    if (!r.read(skip)) return false;
  return r.ok();
}

#ifndef TERN_SMALL
// Enters a SEQUENCE that must be all of `data`.
bool enter_whole(Bytes data, der::Reader& seq) noexcept {
  der::Reader r(data);
  return r.enter(der::kSequence, seq) && r.finish();
}

bool parse_hash_alg(Bytes raw_seq, unsigned& bits) {
  der::Reader r(raw_seq), seq(Bytes{});
  der::Element oid;
  if (!r.enter(der::kSequence, seq) || !seq.read(der::kOid, oid)) return false;
  if (!seq.empty() && !seq.read_null()) return false;
  if (!seq.finish()) return false;
  static constexpr unsigned short kBits[] = {256, 384, 512, 160};
  const int i = find_oid(oid.value);
  bits = i >= o_sha256 && i <= o_sha1 ? kBits[i - o_sha256] : 0;
  return true;
}

bool parse_pss(Bytes params, PssParams& p) {
  der::Reader seq(Bytes{});
  if (!enter_whole(params, seq)) return false;
  p.hash_bits = 160;
  p.salt_len = 20;
  unsigned mgf_bits = 160;
  der::Element e;
  if (seq.read_optional(der::context(0, true), e)) {
    if (!parse_hash_alg(e.value, p.hash_bits)) return false;
  }
  if (seq.read_optional(der::context(1, true), e)) {
    der::Reader ms(Bytes{});
    der::Element moid, hash;
    if (!enter_whole(e.value, ms) || !ms.read(der::kOid, moid) || find_oid(moid.value) != o_mgf1 ||
        !ms.read(der::kSequence, hash) || !ms.finish() || !parse_hash_alg(hash.raw, mgf_bits))
      return false;
  }
  // saltLength [2] (at most 1024) and trailerField [3] (must be 1).
  for (unsigned n = 2; n <= 3; ++n) {
    if (!seq.read_optional(der::context(n, true), e)) continue;
    der::Reader v(e.value);
    std::uint64_t x = 0;
    if (!v.read_uint64(x) || !v.finish() || (n == 2 ? x > 1024 : x != 1)) return false;
    if (n == 2) p.salt_len = static_cast<unsigned>(x);
  }
  if (!seq.finish()) return false;
  if (mgf_bits != p.hash_bits) p.hash_bits = 0;  // mixed hashes: unsupported
  return true;
}
#endif

bool parse_algorithm(der::Reader& r, AlgorithmId& out) {
  der::Element e;
  if (!r.read(der::kSequence, e)) return false;
  out.raw = e.raw;
  der::Reader seq(e.value);
  if (!seq.read(der::kOid, e)) return false;
  out.oid = e.value;
  out.alg = SigAlg::unknown;
  const int i = find_oid(e.value);
  if (i == o_rsa_pss) {
#ifdef TERN_SMALL
    // Small builds do not parse RSASSA-PSS parameters: such an algorithm
    // identifier is refused (it could only name a signature these builds
    // do not verify, or one of an anchor that is then not loaded).
    return false;
#else
    out.alg = SigAlg::rsa_pss;
    return seq.read(der::kSequence, e) && parse_pss(e.raw, out.pss) && seq.finish();
#endif
  }
  if (i >= 0 && i < o_rsa_pss) {
    // RSA PKCS#1: parameters absent or NULL. ECDSA (RFC 5758 §3.2), EdDSA
    // (RFC 8410 §3), DSA: parameters absent.
    if (!seq.empty() && (i > o_rsa_sha224 || !seq.read(der::kNull, e) || !e.value.empty())) return false;
    out.alg = kSigAlgOf[i];
    return seq.finish();
  }
  // Unknown algorithms keep their parameters unparsed.
  return skip_rest(seq);
}

bool parse_spki(der::Reader& r, PublicKeyInfo& out) {
  der::Element oid;
  if (!r.read(der::kSequence, oid)) return false;
  out.raw = oid.raw;
  der::Reader seq(oid.value);
  der::Reader alg = seq.enter(der::kSequence);
  if (!alg.read(der::kOid, oid)) return false;
  out.type = KeyType::unknown;
  out.pss_only = false;
  const int k = find_oid(oid.value);
  if (k == o_rsa) {
    if (!alg.empty() && !alg.read_null()) return false;
    out.type = KeyType::rsa;
  } else if (k == o_rsa_pss) {
    out.type = KeyType::rsa;  // RFC 4055 §1.2: an RSA key restricted to PSS
    out.pss_only = true;
  } else if (k == o_ec) {
    if (alg.read_optional(der::kOid, oid)) {
      static constexpr KeyType kCurves[] = {KeyType::ec_p256, KeyType::ec_p384, KeyType::ec_p521};
      const int c = find_oid(oid.value);
      if (c >= o_p256 && c <= o_p521) out.type = kCurves[c - o_p256];
    }
  } else if (k == o_ed25519 || k == o_ed448) {
    if (!alg.empty()) return false;
    out.type = k == o_ed25519 ? KeyType::ed25519 : KeyType::ed448;
  } else if (k == o_dsa) {
    out.type = KeyType::dsa;
  }
  if (!skip_rest(alg)) return false;
  if (!seq.read_bit_string_bytes(out.key) || !seq.finish()) return false;
  // Key sizes: Ed25519 32 bytes; EC points uncompressed (04 X Y) or compressed (02/03 X).
  const std::size_t n = out.key.size();
  if (out.type == KeyType::ed25519) return n == 32;
  if (out.type == KeyType::ec_p256 || out.type == KeyType::ec_p384) {
    const std::size_t fb = out.type == KeyType::ec_p256 ? 32 : 48;
    return (n == 2 * fb + 1 && out.key[0] == 4) || (n == fb + 1 && (out.key[0] == 2 || out.key[0] == 3));
  }
  return true;
}

bool parse_bits(Bytes v, std::uint16_t& bits) {
  // BIT STRING contents: unused-bits count, then the bits (with no bits,
  // the count is 0 and so is the mask below).
  if (v.empty() || v[0] > 7 || (v.size() == 1 && v[0] != 0)) return false;
  if (v.back() & ((1u << v[0]) - 1)) return false;  // unused bits must be zero
  // Bit i is bit 7 - i % 8 of content octet 1 + i / 8: bits 0-8 are the top
  // nine bits of the first two octets, reversed.
  const unsigned w = (v.size() > 1 ? unsigned{v[1]} << 8 : 0u) | (v.size() > 2 ? v[2] : 0u);
  unsigned b = 0;
  for (unsigned i = 0; i < 9; ++i) b |= ((w >> (15 - i)) & 1u) << i;
  bits = static_cast<std::uint16_t>(b);
  return true;
}

}  // namespace

// Reads one GeneralName (RFC 5280 §4.2.1.6) and checks its form.
bool read_general_name(der::Reader& r, GeneralName& g) {
  der::Element e;
  if (!r.read(e)) return false;
  const std::uint32_t num = e.tag & 0x1f;
  const bool cls_context = (e.tag & 0xc0) == 0x80 && e.tag <= 0xff;
  if (!cls_context || num > 8) return false;
  g = GeneralName{static_cast<GeneralNameType>(num), e.value};
  switch (g.type) {
    case GeneralNameType::rfc822:
    case GeneralNameType::dns:
    case GeneralNameType::uri:
      for (auto c : e.value)
        if (c >= 0x80) return false;  // IA5String
      [[fallthrough]];
    case GeneralNameType::ip:
    case GeneralNameType::registered_id:
      return !e.constructed();
    case GeneralNameType::directory: {
      if (!e.constructed()) return false;
      der::Reader n(e.value);
      der::Element name;
      if (!n.read(der::kSequence, name) || !n.finish()) return false;
      g.value = name.raw;
      return true;
    }
    default:
      return e.constructed();
  }
}

namespace {

// Checks a SEQUENCE OF GeneralName's contents without keeping the names.
bool check_general_names(Bytes contents) {
  der::Reader r(contents);
  GeneralName g;
  while (!r.empty())
    if (!read_general_name(r, g)) return false;
  return r.ok();
}

// What parse_extension_value() does with each id-ce extension 2.5.29.x
// (x < 64): one table instead of a switch (issue #10 size).
enum CeKind : std::uint8_t {
  ce_unknown = 0,
  ce_ignored,  // understood and deliberately not processed
  ce_ski, ce_key_usage, ce_san, ce_basic_constraints, ce_name_constraints, ce_aki, ce_eku,
};
struct CeTable {
  std::uint8_t kind[64];
};
constexpr CeTable make_ce_table() {
  CeTable t{};
  // Not processed: subject directory attributes (9), issuer alternative
  // names (18), CRL distribution points (31), certificate policies (32),
  // policy mappings (33), policy constraints (36), freshest CRL (46),
  // inhibitAnyPolicy (54).
  for (unsigned x : {0x09, 0x12, 0x1f, 0x20, 0x21, 0x24, 0x2e, 0x36}) t.kind[x] = ce_ignored;
  t.kind[0x0e] = ce_ski;
  t.kind[0x0f] = ce_key_usage;
  t.kind[0x11] = ce_san;
  t.kind[0x13] = ce_basic_constraints;
  t.kind[0x1e] = ce_name_constraints;
  t.kind[0x23] = ce_aki;
  t.kind[0x25] = ce_eku;
  return t;
}
constexpr CeTable kCe = make_ce_table();

__attribute__((noinline)) bool parse_extension_value(Bytes oid, Bytes value, Extensions& ext, bool critical) {
  // id-ce extensions: 2.5.29.x
  const unsigned ce = oid.size() == 3 && oid[0] == 0x55 && oid[1] == 0x1d && oid[2] < 64 ? kCe.kind[oid[2]] : unsigned{ce_unknown};
  if (ce == ce_unknown) {
    // Also understood and not processed: authority/subject information access.
    const int i = find_oid(oid);
    if (critical && i != o_aia && i != o_sia && ext.unknown_critical.empty()) ext.unknown_critical = oid;
    return true;
  }
  if (ce == ce_ignored) return true;
  // The value of each extension processed here is one element of this tag.
  const std::uint32_t tag = ce == ce_key_usage ? der::kBitString : ce == ce_ski ? der::kOctetString : der::kSequence;
  der::Reader r(value);
  der::Element e;
  if (!r.read(tag, e) || !r.finish()) return false;
  const Bytes val = e.value;
  der::Reader seq(val);
  switch (ce) {
    case ce_basic_constraints:
      ext.has_basic_constraints = true;
      if (seq.peek_tag() == der::kBoolean && !seq.read_bool(ext.is_ca)) return false;
      if (!seq.empty()) {
        std::uint64_t n = 0;
        if (!seq.read_uint64(n)) return false;
        ext.path_len = n > 255 ? 255 : static_cast<int>(n);
      }
      return seq.finish();
    case ce_key_usage:
      ext.has_key_usage = true;
      return parse_bits(val, ext.key_usage);
    case ce_eku:
      ext.has_ext_key_usage = true;
      while (!seq.empty()) {
        if (!seq.read(der::kOid, e)) return false;
        const int i = find_oid(e.value);  // purposes tern does not know are skipped
        if (i >= o_eku_any) ext.ext_key_usage |= kEkuOf[i - o_eku_any];
      }
      return seq.ok();
    case ce_san:
      ext.has_san = true;
      ext.san = val;
      return check_general_names(val);
    case ce_name_constraints:
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
          der::Reader sub = t.enter(der::kSequence);
          GeneralName base;
          if (!read_general_name(sub, base) || !skip_rest(sub)) return false;
        }
        if (!t.ok()) return false;
      }
      ext.has_name_constraints = true;
      return true;
    case ce_ski:
      ext.subject_key_id = val;
      return true;
    default:  // ce_aki
      if (seq.read_optional(der::context(0, false), e)) ext.authority_key_id = e.value;
      return skip_rest(seq);
  }
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
  const std::size_t ylen = tag == der::kUtcTime ? 2 : tag == der::kGeneralizedTime ? 4 : 0;
  if (!ylen || v.size() != ylen + 11 || v.back() != 'Z') return false;
  // Two-digit fields: the year's one or two, then month, day, hour,
  // minute, second (f[n - 5] ... f[n - 1]).
  const std::size_t n = ylen / 2 + 5;
  unsigned f[7];
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned hi = v[2 * i] - 0x30u, lo = v[2 * i + 1] - 0x30u;
    if (hi > 9 || lo > 9) return false;
    f[i] = hi * 10 + lo;
  }
  const unsigned year = n == 7 ? f[0] * 100 + f[1] : f[0] + (f[0] >= 50 ? 1900 : 2000);
  const unsigned* t = f + n - 5;
  const unsigned mon = t[0], day = t[1];
  static constexpr std::uint8_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  static constexpr std::uint16_t kBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  if (mon - 1 > 11 || t[2] > 23 || t[3] > 59 || t[4] > 59) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day - 1 >= kDays[mon - 1] + unsigned{mon == 2 && leap}) return false;
  // Days since 1970-01-01: whole years from year 1 (shifted by one 400-year
  // cycle, 146,097 days, so that year 0 counts too), then this year's.
  const std::int64_t y = std::int64_t{year} + 399;
  const std::int64_t days = 365 * y + y / 4 - y / 100 + y / 400 - (719162 + 146097) + kBefore[mon - 1] +
                            (mon > 2 && leap) + day - 1;
  out = days * 86400 + t[2] * 3600 + t[3] * 60 + t[4];
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

bool parse_general_name(Bytes tlv, GeneralName& out) {
  der::Reader r(tlv);
  return read_general_name(r, out) && r.empty() && r.ok();
}

bool parse_general_names(Bytes contents, std::vector<GeneralName>& out) {
  out.clear();
  der::Reader r(contents);
  while (!r.empty()) {
    GeneralName g;
    if (!read_general_name(r, g)) return false;
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

namespace {
// parse_certificate() without the status: ParseError::none on success.
ParseError parse_cert(Bytes data, CertView& out) {
  out.clear();
  // One Element reused for every read whose result is not needed next to
  // another's (each declared Element is zeroed: smaller code, issue #10).
  der::Reader top(data);
  der::Element e;
  if (!top.read(der::kSequence, e)) return ParseError::structure;
  if (!top.empty()) return ParseError::trailing_data;
  out.raw = e.raw;
  der::Reader cert(e.value);
  if (!cert.read(der::kSequence, e)) return ParseError::structure;
  out.tbs = e.raw;
  der::Reader tbs(e.value);

  // version [0] EXPLICIT Version DEFAULT v1 (out.version is 1 already)
  if (tbs.read_optional(der::context(0, true), e)) {
    // INTEGER 0, 1 or 2: exactly 02 01 0x in DER.
    const Bytes v = e.value;
    if (v.size() != 3 || v[0] != der::kInteger || v[1] != 1 || v[2] > 2) return ParseError::version;
    out.version = v[2] + 1;
  }
  // serialNumber: any non-empty INTEGER (negative and long serials exist).
  if (!tbs.read(der::kInteger, e) || e.value.empty()) return ParseError::serial;
  out.serial = e.value;
  AlgorithmId inner;
  if (!parse_algorithm(tbs, inner)) return ParseError::signature_algorithm;
  if (!tbs.read(der::kSequence, e)) return ParseError::issuer;
  out.issuer.raw = e.raw;
  der::Reader validity = tbs.enter(der::kSequence);
  if (!validity.read(e) || !parse_time(e.tag, e.value, out.not_before) ||
      !validity.read(e) || !parse_time(e.tag, e.value, out.not_after) || !validity.finish())
    return ParseError::validity;
  if (!tbs.read(der::kSequence, e)) return ParseError::subject;
  out.subject.raw = e.raw;
  // Names must at least be SEQUENCE OF SET OF SEQUENCE { OID, value }.
  if (!name_well_formed(out.issuer.raw)) return ParseError::issuer;
  if (!name_well_formed(out.subject.raw)) return ParseError::subject;
  if (!parse_spki(tbs, out.spki)) return ParseError::public_key;
  // issuerUniqueID [1] / subjectUniqueID [2] (v2 and v3 only).
  for (std::uint32_t n = 1; n <= 2; ++n)
    if ((tbs.peek_tag() & ~0x20u) == der::context(n, false) && (!tbs.read(e) || out.version < 2))
      return ParseError::unique_id;
  if (tbs.read_optional(der::context(3, true), e)) {
    if (out.version != 3) return ParseError::extensions;
    der::Reader w(e.value);
    der::Reader list = w.enter(der::kSequence);
    if (!w.finish() || list.empty()) return ParseError::extensions;
    const der::Reader first = list;
    while (!list.empty()) {
      const std::size_t left = list.remaining();
      der::Reader ext = list.enter(der::kSequence);
      der::Element oid, value;
      bool critical = false;
      if (!ext.read(der::kOid, oid)) return ParseError::extensions;
      if (ext.peek_tag() == der::kBoolean && !ext.read_bool(critical)) return ParseError::extensions;
      if (!ext.read(der::kOctetString, value) || !ext.finish()) return ParseError::extensions;
      // Duplicates: compare with the extensions before this one (already
      // checked, so reading them again cannot fail); no heap. Each one's
      // contents start with its whole OID element, and a DER element is
      // self-delimiting: the same leading bytes as this OID's encoding mean
      // the same OID.
      for (der::Reader prev = first; prev.remaining() > left;) {
        if (!prev.read(e)) break;
        if (e.value.size() >= oid.raw.size() && std::memcmp(e.value.data(), oid.raw.data(), oid.raw.size()) == 0)
          return ParseError::duplicate_extension;
      }
      if (!parse_extension_value(oid.value, value.value, out.ext, critical)) return ParseError::bad_extension;
    }
  }
  if (!tbs.finish()) return ParseError::structure;
  if (!parse_algorithm(cert, out.sig_alg)) return ParseError::signature_algorithm;
  if (out.sig_alg.raw.size() != inner.raw.size() ||
      !std::equal(inner.raw.begin(), inner.raw.end(), out.sig_alg.raw.begin()))
    return ParseError::algorithm_mismatch;
  // A signature BIT STRING with unused bits cannot verify; it is kept (and
  // rejected as a bad signature by path validation) so the error says so.
  if (!cert.read(der::kBitString, e) || e.value.empty() || e.value[0] > 7 || (e.value.size() == 1 && e.value[0] != 0))
    return ParseError::signature;
  out.signature_unused_bits = e.value[0];
  out.signature = e.value.subspan(1);
  if (!cert.finish()) return ParseError::structure;
  return ParseError::none;
}
}  // namespace

Status parse_certificate(Bytes data, CertView& out, ParseError* why) {
  const ParseError e = parse_cert(data, out);
  if (why) *why = e;
  return e == ParseError::none ? Status::ok : Status::bad_encoding;
}

// The copy goes straight into the shared buffer (no temporary vector).
Status Certificate::from_der(Bytes der, Certificate& out, ParseError* why) {
  return adopt(std::make_shared<const std::vector<std::uint8_t>>(der.begin(), der.end()), out, why);
}

Status Certificate::from_der(std::vector<std::uint8_t>&& der, Certificate& out, ParseError* why) {
  return adopt(std::make_shared<const std::vector<std::uint8_t>>(std::move(der)), out, why);
}

Status Certificate::adopt(std::shared_ptr<const std::vector<std::uint8_t>> buf, Certificate& out, ParseError* why) {
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
