// Interop with OpenSSL's libssl in memory (memory BIOs, no sockets): our
// client against an OpenSSL server and an OpenSSL client against our
// server, for every suite x group with ECDSA P-256 and Ed25519
// certificates made by OpenSSL, HRR both ways, ALPN, and application data
// (including OpenSSL's post-handshake NewSessionTickets).
#include <catch2/catch.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tests/tls/tls_fixtures.hpp"

using namespace tern;
using namespace tern::tls;
using namespace tern::tlstest;

namespace {

struct OsslCred {
  EVP_PKEY* pkey = nullptr;
  X509* x509 = nullptr;
  Credential cred;
  ~OsslCred() {
    X509_free(x509);
    EVP_PKEY_free(pkey);
  }
};

std::unique_ptr<OsslCred> make_ossl_cred(bool ed25519) {
  auto c = std::make_unique<OsslCred>();
  c->pkey = ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519") : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  REQUIRE(c->pkey);
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, c->pkey);
  X509_NAME* n = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, n);
  REQUIRE(X509_sign(x, c->pkey, ed25519 ? nullptr : EVP_sha256()) > 0);
  c->x509 = x;
  unsigned char* der = nullptr;
  int len = i2d_X509(x, &der);
  REQUIRE(len > 0);
  c->cred.chain.push_back(Vec(der, der + len));
  OPENSSL_free(der);
  if (ed25519) {
    std::uint8_t sk[32];
    std::size_t sl = 32;
    REQUIRE(EVP_PKEY_get_raw_private_key(c->pkey, sk, &sl) == 1);
    c->cred.signer = make_ed25519_signer(tls::Bytes(sk, 32));
  } else {
    BIGNUM* bn = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(c->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1);
    std::uint8_t sk[32];
    BN_bn2binpad(bn, sk, 32);
    BN_clear_free(bn);
    c->cred.signer = make_ecdsa_signer(0x0403, tls::Bytes(sk, 32));
  }
  return c;
}

const char* suite_name(std::uint16_t s) {
  return s == 0x1301 ? "TLS_AES_128_GCM_SHA256" : s == 0x1302 ? "TLS_AES_256_GCM_SHA384" : "TLS_CHACHA20_POLY1305_SHA256";
}
const char* group_name(std::uint16_t g) { return g == 0x001d ? "X25519" : g == 0x0017 ? "P-256" : "P-384"; }

struct Ossl {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  BIO* in = nullptr;   // bytes for OpenSSL to read
  BIO* out = nullptr;  // bytes OpenSSL wrote
  Ossl(bool server, std::uint16_t suite, const char* groups, OsslCred* cred) {
    ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_ciphersuites(ctx, suite_name(suite));
    SSL_CTX_set1_groups_list(ctx, groups);
    if (cred) {
      SSL_CTX_use_certificate(ctx, cred->x509);
      SSL_CTX_use_PrivateKey(ctx, cred->pkey);
    }
    ssl = SSL_new(ctx);
    in = BIO_new(BIO_s_mem());
    out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, in, out);
    if (server)
      SSL_set_accept_state(ssl);
    else
      SSL_set_connect_state(ssl);
  }
  ~Ossl() {
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
};

// Runs OpenSSL and our connection against each other until quiet.
void run(Ossl& o, Connection& t) {
  for (int i = 0; i < 100; ++i) {
    if (!SSL_is_init_finished(o.ssl)) SSL_do_handshake(o.ssl);
    bool moved = false;
    char buf[65536];
    int n;
    while ((n = BIO_read(o.out, buf, sizeof buf)) > 0) {
      t.feed(tls::Bytes(reinterpret_cast<std::uint8_t*>(buf), static_cast<std::size_t>(n)));
      moved = true;
    }
    auto out = t.pending_output();
    if (!out.empty()) {
      BIO_write(o.in, out.data(), static_cast<int>(out.size()));
      t.consume_output(out.size());
      moved = true;
    }
    if (SSL_is_init_finished(o.ssl)) {
      // Let OpenSSL process anything pending (e.g. our KeyUpdate/data).
      char tmp[1];
      (void)SSL_peek(o.ssl, tmp, 0);
    }
    if (!moved && (SSL_is_init_finished(o.ssl) || t.state() == ConnState::failed)) return;
  }
}

void exchange(Ossl& o, Connection& t, std::size_t n) {
  Vec msg(n);
  for (std::size_t i = 0; i < n; ++i) msg[i] = static_cast<std::uint8_t>(i * 13 + 1);
  // tern -> OpenSSL
  REQUIRE(!t.write(msg));
  run(o, t);
  Vec got(n + 1);
  std::size_t total = 0;
  while (total < n) {
    int r = SSL_read(o.ssl, got.data() + total, static_cast<int>(got.size() - total));
    if (r <= 0) break;
    total += static_cast<std::size_t>(r);
  }
  CHECK(total == n);
  CHECK(std::equal(msg.begin(), msg.end(), got.begin()));
  // OpenSSL -> tern
  REQUIRE(SSL_write(o.ssl, msg.data(), static_cast<int>(n)) == static_cast<int>(n));
  run(o, t);
  Vec back(n + 1);
  std::size_t k = 0, r;
  while ((r = t.read(std::span<std::uint8_t>(back.data() + k, back.size() - k))) > 0) k += r;
  CHECK(k == n);
  CHECK(std::equal(msg.begin(), msg.end(), back.begin()));
}
}  // namespace

TEST_CASE("interop: tern client <-> OpenSSL server, tern server <-> OpenSSL client", "[tls][openssl]") {
  auto ec = make_ossl_cred(false);
  auto ed = make_ossl_cred(true);
  std::size_t n = 0;
  for (OsslCred* cred : {ec.get(), ed.get()})
    for (std::uint16_t suite : {0x1301, 0x1302, 0x1303})
      for (std::uint16_t group : {0x001d, 0x0017, 0x0018}) {
        INFO("suite " << suite << " group " << group << " ed25519 " << (cred == ed.get()));
        {  // our client
          Ossl o(true, suite, group_name(group), cred);
          StubVerifier v;
          TestRandom rng(n + 1);
          Config cfg;
          cfg.rng = &rng;
          cfg.verifier = &v;
          cfg.server_name = "localhost";
          cfg.cipher_suites = {suite};
          cfg.groups = {0x001d, 0x0017, 0x0018};  // x25519 share first: HRR unless the group is x25519
          Connection c(Role::client, cfg);
          run(o, c);
          INFO("client: " << c.error() << " openssl: " << ERR_error_string(ERR_peek_last_error(), nullptr));
          REQUIRE(c.state() == ConnState::open);
          CHECK(c.group() == group);
          CHECK(c.hello_retry() == (group != 0x001d));
          exchange(o, c, 20000);
          REQUIRE(!c.key_update(true));
          run(o, c);
          exchange(o, c, 100);
          ++n;
        }
        {  // our server
          Ossl o(false, suite, group_name(group), nullptr);
          SSL_set_tlsext_host_name(o.ssl, "localhost");
          const unsigned char alpn[] = {2, 'h', '2'};
          SSL_set_alpn_protos(o.ssl, alpn, sizeof alpn);
          TestRandom rng(n + 100);
          Config cfg;
          cfg.rng = &rng;
          cfg.cipher_suites = {suite};
          cfg.groups = {group};
          cfg.alpn = {"h2"};
          cfg.credentials.push_back(cred->cred);
          Connection s(Role::server, cfg);
          run(o, s);
          INFO("server: " << s.error() << " openssl: " << ERR_error_string(ERR_peek_last_error(), nullptr));
          REQUIRE(s.state() == ConnState::open);
          REQUIRE(SSL_is_init_finished(o.ssl));
          CHECK(s.alpn() == "h2");
          CHECK(s.server_name() == "localhost");
          exchange(o, s, 20000);
          ++n;
        }
      }
  test::report("openssl interop handshakes", "-", n);
  CHECK(n == 36);
}
