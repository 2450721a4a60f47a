// Path validation on PKIs built with tern's own generator, hostname and
// name-constraint rules, expiry, and a differential run against the
// `openssl verify` command (-attime, -verify_hostname/-verify_ip, -CAfile,
// -untrusted, -purpose sslserver): both must give the same verdict.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>

#include "support/testutil.hpp"
#include "x509_testutil.hpp"

using namespace tern;
using namespace tern::x509;
using tern::x509::gen::CertSpec;
using tern::x509::gen::KeyAlg;
using tern::x509::gen::PrivateKey;

namespace {

const Time kAt = make_time(2026, 6, 1);

Certificate must_cert(const std::vector<std::uint8_t>& der) {
  Certificate c;
  ParseError why = ParseError::none;
  INFO("parse error: " << to_string(why));
  REQUIRE(Certificate::from_der(tern::x509::Bytes(der), c, &why) == Status::ok);
  return c;
}

PrivateKey must_key(KeyAlg a) {
  PrivateKey k;
  REQUIRE(gen::generate_key(a, k) == Status::ok);
  return k;
}

CertSpec ca_spec(const std::string& cn) {
  CertSpec s;
  s.common_name = cn;
  s.organization = "tern test";
  s.country = "US";
  s.is_ca = true;
  s.not_before = make_time(2025, 1, 1);
  s.not_after = make_time(2035, 1, 1);
  return s;
}

CertSpec leaf_spec(std::vector<std::string> dns) {
  CertSpec s;
  s.common_name = dns.empty() ? "leaf" : dns[0];
  s.dns_names = std::move(dns);
  s.ext_key_usage = eku_server_auth;
  s.not_before = make_time(2025, 6, 1);
  s.not_after = make_time(2027, 6, 1);
  return s;
}

struct Case {
  std::string name;
  std::vector<Certificate> anchors, untrusted;
  Certificate leaf;
  Time at = kAt;
  std::string host;
  bool expect_valid = false;
  Error expect = Error::ok;
  bool differential = true;  // false: OpenSSL deliberately differs (CN fallback, depth...)
};

// A root -> intermediate -> leaf PKI with knobs.
struct Pki {
  PrivateKey root_key, int_key, leaf_key;
  Certificate root, inter, leaf;
};

Pki build(KeyAlg ra, KeyAlg ia, KeyAlg la, const std::function<void(CertSpec&, CertSpec&, CertSpec&)>& tweak,
          bool wrong_issuer_key = false) {
  Pki p;
  p.root_key = must_key(ra);
  p.int_key = must_key(ia);
  p.leaf_key = must_key(la);
  CertSpec rs = ca_spec("tern Root"), is = ca_spec("tern Intermediate"), ls = leaf_spec({"www.example.com"});
  is.not_after = make_time(2033, 1, 1);
  tweak(rs, is, ls);
  std::vector<std::uint8_t> der;
  REQUIRE(gen::self_signed(rs, p.root_key, der) == Status::ok);
  p.root = must_cert(der);
  REQUIRE(gen::issue(is, p.int_key.spki_der(), p.root, p.root_key, der) == Status::ok);
  p.inter = must_cert(der);
  if (wrong_issuer_key) {
    const PrivateKey other = must_key(ia);
    REQUIRE(gen::issue(ls, p.leaf_key.spki_der(), p.inter, other, der) == Status::ok);
  } else {
    REQUIRE(gen::issue(ls, p.leaf_key.spki_der(), p.inter, p.int_key, der) == Status::ok);
  }
  p.leaf = must_cert(der);
  return p;
}

Case chain_case(std::string name, const Pki& p, std::string host, bool valid, Error e) {
  Case c;
  c.name = std::move(name);
  c.anchors = {p.root};
  c.untrusted = {p.inter};
  c.leaf = p.leaf;
  c.host = std::move(host);
  c.expect_valid = valid;
  c.expect = e;
  return c;
}

std::vector<Case> make_cases() {
  std::vector<Case> cases;
  const KeyAlg algs[][3] = {{KeyAlg::p256, KeyAlg::p256, KeyAlg::p256},
                            {KeyAlg::ed25519, KeyAlg::p384, KeyAlg::p256},
                            {KeyAlg::p384, KeyAlg::ed25519, KeyAlg::ed25519}};
  auto none = [](CertSpec&, CertSpec&, CertSpec&) {};
  for (const auto& a : algs) {
    const std::string tag = std::string(" [") + gen::to_string(a[0]) + "/" + gen::to_string(a[1]) + "/" +
                            gen::to_string(a[2]) + "]";
    if (!gen::supported(a[0]) || !gen::supported(a[1]) || !gen::supported(a[2])) continue;
    const Pki ok = build(a[0], a[1], a[2], none);
    cases.push_back(chain_case("valid chain" + tag, ok, "www.example.com", true, Error::ok));
    cases.push_back(chain_case("valid chain, upper-case host" + tag, ok, "WWW.Example.COM", true, Error::ok));
    cases.push_back(chain_case("valid chain, no hostname" + tag, ok, "", true, Error::ok));
    cases.push_back(chain_case("wrong name" + tag, ok, "evil.example.org", false, Error::name_mismatch));
    cases.push_back(chain_case("wrong name, parent domain" + tag, ok, "example.com", false, Error::name_mismatch));
    {
      Case c = chain_case("expired leaf" + tag, ok, "www.example.com", false, Error::expired);
      c.at = make_time(2028, 1, 1);
      cases.push_back(c);
    }
    {
      Case c = chain_case("leaf not yet valid" + tag, ok, "www.example.com", false, Error::not_yet_valid);
      c.at = make_time(2025, 3, 1);
      cases.push_back(c);
    }
    {
      Case c = chain_case("missing intermediate" + tag, ok, "www.example.com", false, Error::unknown_issuer);
      c.untrusted.clear();
      cases.push_back(c);
    }
    {
      // Another root with the same name is trusted: the path reaches it and its key does not verify.
      Case c = chain_case("untrusted root only in -untrusted" + tag, ok, "www.example.com", false, Error::bad_signature);
      const Pki other = build(a[0], a[1], a[2], none);
      c.anchors = {other.root};
      c.untrusted = {ok.inter, ok.root};
      cases.push_back(c);
    }
    cases.push_back(chain_case("wrong issuer key" + tag, build(a[0], a[1], a[2], none, true), "www.example.com", false,
                               Error::bad_signature));
    cases.push_back(chain_case("CA:false intermediate" + tag, build(a[0], a[1], a[2], [](CertSpec&, CertSpec& i, CertSpec&) {
                                 i.is_ca = false;
                                 i.key_usage = ku_key_cert_sign | ku_digital_signature;
                               }), "www.example.com", false, Error::not_a_ca));
    cases.push_back(chain_case("intermediate without basicConstraints" + tag,
                               build(a[0], a[1], a[2], [](CertSpec&, CertSpec& i, CertSpec&) { i.basic_constraints = false; }),
                               "www.example.com", false, Error::not_a_ca));
    cases.push_back(chain_case("root pathlen 0 exceeded" + tag,
                               build(a[0], a[1], a[2], [](CertSpec& r, CertSpec&, CertSpec&) { r.path_len = 0; }),
                               "www.example.com", false, Error::pathlen_exceeded));
    cases.push_back(chain_case("root pathlen 1 ok" + tag,
                               build(a[0], a[1], a[2], [](CertSpec& r, CertSpec&, CertSpec&) { r.path_len = 1; }),
                               "www.example.com", true, Error::ok));
    cases.push_back(chain_case("intermediate pathlen 0 ok" + tag,
                               build(a[0], a[1], a[2], [](CertSpec&, CertSpec& i, CertSpec&) { i.path_len = 0; }),
                               "www.example.com", true, Error::ok));
    cases.push_back(chain_case("intermediate expired" + tag,
                               build(a[0], a[1], a[2], [](CertSpec&, CertSpec& i, CertSpec&) { i.not_after = make_time(2026, 1, 1); }),
                               "www.example.com", false, Error::expired));
    cases.push_back(chain_case("NC permitted ok" + tag,
                               build(a[0], a[1], a[2], [](CertSpec& r, CertSpec&, CertSpec&) { r.permitted_dns = {"example.com"}; }),
                               "www.example.com", true, Error::ok));
    cases.push_back(chain_case("NC permitted violated" + tag,
                               build(a[0], a[1], a[2], [](CertSpec& r, CertSpec&, CertSpec& l) {
                                 r.permitted_dns = {"example.com"};
                                 l.dns_names = {"www.example.org"};
                               }),
                               "www.example.org", false, Error::name_constraints));
    cases.push_back(chain_case("NC excluded violated" + tag,
                               build(a[0], a[1], a[2], [](CertSpec&, CertSpec& i, CertSpec& l) {
                                 i.excluded_dns = {"bad.example.com"};
                                 l.dns_names = {"www.example.com", "x.bad.example.com"};
                               }),
                               "www.example.com", false, Error::name_constraints));
    cases.push_back(chain_case("NC leading-dot subtree" + tag,
                               build(a[0], a[1], a[2], [](CertSpec&, CertSpec& i, CertSpec&) { i.permitted_dns = {".example.com"}; }),
                               "www.example.com", true, Error::ok));
    cases.push_back(chain_case("NC IP permitted violated" + tag,
                               build(a[0], a[1], a[2], [](CertSpec& r, CertSpec&, CertSpec& l) {
                                 r.permitted_ip = {"10.0.0.0/8"};
                                 l.ip_addresses = {"192.168.1.1"};
                               }),
                               "www.example.com", false, Error::name_constraints));
    cases.push_back(chain_case("NC IP permitted ok, IP host" + tag,
                               build(a[0], a[1], a[2], [](CertSpec& r, CertSpec&, CertSpec& l) {
                                 r.permitted_ip = {"10.0.0.0/8"};
                                 l.ip_addresses = {"10.1.2.3"};
                               }),
                               "10.1.2.3", true, Error::ok));
    const Pki wild = build(a[0], a[1], a[2], [](CertSpec&, CertSpec&, CertSpec& l) { l.dns_names = {"*.example.com"}; });
    cases.push_back(chain_case("wildcard one label" + tag, wild, "a.example.com", true, Error::ok));
    cases.push_back(chain_case("wildcard two labels" + tag, wild, "a.b.example.com", false, Error::name_mismatch));
    cases.push_back(chain_case("wildcard bare domain" + tag, wild, "example.com", false, Error::name_mismatch));
    const Pki ip = build(a[0], a[1], a[2], [](CertSpec&, CertSpec&, CertSpec& l) {
      l.ip_addresses = {"192.0.2.7", "2001:db8::1"};
    });
    cases.push_back(chain_case("IPv4 SAN" + tag, ip, "192.0.2.7", true, Error::ok));
    cases.push_back(chain_case("IPv6 SAN" + tag, ip, "2001:db8:0:0::1", true, Error::ok));
    cases.push_back(chain_case("IP mismatch" + tag, ip, "192.0.2.8", false, Error::name_mismatch));
    cases.push_back(chain_case("leaf EKU clientAuth only" + tag,
                               build(a[0], a[1], a[2], [](CertSpec&, CertSpec&, CertSpec& l) { l.ext_key_usage = eku_client_auth; }),
                               "www.example.com", false, Error::bad_ext_key_usage));
    cases.push_back(chain_case("intermediate keyUsage without keyCertSign" + tag,
                               build(a[0], a[1], a[2], [](CertSpec&, CertSpec& i, CertSpec&) { i.key_usage = ku_digital_signature; }),
                               "www.example.com", false, Error::bad_key_usage));
    {
      // No CN fallback (RFC 9525): OpenSSL falls back, so no differential.
      Case c = chain_case("CN only, no SAN" + tag,
                          build(a[0], a[1], a[2], [](CertSpec&, CertSpec&, CertSpec& l) { l.dns_names.clear(); l.common_name = "www.example.com"; }),
                          "www.example.com", false, Error::name_mismatch);
      c.differential = false;
      cases.push_back(c);
    }
    {
      Case c = chain_case("leaf is itself trusted" + tag, ok, "www.example.com", true, Error::ok);
      c.anchors = {ok.leaf};
      c.untrusted.clear();
      c.differential = false;  // OpenSSL wants the full chain to a self-signed root
      cases.push_back(c);
    }
  }
  return cases;
}

VerifyResult run_tern(const Case& c) {
  TrustStore store;
  for (const auto& a : c.anchors) REQUIRE(store.add(a) == Status::ok);
  VerifyOptions o;
  o.now = c.at;
  o.hostname = c.host;
  o.purpose = Purpose::server_auth;
  return verify(c.leaf, c.untrusted, store, o);
}

std::string write_pems(const std::string& path, const std::vector<Certificate>& certs) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  REQUIRE(f);
  for (const auto& c : certs) {
    const std::string p = gen::to_pem(c.der());
    std::fwrite(p.data(), 1, p.size(), f);
  }
  std::fclose(f);
  return path;
}

// Runs `openssl verify`; true when it accepts the chain.
bool run_openssl(const Case& c, const std::string& dir, std::string& output) {
  const std::string ca = write_pems(dir + "/ca.pem", c.anchors);
  const std::string leaf = write_pems(dir + "/leaf.pem", {c.leaf});
  std::string cmd = "openssl verify -attime " + std::to_string(c.at) + " -purpose sslserver -CAfile " + ca;
  if (!c.untrusted.empty()) cmd += " -untrusted " + write_pems(dir + "/untrusted.pem", c.untrusted);
  if (!c.host.empty()) {
    std::vector<std::uint8_t> ip;
    cmd += (parse_ip(c.host, ip) ? " -verify_ip '" : " -verify_hostname '") + c.host + "'";
  }
  cmd += " " + leaf + " 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[512];
  output.clear();
  while (std::fgets(buf, sizeof buf, p)) output += buf;
  const int status = pclose(p);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

TEST_CASE("generated PKIs: expected verdicts and named errors", "[x509][verify]") {
  if (!gen::supported(KeyAlg::p256) && !gen::supported(KeyAlg::ed25519)) {
    WARN("no signing algorithm built -- SKIPPED");
    return;
  }
  const auto cases = make_cases();
  REQUIRE(cases.size() >= 30);
  std::size_t n = 0;
  for (const auto& c : cases) {
    const VerifyResult r = run_tern(c);
    INFO(c.name << ": " << (r.ok() ? std::string("valid") : r.failure.message()));
    CHECK(r.ok() == c.expect_valid);
    CHECK(r.failure.error == c.expect);
#ifndef TERN_SMALL
    if (!r.ok()) CHECK(!r.failure.subject.empty());
#else
    // Small builds report the error and depth only.
    CHECK(r.failure.subject.empty());
    CHECK(r.failure.detail.empty());
#endif
    // verify_parsed() (the TLS verifier's entry: parsed views, no chain)
    // reaches the same verdict at the same depth.
    {
      std::vector<CertView> views{c.leaf.view()};
      for (const auto& u : c.untrusted) views.push_back(u.view());
      TrustStore store;
      for (const auto& a : c.anchors) REQUIRE(store.add(a) == Status::ok);
      Failure f;
      CHECK(verify_parsed(views, store, c.at, Purpose::server_auth, c.host, f) == r.ok());
      CHECK(f.error == r.failure.error);
      CHECK(f.depth == r.failure.depth);
#ifndef TERN_SMALL
      CHECK(f.message() == r.failure.message());
#endif
    }
    if (r.ok()) {
      REQUIRE(r.chain.size() >= 1);
      CHECK(r.chain.front().der().size() == c.leaf.der().size());
    }
    ++n;
  }
  tern::test::report("x509 generated PKI cases", "portable", n);
}

TEST_CASE("differential: tern verify vs openssl verify", "[x509][openssl]") {
  if (std::system("openssl version > /dev/null 2>&1") != 0) {
    WARN("openssl binary not found -- differential SKIPPED");
    return;
  }
  if (!gen::supported(KeyAlg::p256) && !gen::supported(KeyAlg::ed25519)) {
    WARN("no signing algorithm built -- SKIPPED");
    return;
  }
  char tmpl[] = "/tmp/tern-x509-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  std::size_t agree = 0, total = 0;
  for (const auto& c : make_cases()) {
    if (!c.differential) continue;
    std::string out;
    const bool ossl = run_openssl(c, dir, out);
    const VerifyResult r = run_tern(c);
    ++total;
    INFO(c.name << "\n  tern: " << (r.ok() ? std::string("valid") : r.failure.message()) << "\n  openssl: " << out);
    CHECK(ossl == r.ok());
    if (ossl == r.ok()) ++agree;
    std::printf("  %-60s tern=%-7s openssl=%s\n", c.name.c_str(), r.ok() ? "valid" : "invalid", ossl ? "valid" : "invalid");
  }
  for (const char* f : {"ca.pem", "leaf.pem", "untrusted.pem"}) std::remove((dir + "/" + f).c_str());
  rmdir(dir.c_str());
  std::printf("differential vs openssl verify: %zu of %zu cases agree\n", agree, total);
  tern::test::report("x509 differential cases agreeing with openssl verify", "portable", agree);
  CHECK(agree == total);
}

TEST_CASE("hostname rules (RFC 6125 / RFC 9525)", "[x509][hostname]") {
  if (!gen::supported(KeyAlg::p256)) return;
  const PrivateKey k = must_key(KeyAlg::p256);
  auto cert_with = [&](std::vector<std::string> dns, std::vector<std::string> ips) {
    CertSpec s = leaf_spec(std::move(dns));
    s.ip_addresses = std::move(ips);
    std::vector<std::uint8_t> der;
    REQUIRE(gen::self_signed(s, k, der) == Status::ok);
    return must_cert(der);
  };
  const Certificate c = cert_with({"*.example.com", "Exact.Example.NET", "*.com", "f*.example.org", "*.*.example.io"},
                                  {"198.51.100.1", "::1"});
  const CertView& v = c.view();
  CHECK(matches_hostname(v, "a.example.com"));
  CHECK(matches_hostname(v, "A.EXAMPLE.COM."));
  CHECK_FALSE(matches_hostname(v, "example.com"));
  CHECK_FALSE(matches_hostname(v, "a.b.example.com"));
  CHECK_FALSE(matches_hostname(v, ".example.com"));
  CHECK(matches_hostname(v, "exact.example.net"));
  CHECK_FALSE(matches_hostname(v, "x.exact.example.net"));
  CHECK_FALSE(matches_hostname(v, "anything.com"));       // *.com: too broad
  CHECK_FALSE(matches_hostname(v, "foo.example.org"));    // partial wildcard
  CHECK_FALSE(matches_hostname(v, "a.b.example.io"));     // wildcard not leftmost-only
  CHECK_FALSE(matches_hostname(v, "*.example.com"));      // wildcard in the reference
  CHECK(matches_hostname(v, "198.51.100.1"));
  CHECK(matches_hostname(v, "[::1]"));
  CHECK(matches_hostname(v, "0:0:0:0:0:0:0:1"));
  CHECK_FALSE(matches_hostname(v, "198.51.100.2"));
  CHECK_FALSE(matches_hostname(v, "198.051.100.1"));      // not an IP literal, not a DNS SAN
  std::vector<std::uint8_t> ip;
  CHECK(parse_ip("::ffff:192.0.2.1", ip));
  CHECK(ip.size() == 16);
  CHECK(ip[10] == 0xff);
  CHECK(ip[15] == 1);
  CHECK_FALSE(parse_ip("1:2:3:4:5:6:7:8:9", ip));
  CHECK_FALSE(parse_ip("1::2::3", ip));
  CHECK_FALSE(parse_ip("256.1.1.1", ip));
  CHECK_FALSE(parse_ip("1.2.3", ip));
  // IPv6 forms (one-pass parser): "::" anywhere once, a trailing IPv4.
  const std::pair<const char*, const char*> v6[] = {
      {"::", "00000000000000000000000000000000"},
      {"1::", "00010000000000000000000000000000"},
      {"::1.2.3.4", "00000000000000000000000001020304"},
      {"1:2:3:4:5:6:7::", "00010002000300040005000600070000"},
      {"1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304"},
      {"ABCD::ef01:2", "abcd00000000000000000000ef010002"},
      {"1:2:3:4:5:6:7:8", "00010002000300040005000600070008"},
  };
  for (const auto& [text, hex] : v6) {
    INFO(text);
    REQUIRE(parse_ip(text, ip));
    std::string got;
    for (auto b : ip) got += "0123456789abcdef"[b >> 4], got += "0123456789abcdef"[b & 15];
    CHECK(got == hex);
  }
  for (const char* bad : {":1", "1:", "1:::2", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "12345::", "1:2:3:4:5:6:7:8::",
                          "::g", "1.2.3.4::", "[::1", "1::2:3:4:5:6:7:8"})
    CHECK_FALSE(parse_ip(bad, ip));
  const std::string names = san_list(v);
  CHECK(names.find("*.example.com") != std::string::npos);
  CHECK(names.find("198.51.100.1") != std::string::npos);
}

TEST_CASE("path building: loops, cross-signs, several candidates, depth limit, expiry report", "[x509][verify]") {
  if (!gen::supported(KeyAlg::p256)) return;
  // Two CAs that cross-sign each other (a loop), neither trusted, plus an
  // unrelated trusted root that cross-signs B.
  const PrivateKey ka = must_key(KeyAlg::p256), kb = must_key(KeyAlg::p256), kr = must_key(KeyAlg::p256),
                   kl = must_key(KeyAlg::p256);
  std::vector<std::uint8_t> der;
  REQUIRE(gen::self_signed(ca_spec("A"), ka, der) == Status::ok);
  const Certificate a_self = must_cert(der);
  REQUIRE(gen::self_signed(ca_spec("B"), kb, der) == Status::ok);
  const Certificate b_self = must_cert(der);
  REQUIRE(gen::issue(ca_spec("A"), ka.spki_der(), b_self, kb, der) == Status::ok);
  const Certificate a_by_b = must_cert(der);
  REQUIRE(gen::issue(ca_spec("B"), kb.spki_der(), a_self, ka, der) == Status::ok);
  const Certificate b_by_a = must_cert(der);
  REQUIRE(gen::self_signed(ca_spec("Root"), kr, der) == Status::ok);
  const Certificate root = must_cert(der);
  CertSpec bs = ca_spec("B");
  bs.not_after = make_time(2030, 1, 1);
  REQUIRE(gen::issue(bs, kb.spki_der(), root, kr, der) == Status::ok);
  const Certificate b_by_root = must_cert(der);
  CertSpec ls = leaf_spec({"loop.example"});
  ls.not_after = make_time(2034, 1, 1);
  REQUIRE(gen::issue(ls, kl.spki_der(), a_self, ka, der) == Status::ok);
  const Certificate leaf = must_cert(der);

  TrustStore store;
  REQUIRE(store.add(root) == Status::ok);
  VerifyOptions o;
  o.now = kAt;
  o.hostname = "loop.example";
  // Only the loop: terminates with unknown issuer.
  VerifyResult r = verify(leaf, {a_by_b, b_by_a, a_self, b_self}, store, o);
  CHECK(r.failure.error == Error::unknown_issuer);
  // Adding the cross-sign from Root makes a path: leaf <- A (by B) <- B (by Root) <- Root.
  r = verify(leaf, {a_by_b, b_by_a, a_self, b_self, b_by_root}, store, o);
  INFO(r.failure.message());
  REQUIRE(r.ok());
  REQUIRE(r.chain.size() == 4);
  const ExpiryReport e = expiry(r.chain, kAt);
  CHECK(e.depth == 2);  // B by Root expires first (2030)
  CHECK(e.earliest_not_after == make_time(2030, 1, 1));
  CHECK(e.days_left == (make_time(2030, 1, 1) - kAt) / 86400);
  CHECK_FALSE(e.expired);
  CHECK(expiry(r.chain, make_time(2031, 1, 1)).expired);
  CHECK(expiry(r.chain, make_time(2031, 1, 1)).days_left < 0);

  // Depth limit: a chain of 12 CAs with max_depth 10.
  std::vector<PrivateKey> keys;
  std::vector<Certificate> chain;
  keys.push_back(must_key(KeyAlg::p256));
  REQUIRE(gen::self_signed(ca_spec("D0"), keys[0], der) == Status::ok);
  TrustStore deep;
  REQUIRE(deep.add(must_cert(der)) == Status::ok);
  Certificate prev = deep.anchors()[0];
  for (int i = 1; i < 12; ++i) {
    keys.push_back(must_key(KeyAlg::p256));
    REQUIRE(gen::issue(ca_spec("D" + std::to_string(i)), keys.back().spki_der(), prev, keys[keys.size() - 2], der) == Status::ok);
    prev = must_cert(der);
    chain.push_back(prev);
  }
  REQUIRE(gen::issue(leaf_spec({"deep.example"}), kl.spki_der(), prev, keys.back(), der) == Status::ok);
  const Certificate deep_leaf = must_cert(der);
  o.hostname = "deep.example";
  r = verify(deep_leaf, chain, deep, o);
  CHECK(r.failure.error == Error::path_too_long);
  o.max_depth = 20;
  r = verify(deep_leaf, chain, deep, o);
  CHECK(r.ok());
  // Messages name the certificate and the reason.
  o.now = make_time(2040, 1, 1);
  r = verify(deep_leaf, chain, deep, o);
  CHECK(r.failure.error == Error::expired);
#ifndef TERN_SMALL
  CHECK(r.failure.message().find("expired on") != std::string::npos);
#else
  CHECK(r.failure.message() == "certificate " + std::to_string(r.failure.depth) + ": certificate has expired");
#endif
  TrustStore empty;
  CHECK(verify(deep_leaf, chain, empty, o).failure.error == Error::no_trust_anchors);
}

TEST_CASE("generation: PEM/DER round trip, keys, extensions", "[x509][gen]") {
  for (KeyAlg a : {KeyAlg::ed25519, KeyAlg::p256, KeyAlg::p384}) {
    if (!gen::supported(a)) continue;
    const PrivateKey k = must_key(a);
    CertSpec s = ca_spec("Gen CA");
    s.path_len = 2;
    s.permitted_dns = {"example.com"};
    s.excluded_ip = {"10.0.0.0/8"};
    std::vector<std::uint8_t> der;
    REQUIRE(gen::self_signed(s, k, der) == Status::ok);
    std::vector<Certificate> back;
    REQUIRE(certificates_from_pem(gen::to_pem(der), back) == Status::ok);
    REQUIRE(back.size() == 1);
    const CertView& v = back[0].view();
    CHECK(v.ext.is_ca);
    CHECK(v.ext.path_len == 2);
    CHECK(v.ext.has_name_constraints);
    CHECK(v.self_issued());
    CHECK(to_string(v.subject) == "C=US, O=tern test, CN=Gen CA");
    CHECK(verify_signature(v.sig_alg, v.spki.raw, v.tbs, v.signature) == Status::ok);
    std::vector<pem::Block> blocks;
    REQUIRE(pem::parse(k.pkcs8_pem(), blocks) == Status::ok);
    CHECK(blocks[0].label == "PRIVATE KEY");
#if TERN_HAVE_OPENSSL
    // OpenSSL reads our certificate and key.
    const std::string dir = "/tmp";
    const std::string cf = dir + "/tern-gen-" + std::to_string(getpid()) + ".pem";
    const std::string kf = dir + "/tern-gen-key-" + std::to_string(getpid()) + ".pem";
    std::FILE* f = std::fopen(cf.c_str(), "w");
    const std::string pem = gen::to_pem(der);
    std::fwrite(pem.data(), 1, pem.size(), f);
    std::fclose(f);
    f = std::fopen(kf.c_str(), "w");
    const std::string kp = k.pkcs8_pem();
    std::fwrite(kp.data(), 1, kp.size(), f);
    std::fclose(f);
    CHECK(std::system(("openssl x509 -in " + cf + " -noout 2>/dev/null").c_str()) == 0);
    CHECK(std::system(("openssl pkey -in " + kf + " -noout 2>/dev/null").c_str()) == 0);
    CHECK(std::system(("test \"$(openssl x509 -in " + cf + " -noout -pubkey)\" = \"$(openssl pkey -in " + kf + " -pubout)\"").c_str()) == 0);
    std::remove(cf.c_str());
    std::remove(kf.c_str());
#endif
  }
}
