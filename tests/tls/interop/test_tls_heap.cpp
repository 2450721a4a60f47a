// Heap bytes held by one established TLS connection, tern and OpenSSL's
// libssl (same certificate type, x25519, TLS_AES_128_GCM_SHA256), client
// and server side. Measured with glibc's mallinfo2() "in use" bytes
// (operator new and CRYPTO_malloc both end in malloc) before and after
// keeping kConns connections of one side alive after their handshakes
// (the peers are freed), divided by kConns: amortising over many
// connections keeps the allocator's cached chunks out of the figure.
// Goal (issue #7): <= 20 KiB for tern. Skipped under sanitizers (their
// allocators bypass glibc's accounting) and without glibc >= 2.33.
#include <catch2/catch.hpp>

#include <openssl/ssl.h>

#include <iostream>
#include <memory>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "tests/tls/tls_fixtures.hpp"

using namespace tern;
using namespace tern::tls;
using namespace tern::tlstest;

namespace {

constexpr int kConns = 128;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TERN_HEAP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define TERN_HEAP_SANITIZED 1
#endif
#endif

long long heap_in_use() {
#if !defined(TERN_HEAP_SANITIZED) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 mi = mallinfo2();
  return static_cast<long long>(mi.uordblks + mi.hblkhd);
#else
  return -1;
#endif
}

double tern_heap(bool server, std::uint16_t scheme, std::uint16_t rsl = 0, bool* negotiated = nullptr) {
  StubVerifier v;
  Config cc, sc;
  cc.record_size_limit = sc.record_size_limit = rsl;
  cc.preallocate = sc.preallocate = rsl != 0;
  cc.verifier = &v;
  cc.server_name = "localhost";
  cc.cipher_suites = sc.cipher_suites = {0x1301};
  cc.groups = sc.groups = {0x001d};
  sc.credentials.push_back(make_credential(scheme));
  std::vector<std::unique_ptr<Connection>> keep;
  keep.reserve(kConns);
  const long long before = heap_in_use();
  for (int i = 0; i < kConns; ++i) {
    auto c = std::make_unique<Connection>(Role::client, cc);
    auto s = std::make_unique<Connection>(Role::server, sc);
    pump(*c, *s);
    REQUIRE(c->state() == ConnState::open);
    REQUIRE(s->state() == ConnState::open);
    if (negotiated) *negotiated = c->peer_record_size_limit() == rsl && s->peer_record_size_limit() == rsl;
    keep.push_back(server ? std::move(s) : std::move(c));
  }
  return static_cast<double>(heap_in_use() - before) / kConns;
}

double openssl_heap(bool server, bool ed25519) {
  EVP_PKEY* pkey = ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519") : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, pkey);
  X509_sign(x, pkey, ed25519 ? nullptr : EVP_sha256());
  SSL_CTX* sctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX* cctx = SSL_CTX_new(TLS_client_method());
  for (SSL_CTX* ctx : {sctx, cctx}) {
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256");
    SSL_CTX_set1_groups_list(ctx, "X25519");
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  }
  SSL_CTX_set_num_tickets(sctx, 0);
  SSL_CTX_use_certificate(sctx, x);
  SSL_CTX_use_PrivateKey(sctx, pkey);
  std::vector<SSL*> keep;
  const long long before = heap_in_use();
  for (int i = 0; i < kConns; ++i) {
    SSL* c = SSL_new(cctx);
    SSL* s = SSL_new(sctx);
    BIO *b1 = nullptr, *b2 = nullptr;
    BIO_new_bio_pair(&b1, 0, &b2, 0);
    SSL_set_bio(c, b1, b1);
    SSL_set_bio(s, b2, b2);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    for (int k = 0; k < 20 && !(SSL_is_init_finished(c) && SSL_is_init_finished(s)); ++k) {
      SSL_do_handshake(c);
      SSL_do_handshake(s);
    }
    REQUIRE(SSL_is_init_finished(c));
    REQUIRE(SSL_is_init_finished(s));
    // The kept side gets a null BIO (an application would have a socket
    // BIO): only libssl's own per-connection state is counted.
    SSL* kept = server ? s : c;
    BIO* nb = BIO_new(BIO_s_null());
    SSL_set_bio(kept, nb, nb);
    keep.push_back(kept);
    SSL_free(server ? c : s);
  }
  const double per = static_cast<double>(heap_in_use() - before) / kConns;
  for (SSL* s : keep) SSL_free(s);
  SSL_CTX_free(sctx);
  SSL_CTX_free(cctx);
  X509_free(x);
  EVP_PKEY_free(pkey);
  return per;
}

}  // namespace

TEST_CASE("heap bytes per established connection (tern vs OpenSSL)", "[tls][interop][heap]") {
  if (heap_in_use() < 0) {
    WARN("no glibc heap accounting (sanitizer build?): skipped");
    return;
  }
  struct Row {
    const char* what;
    bool server;
    std::uint16_t scheme;
  } rows[] = {{"server, ECDSA P-256", true, 0x0403}, {"server, Ed25519", true, 0x0807}, {"client, ECDSA P-256 peer", false, 0x0403}};
  for (const auto& r : rows) {
    const double t = tern_heap(r.server, r.scheme);
    const double o = openssl_heap(r.server, r.scheme == 0x0807);
    std::cout << "heap bytes per established connection (" << r.what << "): tern " << static_cast<long>(t)
              << ", openssl " << static_cast<long>(o) << " (goal for tern <= 20480)" << std::endl;
    CHECK(t > 0);
    CHECK(t <= 20 * 1024);
  }
}

TEST_CASE("heap bytes per established connection with record_size_limit 1024", "[tls][interop][heap]") {
  if (heap_in_use() < 0) {
    WARN("no glibc heap accounting (sanitizer build?): skipped");
    return;
  }
  for (bool server : {true, false}) {
    bool negotiated = false;
    const double t = tern_heap(server, 0x0403, 1024, &negotiated);
    const char* side = server ? "server" : "client";
    if (!negotiated) {
      std::cout << "heap bytes per established connection (" << side
                << ", record_size_limit 1024): SKIP (record_size_limit not negotiated by the tls/ core yet; "
                << static_cast<long>(t) << " bytes without it)" << std::endl;
      continue;
    }
    // Issue #8's goal: one record buffer each way sized to the limit, the
    // two AEAD contexts, the connection object and the peer's chain.
    std::cout << "heap bytes per established connection (" << side << ", record_size_limit 1024, preallocated): tern "
              << static_cast<long>(t) << " (goal <= 6144: " << (t <= 6 * 1024 ? "met" : "MISSED") << ")" << std::endl;
    CHECK(t <= 6 * 1024);
  }
}
