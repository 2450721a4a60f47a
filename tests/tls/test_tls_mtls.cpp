// The X.509-backed verifier (real certificates from x509/gen: unknown CA,
// expired, wrong name, wrong EKU -> the expected alerts) and mutual TLS:
// required / optional / absent client certificates, unknown client CA,
// certificate_authorities in the CertificateRequest.
#include <catch2/catch.hpp>

#include "tests/tls/pki.hpp"
#include "tests/tls/tls_fixtures.hpp"
#include "tls/x509_verifier.hpp"

using namespace tern;
using namespace tern::tls;
using namespace tern::tlstest;

namespace {
struct Pki {
  Ca root, other;
  x509::TrustStore store, other_store;
  bool ok = false;
  Pki() {
    ok = make_ca("tern test root", root) && make_ca("unknown root", other);
    if (ok) ok = store.add(root.cert) == Status::ok && other_store.add(other.cert) == Status::ok;
  }
};
const Pki& pki() {
  static const Pki p;
  return p;
}

struct MPair {
  TestRandom crng{11}, srng{12};
  Config ccfg, scfg;
  X509Verifier server_check{pki().store, X509Verifier::Peer::server};
  X509Verifier client_check{pki().store, X509Verifier::Peer::client};
  std::unique_ptr<Connection> c, s;
  MPair() {
    ccfg.rng = &crng;
    ccfg.now = [] { return static_cast<std::uint64_t>(kPkiNow); };
    ccfg.verifier = &server_check;
    ccfg.server_name = "server.test";
    scfg.rng = &srng;
    scfg.now = ccfg.now;
    scfg.client_verifier = &client_check;
    scfg.credentials.push_back(make_leaf(pki().root, "server.test", x509::eku_server_auth));
  }
  void run() {
    c = std::make_unique<Connection>(Role::client, ccfg);
    s = std::make_unique<Connection>(Role::server, scfg);
    pump(*c, *s, 0, 400);
  }
};
}  // namespace

TEST_CASE("x509 verifier: real chains and their alerts", "[tls][x509verifier]") {
  REQUIRE(pki().ok);
  struct Case {
    const char* what;
    tls::Credential cred;
    const char* host;
    Alert want;
  };
  const std::vector<Case> cases = {
      {"valid", make_leaf(pki().root, "server.test", x509::eku_server_auth), "server.test", Alert::none},
      {"no name check", make_leaf(pki().root, "server.test", x509::eku_server_auth), "", Alert::none},
      {"unknown CA", make_leaf(pki().other, "server.test", x509::eku_server_auth), "server.test", Alert::unknown_ca},
      {"expired", make_leaf(pki().root, "server.test", x509::eku_server_auth, kPkiNow - 86400), "server.test",
       Alert::certificate_expired},
      {"wrong name", make_leaf(pki().root, "other.test", x509::eku_server_auth), "server.test", Alert::bad_certificate},
      {"clientAuth only", make_leaf(pki().root, "server.test", x509::eku_client_auth), "server.test",
       Alert::bad_certificate},
  };
  int n = 0;
  for (const auto& k : cases) {
    INFO(k.what);
    REQUIRE(!k.cred.chain.empty());
    // Verifier alone.
    X509Verifier v(pki().store);
    std::vector<Bytes> chain{k.cred.chain[0]};
    Err e = v.verify(chain, k.host, static_cast<std::uint64_t>(kPkiNow));
    CHECK(e.alert == k.want);
    if (e) CHECK(v.last_failure().error != x509::Error::ok);
    // Through a handshake: the client sends the alert, the server receives it.
    MPair p;
    p.ccfg.server_name = k.host;
    p.scfg.credentials = {k.cred};
    p.run();
    INFO(p.c->error());
    if (k.want == Alert::none) {
      CHECK(p.c->state() == ConnState::open);
    } else {
      CHECK(p.c->alert() == k.want);
      CHECK(p.s->alert() == k.want);
      CHECK(p.s->alert_received());
    }
    ++n;
  }
  // Garbage and an empty chain.
  X509Verifier v(pki().store);
  const std::uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
  std::vector<Bytes> bad{Bytes(junk, sizeof junk)};
  CHECK(v.verify(bad, "", 0).alert == Alert::bad_certificate);
  CHECK(v.verify({}, "", 0).alert == Alert::bad_certificate);
  X509Verifier cv(pki().store, X509Verifier::Peer::client);
  CHECK(cv.verify({}, "", 0).alert == Alert::certificate_required);
  test::report("x509 verifier cases", "-", static_cast<std::size_t>(n));
}

#if !defined(TERN_NO_TLS_CLIENT_CERT)
TEST_CASE("mTLS: required, optional, absent", "[tls][mtls]") {
  REQUIRE(pki().ok);
  const auto client_cred = make_leaf(pki().root, "client.test", x509::eku_client_auth);
  SECTION("required, certificate presented") {
    MPair p;
    p.scfg.client_auth = ClientAuth::required;
    p.ccfg.credentials = {client_cred};
    p.run();
    INFO(p.c->error() << " / " << p.s->error());
    REQUIRE(p.c->state() == ConnState::open);
    REQUIRE(p.s->state() == ConnState::open);
    REQUIRE(p.s->peer_chain().size() == 1);
    CHECK(std::vector<std::uint8_t>(p.s->peer_chain()[0].begin(), p.s->peer_chain()[0].end()) == client_cred.chain[0]);
    REQUIRE(!p.c->write(Vec(100, 1)));
    pump(*p.c, *p.s);
    CHECK(p.s->readable() == 100);
    // The views outlive the handshake's buffers (they point into the connection's copy).
    CHECK(std::vector<std::uint8_t>(p.s->peer_chain()[0].begin(), p.s->peer_chain()[0].end()) == client_cred.chain[0]);
  }
  SECTION("required, no certificate -> certificate_required") {
    MPair p;
    p.scfg.client_auth = ClientAuth::required;
    p.run();
    CHECK(p.s->state() == ConnState::failed);
    CHECK(p.s->alert() == Alert::certificate_required);
    // The client finished its side; the alert reaches it with the next read.
    CHECK(p.c->alert() == Alert::certificate_required);
    CHECK(p.c->alert_received());
  }
  SECTION("optional, no certificate") {
    MPair p;
    p.scfg.client_auth = ClientAuth::optional;
    p.run();
    REQUIRE(p.s->state() == ConnState::open);
    CHECK(p.s->peer_chain().empty());
  }
  SECTION("optional, certificate presented and verified") {
    MPair p;
    p.scfg.client_auth = ClientAuth::optional;
    p.ccfg.credentials = {client_cred};
    p.run();
    REQUIRE(p.s->state() == ConnState::open);
    CHECK(p.s->peer_chain().size() == 1);
  }
  SECTION("absent: no CertificateRequest, client credential unused") {
    MPair p;
    p.ccfg.credentials = {client_cred};
    p.run();
    REQUIRE(p.s->state() == ConnState::open);
    CHECK(p.s->peer_chain().empty());
  }
  SECTION("client certificate from an unknown CA -> unknown_ca") {
    MPair p;
    p.scfg.client_auth = ClientAuth::required;
    p.ccfg.credentials = {make_leaf(pki().other, "client.test", x509::eku_client_auth)};
    p.run();
    CHECK(p.s->alert() == Alert::unknown_ca);
    CHECK(p.c->alert() == Alert::unknown_ca);
  }
  SECTION("client certificate without clientAuth -> bad_certificate") {
    MPair p;
    p.scfg.client_auth = ClientAuth::optional;
    p.ccfg.credentials = {make_leaf(pki().root, "client.test", x509::eku_server_auth)};
    p.run();
    CHECK(p.s->alert() == Alert::bad_certificate);
  }
  SECTION("expired client certificate -> certificate_expired") {
    MPair p;
    p.scfg.client_auth = ClientAuth::required;
    p.ccfg.credentials = {make_leaf(pki().root, "client.test", x509::eku_client_auth, kPkiNow - 10)};
    p.run();
    CHECK(p.s->alert() == Alert::certificate_expired);
  }
  SECTION("bad client CertificateVerify -> decrypt_error") {
    MPair p;
    TestHooks hooks;
    hooks.edit_signature = [](tls::ByteVector& sig) { sig[5] ^= 1; };
    p.ccfg.hooks = &hooks;
    p.scfg.client_auth = ClientAuth::required;
    p.ccfg.credentials = {client_cred};
    p.run();
    CHECK(p.s->alert() == Alert::decrypt_error);
  }
  SECTION("certificate_authorities and signature_algorithms reach the client") {
    MPair p;
    p.scfg.client_auth = ClientAuth::required;
    Bytes subj = pki().root.cert.view().subject.raw;
    p.scfg.certificate_authorities = {Vec(subj.begin(), subj.end())};
    p.ccfg.credentials = {client_cred};
    p.run();
    REQUIRE(p.s->state() == ConnState::open);
  }
}
#else
// TERN_NO_TLS_CLIENT_CERT (tls/types.hpp): a client with credentials still
// answers a CertificateRequest with an empty Certificate.
TEST_CASE("mTLS: client certificates not built -> empty Certificate", "[tls][mtls]") {
  REQUIRE(pki().ok);
  const auto client_cred = make_leaf(pki().root, "client.test", x509::eku_client_auth);
  SECTION("required -> certificate_required") {
    MPair p;
    p.scfg.client_auth = ClientAuth::required;
    p.ccfg.credentials = {client_cred};
    p.run();
    CHECK(p.s->state() == ConnState::failed);
    CHECK(p.s->alert() == Alert::certificate_required);
  }
  SECTION("optional -> open without a client chain") {
    MPair p;
    p.scfg.client_auth = ClientAuth::optional;
    p.ccfg.credentials = {client_cred};
    p.run();
    REQUIRE(p.c->state() == ConnState::open);
    REQUIRE(p.s->state() == ConnState::open);
    CHECK(p.s->peer_chain().empty());
  }
}
#endif
