// TLS benchmark rows, tern and OpenSSL's libssl (memory BIOs) in the same
// binary, x25519, TLS_AES_128_GCM_SHA256 for the handshakes:
//
//   tls-handshake-server-{ecdsa-p256,ed25519}/{tern,openssl}
//   tls-handshake-client-ecdsa-p256/{tern,openssl}
//   tls-bulk-{aes256gcm,chacha20poly1305}/{tern,openssl}/16384
//   tls-resume-server/{tern,openssl}   (ECDSA P-256 server, psk_dhe_ke)
//
// Method (both implementations do the same work):
//   * Both sides use the SAME certificate and key (generated once with
//     OpenSSL: ECDSA P-256 or Ed25519, self-signed), the same suite and
//     group; the peer's chain is not validated on either side (tern: an
//     accept-all verifier; OpenSSL: SSL_VERIFY_NONE and a certificate
//     verify callback that accepts, since libssl would otherwise still run
//     X509_verify_cert), CertificateVerify is.
//     No session tickets (tern issues none without ticket keys; OpenSSL
//     gets num_tickets 0) and no server session cache.
//   * Configs / SSL_CTXs are created once in setup. The peer's flights are
//     recorded once in setup from a real handshake. Each timed handshake
//     then runs ONE side only, from object creation to "connected" and
//     destruction, replaying the recorded peer flights: the server row
//     feeds the recorded ClientHello and client Finished; the client row
//     starts a ClientHello and feeds the recorded server flight.
//   * For the recorded flights to stay valid, the timed side's randomness
//     is a fixed-seed stream restarted per handshake, so it produces the
//     same bytes each time: tern through Config::rng (TestRandom), OpenSSL
//     through a RAND_METHOD (the legacy hook libcrypto 3.0 still honours
//     in RAND_bytes_ex / RAND_priv_bytes_ex) installed only inside the
//     timed handshake and removed after it. Setup checks that the replayed
//     side reaches "connected" (a different flight would fail Finished).
//     Everything the side does is timed: key generation, ECDH, signing or
//     verifying, key schedule, record protection, message parsing.
//   * Resumption: a full handshake gives the client a ticket; a resumed
//     handshake offering it (psk_dhe_ke, x25519) is recorded, and its
//     server side is replayed like the full handshakes: ticket decryption,
//     binder check, ECDHE, key schedule, Finished, and one new ticket
//     issued (both: tern tickets_to_send 1, OpenSSL num_tickets 1). tern's
//     clock is pinned (Config::now) so the recorded ticket age stays valid.
//   * Bulk: one 16 KiB application write sealed by the client and opened
//     and read by the server per operation (both timed), over an
//     established connection.
//
// Heap bytes per established connection: glibc mallinfo2() "in use"
// bytes (tern: operator new -> malloc; OpenSSL: CRYPTO_malloc -> malloc)
// before and after keeping kHeapConns connections of one side alive after
// their handshakes (the peer objects are freed; OpenSSL's kept side gets a
// null BIO, as a socket BIO would hold nothing), divided by kHeapConns.
// Amortising over many connections keeps the allocator's cached chunks out
// of the figure. Reported as counter `heap_bytes_per_conn` on the
// handshake rows (0 when mallinfo2 is unavailable, e.g. under ASan).
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "bench/cases.hpp"
#include "crypto/aes/gcm.hpp"
#include "crypto/bignum/bignum.hpp"
#include "crypto/chacha/chacha.hpp"
#include "crypto/curve25519/curve25519.hpp"
#include "crypto/ec/ec.hpp"
#include "crypto/internal/der.hpp"
#include "crypto/internal/random.hpp"
#include "crypto/sha2/sha2.hpp"
#include "tls/connection.hpp"

#if TERN_HAVE_OPENSSL
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#endif

namespace {

using Vec = std::vector<std::uint8_t>;
using namespace tern;

constexpr int kHeapConns = 128;

class AcceptAll final : public tls::CertVerifier {
 public:
  tls::Err verify(std::span<const tls::Bytes>, std::string_view, std::uint64_t) const override { return tls::kOk; }
};

// Live heap bytes (glibc), or -1.
long long heap_in_use() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 mi = mallinfo2();
  if (mi.arena == 0 && mi.uordblks == 0) return -1;  // e.g. a sanitizer's allocator
  return static_cast<long long>(mi.uordblks + mi.hblkhd);
#else
  return -1;
#endif
}

// Moves everything between two tern connections until quiet.
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

#if TERN_HAVE_OPENSSL
// ---- the shared certificate (made with OpenSSL, used by both) ----
struct SharedCert {
  EVP_PKEY* pkey = nullptr;
  X509* x509 = nullptr;
  Vec der;
  tls::Credential cred;
  explicit SharedCert(bool ed25519) {
    pkey = ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519") : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (!pkey) __builtin_trap();
    x509 = X509_new();
    X509_set_version(x509, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x509), 1);
    X509_gmtime_adj(X509_getm_notBefore(x509), 0);
    X509_gmtime_adj(X509_getm_notAfter(x509), 86400);
    X509_set_pubkey(x509, pkey);
    X509_NAME* n = X509_get_subject_name(x509);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("bench.test"), -1, -1, 0);
    X509_set_issuer_name(x509, n);
    if (X509_sign(x509, pkey, ed25519 ? nullptr : EVP_sha256()) <= 0) __builtin_trap();
    unsigned char* d = nullptr;
    int len = i2d_X509(x509, &d);
    if (len <= 0) __builtin_trap();
    der.assign(d, d + len);
    OPENSSL_free(d);
    cred.chain.push_back(der);
    if (ed25519) {
      std::uint8_t sk[32];
      std::size_t sl = 32;
      if (EVP_PKEY_get_raw_private_key(pkey, sk, &sl) != 1) __builtin_trap();
      cred.signer = tls::make_ed25519_signer(tls::Bytes(sk, 32));
    } else {
      BIGNUM* bn = nullptr;
      if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &bn) != 1) __builtin_trap();
      std::uint8_t sk[32];
      BN_bn2binpad(bn, sk, 32);
      BN_clear_free(bn);
      cred.signer = tls::make_ecdsa_signer(0x0403, tls::Bytes(sk, 32));
    }
  }
  ~SharedCert() {
    X509_free(x509);
    EVP_PKEY_free(pkey);
  }
};

// ---- deterministic randomness for OpenSSL's timed side ----
struct DetRand {
  static std::uint64_t state;
  static int bytes(unsigned char* buf, int num) {
    for (int i = 0; i < num; ++i) {
      state += 0x9e3779b97f4a7c15ull;
      std::uint64_t z = state;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      buf[i] = static_cast<unsigned char>(z ^ (z >> 31));
    }
    return 1;
  }
  static int status() { return 1; }
  static const RAND_METHOD* method() {
    static const RAND_METHOD m = {nullptr, bytes, nullptr, nullptr, bytes, status};
    return &m;
  }
};
std::uint64_t DetRand::state = 0;

// Installs the fixed stream `seed` for the lifetime of the object.
struct FixedRand {
  explicit FixedRand(std::uint64_t seed) {
    DetRand::state = seed;
    RAND_set_rand_method(DetRand::method());
  }
  ~FixedRand() { RAND_set_rand_method(nullptr); }
};

std::string drain(BIO* b) {
  std::string s;
  char buf[16384];
  int n;
  while ((n = BIO_read(b, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
  return s;
}

SSL_CTX* make_ctx(bool server, const char* suite, SharedCert* cert) {
  SSL_CTX* ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_ciphersuites(ctx, suite);
  SSL_CTX_set1_groups_list(ctx, "X25519");
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  // libssl runs X509_verify_cert even under SSL_VERIFY_NONE (and only
  // ignores the verdict); this callback replaces it, like tern's
  // accept-all verifier.
  SSL_CTX_set_cert_verify_callback(ctx, [](X509_STORE_CTX*, void*) { return 1; }, nullptr);
  if (server) {
    SSL_CTX_set_num_tickets(ctx, 0);
    if (SSL_CTX_use_certificate(ctx, cert->x509) != 1 || SSL_CTX_use_PrivateKey(ctx, cert->pkey) != 1)
      __builtin_trap();
  }
  return ctx;
}

struct OsslSsl {
  SSL* ssl = nullptr;
  BIO *in = nullptr, *out = nullptr;
  OsslSsl(SSL_CTX* ctx, bool server) {
    ssl = SSL_new(ctx);
    in = BIO_new(BIO_s_mem());
    out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, in, out);
    if (server)
      SSL_set_accept_state(ssl);
    else
      SSL_set_connect_state(ssl);
  }
  ~OsslSsl() { SSL_free(ssl); }
  void feed(const std::string& s) { BIO_write(in, s.data(), static_cast<int>(s.size())); }
  OsslSsl(const OsslSsl&) = delete;
  OsslSsl& operator=(const OsslSsl&) = delete;
};

// OpenSSL handshake rows: recorded peer flights, one side timed.
struct OsslHandshake {
  static constexpr std::uint64_t kClientSeed = 0x1111, kServerSeed = 0x2222;
  SharedCert& cert;
  SSL_CTX *sctx, *cctx;
  std::string client_hello, server_flight, client_finished;
  OsslHandshake(SharedCert& c) : cert(c) {
    sctx = make_ctx(true, "TLS_AES_128_GCM_SHA256", &cert);
    cctx = make_ctx(false, "TLS_AES_128_GCM_SHA256", nullptr);
    OsslSsl cl(cctx, false), sv(sctx, true);
    std::uint64_t cs = kClientSeed, ss = kServerSeed;
    auto as_client = [&](auto&& f) {
      FixedRand r(cs);
      f();
      cs = DetRand::state;
    };
    auto as_server = [&](auto&& f) {
      FixedRand r(ss);
      f();
      ss = DetRand::state;
    };
    as_client([&] { SSL_do_handshake(cl.ssl); });
    client_hello = drain(cl.out);
    as_server([&] {
      sv.feed(client_hello);
      SSL_do_handshake(sv.ssl);
    });
    server_flight = drain(sv.out);
    as_client([&] {
      cl.feed(server_flight);
      if (SSL_do_handshake(cl.ssl) != 1) __builtin_trap();
    });
    client_finished = drain(cl.out);
    as_server([&] {
      sv.feed(client_finished);
      if (SSL_do_handshake(sv.ssl) != 1) __builtin_trap();
    });
    // The replays must reach "connected" (same flights as recorded).
    server_once();
    client_once();
  }
  ~OsslHandshake() {
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
  }
  void server_once() {
    FixedRand r(kServerSeed);
    OsslSsl s(sctx, true);
    s.feed(client_hello);
    SSL_do_handshake(s.ssl);
    (void)BIO_reset(s.out);
    s.feed(client_finished);
    if (SSL_do_handshake(s.ssl) != 1) __builtin_trap();
  }
  void client_once() {
    FixedRand r(kClientSeed);
    OsslSsl c(cctx, false);
    SSL_do_handshake(c.ssl);
    (void)BIO_reset(c.out);
    c.feed(server_flight);
    if (SSL_do_handshake(c.ssl) != 1) __builtin_trap();
    (void)BIO_reset(c.out);
  }
  // Heap held by an established OpenSSL connection of one side.
  double heap_per_conn(bool server) {
    std::vector<std::unique_ptr<OsslSsl>> keep;
    keep.reserve(kHeapConns);
    const long long before = heap_in_use();
    if (before < 0) return 0;
    for (int i = 0; i < kHeapConns; ++i) {
      auto c = std::make_unique<OsslSsl>(cctx, false);
      auto s = std::make_unique<OsslSsl>(sctx, true);
      for (int k = 0; k < 10 && !(SSL_is_init_finished(c->ssl) && SSL_is_init_finished(s->ssl)); ++k) {
        SSL_do_handshake(c->ssl);
        s->feed(drain(c->out));
        SSL_do_handshake(s->ssl);
        c->feed(drain(s->out));
      }
      if (!SSL_is_init_finished(c->ssl) || !SSL_is_init_finished(s->ssl)) __builtin_trap();
      // The kept side gets a null BIO (an application would have a socket
      // BIO): only libssl's own per-connection state is counted.
      OsslSsl& k = server ? *s : *c;
      k.in = k.out = BIO_new(BIO_s_null());
      SSL_set_bio(k.ssl, k.in, k.out);
      keep.push_back(server ? std::move(s) : std::move(c));
    }
    const long long after = heap_in_use();
    return static_cast<double>(after - before) / kHeapConns;
  }
};

// OpenSSL resumed handshakes (psk_dhe_ke, x25519): one full handshake
// yields a ticket; a resumption handshake offering it is recorded; the
// server side of that resumption is replayed and timed (it decrypts the
// ticket, checks the binder, does ECDHE, and issues one new ticket).
struct OsslResume {
  static constexpr std::uint64_t kClientSeed = 0x3333, kServerSeed = 0x4444;
  SSL_CTX *sctx, *cctx;
  std::string client_hello, client_finished;
  explicit OsslResume(SharedCert& cert) {
    sctx = make_ctx(true, "TLS_AES_128_GCM_SHA256", &cert);
    SSL_CTX_set_num_tickets(sctx, 1);
    static const unsigned char sid_ctx[] = "tern-bench";
    SSL_CTX_set_session_id_context(sctx, sid_ctx, sizeof sid_ctx - 1);
    SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    cctx = make_ctx(false, "TLS_AES_128_GCM_SHA256", nullptr);
    SSL_SESSION* sess = nullptr;
    {
      OsslSsl c(cctx, false), s(sctx, true);
      for (int k = 0; k < 10 && !(SSL_is_init_finished(c.ssl) && SSL_is_init_finished(s.ssl)); ++k) {
        SSL_do_handshake(c.ssl);
        s.feed(drain(c.out));
        SSL_do_handshake(s.ssl);
        c.feed(drain(s.out));
      }
      char tmp[16];
      (void)SSL_read(c.ssl, tmp, sizeof tmp);  // takes the NewSessionTicket (then WANT_READ)
      sess = SSL_get1_session(c.ssl);
      if (!sess || !SSL_SESSION_is_resumable(sess)) __builtin_trap();
      // A connection freed without shutdown marks its session unusable.
      SSL_set_shutdown(c.ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
      SSL_set_shutdown(s.ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    }
    OsslSsl cl(cctx, false), sv(sctx, true);
    SSL_set_session(cl.ssl, sess);
    SSL_SESSION_free(sess);
    std::uint64_t cs = kClientSeed, ss = kServerSeed;
    auto as = [](std::uint64_t& st, auto&& f) {
      FixedRand r(st);
      f();
      st = DetRand::state;
    };
    as(cs, [&] { SSL_do_handshake(cl.ssl); });
    client_hello = drain(cl.out);
    as(ss, [&] {
      sv.feed(client_hello);
      SSL_do_handshake(sv.ssl);
    });
    const std::string flight = drain(sv.out);
    as(cs, [&] {
      cl.feed(flight);
      if (SSL_do_handshake(cl.ssl) != 1) __builtin_trap();
    });
    client_finished = drain(cl.out);
    as(ss, [&] {
      sv.feed(client_finished);
      if (SSL_do_handshake(sv.ssl) != 1) __builtin_trap();
    });
    if (!SSL_session_reused(sv.ssl)) __builtin_trap();
    server_once();
  }
  ~OsslResume() {
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
  }
  void server_once() {
    FixedRand r(kServerSeed);
    OsslSsl s(sctx, true);
    s.feed(client_hello);
    SSL_do_handshake(s.ssl);
    (void)BIO_reset(s.out);
    s.feed(client_finished);
    if (SSL_do_handshake(s.ssl) != 1 || !SSL_session_reused(s.ssl)) __builtin_trap();
  }
};
#endif

// ---- tern ----
struct TernHandshake {
  static constexpr std::uint64_t kClientSeed = 5, kServerSeed = 6;
  AcceptAll verifier;
  tls::Config ccfg, scfg;
  TestRandom crng{kClientSeed}, srng{kServerSeed};
  Vec client_hello, client_finished, server_flight;
  explicit TernHandshake(const tls::Credential& cred) {
    ccfg.verifier = &verifier;
    ccfg.server_name = "bench.test";
    ccfg.cipher_suites = {0x1301};
    ccfg.groups = {0x001d};
    ccfg.rng = &crng;
    scfg.cipher_suites = {0x1301};
    scfg.groups = {0x001d};
    scfg.credentials.push_back(cred);
    scfg.rng = &srng;
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
    server_once();
    client_once();
  }
  void server_once() {
    srng = TestRandom(kServerSeed);
    tls::Connection s(tls::Role::server, scfg);
    s.feed(client_hello);
    s.consume_output(s.pending_output().size());
    s.feed(client_finished);
    if (s.state() != tls::ConnState::open) __builtin_trap();
  }
  void client_once() {
    crng = TestRandom(kClientSeed);
    tls::Connection c(tls::Role::client, ccfg);
    c.consume_output(c.pending_output().size());
    c.feed(server_flight);
    if (c.state() != tls::ConnState::open) __builtin_trap();
    c.consume_output(c.pending_output().size());
  }
  // rsl != 0: both sides announce record_size_limit rsl and preallocate
  // their record buffers (issue #8's "heap bytes per established
  // connection with record_size_limit 1024").
  double heap_per_conn(bool server, std::uint16_t rsl = 0) {
    tls::Config cc = ccfg, sc = scfg;
    cc.rng = nullptr;
    sc.rng = nullptr;
    cc.record_size_limit = sc.record_size_limit = rsl;
    cc.preallocate = sc.preallocate = rsl != 0;
    std::vector<std::unique_ptr<tls::Connection>> keep;
    keep.reserve(kHeapConns);
    const long long before = heap_in_use();
    if (before < 0) return 0;
    for (int i = 0; i < kHeapConns; ++i) {
      auto c = std::make_unique<tls::Connection>(tls::Role::client, cc);
      auto s = std::make_unique<tls::Connection>(tls::Role::server, sc);
      pump(*c, *s);
      if (c->state() != tls::ConnState::open || s->state() != tls::ConnState::open) __builtin_trap();
      keep.push_back(server ? std::move(s) : std::move(c));
    }
    const long long after = heap_in_use();
    return static_cast<double>(after - before) / kHeapConns;
  }
};

// tern resumed handshakes, same shape as OsslResume (clock pinned so the
// recorded ticket age stays valid).
struct TernResume {
  static constexpr std::uint64_t kClientSeed = 7, kServerSeed = 8, kNow = 1800000000;
  AcceptAll verifier;
  tls::TicketKeyRing ring;
  tls::Config ccfg, scfg;
  TestRandom crng{kClientSeed}, srng{kServerSeed};
  Vec client_hello, client_finished;
  explicit TernResume(const tls::Credential& cred) {
    TestRandom kr(9);
    if (ring.rotate(kr) != Status::ok) __builtin_trap();
    ccfg.verifier = &verifier;
    ccfg.server_name = "bench.test";
    ccfg.cipher_suites = scfg.cipher_suites = {0x1301};
    ccfg.groups = scfg.groups = {0x001d};
    ccfg.now = scfg.now = [] { return kNow; };
    scfg.credentials.push_back(cred);
    scfg.ticket_keys = &ring;
    scfg.tickets_to_send = 1;
    tls::Session sess;
    {
      tls::Connection c(tls::Role::client, ccfg), s(tls::Role::server, scfg);
      pump(c, s);
      if (c.state() != tls::ConnState::open || !c.last_session()) __builtin_trap();
      sess = *c.last_session();
    }
    ccfg.rng = &crng;
    scfg.rng = &srng;
    tls::Connection c(tls::Role::client, ccfg), s(tls::Role::server, scfg);
    if (c.offer_session(sess)) __builtin_trap();
    auto ch = c.pending_output();
    client_hello.assign(ch.begin(), ch.end());
    c.consume_output(ch.size());
    s.feed(client_hello);
    auto sf = s.pending_output();
    Vec flight(sf.begin(), sf.end());
    s.consume_output(sf.size());
    c.feed(flight);
    auto cf = c.pending_output();
    client_finished.assign(cf.begin(), cf.end());
    c.consume_output(cf.size());
    s.feed(client_finished);
    if (s.state() != tls::ConnState::open || !s.resumed()) __builtin_trap();
    server_once();
  }
  void server_once() {
    srng = TestRandom(kServerSeed);
    tls::Connection s(tls::Role::server, scfg);
    s.feed(client_hello);
    s.consume_output(s.pending_output().size());
    s.feed(client_finished);
    if (s.state() != tls::ConnState::open || !s.resumed()) __builtin_trap();
  }
};

// tern credential for the tern-only build (no OpenSSL to make the cert).
struct TernOnlyCert {
  tls::Credential cred;
  explicit TernOnlyCert(bool ed25519);
};

struct BulkFixture {
  AcceptAll verifier;
  tls::Config ccfg, scfg;
  std::unique_ptr<tls::Connection> c, s;
  Vec buf = Vec(16384, 0x5a), sink = Vec(16384);
  BulkFixture(std::uint16_t suite, const tls::Credential& cred) {
    ccfg.verifier = &verifier;
    ccfg.cipher_suites = {suite};
    scfg.credentials.push_back(cred);
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
  SSL_CTX *sctx = nullptr, *cctx = nullptr;
  SSL *s = nullptr, *c = nullptr;
  Vec buf = Vec(16384, 0x5a), sink = Vec(16384);
  OsslBulk(const char* suite, SharedCert& cert) {
    sctx = make_ctx(true, suite, &cert);
    cctx = make_ctx(false, suite, nullptr);
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
  }
  ~OsslBulk() {
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
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

// Everything is built lazily in setup() (not at program start: every
// `tern` command links these cases).
struct Shared {
  bool ed25519;
#if TERN_HAVE_OPENSSL
  std::unique_ptr<SharedCert> cert;
  std::unique_ptr<OsslHandshake> ossl;
#endif
  std::unique_ptr<TernHandshake> tern;
  std::unique_ptr<TernResume> tern_resume;
#if TERN_HAVE_OPENSSL
  std::unique_ptr<OsslResume> ossl_resume;
#endif
  double heap[2][2] = {{-1, -1}, {-1, -1}};  // [impl openssl?][server?]
  double heap_rsl[2] = {-1, -1};             // tern, record_size_limit 1024 [server?]
  explicit Shared(bool ed) : ed25519(ed) {}
  const tls::Credential& credential() {
#if TERN_HAVE_OPENSSL
    if (!cert) cert = std::make_unique<SharedCert>(ed25519);
    return cert->cred;
#else
    static TernOnlyCert fallback_ed(true), fallback_ec(false);
    return ed25519 ? fallback_ed.cred : fallback_ec.cred;
#endif
  }
  TernHandshake& t() {
    if (!tern) tern = std::make_unique<TernHandshake>(credential());
    return *tern;
  }
  TernResume& tr() {
    if (!tern_resume) tern_resume = std::make_unique<TernResume>(credential());
    return *tern_resume;
  }
#if TERN_HAVE_OPENSSL
  OsslResume& orr() {
    credential();
    if (!ossl_resume) ossl_resume = std::make_unique<OsslResume>(*cert);
    return *ossl_resume;
  }
  OsslHandshake& o() {
    credential();
    if (!ossl) ossl = std::make_unique<OsslHandshake>(*cert);
    return *ossl;
  }
#endif
  double heap_bytes(bool openssl, bool server) {
    double& h = heap[openssl][server];
    if (h < 0) {
#if TERN_HAVE_OPENSSL
      h = openssl ? o().heap_per_conn(server) : t().heap_per_conn(server);
#else
      h = t().heap_per_conn(server);
#endif
    }
    return h;
  }
  double heap_bytes_rsl1024(bool server) {
    double& h = heap_rsl[server];
    if (h < 0) h = t().heap_per_conn(server, 1024);
    return h;
  }
};

}  // namespace

namespace {
#if !TERN_HAVE_OPENSSL
// The tern-only certificate (placeholder DER around the key; nothing
// validates it in these rows).
Vec placeholder_cert(const Vec& alg_oid, const Vec& param_oid, const Vec& key) {
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
TernOnlyCert::TernOnlyCert(bool ed25519) {
  TestRandom rng(99);
  if (ed25519) {
    std::uint8_t sk[32], pk[32];
    if (ed25519_keypair(sk, pk, rng) != Status::ok) __builtin_trap();
    cred.chain.push_back(placeholder_cert({0x2b, 0x65, 0x70}, {}, Vec(pk, pk + 32)));
    cred.signer = tls::make_ed25519_signer(tls::Bytes(sk, 32));
  } else {
    Vec sk(32), pk(65);
    if (ec::generate_key(ec::Curve::p256, sk, pk, rng) != Status::ok) __builtin_trap();
    cred.chain.push_back(placeholder_cert({0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01},
                                          {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}, pk));
    cred.signer = tls::make_ecdsa_signer(0x0403, sk);
  }
}
#endif

tern::bench::Registrar reg([] {
  // TLS rows use every family: start each case from the default kernels.
  tern::bench::on_reset([] {
    tern::aes::aes_gcm_kernels().reset();
    tern::chacha::chacha20_kernels().reset();
    tern::chacha::poly1305_kernels().reset();
    tern::sha2::sha256_kernels().reset();
    tern::sha2::sha512_kernels().reset();
    tern::curve25519_kernels().reset();
    tern::ec::p256_kernels().reset();
    tern::ec::p384_kernels().reset();
    tern::bignum::bignum_kernels().reset();
  });
  for (bool ed : {false, true}) {
    auto sh = std::make_shared<Shared>(ed);
    const std::string server_row = ed ? "tls-handshake-server-ed25519" : "tls-handshake-server-ecdsa-p256";
    tern::bench::Case c{server_row, "tern", 0, [sh] { sh->t(); }, [sh](std::uint64_t n) {
                          for (std::uint64_t i = 0; i < n; ++i) sh->t().server_once();
                        }};
    c.counter_name = "heap_bytes_per_conn";
    c.counter = [sh] { return sh->heap_bytes(false, true); };
    tern::bench::add(c);
#if TERN_HAVE_OPENSSL
    tern::bench::Case o{server_row, "openssl", 0, [sh] { sh->o(); }, [sh](std::uint64_t n) {
                          for (std::uint64_t i = 0; i < n; ++i) sh->o().server_once();
                        }};
    o.counter_name = "heap_bytes_per_conn";
    o.counter = [sh] { return sh->heap_bytes(true, true); };
    tern::bench::add(o);
#endif
    if (!ed) {
      tern::bench::Case cc{"tls-handshake-client-ecdsa-p256", "tern", 0, [sh] { sh->t(); }, [sh](std::uint64_t n) {
                             for (std::uint64_t i = 0; i < n; ++i) sh->t().client_once();
                           }};
      cc.counter_name = "heap_bytes_per_conn";
      cc.counter = [sh] { return sh->heap_bytes(false, false); };
      tern::bench::add(cc);
      // Issue #8: the same handshakes, the counter measured with
      // record_size_limit 1024 and preallocated buffers (goal <= 6144).
      for (bool server : {true, false}) {
        tern::bench::Case r{server ? "tls-heap-rsl1024-server" : "tls-heap-rsl1024-client", "tern", 0, [sh] { sh->t(); },
                            [sh, server](std::uint64_t n) {
                              for (std::uint64_t i = 0; i < n; ++i) server ? sh->t().server_once() : sh->t().client_once();
                            }};
        r.counter_name = "heap_bytes_per_conn";
        r.counter = [sh, server] { return sh->heap_bytes_rsl1024(server); };
        tern::bench::add(r);
      }
#if TERN_HAVE_OPENSSL
      tern::bench::Case oc{"tls-handshake-client-ecdsa-p256", "openssl", 0, [sh] { sh->o(); }, [sh](std::uint64_t n) {
                             for (std::uint64_t i = 0; i < n; ++i) sh->o().client_once();
                           }};
      oc.counter_name = "heap_bytes_per_conn";
      oc.counter = [sh] { return sh->heap_bytes(true, false); };
      tern::bench::add(oc);
#endif
    }
  }
  {
    auto sh = std::make_shared<Shared>(false);
    tern::bench::add({"tls-resume-server", "tern", 0, [sh] { sh->tr(); }, [sh](std::uint64_t n) {
                        for (std::uint64_t i = 0; i < n; ++i) sh->tr().server_once();
                      }});
#if TERN_HAVE_OPENSSL
    tern::bench::add({"tls-resume-server", "openssl", 0, [sh] { sh->orr(); }, [sh](std::uint64_t n) {
                        for (std::uint64_t i = 0; i < n; ++i) sh->orr().server_once();
                      }});
#endif
  }
  auto cert = std::make_shared<Shared>(false);
  for (std::uint16_t suite : {std::uint16_t{0x1302}, std::uint16_t{0x1303}}) {
    const char* row = suite == 0x1302 ? "tls-bulk-aes256gcm" : "tls-bulk-chacha20poly1305";
    auto f = std::make_shared<std::unique_ptr<BulkFixture>>();
    tern::bench::add({row, "tern", 16384,
                      [f, suite, cert] {
                        if (!*f) *f = std::make_unique<BulkFixture>(suite, cert->credential());
                      },
                      [f](std::uint64_t n) {
                        for (std::uint64_t i = 0; i < n; ++i) (*f)->once();
                      }});
#if TERN_HAVE_OPENSSL
    auto o = std::make_shared<std::unique_ptr<OsslBulk>>();
    tern::bench::add({row, "openssl", 16384,
                      [o, suite, cert] {
                        cert->credential();
                        if (!*o)
                          *o = std::make_unique<OsslBulk>(
                              suite == 0x1302 ? "TLS_AES_256_GCM_SHA384" : "TLS_CHACHA20_POLY1305_SHA256", *cert->cert);
                      },
                      [o](std::uint64_t n) {
                        for (std::uint64_t i = 0; i < n; ++i) (*o)->once();
                      }});
#endif
  }
});

}  // namespace
