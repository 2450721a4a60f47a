// signature_algorithms_cert and CertificateVerify schemes: rsa_pkcs1_* is
// refused in CertificateVerify (client and server side) even when both
// list it; rsa_pss_pss_* with an id-RSASSA-PSS certificate key works.
// GCC 12 warns falsely (stringop-overread) on small vector copies here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
#include <catch2/catch.hpp>

#include "tests/tls/tls_fixtures.hpp"
#include "x509/cert/cert.hpp"

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

const std::uint8_t kZeros[32] = {};

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

// verify_signature() takes the key x509::parse_certificate read (tls/ has
// no SPKI parser of its own); each refusal keeps its alert.
TEST_CASE("CertificateVerify check with the x509-parsed leaf key", "[tls][sigalgs][negative]") {
  const auto content = certificate_verify_content(true, Bytes(kZeros, 32));
  const auto sign = [&](const Credential& c, std::uint16_t scheme) {
    TestRandom rng(9);
    ByteVector sig;
    REQUIRE(c.signer->sign(scheme, content, rng, sig) == Status::ok);
    return Vec(sig.begin(), sig.end());
  };
  std::size_t n = 0;
  const auto check = [&](Bytes leaf, std::uint16_t scheme, Bytes sig, Alert want) {
    INFO("scheme " << scheme);
    x509::PublicKeyInfo k;
    REQUIRE(!leaf_public_key(leaf, k));
    CHECK(verify_signature(scheme, k, content, sig).alert == want);
    CHECK(verify_signature(scheme, leaf, content, sig).alert == want);
    CHECK(scheme_fits_certificate(scheme, leaf) == (want != Alert::illegal_parameter));
    ++n;
  };
  const std::uint16_t others[] = {0x0807, 0x0403, 0x0503, 0x0804, 0x0809, 0x0401, 0x0203, 0x1234};
  for (std::uint16_t scheme : {0x0807, 0x0403, 0x0503, 0x0804}) {
    const auto cred = make_credential(scheme);
    if (!cred.signer || cred.chain[0].empty()) continue;  // RSA: RFC 8448 key missing
    const Bytes leaf = cred.chain[0];
    Vec sig = sign(cred, scheme);
    check(leaf, scheme, sig, Alert::none);
    for (std::uint16_t other : others)
      if (other != scheme) check(leaf, other, sig, Alert::illegal_parameter);
    Vec bad = sig;
    bad[bad.size() / 2] ^= 1;
    check(leaf, scheme, bad, Alert::decrypt_error);
    bad.pop_back();
    check(leaf, scheme, bad, Alert::decrypt_error);
    check(leaf, scheme, {}, Alert::decrypt_error);
  }
  // A curve tern does not verify (P-521) and an unknown key type fit no scheme.
  const Vec oid_ec = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
  const Vec p521 = make_cert(spki(oid_ec, {0x2b, 0x81, 0x04, 0x00, 0x23}, Vec(133, 4)));
  const Vec dsa = make_cert(spki({0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01}, {}, Vec(64, 1)));
  for (const Vec* leaf : {&p521, &dsa})
    for (std::uint16_t scheme : others) check(*leaf, scheme, Vec(64, 1), Alert::illegal_parameter);
  // A leaf x509 cannot parse: bad_certificate, whatever the scheme.
  const auto ed = make_credential(0x0807);
  Vec broken = ed.chain[0];
  broken.pop_back();
  const Vec short_ed = make_cert(spki({0x2b, 0x65, 0x70}, {}, Vec(31, 1)));
  for (const Vec* leaf : {static_cast<const Vec*>(&broken), &short_ed}) {
    x509::PublicKeyInfo k;
    CHECK(leaf_public_key(*leaf, k).alert == Alert::bad_certificate);
    CHECK(verify_signature(0x0807, *leaf, content, sign(ed, 0x0807)).alert == Alert::bad_certificate);
    CHECK(!scheme_fits_certificate(0x0807, *leaf));
  }
  test::report("CertificateVerify key cases", "-", n);
}
