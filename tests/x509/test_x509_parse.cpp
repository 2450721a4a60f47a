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
