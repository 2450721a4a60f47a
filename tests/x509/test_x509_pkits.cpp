// NIST PKITS (Public Key Interoperability Test Suite) from
// python3-cryptography-vectors x509/PKITS_data/certs/.
//
// Each end-entity certificate "<Valid|Invalid><Name>Test<N>EE.crt" is one
// test; its expected outcome is in the name. The path is built by tern's
// path builder from the pool of every CA certificate in the folder, with
// TrustAnchorRootCertificate as the only trust anchor (PKITS's own paths
// are exactly the ones a correct builder finds). PKITS signs with SHA-1
// RSA and DSA, which tern deliberately does not implement: signatures are
// checked by a verifier hook backed by OpenSSL's EVP (when available), so
// every other check is tern's own.
//
// Skipped: anything needing CRLs (revocation, distribution points, delta
// CRLs, CRL signing keys) or certificate policies (policy mapping,
// explicit policy, inhibitAnyPolicy, qualifiers), URI name constraints and
// DSA parameter inheritance.
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>

#include "support/testutil.hpp"
#include "x509_testutil.hpp"

using namespace tern;
using namespace tern::x509;

namespace {

std::size_t g_tern_sigs = 0, g_openssl_sigs = 0;

// tern's own verifier first; OpenSSL only for what tern does not implement.
Status hybrid_verify(void* ctx, const AlgorithmId& alg, tern::x509::Bytes spki, tern::x509::Bytes tbs,
                     tern::x509::Bytes sig) {
  const Status s = verify_signature(alg, spki, tbs, sig);
  if (s != Status::unsupported) {
    ++g_tern_sigs;
    return s;
  }
#if TERN_HAVE_OPENSSL
  ++g_openssl_sigs;
  return tern::x509test::openssl_verify(ctx, alg, spki, tbs, sig);
#else
  (void)ctx;
  return s;
#endif
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Why a test is out of scope, or "" to run it.
std::string skip_reason(const std::string& name) {
  const std::string l = lower(name);
  for (const char* k : {"crl", "revoked", "distributionpoint", "onlycontains", "onlysomereasons", "idpwithindirect"})
    if (l.find(k) != std::string::npos) return "needs CRLs (revocation not implemented)";
  // Revocation outcomes without CRL in the name (PKITS 4.5.2, 4.5.5, 4.4.15, 4.4.18).
  for (const char* k : {"InvalidBasicSelfIssuedOldWithNewTest2", "InvalidBasicSelfIssuedNewWithOldTest5",
                        "InvalidNegativeSerialNumberTest15", "InvalidLongSerialNumberTest18"})
    if (name == k) return "needs CRLs (revocation not implemented)";
  for (const char* k : {"polic", "anypolicy", "usernotice", "cpspointer", "allcertificates", "mappingfrom", "mappingto"})
    if (l.find(k) != std::string::npos) return "needs certificate policies (not implemented)";
  if (l.find("urinameconstraints") != std::string::npos) return "URI name constraints not implemented";
  if (l.find("dsaparameterinheritance") != std::string::npos) return "DSA parameter inheritance not supported";
  return "";
}

}  // namespace

TEST_CASE("NIST PKITS path validation", "[x509][pkits]") {
  auto anchor_path = tern::test::locate(tern::test::Source::cavp, "x509/PKITS_data/certs/TrustAnchorRootCertificate.crt");
  if (!anchor_path) return;
  const std::string dir = anchor_path->substr(0, anchor_path->rfind('/'));
  TrustStore store;
  REQUIRE(store.add_der(tern::x509::Bytes(tern::x509test::read_bytes(*anchor_path))) == Status::ok);
  std::vector<Certificate> pool;
  std::map<std::string, Certificate> tests;
  std::size_t unparsed = 0;
  for (const auto& f : tern::x509test::list_dir(dir)) {
    if (f.size() < 5 || f.substr(f.size() - 4) != ".crt" || f == "TrustAnchorRootCertificate.crt") continue;
    Certificate c;
    ParseError why;
    const auto der = tern::x509test::read_bytes(dir + "/" + f);
    const bool is_test = (f.rfind("Valid", 0) == 0 || f.rfind("Invalid", 0) == 0) && f.find("EE.crt") != std::string::npos;
    if (Certificate::from_der(tern::x509::Bytes(der), c, &why) != Status::ok) {
      ++unparsed;
      std::printf("  parse failure %s: %s\n", f.c_str(), to_string(why));
      if (is_test) tests[f.substr(0, f.size() - 6)] = Certificate{};
      continue;
    }
    if (is_test) tests[f.substr(0, f.size() - 6)] = c;
    else pool.push_back(c);
  }
  REQUIRE(tests.size() > 150);

  VerifyOptions opt;
  opt.now = make_time(2020, 6, 1);
  opt.purpose = Purpose::any;  // PKITS end entities carry no TLS purposes
  opt.verifier.fn = &hybrid_verify;
  std::size_t pass = 0, fail = 0, skip = 0;
  std::map<std::string, int> skip_reasons;
  std::vector<std::string> failures;
  for (const auto& [name, cert] : tests) {
    const bool expect_valid = name.rfind("Valid", 0) == 0;
    const std::string why_skip = skip_reason(name);
    if (!why_skip.empty()) {
      ++skip;
      ++skip_reasons[why_skip];
      std::printf("  SKIP %-55s %s\n", name.c_str(), why_skip.c_str());
      continue;
    }
    bool valid = false;
    std::string msg = "did not parse";
    if (!cert.empty()) {
      const VerifyResult r = verify(cert, pool, store, opt);
      valid = r.ok();
      msg = valid ? "valid" : r.failure.message();
    }
    if (valid == expect_valid) {
      ++pass;
      std::printf("  PASS %-55s %s\n", name.c_str(), msg.c_str());
    } else {
      ++fail;
      failures.push_back(name + ": " + msg);
      std::printf("  FAIL %-55s %s\n", name.c_str(), msg.c_str());
    }
  }
  std::printf("PKITS: %zu passed, %zu failed, %zu skipped (%zu applicable); %zu certificates did not parse\n", pass, fail,
              skip, pass + fail, unparsed);
  std::printf("PKITS signatures checked: %zu by tern, %zu by the OpenSSL hook (SHA-1/DSA)\n", g_tern_sigs, g_openssl_sigs);
  for (const auto& [why, n] : skip_reasons) std::printf("  skipped %d: %s\n", n, why.c_str());
  for (const auto& f : failures) std::printf("  failed: %s\n", f.c_str());
  tern::test::report("PKITS applicable cases right", "portable", pass);
  // Goal: at least 95% of the applicable cases right.
  CHECK(pass * 100 >= (pass + fail) * 95);
}
