// X.509 parsing: Debian's CA bundle, real-world certificates from
// python3-cryptography-vectors, PEM edge cases, and malformed DER
// (truncations and mutations never crash; run under ASan in CI).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "crypto/internal/der.hpp"
#include "support/testutil.hpp"
#include "x509_testutil.hpp"

using namespace tern;
using namespace tern::x509;
using tern::x509test::read_bytes;

namespace {

std::string text_of(const std::vector<std::uint8_t>& b) { return std::string(b.begin(), b.end()); }

// Parses every certificate a file holds (PEM or DER); returns a one-line verdict.
std::string parse_file(const std::string& path, std::size_t& ok_count, bool& all_ok) {
  const auto bytes = read_bytes(path);
  all_ok = false;
  ok_count = 0;
  if (bytes.empty()) return "empty file";
  if (bytes[0] == 0x30) {
    Certificate c;
    ParseError why = ParseError::none;
    if (Certificate::from_der(tern::x509::Bytes(bytes), c, &why) != Status::ok)
      return std::string("rejected: ") + to_string(why);
    ok_count = 1;
    all_ok = true;
    return "parsed: " + c.subject_string();
  }
  std::vector<pem::Block> blocks;
  pem::PemError perr = pem::PemError::none;
  if (pem::parse(text_of(bytes), blocks, &perr) != Status::ok) return std::string("PEM rejected: ") + pem::to_string(perr);
  std::string verdict;
  all_ok = true;
  bool any_cert = false;
  for (auto& b : blocks) {
    if (b.label != "CERTIFICATE") {
      verdict += "[skipped " + b.label + "] ";
      continue;
    }
    any_cert = true;
    Certificate c;
    ParseError why = ParseError::none;
    if (Certificate::from_der(tern::x509::Bytes(b.der), c, &why) != Status::ok) {
      verdict += std::string("[rejected: ") + to_string(why) + "] ";
      all_ok = false;
    } else {
      ++ok_count;
      verdict += "[parsed] ";
    }
  }
  if (!any_cert) all_ok = false;
  return verdict;
}

}  // namespace

TEST_CASE("Debian ca-certificates bundle: every certificate parses", "[x509][bundle]") {
  const std::string path = "/etc/ssl/certs/ca-certificates.crt";
  if (!tern::x509test::file_exists(path)) {
    WARN("no " << path << " -- SKIPPED");
    return;
  }
  const auto bytes = read_bytes(path);
  std::vector<pem::Block> blocks;
  REQUIRE(pem::parse(text_of(bytes), blocks) == Status::ok);
  std::size_t parsed = 0;
  for (const auto& b : blocks) {
    Certificate c;
    ParseError why = ParseError::none;
    INFO("block " << parsed);
    REQUIRE(Certificate::from_der(tern::x509::Bytes(b.der), c, &why) == Status::ok);
    CHECK(c->version == 3);
    CHECK(c->spki.type != KeyType::unknown);
    ++parsed;
  }
  CHECK(parsed > 100);
  TrustStore store;
  std::size_t added = 0, rejected = 0;
  REQUIRE(store.load_system(&added, &rejected) == Status::ok);
  CHECK(rejected == 0);
  CHECK(store.size() == parsed);
  std::printf("Debian bundle: %zu certificates in %zu PEM blocks parsed, trust store holds %zu\n", parsed, blocks.size(),
              store.size());
  tern::test::report("x509 Debian bundle certificates", "portable", parsed);
}

TEST_CASE("real-world certificates from cryptography_vectors/x509", "[x509][realworld]") {
  auto root = tern::test::locate(tern::test::Source::cavp, "x509/cryptography.io.chain.pem");
  if (!root) return;
  const std::string dir = root->substr(0, root->rfind('/'));
  // These must parse completely.
  for (const char* must : {"cryptography.io.chain.pem", "letsencryptx3.pem", "wildcard_san.pem", "cryptography.io.pem",
                           "ecdsa_root.pem", "rapidssl_sha256_ca_g3.pem",
#ifndef TERN_SMALL  // small builds refuse RSASSA-PSS signature algorithms (checked below)
                           "custom/rsa_pss_cert.pem",
#endif
                           "custom/san_dirname.pem", "custom/nc_permitted.pem",
                           "custom/bc_path_length_zero.pem", "custom/negative_serial.pem", "ed25519/root-ed25519.pem"}) {
    std::size_t n = 0;
    bool all_ok = false;
    const std::string v = parse_file(dir + "/" + must, n, all_ok);
    INFO(must << ": " << v);
    CHECK(all_ok);
  }
  {
    // An RSASSA-PSS signature algorithm: full builds parse its parameters;
    // TERN_SMALL builds do not and refuse the certificate.
    std::size_t n = 0;
    bool all_ok = false;
    const std::string v = parse_file(dir + "/custom/rsa_pss_cert.pem", n, all_ok);
    INFO(v);
#ifdef TERN_SMALL
    CHECK_FALSE(all_ok);
#else
    CHECK(all_ok);
#endif
  }
  // Every file: parsed or rejected with a named reason, never a crash.
  std::size_t files = 0, certs = 0, rejected_files = 0;
  for (const char* sub : {"", "custom", "ed25519", "ed448", "requests", "custom/ca"}) {
    const std::string d = std::string(dir) + (*sub ? "/" : "") + sub;
    for (const auto& name : tern::x509test::list_dir(d)) {
      const std::string p = d + "/" + name;
      if (!(name.size() > 4 && (name.substr(name.size() - 4) == ".pem" || name.substr(name.size() - 4) == ".der"))) continue;
      std::size_t n = 0;
      bool all_ok = false;
      const std::string v = parse_file(p, n, all_ok);
      ++files;
      certs += n;
      if (!all_ok) ++rejected_files;
      std::printf("  %-60s %s\n", (std::string(sub) + (*sub ? "/" : "") + name).c_str(), v.c_str());
    }
  }
  std::printf("real-world files: %zu files, %zu certificates parsed, %zu files with something rejected or no certificate\n",
              files, certs, rejected_files);
  CHECK(certs > 50);
  tern::test::report("x509 real-world certificates", "portable", certs);
}

TEST_CASE("letsencryptx3 and wildcard_san content", "[x509][realworld]") {
  auto p = tern::test::locate(tern::test::Source::cavp, "x509/wildcard_san.pem");
  if (!p) return;
  std::vector<Certificate> certs;
  REQUIRE(certificates_from_pem(text_of(read_bytes(*p)), certs) == Status::ok);
  REQUIRE(certs.size() == 1);
  const std::string sans = san_list(certs[0].view());
  INFO(sans);
  CHECK(sans.find("*.langui.sh") != std::string::npos);
  CHECK(matches_hostname(certs[0].view(), "www.langui.sh"));
  CHECK(matches_hostname(certs[0].view(), "WWW.LANGUI.SH."));
  CHECK_FALSE(matches_hostname(certs[0].view(), "a.b.langui.sh"));

  auto chain = tern::test::locate(tern::test::Source::cavp, "x509/cryptography.io.chain.pem");
  if (!chain) return;
  certs.clear();
  REQUIRE(certificates_from_pem(text_of(read_bytes(*chain)), certs) == Status::ok);
  REQUIRE(certs.size() >= 2);
  CHECK(certs[0]->issuer.raw.size() > 2);
  CHECK(names_equal(certs[0]->issuer, certs[1]->subject));
  CHECK(certs[1]->ext.is_ca);
  const auto rep = expiry(certs, make_time(2020, 1, 1));
  CHECK(rep.depth >= 0);
  CHECK(rep.earliest_not_after >= make_time(2020, 1, 1) - 86400 * 3650);
}

TEST_CASE("Certificate: owned DER shared by copies, moves, self-assignment, borrow", "[x509][cert]") {
  auto p = tern::test::locate(tern::test::Source::cavp, "x509/cryptography.io.pem");
  if (!p) return;
  const std::vector<std::uint8_t> bytes = read_bytes(*p);
  std::vector<Certificate> certs;
  REQUIRE(certificates_from_pem(text_of(bytes), certs) == Status::ok);
  REQUIRE(certs.size() == 1);
  const std::vector<std::uint8_t> der(certs[0].der().begin(), certs[0].der().end());
  Certificate a;
  CHECK(a.empty());
  {
    std::vector<std::uint8_t> tmp = der;
    REQUIRE(Certificate::from_der(tern::x509::Bytes(tmp), a) == Status::ok);
    tmp.assign(tmp.size(), 0);  // a owns a copy
  }
  CHECK(a.der().data() != der.data());
  CHECK(std::equal(der.begin(), der.end(), a.der().begin(), a.der().end()));
  Certificate b = a;  // shares the buffer
  CHECK(b.der().data() == a.der().data());
  Certificate& self = b;
  b = self;  // self-assignment keeps the reference
  a = Certificate();
  CHECK(a.empty());
  CHECK(std::equal(der.begin(), der.end(), b.der().begin(), b.der().end()));
  Certificate c = std::move(b);
  CHECK(std::equal(der.begin(), der.end(), c.der().begin(), c.der().end()));
  CHECK(names_equal(c->subject, certs[0]->subject));
  std::vector<Certificate> many(20, c);  // copies, then relocations
  many.insert(many.begin(), c);
  for (const auto& m : many) CHECK(m.der().data() == c.der().data());
  // A failed parse leaves the target untouched.
  std::vector<std::uint8_t> bad = der;
  bad.pop_back();
  CHECK(Certificate::from_der(tern::x509::Bytes(bad), c) != Status::ok);
  CHECK(std::equal(der.begin(), der.end(), c.der().begin(), c.der().end()));
  // borrow() views the caller's bytes and drops what it owned.
  CHECK(Certificate::borrow(tern::x509::Bytes(der), c) == Status::ok);
  CHECK(c.der().data() == der.data());
  CHECK(many[0].der().data() != der.data());
}

TEST_CASE("PEM: blocks, garbage between them, broken base64, unmatched markers", "[x509][pem]") {
  const std::vector<std::uint8_t> der = {0x30, 0x03, 0x02, 0x01, 0x05};
  const std::string one = pem::encode("CERTIFICATE", der);
  std::vector<pem::Block> blocks;
  pem::PemError e;
  REQUIRE(pem::parse("garbage\n" + one + "more garbage\n" + one, blocks, &e) == Status::ok);
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[1].der == der);
  CHECK(pem::parse("-----BEGIN CERTIFICATE-----\nMAMCAQU*\n-----END CERTIFICATE-----\n", blocks, &e) == Status::bad_encoding);
  CHECK(e == pem::PemError::bad_base64);
  CHECK(pem::parse("-----BEGIN CERTIFICATE-----\nMAMCAQU=\n", blocks, &e) == Status::bad_encoding);
  CHECK(e == pem::PemError::missing_end);
  CHECK(pem::parse("-----END CERTIFICATE-----\n", blocks, &e) == Status::bad_encoding);
  CHECK(e == pem::PemError::unmatched_end);
  CHECK(pem::parse("-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END X509 CRL-----\n", blocks, &e) == Status::bad_encoding);
  CHECK(e == pem::PemError::label_mismatch);
  CHECK(pem::parse("nothing here", blocks, &e) == Status::bad_encoding);
  CHECK(e == pem::PemError::no_blocks);
  // Base64 strictness: bad padding, non-zero trailing bits.
  std::vector<std::uint8_t> out;
  CHECK(pem::base64_decode("MAMCAQU=", out) == Status::ok);
  CHECK(out.size() == 5);
  CHECK(pem::base64_decode("MAMCAQV=", out) == Status::bad_encoding);
  CHECK(pem::base64_decode("MAMCAQ=", out) == Status::bad_encoding);
  CHECK(pem::base64_decode("MA==MA==", out) == Status::bad_encoding);
  for (std::size_t n = 0; n < 40; ++n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 37 + n);
    REQUIRE(pem::base64_decode(pem::base64_encode(v), out) == Status::ok);
    CHECK(out == v);
  }
}

TEST_CASE("time: UTCTime and GeneralizedTime per RFC 5280", "[x509][time]") {
  auto t = [](std::uint32_t tag, const char* s, Time& out) {
    return parse_time(tag, tern::x509::Bytes(reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)), out);
  };
  Time v = 0;
  CHECK(t(0x17, "491231235959Z", v));
  CHECK(v == make_time(2049, 12, 31, 23, 59, 59));
  CHECK(t(0x17, "500101000000Z", v));
  CHECK(v == make_time(1950, 1, 1));
  CHECK(t(0x18, "20500101000000Z", v));
  CHECK(v == make_time(2050, 1, 1));
  CHECK(make_time(1970, 1, 1) == 0);
  CHECK(make_time(2000, 3, 1) == 951868800);
  CHECK(t(0x18, "20240229120000Z", v));
  CHECK_FALSE(t(0x18, "20230229120000Z", v));
  CHECK_FALSE(t(0x17, "4912312359Z", v));          // no seconds
  CHECK_FALSE(t(0x17, "491231235959+0100", v));    // offsets not allowed
  CHECK_FALSE(t(0x18, "20500101000000.5Z", v));    // no fractions
  CHECK_FALSE(t(0x17, "491331235959Z", v));
  CHECK(format_time(make_time(2026, 11, 27, 2, 26, 57)) == "2026-11-27 02:26:57 UTC");
  CHECK(format_time(make_time(1969, 12, 31, 23, 0, 0)) == "1969-12-31 23:00:00 UTC");
}

TEST_CASE("malformed DER: truncations and mutations of real certificates never crash", "[x509][malformed]") {
  std::vector<std::vector<std::uint8_t>> seeds;
  const auto bundle = read_bytes("/etc/ssl/certs/ca-certificates.crt");
  std::vector<pem::Block> blocks;
  if (!bundle.empty() && pem::parse(text_of(bundle), blocks) == Status::ok)
    for (std::size_t i = 0; i < blocks.size() && seeds.size() < 6; i += 25) seeds.push_back(blocks[i].der);
  if (auto p = tern::test::locate(tern::test::Source::cavp, "x509/cryptography.io.chain.pem")) {
    if (pem::parse(text_of(read_bytes(*p)), blocks) == Status::ok)
      for (auto& b : blocks) seeds.push_back(b.der);
  }
  REQUIRE(!seeds.empty());
  tern::test::Rng rng(2026);
  std::size_t runs = 0, accepted = 0;
  auto exercise = [&](const std::vector<std::uint8_t>& d) {
    CertView v;
    ParseError why;
    if (parse_certificate(tern::x509::Bytes(d), v, &why) == Status::ok) {
      ++accepted;
      // Touch everything a verifier would.
      (void)to_string(v.subject);
      (void)san_list(v);
      (void)matches_hostname(v, "example.com");
      (void)satisfies_name_constraints(v, v, true, nullptr);
      (void)v.self_issued();
    }
    ++runs;
  };
  for (const auto& s : seeds) {
    for (std::size_t n = 0; n < s.size(); n += (n < 64 ? 1 : 7)) exercise(std::vector<std::uint8_t>(s.begin(), s.begin() + n));
    for (int k = 0; k < 600; ++k) {
      auto m = s;
      const int edits = 1 + static_cast<int>(rng.below(4));
      for (int e = 0; e < edits; ++e) {
        const std::size_t at = rng.below(m.size());
        switch (rng.below(4)) {
          case 0: m[at] = static_cast<std::uint8_t>(rng.next()); break;
          case 1: m[at] ^= static_cast<std::uint8_t>(1u << rng.below(8)); break;
          case 2: m.erase(m.begin() + static_cast<std::ptrdiff_t>(at)); break;
          default: m.insert(m.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(rng.next())); break;
        }
        if (m.empty()) break;
      }
      exercise(m);
    }
  }
  std::printf("malformed DER: %zu inputs parsed or rejected without a crash (%zu accepted)\n", runs, accepted);
  CHECK(runs > 1000);
}

TEST_CASE("signatures of real certificates verify with tern's own algorithms", "[x509][signature]") {
  auto base = tern::test::locate(tern::test::Source::cavp, "x509/ecdsa_root.pem");
  if (!base) return;
  const std::string dir = base->substr(0, base->rfind('/'));
  auto load = [&](const std::string& rel) {
    std::vector<Certificate> v;
    REQUIRE(certificates_from_pem(text_of(read_bytes(dir + "/" + rel)), v) == Status::ok);
    REQUIRE(!v.empty());
    return v;
  };
  struct Check {
    const char* file;
    std::size_t child, issuer;  // indexes inside the file
    const char* issuer_file;    // nullptr: same file
  };
  const Check checks[] = {
      {"ecdsa_root.pem", 0, 0, nullptr},                     // ECDSA P-384 SHA-384, self-signed
      {"ed25519/root-ed25519.pem", 0, 0, nullptr},           // Ed25519 (RFC 8410 example)
#ifndef TERN_SMALL
      {"custom/rsa_pss_cert.pem", 0, 0, nullptr},            // RSA-PSS (refused by TERN_SMALL builds)
#endif
      {"cryptography.io.chain.pem", 0, 1, nullptr},          // RSA PKCS#1 v1.5 SHA-256
  };
  std::size_t verified = 0, unsupported = 0;
  for (const auto& c : checks) {
    const auto certs = load(c.file);
    REQUIRE(certs.size() > std::max(c.child, c.issuer));
    const CertView& child = certs[c.child].view();
    const CertView& issuer = certs[c.issuer].view();
    const Status s = verify_signature(child.sig_alg, issuer.spki.raw, child.tbs, child.signature);
    INFO(c.file << " " << to_string(child.sig_alg.alg) << ": " << tern::to_string(s));
    if (s == Status::unsupported) {
      ++unsupported;  // the family is not part of this build
      continue;
    }
    CHECK(s == Status::ok);
    // One flipped bit in the signed bytes must fail.
    std::vector<std::uint8_t> tbs(child.tbs.begin(), child.tbs.end());
    tbs[tbs.size() / 2] ^= 1;
    CHECK(verify_signature(child.sig_alg, issuer.spki.raw, tern::x509::Bytes(tbs), child.signature) ==
          Status::bad_signature);
    ++verified;
  }
  std::printf("real certificate signatures: %zu verified, %zu skipped (family not built)\n", verified, unsupported);
  tern::test::report("x509 real certificate signatures", "portable", verified);
}

TEST_CASE("GeneralName readers and an empty CertView", "[x509][cert]") {
  // read_general_name() (one name from a reader) agrees with
  // parse_general_name() (one whole element) on good and bad forms.
  const std::vector<std::pair<std::vector<std::uint8_t>, bool>> cases = {
      {{0x82, 0x03, 'a', '.', 'b'}, true},                     // dNSName
      {{0x87, 0x04, 10, 0, 0, 1}, true},                        // iPAddress
      {{0x81, 0x03, 'a', '@', 'b'}, true},                      // rfc822Name
      {{0xa4, 0x02, 0x30, 0x00}, true},                         // directoryName (empty Name)
      {{0xa4, 0x04, 0x30, 0x00, 0x30, 0x00}, false},            // directoryName with two Names
      {{0x82, 0x01, 0x80}, false},                              // dNSName not IA5
      {{0xa2, 0x00}, false},                                    // constructed dNSName
      {{0x89, 0x00}, false},                                    // no such choice
      {{0x30, 0x00}, false},                                    // not context-specific
      {{0x82, 0x05, 'a'}, false},                               // truncated
  };
  for (const auto& [enc, good] : cases) {
    GeneralName a{}, b{};
    tern::der::Reader r{tern::x509::Bytes(enc)};
    const bool ra = read_general_name(r, a);
    const bool rb = parse_general_name(tern::x509::Bytes(enc), b);
    INFO(tern::test::to_hex(enc.data(), enc.size()));
    CHECK(ra == good);
    CHECK(rb == good);
    if (good) {
      CHECK(r.empty());
      CHECK(a.type == b.type);
      CHECK(std::equal(a.value.begin(), a.value.end(), b.value.begin(), b.value.end()));
    }
  }
  // A default CertView (zero-filled) has the documented defaults.
  CertView v;
  CHECK(v.version == 1);
  CHECK(v.ext.path_len == -1);
  CHECK(v.raw.empty());
  CHECK(v.ext.san.empty());
  CHECK(v.ext.unknown_critical.empty());
  CHECK(!v.ext.has_basic_constraints);
  CHECK(v.not_after == 0);
  CHECK(v.signature_unused_bits == 0);
  tern::test::report("x509 GeneralName reader cases", "portable", cases.size());
}

namespace {

using Der = std::vector<std::uint8_t>;

Der tlv(std::uint8_t tag, const Der& value) {
  std::uint8_t buf[4096];
  tern::der::Writer w(buf);
  w.element(tag, value);
  REQUIRE(w.ok());
  const auto out = w.written();
  return Der(out.begin(), out.end());
}

Der cat(std::initializer_list<Der> parts) {
  Der out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A structurally valid v3 certificate (the signature is not valid) whose
// extensions are `exts` (each a whole Extension SEQUENCE).
Der cert_with_extensions(const std::vector<Der>& exts, const Der& version = tlv(0xa0, tlv(0x02, {2}))) {
  const Der alg = tlv(0x30, tlv(0x06, {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02}));
  const Der name = tlv(0x30, tlv(0x31, tlv(0x30, cat({tlv(0x06, {0x55, 0x04, 0x03}), tlv(0x0c, {'x'})}))));
  const Der validity = tlv(0x30, cat({tlv(0x17, Der{'2', '4', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z'}),
                                      tlv(0x17, Der{'3', '4', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z'})}));
  const Der spki = tlv(0x30, cat({tlv(0x30, tlv(0x06, {0x2b, 0x65, 0x70})), tlv(0x03, cat({Der{0}, Der(32, 7)}))}));
  Der tbs_body = cat({version, tlv(0x02, {1}), alg, name, validity, name, spki});
  if (!exts.empty()) {
    Der list;
    for (const auto& e : exts) list.insert(list.end(), e.begin(), e.end());
    tbs_body = cat({tbs_body, tlv(0xa3, tlv(0x30, list))});
  }
  return tlv(0x30, cat({tlv(0x30, tbs_body), alg, tlv(0x03, cat({Der{0}, Der(8, 1)}))}));
}

Der extension(const Der& oid, bool critical, const Der& value) {
  return tlv(0x30, cat({tlv(0x06, oid), critical ? tlv(0x01, {0xff}) : Der{}, tlv(0x04, value)}));
}

}  // namespace

TEST_CASE("extensions: processed, ignored, unknown critical, duplicates", "[x509][cert]") {
  std::size_t n = 0;
  auto parse = [&](const std::vector<Der>& exts, CertView& v) {
    ++n;
    const Der der = cert_with_extensions(exts);
    // The view points into `der`: callers only read flags and sizes.
    static Der keep;
    keep = der;
    ParseError why = ParseError::none;
    const Status s = parse_certificate(tern::x509::Bytes(keep), v, &why);
    return s == Status::ok ? ParseError::none : why;
  };
  CertView v;
  REQUIRE(parse({}, v) == ParseError::none);
  CHECK(!v.ext.has_basic_constraints);
  // basicConstraints cA TRUE, pathLen 3; keyUsage digitalSignature +
  // keyCertSign; extKeyUsage serverAuth; SKI; all at once.
  const Der bc = extension({0x55, 0x1d, 0x13}, true, tlv(0x30, cat({tlv(0x01, {0xff}), tlv(0x02, {3})})));
  const Der ku = extension({0x55, 0x1d, 0x0f}, true, tlv(0x03, {0x02, 0x84}));
  const Der eku = extension({0x55, 0x1d, 0x25}, false, tlv(0x30, tlv(0x06, {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01})));
  const Der ski = extension({0x55, 0x1d, 0x0e}, false, tlv(0x04, {1, 2, 3}));
  REQUIRE(parse({bc, ku, eku, ski}, v) == ParseError::none);
  CHECK(v.ext.has_basic_constraints);
  CHECK(v.ext.is_ca);
  CHECK(v.ext.path_len == 3);
  CHECK(v.ext.has_key_usage);
  CHECK(v.ext.key_usage == (ku_digital_signature | ku_key_cert_sign));
  CHECK(v.ext.ext_key_usage == eku_server_auth);
  CHECK(v.ext.subject_key_id.size() == 3);
  CHECK(v.ext.unknown_critical.empty());
  // Every extKeyUsage purpose tern knows, and ones it skips (id-kp 5, 10,
  // a longer arc); keyUsage bits 0-8 (decipherOnly in the second octet).
  {
    Der list;
    for (std::uint8_t kp : {1, 2, 3, 4, 5, 8, 9, 10})
      list = cat({list, tlv(0x06, {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, kp})});
    list = cat({list, tlv(0x06, {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01, 0x01}), tlv(0x06, {0x55, 0x1d, 0x25, 0x00})});
    REQUIRE(parse({extension({0x55, 0x1d, 0x25}, false, tlv(0x30, list))}, v) == ParseError::none);
    CHECK(v.ext.ext_key_usage == (eku_server_auth | eku_client_auth | eku_code_signing | eku_email | eku_time_stamping |
                                  eku_ocsp_signing | eku_any));
    REQUIRE(parse({extension({0x55, 0x1d, 0x25}, false, tlv(0x30, tlv(0x06, {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x05})))},
                  v) == ParseError::none);
    CHECK(v.ext.has_ext_key_usage);
    CHECK(v.ext.ext_key_usage == 0);
    REQUIRE(parse({extension({0x55, 0x1d, 0x0f}, true, tlv(0x03, {0x07, 0xff, 0x80}))}, v) == ParseError::none);
    CHECK(v.ext.key_usage == 0x1ff);
    REQUIRE(parse({extension({0x55, 0x1d, 0x0f}, true, tlv(0x03, {0x07, 0x80}))}, v) == ParseError::none);
    CHECK(v.ext.key_usage == ku_digital_signature);
    REQUIRE(parse({extension({0x55, 0x1d, 0x0f}, true, tlv(0x03, {0x00}))}, v) == ParseError::none);
    CHECK(v.ext.key_usage == 0);
    REQUIRE(parse({extension({0x55, 0x1d, 0x0f}, true, tlv(0x03, {0x00, 0x00, 0x80}))}, v) == ParseError::none);
    CHECK(v.ext.key_usage == ku_decipher_only);
    REQUIRE(parse({extension({0x55, 0x1d, 0x0f}, true, tlv(0x03, {0x00, 0x01, 0x7f, 0x80}))}, v) == ParseError::none);
    CHECK(v.ext.key_usage == ku_encipher_only);  // bits past decipherOnly are ignored
    CHECK(parse({extension({0x55, 0x1d, 0x0f}, true, tlv(0x03, {0x01, 0x81}))}, v) == ParseError::bad_extension);  // unused bit set
    CHECK(parse({extension({0x55, 0x1d, 0x0f}, true, tlv(0x03, {0x08, 0x80}))}, v) == ParseError::bad_extension);
    CHECK(parse({extension({0x55, 0x1d, 0x0f}, true, tlv(0x03, {0x01}))}, v) == ParseError::bad_extension);
  }
  // Understood and not processed, critical or not (certificate policies
  // 2.5.29.32, inhibitAnyPolicy 2.5.29.54, AIA): no unknown_critical, the
  // value is not parsed.
  for (std::uint8_t x : {0x09, 0x12, 0x1f, 0x20, 0x21, 0x24, 0x2e, 0x36}) {
    INFO("2.5.29." << int(x));
    REQUIRE(parse({extension({0x55, 0x1d, x}, true, {0xff})}, v) == ParseError::none);
    CHECK(v.ext.unknown_critical.empty());
  }
  REQUIRE(parse({extension({0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01}, true, {0x30, 0x00})}, v) == ParseError::none);
  CHECK(v.ext.unknown_critical.empty());
  // Unknown id-ce numbers (2.5.29.16 and .63 inside the 64-entry table,
  // .99 past it, .128 in two octets) and another arc.
  for (const Der& oid : {Der{0x55, 0x1d, 0x3f}, Der{0x55, 0x1d, 0x10}, Der{0x55, 0x1d, 0x63}, Der{0x55, 0x1d, 0x81, 0x00},
                         Der{0x2a, 0x03}}) {
    REQUIRE(parse({extension(oid, true, {0x05, 0x00})}, v) == ParseError::none);
    CHECK(std::equal(v.ext.unknown_critical.begin(), v.ext.unknown_critical.end(), oid.begin(), oid.end()));
    REQUIRE(parse({extension(oid, false, {0x05, 0x00})}, v) == ParseError::none);
    CHECK(v.ext.unknown_critical.empty());
  }
  // Processed extensions must hold the right element; duplicates (known or
  // unknown) are refused.
  CHECK(parse({extension({0x55, 0x1d, 0x0f}, true, tlv(0x04, {0x00}))}, v) == ParseError::bad_extension);
  CHECK(parse({extension({0x55, 0x1d, 0x0e}, false, tlv(0x30, {}))}, v) == ParseError::bad_extension);
  CHECK(parse({extension({0x55, 0x1d, 0x13}, false, tlv(0x04, {}))}, v) == ParseError::bad_extension);
  CHECK(parse({ski, bc, ski}, v) == ParseError::duplicate_extension);
  const Der unk = extension({0x2a, 0x03}, false, {});
  CHECK(parse({unk, bc, unk}, v) == ParseError::duplicate_extension);
  CHECK(parse({bc, unk}, v) == ParseError::none);
  // OIDs that share leading octets are different extensions; the same OID
  // with and without the critical flag is a duplicate.
  CHECK(parse({unk, extension({0x2a, 0x03, 0x04}, false, {}), extension({0x2a, 0x83, 0x04}, false, {})}, v) ==
        ParseError::none);
  CHECK(parse({extension({0x2a, 0x03, 0x04}, false, {}), unk}, v) == ParseError::none);
  CHECK(parse({unk, extension({0x2a, 0x03}, true, {})}, v) == ParseError::duplicate_extension);
  tern::test::report("x509 extension cases", "portable", n);
}

TEST_CASE("version: [0] EXPLICIT INTEGER 0-2, DER only", "[x509][cert]") {
  auto parse = [](const Der& version, bool with_ext, CertView& v) {
    static Der keep;
    keep = cert_with_extensions(with_ext ? std::vector<Der>{extension({0x55, 0x1d, 0x0e}, false, tlv(0x04, {1}))}
                                         : std::vector<Der>{},
                                version);
    ParseError why = ParseError::none;
    return parse_certificate(tern::x509::Bytes(keep), v, &why) == Status::ok ? ParseError::none : why;
  };
  CertView v;
  CHECK(parse({}, false, v) == ParseError::none);
  CHECK(v.version == 1);
  CHECK(parse(tlv(0xa0, tlv(0x02, {0})), false, v) == ParseError::none);
  CHECK(v.version == 1);
  CHECK(parse(tlv(0xa0, tlv(0x02, {1})), false, v) == ParseError::none);
  CHECK(v.version == 2);
  CHECK(parse(tlv(0xa0, tlv(0x02, {2})), true, v) == ParseError::none);
  CHECK(v.version == 3);
  CHECK(parse(tlv(0xa0, tlv(0x02, {1})), true, v) == ParseError::extensions);  // extensions need v3
  CHECK(parse({}, true, v) == ParseError::extensions);
  for (const Der& bad : {tlv(0xa0, tlv(0x02, {3})), tlv(0xa0, tlv(0x02, {0xff})), tlv(0xa0, tlv(0x02, {0, 2})),
                         tlv(0xa0, tlv(0x02, {})), tlv(0xa0, tlv(0x0a, {2})), tlv(0xa0, cat({tlv(0x02, {2}), Der{0x05, 0x00}})),
                         tlv(0xa0, Der{0x02, 0x81, 0x01, 0x02}), tlv(0xa0, Der{})}) {
    INFO(tern::test::to_hex(bad.data(), bad.size()));
    CHECK(parse(bad, false, v) == ParseError::version);
  }
}

TEST_CASE("time: every field boundary against make_time", "[x509][time]") {
  // GeneralizedTime over years that stress the leap rules (0, 100, 400,
  // 1900, 2000, 2100, 9999) and every month and day 0..32; UTCTime for the
  // years it covers.
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::size_t n = 0;
  for (int y : {0, 1, 4, 100, 399, 400, 1600, 1900, 1949, 1950, 1969, 1970, 1999, 2000, 2024, 2049, 2050, 2100, 2400, 9999})
    for (int m = 0; m <= 13; ++m)
      for (int d = 0; d <= 32; ++d) {
        const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        const bool valid = m >= 1 && m <= 12 && d >= 1 && d <= kDays[m - 1] + (m == 2 && leap);
        char g[20], u[20];
        std::snprintf(g, sizeof g, "%04d%02d%02d235958Z", y, m, d);
        std::snprintf(u, sizeof u, "%02d%02d%02d000001Z", y % 100, m, d);
        Time t = 0;
        INFO(g);
        const bool ok = parse_time(0x18, tern::x509::Bytes(reinterpret_cast<const std::uint8_t*>(g), 15), t);
        CHECK(ok == valid);
        if (ok && valid) CHECK(t == make_time(y, m, d, 23, 59, 58));
        ++n;
        if (y >= 1950 && y <= 2049) {
          const bool uok = parse_time(0x17, tern::x509::Bytes(reinterpret_cast<const std::uint8_t*>(u), 13), t);
          CHECK(uok == valid);
          if (uok && valid) CHECK(t == make_time(y, m, d, 0, 0, 1));
          ++n;
        }
      }
  Time t = 0;
  for (const char* bad : {"20240101240000Z", "20240101236000Z", "20240101235960Z", "2024010123595 Z", "20240101235959z",
                          "2024/101235959Z", "2024-10123595Z", ":0240101235959Z", "20240101235959\x00"}) {
    INFO(bad);
    CHECK_FALSE(parse_time(0x18, tern::x509::Bytes(reinterpret_cast<const std::uint8_t*>(bad), 15), t));
    ++n;
  }
  CHECK_FALSE(parse_time(0x04, tern::x509::Bytes(reinterpret_cast<const std::uint8_t*>("20240101235959Z"), 15), t));
  tern::test::report("x509 time cases", "portable", n);
}

TEST_CASE("DER reader: enter(tag) by value, read_optional leaves the reader", "[x509][der]") {
  const std::uint8_t data[] = {0x30, 0x03, 0x02, 0x01, 0x05, 0x31, 0x00, 0x04, 0x81};
  tern::der::Reader r{tern::x509::Bytes(data)};
  tern::der::Element e;
  // Wrong tag: false, reader unchanged and still usable.
  CHECK_FALSE(r.read_optional(0x31, e));
  CHECK(r.ok());
  CHECK(r.remaining() == sizeof data);
  tern::der::Reader seq = r.enter(0x30);
  CHECK(seq.ok());
  CHECK(seq.remaining() == 3);
  std::uint64_t x = 0;
  CHECK(seq.read_uint64(x));
  CHECK(x == 5);
  CHECK(seq.finish());
  CHECK(r.read_optional(0x31, e));
  CHECK(e.value.empty());
  CHECK(e.raw.size() == 2);
  // A wrong tag through enter(tag): a failed, empty reader and a failed parent.
  tern::der::Reader bad = r.enter(0x30);
  CHECK_FALSE(bad.ok());
  CHECK(bad.empty());
  CHECK(bad.remaining() == 0);
  CHECK_FALSE(bad.read(e));
  CHECK_FALSE(r.ok());
  // A malformed next element: read_optional is false and leaves the reader ok.
  tern::der::Reader t{tern::x509::Bytes(data + 7, 2)};
  CHECK_FALSE(t.read_optional(0x04, e));
  CHECK(t.ok());
  CHECK_FALSE(t.read(e));
  CHECK_FALSE(t.ok());
  // An empty reader.
  tern::der::Reader z{tern::x509::Bytes()};
  CHECK(z.empty());
  CHECK_FALSE(z.read_optional(0x30, e));
  CHECK_FALSE(z.enter(0x30).ok());
}

TEST_CASE("names: equality and prefixes share one RDN walk", "[x509][names]") {
  auto atv = [](std::uint8_t type, std::uint8_t tag, const char* s) {
    return tlv(0x30, cat({tlv(0x06, {0x55, 0x04, type}), tlv(tag, Der(s, s + std::strlen(s)))}));
  };
  auto name = [](std::initializer_list<Der> rdns) {
    Der body;
    for (const auto& r : rdns) body = cat({body, tlv(0x31, r)});
    return tlv(0x30, body);
  };
  const Der c_us = atv(0x06, 0x13, "US"), o = atv(0x0a, 0x13, "Test  Org"), o2 = atv(0x0a, 0x0c, " test org "),
            cn = atv(0x03, 0x0c, "Leaf");
  const Der a = name({c_us, o, cn}), b = name({c_us, o2, cn}), pre = name({c_us, o2}), other = name({c_us, cn});
  const Der multi = name({cat({c_us, o}), cn}), multi2 = name({cat({o2, c_us}), cn});
  CHECK(names_equal(Name{a}, Name{b}));
  CHECK(names_equal(Name{multi}, Name{multi2}));
  CHECK_FALSE(names_equal(Name{a}, Name{pre}));
  CHECK_FALSE(names_equal(Name{pre}, Name{a}));
  CHECK_FALSE(names_equal(Name{a}, Name{other}));
  CHECK(name_has_prefix(Name{a}, Name{pre}));
  CHECK(name_has_prefix(Name{a}, Name{b}));
  CHECK(name_has_prefix(Name{a}, Name{name({})}));
  CHECK_FALSE(name_has_prefix(Name{pre}, Name{a}));
  CHECK_FALSE(name_has_prefix(Name{a}, Name{other}));
  CHECK(name_well_formed(a));
  CHECK_FALSE(name_well_formed(name({Der{}})));  // an empty RDN
  const Der trunc(a.begin(), a.end() - 1);
  CHECK_FALSE(name_well_formed(trunc));
  CHECK_FALSE(names_equal(Name{trunc}, Name{b}));
  CHECK_FALSE(name_has_prefix(Name{trunc}, Name{pre}));
  // Directory strings decode to UTF-8 before they are compared: BMPString
  // and UniversalString code units, TeletexString as Latin-1.
  auto cn_of = [&](std::uint8_t tag, const Der& v) { return name({tlv(0x30, cat({tlv(0x06, {0x55, 0x04, 0x03}), tlv(tag, v)}))}); };
  const Der utf8 = cn_of(0x0c, {'C', 'a', 'f', 0xc3, 0xa9, ' ', 0xe2, 0x82, 0xac, ' ', 0xf0, 0x9f, 0x98, 0x80});
  const Der bmp_part = cn_of(0x1e, {0, 'c', 0, 'A', 0, 'F', 0, 0xe9});
  const Der tele = cn_of(0x14, {'c', 'a', 'f', 0xe9});
  const Der bmp = cn_of(0x1e, {0, 'c', 0, 'a', 0, 'f', 0, 0xe9, 0, ' ', 0x20, 0xac, 0, ' ', 0xd8, 0x3d});
  const Der uni = cn_of(0x1c, {0, 0, 0, 'C', 0, 0, 0, 'a', 0, 0, 0, 'f', 0, 0, 0, 0xe9, 0, 0, 0, ' ', 0, 0, 0x20, 0xac,
                               0, 0, 0, ' ', 0, 1, 0xf6, 0x00});
  CHECK(names_equal(Name{uni}, Name{utf8}));
  CHECK(names_equal(Name{bmp_part}, Name{tele}));
  CHECK(names_equal(Name{tele}, Name{cn_of(0x0c, {'C', 'A', 'F', 0xc3, 0xa9})}));
  CHECK_FALSE(names_equal(Name{bmp}, Name{utf8}));  // a lone surrogate is not U+1F600
  CHECK_FALSE(names_equal(Name{cn_of(0x1e, {0, 'c', 0})}, Name{cn_of(0x0c, {'c'})}));   // odd BMP length: raw bytes
  CHECK_FALSE(names_equal(Name{cn_of(0x1c, {0, 0x11, 0, 0})}, Name{cn_of(0x0c, {'x'})}));  // beyond U+10FFFF
  CHECK(to_string(Name{uni}) == "CN=Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(to_string(Name{tele}) == "CN=caf\xc3\xa9");
  CHECK(to_string(Name{bmp_part}) == "CN=cAF\xc3\xa9");
}
