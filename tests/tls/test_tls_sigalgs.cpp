// signature_algorithms_cert and CertificateVerify schemes: rsa_pkcs1_* is
// refused in CertificateVerify (client and server side) even when both
// list it; rsa_pss_pss_* with an id-RSASSA-PSS certificate key works.
// GCC 12 warns falsely (stringop-overread) on small vector copies here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
#include <catch2/catch.hpp>

#include "tests/tls/tls_fixtures.hpp"

using namespace tern;
using namespace tern::tls;
using namespace tern::tlstest;

namespace {
// Claims rsa_pkcs1_sha256 and "signs" with the wrapped key's PSS.
class Pkcs1Claimer final : public Signer {
 public:
  explicit Pkcs1Claimer(std::shared_ptr<const Signer> inner) : inner_(std::move(inner)) {}
  std::span<const std::uint16_t> schemes() const noexcept override { return kS; }
  Status sign(std::uint16_t, Bytes content, RandomSource& rng, ByteVector& sig) const override {
    return inner_->sign(0x0804, content, rng, sig);
  }

 private:
  static constexpr std::uint16_t kS[] = {0x0401};
  std::shared_ptr<const Signer> inner_;
};

Vec int_der(Bytes be) {
  Vec v;
  if (!be.empty() && (be[0] & 0x80)) v.push_back(0);
  v.insert(v.end(), be.begin(), be.end());
  return v;
}
}  // namespace

TEST_CASE("CertificateVerify: rsa_pkcs1 refused, even when offered", "[tls][sigalgs][negative]") {
  auto rsa = make_credential(0x0804);
  if (rsa.chain[0].empty()) return;  // RFC 8448 key missing
  {
    // Our server never signs CertificateVerify with rsa_pkcs1.
    StubVerifier v;
    TestRandom r1(1), r2(2);
    Config cc, sc;
    cc.rng = &r1;
    sc.rng = &r2;
    cc.verifier = &v;
    cc.signature_schemes = {0x0401};
    sc.signature_schemes = {0x0401};
    Credential cred = rsa;
    cred.signer = std::make_shared<Pkcs1Claimer>(rsa.signer);
    sc.credentials = {cred};
    Connection c(Role::client, cc), s(Role::server, sc);
    pump(c, s);
    CHECK(s.alert() == Alert::handshake_failure);
  }
  // A server that does: the client refuses with illegal_parameter although it listed the scheme.
  StubVerifier v;
  TestRandom r1(1), r2(2);
  Config cc, sc;
  TestHooks hooks;
  hooks.edit_certificate_verify_scheme = [](std::uint16_t& s) { s = 0x0401; };
  cc.rng = &r1;
  sc.rng = &r2;
  sc.hooks = &hooks;
  cc.verifier = &v;
  cc.signature_schemes = {0x0804, 0x0401};
  sc.credentials = {rsa};
  Connection c(Role::client, cc), s(Role::server, sc);
  pump(c, s);
  CHECK(c.alert() == Alert::illegal_parameter);
  CHECK(s.alert() == Alert::illegal_parameter);
  CHECK(s.alert_received());
}

TEST_CASE("rsa_pss_pss_*: id-RSASSA-PSS certificate key", "[tls][sigalgs]") {
  auto t = test::load_trace("private_keys.txt");
  if (!t) return;
  // RSAPublicKey of the RFC 8448 key inside an id-RSASSA-PSS SPKI.
  std::vector<std::uint8_t> buf(1024);
  der::Writer w(buf);
  auto seq = w.begin(der::kSequence);
  w.element(der::kInteger, int_der((*t)["rsa.modulus"]));
  w.element(der::kInteger, int_der((*t)["rsa.public_exponent"]));
  w.end(seq);
  auto pk = w.written();
  const Vec oid_pss = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};
  Credential cred;
  cred.chain.push_back(make_cert(spki(oid_pss, {}, Vec(pk.begin(), pk.end()))));
  cred.signer = make_rsa_pss_signer(rfc8448_rsa_key(), true);
  REQUIRE(cred.signer);
  int n = 0;
  for (std::uint16_t scheme : {0x0809, 0x080a}) {  // the 1024-bit key cannot do PSS-SHA-512
    StubVerifier v;
    TestRandom r1(3), r2(4);
    Config cc, sc;
    cc.rng = &r1;
    sc.rng = &r2;
    cc.verifier = &v;
    cc.signature_schemes = {scheme};
    sc.credentials = {cred};
    Connection c(Role::client, cc), s(Role::server, sc);
    pump(c, s);
    INFO(c.error() << " / " << s.error());
    REQUIRE(c.state() == ConnState::open);
    CHECK(c.signature_scheme() == scheme);
    ++n;
  }
  // rsae schemes do not fit a PSS key, and pss schemes not an rsaEncryption key.
  StubVerifier v;
  TestRandom r1(5), r2(6);
  Config cc, sc;
  cc.rng = &r1;
  sc.rng = &r2;
  cc.verifier = &v;
  cc.signature_schemes = {0x0809};
  auto rsae = make_credential(0x0804);
  Credential liar = rsae;
  liar.signer = make_rsa_pss_signer(rfc8448_rsa_key(), true);  // pss_pss only, over an rsaEncryption cert
  sc.credentials = {liar};
  Connection c(Role::client, cc), s(Role::server, sc);
  pump(c, s);
  CHECK(s.alert() == Alert::handshake_failure);  // no scheme fits the certificate
  // The default RSA signer lists both families; the certificate decides.
  TestRandom r3(7), r4(8);
  cc.rng = &r3;
  sc.rng = &r4;
  cc.signature_schemes = {0x0809, 0x0804};
  sc.credentials = {rsae};
  Connection c2(Role::client, cc), s2(Role::server, sc);
  pump(c2, s2);
  REQUIRE(c2.state() == ConnState::open);
  CHECK(c2.signature_scheme() == 0x0804);
  test::report("rsa_pss_pss handshakes", "-", static_cast<std::size_t>(n));
}
