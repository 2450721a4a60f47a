// TLS benchmark rows (tern; OpenSSL libssl over a BIO pair for the bulk
// rows -- the OpenSSL handshake rows are still to do):
//   tls-handshake-server-ecdsa-p256/tern, tls-handshake-server-ed25519/tern:
//     the server side of a full x25519 handshake. The client's flights are
//     recorded once in setup; the server's randomness is a fixed-seed stream
//     reset per handshake, so it produces the same flight each time and the
//     recorded client Finished verifies. Timed: ClientHello processing
//     (key generation, ECDH, signing, key schedule, record protection) and
//     the client Finished check -- all the server's work.
//   tls-handshake-client-ecdsa-p256/tern: the client side, replaying the
//     recorded server flight (key generation, ECDH, CertificateVerify check,
//     Finished). The certificate verifier is a stub (x509 not wired in yet).
//   tls-bulk-aes256gcm/tern/16384, tls-bulk-chacha20poly1305/tern/16384:
//     one 16 KiB write sealed by the client and opened/read by the server.
//   tls-bulk-*/openssl/16384: the same with SSL_write/SSL_read over an
//     in-memory BIO pair (ECDSA P-256 certificate, TLS 1.3 only).
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench/cases.hpp"
#include "crypto/curve25519/curve25519.hpp"
#include "crypto/ec/ec.hpp"
#include "crypto/internal/der.hpp"
#include "crypto/internal/random.hpp"
#include "tls/connection.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#endif

namespace {

using Vec = std::vector<std::uint8_t>;
using namespace tern;

class AcceptAll final : public tls::CertVerifier {
 public:
  tls::Err verify(std::span<const tls::Bytes>, std::string_view, std::uint64_t) const override { return tls::kOk; }
};

Vec make_cert(const Vec& alg_oid, const Vec& param_oid, const Vec& key) {
  std::vector<std::uint8_t> buf(2048);
  der::Writer w(buf);
  auto cert = w.begin(der::kSequence);
  auto tbs = w.begin(der::kSequence);
  w.uint64(1);
  auto alg = w.begin(der::kSequence);
  w.element(der::kOid, alg_oid);
  w.end(alg);
  auto iss = w.begin(der::kSequence);
  w.end(iss);
  auto val = w.begin(der::kSequence);
  w.end(val);
  auto sub = w.begin(der::kSequence);
  w.end(sub);
  auto spki = w.begin(der::kSequence);
  auto a = w.begin(der::kSequence);
  w.element(der::kOid, alg_oid);
  if (!param_oid.empty()) w.element(der::kOid, param_oid);
  w.end(a);
  Vec bits(1, 0);
  bits.insert(bits.end(), key.begin(), key.end());
  w.element(der::kBitString, bits);
  w.end(spki);
  w.end(tbs);
  auto alg2 = w.begin(der::kSequence);
  w.element(der::kOid, alg_oid);
  w.end(alg2);
  std::uint8_t sig[1] = {0};
  w.element(der::kBitString, sig);
  w.end(cert);
  auto out = w.written();
  return Vec(out.begin(), out.end());
}

tls::Credential credential(bool ed25519) {
  TestRandom rng(99);
  tls::Credential c;
  if (ed25519) {
    std::uint8_t sk[32], pk[32];
    if (ed25519_keypair(sk, pk, rng) != Status::ok) __builtin_trap();
    c.chain.push_back(make_cert({0x2b, 0x65, 0x70}, {}, Vec(pk, pk + 32)));
    c.signer = tls::make_ed25519_signer(tls::Bytes(sk, 32));
  } else {
    Vec sk(32), pk(65);
    if (ec::generate_key(ec::Curve::p256, sk, pk, rng) != Status::ok) __builtin_trap();
    c.chain.push_back(make_cert({0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01},
                                {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}, pk));
    c.signer = tls::make_ecdsa_signer(0x0403, sk);
  }
  return c;
}

// Moves everything between the two until quiet.
void pump(tls::Connection& a, tls::Connection& b) {
  for (int i = 0; i < 100; ++i) {
    bool moved = false;
    for (int d = 0; d < 2; ++d) {
      tls::Connection& from = d ? b : a;
      tls::Connection& to = d ? a : b;
      auto out = from.pending_output();
      if (out.empty()) continue;
      std::size_t used = to.feed(out);
      from.consume_output(used);
      moved = moved || used;
    }
    if (!moved) return;
  }
}

struct HandshakeFixture {
  AcceptAll verifier;
  tls::Config ccfg, scfg;
  Vec client_hello, client_finished, server_flight;
  std::uint64_t seed_c = 5, seed_s = 6;
  explicit HandshakeFixture(bool ed25519) {
    ccfg.verifier = &verifier;
    ccfg.server_name = "bench.test";
    ccfg.cipher_suites = {0x1301};
    ccfg.groups = {0x001d};
    scfg.credentials.push_back(credential(ed25519));
    TestRandom cr(seed_c), sr(seed_s);
    ccfg.rng = &cr;
    scfg.rng = &sr;
    tls::Connection c(tls::Role::client, ccfg), s(tls::Role::server, scfg);
    auto ch = c.pending_output();
    client_hello.assign(ch.begin(), ch.end());
    c.consume_output(ch.size());
    s.feed(client_hello);
    auto sf = s.pending_output();
    server_flight.assign(sf.begin(), sf.end());
    s.consume_output(sf.size());
    c.feed(server_flight);
    auto cf = c.pending_output();
    client_finished.assign(cf.begin(), cf.end());
    c.consume_output(cf.size());
    s.feed(client_finished);
    if (c.state() != tls::ConnState::open || s.state() != tls::ConnState::open) __builtin_trap();
    ccfg.rng = nullptr;
    scfg.rng = nullptr;
  }
  void server_once() {
    TestRandom sr(seed_s);
    tls::Config cfg = scfg;
    cfg.rng = &sr;
    tls::Connection s(tls::Role::server, cfg);
    s.feed(client_hello);
    s.consume_output(s.pending_output().size());
    s.feed(client_finished);
    if (s.state() != tls::ConnState::open) __builtin_trap();
  }
  void client_once() {
    TestRandom cr(seed_c);
    tls::Config cfg = ccfg;
    cfg.rng = &cr;
    tls::Connection c(tls::Role::client, cfg);
    c.consume_output(c.pending_output().size());
    c.feed(server_flight);
    if (c.state() != tls::ConnState::open) __builtin_trap();
    c.consume_output(c.pending_output().size());
  }
};

struct BulkFixture {
  AcceptAll verifier;
  tls::Config ccfg, scfg;
  std::unique_ptr<tls::Connection> c, s;
  Vec buf = Vec(16384, 0x5a), sink = Vec(16384);
  explicit BulkFixture(std::uint16_t suite) {
    ccfg.verifier = &verifier;
    ccfg.cipher_suites = {suite};
    scfg.credentials.push_back(credential(true));
    c = std::make_unique<tls::Connection>(tls::Role::client, ccfg);
    s = std::make_unique<tls::Connection>(tls::Role::server, scfg);
    pump(*c, *s);
    if (c->state() != tls::ConnState::open) __builtin_trap();
  }
  void once() {
    if (c->write(buf)) __builtin_trap();
    auto out = c->pending_output();
    s->feed(out);
    c->consume_output(out.size());
    if (s->read(sink) != sink.size()) __builtin_trap();
  }
};

#if TERN_HAVE_OPENSSL
struct OsslBulk {
  EVP_PKEY* pkey = nullptr;
  X509* x509 = nullptr;
  SSL_CTX *sctx = nullptr, *cctx = nullptr;
  SSL *s = nullptr, *c = nullptr;
  Vec buf = Vec(16384, 0x5a), sink = Vec(16384);
  explicit OsslBulk(const char* suite) {
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    x509 = X509_new();
    X509_set_version(x509, 2);
    X509_gmtime_adj(X509_getm_notBefore(x509), 0);
    X509_gmtime_adj(X509_getm_notAfter(x509), 86400);
    X509_set_pubkey(x509, pkey);
    X509_sign(x509, pkey, EVP_sha256());
    sctx = SSL_CTX_new(TLS_server_method());
    cctx = SSL_CTX_new(TLS_client_method());
    for (SSL_CTX* ctx : {sctx, cctx}) {
      SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
      SSL_CTX_set_ciphersuites(ctx, suite);
    }
    SSL_CTX_use_certificate(sctx, x509);
    SSL_CTX_use_PrivateKey(sctx, pkey);
    s = SSL_new(sctx);
    c = SSL_new(cctx);
    BIO *b1 = nullptr, *b2 = nullptr;
    BIO_new_bio_pair(&b1, 1 << 17, &b2, 1 << 17);
    SSL_set_bio(c, b1, b1);
    SSL_set_bio(s, b2, b2);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    for (int i = 0; i < 20 && !(SSL_is_init_finished(c) && SSL_is_init_finished(s)); ++i) {
      SSL_do_handshake(c);
      SSL_do_handshake(s);
    }
    if (!SSL_is_init_finished(c) || !SSL_is_init_finished(s)) __builtin_trap();
    char tmp[1];
    (void)SSL_read(c, tmp, 0);  // absorb the session tickets
  }
  ~OsslBulk() {
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    X509_free(x509);
    EVP_PKEY_free(pkey);
  }
  void once() {
    if (SSL_write(c, buf.data(), static_cast<int>(buf.size())) != static_cast<int>(buf.size())) __builtin_trap();
    int got = 0;
    while (got < static_cast<int>(sink.size())) {
      int r = SSL_read(s, sink.data() + got, static_cast<int>(sink.size()) - got);
      if (r <= 0) __builtin_trap();
      got += r;
    }
  }
};
#endif

// Fixtures are built lazily in setup() (not at program start).
template <class F, class... A>
std::shared_ptr<std::unique_ptr<F>> lazy() {
  return std::make_shared<std::unique_ptr<F>>();
}

tern::bench::Registrar reg([] {
  for (bool ed : {false, true}) {
    auto f = lazy<HandshakeFixture>();
    auto setup = [f, ed] {
      if (!*f) *f = std::make_unique<HandshakeFixture>(ed);
    };
    tern::bench::add({ed ? "tls-handshake-server-ed25519" : "tls-handshake-server-ecdsa-p256", "tern", 0, setup,
                      [f](std::uint64_t n) {
                        for (std::uint64_t i = 0; i < n; ++i) (*f)->server_once();
                      }});
    if (!ed)
      tern::bench::add({"tls-handshake-client-ecdsa-p256", "tern", 0, setup, [f](std::uint64_t n) {
                          for (std::uint64_t i = 0; i < n; ++i) (*f)->client_once();
                        }});
  }
  for (std::uint16_t suite : {std::uint16_t{0x1302}, std::uint16_t{0x1303}}) {
    auto f = lazy<BulkFixture>();
    auto setup = [f, suite] {
      if (!*f) *f = std::make_unique<BulkFixture>(suite);
    };
    tern::bench::add({suite == 0x1302 ? "tls-bulk-aes256gcm" : "tls-bulk-chacha20poly1305", "tern", 16384, setup,
                      [f](std::uint64_t n) {
                        for (std::uint64_t i = 0; i < n; ++i) (*f)->once();
                      }});
#if TERN_HAVE_OPENSSL
    auto o = lazy<OsslBulk>();
    auto osetup = [o, suite] {
      if (!*o) *o = std::make_unique<OsslBulk>(suite == 0x1302 ? "TLS_AES_256_GCM_SHA384" : "TLS_CHACHA20_POLY1305_SHA256");
    };
    tern::bench::add({suite == 0x1302 ? "tls-bulk-aes256gcm" : "tls-bulk-chacha20poly1305", "openssl", 16384, osetup,
                      [o](std::uint64_t n) {
                        for (std::uint64_t i = 0; i < n; ++i) (*o)->once();
                      }});
#endif
  }
});

}  // namespace
