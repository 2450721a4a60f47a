// Our client <-> our server in memory: every suite x group x signature
// scheme, HRR, ALPN, SNI, fragmentation/coalescing, application data sizes,
// KeyUpdate, the state-machine table, and negative cases with their alerts.
#include <catch2/catch.hpp>

#include "tests/tls/tls_fixtures.hpp"

using namespace tern;
using namespace tern::tls;
using namespace tern::tlstest;

namespace {
struct Pair {
  StubVerifier verifier;
  TestRandom crng{1}, srng{2};
  Config ccfg, scfg;
  std::unique_ptr<Connection> c, s;
  Pair() {
    ccfg.rng = &crng;
    ccfg.verifier = &verifier;
    ccfg.server_name = "example.test";
    scfg.rng = &srng;
  }
  void start() {
    c = std::make_unique<Connection>(Role::client, ccfg);
    s = std::make_unique<Connection>(Role::server, scfg);
  }
  void run(std::size_t slice = 0) { pump(*c, *s, slice, slice ? 200000 : 400); }
};

// type || 03 0v || len || body, built without small-vector inserts (GCC 12
// warns falsely on those).
Vec record(std::uint8_t type, std::uint8_t minor, const Vec& body) {
  Vec r(5 + body.size());
  r[0] = type, r[1] = 3, r[2] = minor;
  r[3] = static_cast<std::uint8_t>(body.size() >> 8), r[4] = static_cast<std::uint8_t>(body.size());
  if (!body.empty()) std::memcpy(r.data() + 5, body.data(), body.size());
  return r;
}

Vec data(std::size_t n, std::uint8_t seed) {
  Vec v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 31);
  return v;
}

void transfer(Connection& from, Connection& to, Connection& a, Connection& b, const Vec& msg) {
  REQUIRE(!from.write(msg));
  Vec got(msg.size() + 1);
  std::size_t n = 0;
  for (int round = 0; round < 1000; ++round) {
    pump(a, b);
    std::size_t k = to.read(std::span<std::uint8_t>(got.data() + n, got.size() - n));
    n += k;
    if (k == 0 && from.pending_output().empty()) break;
  }
  got.resize(n);
  CHECK(got == msg);
}
}  // namespace

TEST_CASE("connection: state-machine transition table", "[tls][connection][state]") {
  CHECK(kTransitionCount == 22);
  CHECK(transition_allowed(HsState::client_start, HsState::client_wait_sh));
  CHECK(transition_allowed(HsState::client_wait_sh, HsState::client_wait_sh));
  CHECK(transition_allowed(HsState::client_wait_cv, HsState::client_wait_finished));
  CHECK(transition_allowed(HsState::server_wait_ch2, HsState::server_wait_finished));
  CHECK(transition_allowed(HsState::connected, HsState::failed));
  // Skipping authentication, or going backwards, is not allowed.
  // Only a PSK handshake goes from EncryptedExtensions straight to Finished
  // (the PSK authenticates; on_client_wait_ee grants it only when resumed).
  CHECK(transition_allowed(HsState::client_wait_ee, HsState::client_wait_finished));
  CHECK(!transition_allowed(HsState::client_wait_sh, HsState::client_wait_cv));
  CHECK(!transition_allowed(HsState::server_wait_eoed, HsState::connected));
  CHECK(!transition_allowed(HsState::server_wait_cert, HsState::connected));
  CHECK(!transition_allowed(HsState::server_wait_ch2, HsState::server_wait_eoed));  // no 0-RTT after HRR
  CHECK(!transition_allowed(HsState::client_wait_cert_cr, HsState::client_wait_finished));
  CHECK(!transition_allowed(HsState::client_wait_sh, HsState::connected));
  CHECK(!transition_allowed(HsState::server_wait_ch, HsState::connected));
  CHECK(!transition_allowed(HsState::server_wait_ch2, HsState::server_wait_ch2));
  CHECK(!transition_allowed(HsState::failed, HsState::failed));
  CHECK(!transition_allowed(HsState::connected, HsState::client_wait_sh));
  for (std::size_t i = 0; i < kTransitionCount; ++i) CHECK(std::string(to_string(kTransitions[i].from)) != "?");
}

TEST_CASE("connection: every suite x group x signature scheme", "[tls][connection][matrix]") {
  const std::uint16_t suites[] = {0x1301, 0x1302, 0x1303};
  const std::uint16_t groups[] = {0x001d, 0x0017, 0x0018};
  const std::uint16_t schemes[] = {0x0807, 0x0403, 0x0503, 0x0804, 0x0805, 0x0806};
  int n = 0;
  for (auto scheme : schemes) {
    auto cred = make_credential(scheme);
    if (!cred.signer || cred.chain[0].empty()) continue;
    // The RSA test key is the RFC 8448 1024-bit one: too small for PSS-SHA-512.
    if (std::find(cred.signer->schemes().begin(), cred.signer->schemes().end(), scheme) ==
        cred.signer->schemes().end())
      continue;
    for (auto suite : suites)
      for (auto group : groups) {
        INFO("suite " << suite << " group " << group << " scheme " << scheme);
        Pair p;
        p.ccfg.cipher_suites = {suite};
        p.ccfg.groups = {group};
        p.ccfg.signature_schemes = {scheme};
        p.scfg.credentials.push_back(cred);
        p.start();
        p.run();
        INFO("client: " << p.c->error() << " server: " << p.s->error());
        REQUIRE(p.c->state() == ConnState::open);
        REQUIRE(p.s->state() == ConnState::open);
        CHECK(p.c->cipher_suite() == suite);
        CHECK(p.s->cipher_suite() == suite);
        CHECK(p.c->group() == group);
        CHECK(p.c->signature_scheme() == scheme);
        CHECK(!p.c->hello_retry());
        transfer(*p.c, *p.s, *p.c, *p.s, data(100, 1));
        transfer(*p.s, *p.c, *p.c, *p.s, data(100, 2));
        std::uint8_t e1[32], e2[32];
#if !defined(TERN_NO_TLS_RESUMPTION)
        REQUIRE(p.c->export_keying_material(e1, "EXPORTER-t", {}) == Status::ok);
        REQUIRE(p.s->export_keying_material(e2, "EXPORTER-t", {}) == Status::ok);
        CHECK(std::memcmp(e1, e2, 32) == 0);
#else
        CHECK(p.c->export_keying_material(e1, "EXPORTER-t", {}) == Status::unsupported);  // not built
        CHECK(p.s->export_keying_material(e2, "EXPORTER-t", {}) == Status::unsupported);
#endif
        ++n;
      }
  }
  test::report("tls in-memory handshakes", "-", static_cast<std::size_t>(n));
  // Without the RFC 8448 key (traces missing) the RSA rows are skipped.
  CHECK(n == (test::locate(test::Source::rfc8448, "private_keys.txt") ? 45 : 27));  // 3 suites x 3 groups x 5 schemes (rsa_pss_rsae_sha512 needs a >= 1040-bit key)
}

TEST_CASE("connection: HelloRetryRequest, ALPN, SNI, compat mode", "[tls][connection][hrr]") {
  for (bool compat : {true, false}) {
    Pair p;
    p.ccfg.groups = {0x001d, 0x0017};  // share for x25519 only
    p.ccfg.middlebox_compat = compat;
    p.ccfg.alpn = {"h2", "http/1.1"};
    p.scfg.groups = {0x0017};  // server accepts only P-256 -> HRR
    p.scfg.alpn = {"http/1.1"};
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    p.run();
    INFO(p.c->error() << " / " << p.s->error());
    REQUIRE(p.c->state() == ConnState::open);
    REQUIRE(p.s->state() == ConnState::open);
    CHECK(p.c->hello_retry());
    CHECK(p.s->hello_retry());
    CHECK(p.c->group() == 0x0017);
    CHECK(p.c->alpn() == "http/1.1");
    CHECK(p.s->alpn() == "http/1.1");
    CHECK(p.s->server_name() == "example.test");
    transfer(*p.c, *p.s, *p.c, *p.s, data(1000, 3));
  }
  // No ALPN in common -> no_application_protocol.
  Pair p;
  p.ccfg.alpn = {"h2"};
  p.scfg.alpn = {"http/1.1"};
  p.scfg.credentials.push_back(make_credential(0x0807));
  p.start();
  p.run();
  CHECK(p.s->alert() == Alert::no_application_protocol);
  CHECK(p.c->alert() == Alert::no_application_protocol);
  CHECK(p.c->alert_received());
}

TEST_CASE("connection: SNI selects the credential; cipher preference", "[tls][connection]") {
  Pair p;
  auto a = make_credential(0x0403);
  a.names = {"a.test"};
  auto b = make_credential(0x0807);
  b.names = {"example.test"};
  p.scfg.credentials = {a, b};
  p.ccfg.cipher_suites = {0x1303, 0x1301};  // client prefers ChaCha20
  p.start();
  p.run();
  REQUIRE(p.c->state() == ConnState::open);
  CHECK(p.c->signature_scheme() == 0x0807);
  CHECK(p.c->cipher_suite() == 0x1303);
  Pair q;
  q.scfg.credentials = {make_credential(0x0807)};
  q.ccfg.cipher_suites = {0x1302, 0x1303};
  q.start();
  q.run();
  REQUIRE(q.c->state() == ConnState::open);
  CHECK(q.c->cipher_suite() == 0x1302);  // server order: AES-256 before ChaCha20
}

TEST_CASE("connection: fragmentation, coalescing, sizes, KeyUpdate", "[tls][connection][records]") {
  for (std::size_t slice : {1u, 7u, 300u, 0u}) {
    Pair p;
    p.scfg.credentials.push_back(make_credential(0x0403));
    p.start();
    p.run(slice);
    INFO("slice " << slice << ": " << p.c->error() << " / " << p.s->error());
    REQUIRE(p.c->state() == ConnState::open);
    REQUIRE(p.s->state() == ConnState::open);
  }
  Pair p;
  p.scfg.credentials.push_back(make_credential(0x0807));
  p.start();
  p.run();
  REQUIRE(p.c->state() == ConnState::open);
  for (std::size_t n : {0u, 1u, 255u, 16383u, 16384u, 16385u, 100000u}) {
    transfer(*p.c, *p.s, *p.c, *p.s, data(n, 5));
    transfer(*p.s, *p.c, *p.c, *p.s, data(n, 6));
  }
  // Several records coalesced in one feed, read back in one go.
  REQUIRE(!p.c->write(data(10, 1)));
  REQUIRE(!p.c->write(data(20, 2)));
  auto out = p.c->pending_output();
  CHECK(p.s->feed(out) == out.size());
  p.c->consume_output(out.size());
  CHECK(p.s->readable() == 30);
  Vec sink(30);
  p.s->read(sink);
  // KeyUpdate both ways, with update_requested.
  REQUIRE(!p.c->key_update(true));
  pump(*p.c, *p.s);
  transfer(*p.c, *p.s, *p.c, *p.s, data(500, 7));
  transfer(*p.s, *p.c, *p.c, *p.s, data(500, 8));
  // close_notify both ways.
  p.c->close();
  pump(*p.c, *p.s);
  CHECK(p.s->peer_closed());
  p.s->close();
  pump(*p.c, *p.s);
  CHECK(p.c->state() == ConnState::closed);
  CHECK(p.s->state() == ConnState::closed);
  CHECK(p.c->write(data(1, 1)).alert == Alert::internal_error);
}

// The receive buffer: whole records are opened straight from the fed bytes,
// partial ones assembled and opened in place; unread data stays readable
// (and in order) while more records arrive, whole or in pieces, with or
// without partial reads in between; preallocated connections take one
// record at a time.
TEST_CASE("connection: receive buffer with whole and partial records, unread data", "[tls][connection][records]") {
  for (bool prealloc : {false, true}) {
    for (std::size_t slice : {1u, 7u, 1000u, 5003u, 16405u, 0u}) {
      for (std::size_t chunk : {0u, 3u, 4096u}) {  // bytes read after each feed (0: read only at the end)
        Pair p;
        p.scfg.credentials.push_back(make_credential(0x0807));
        p.ccfg.preallocate = p.scfg.preallocate = prealloc;
        if (prealloc) p.ccfg.record_size_limit = p.scfg.record_size_limit = 1024;
        p.start();
        p.run();
        REQUIRE(p.s->state() == ConnState::open);
        Vec all;
        for (std::size_t n : {10u, 5000u, 16384u, 1u, 300u, 0u, 2000u}) {
          const Vec d = data(n, static_cast<std::uint8_t>(n));
          REQUIRE(!p.c->write(d));
          all.insert(all.end(), d.begin(), d.end());
        }
        const Vec wire(p.c->pending_output().begin(), p.c->pending_output().end());
        p.c->consume_output(wire.size());
        Vec got(all.size() + 1);
        std::size_t off = 0, n = 0;
        for (int round = 0; round < 100000 && (off < wire.size() || p.s->readable()); ++round) {
          if (off < wire.size()) {
            const std::size_t k = slice ? std::min(slice, wire.size() - off) : wire.size() - off;
            off += p.s->feed(Bytes(wire.data() + off, k));
          }
          REQUIRE(p.s->state() == ConnState::open);
          // Preallocated connections stop at unread data: read then.
          const std::size_t want = chunk ? chunk : (prealloc || off == wire.size() ? got.size() - n : 0);
          n += p.s->read(std::span<std::uint8_t>(got.data() + n, std::min(want, got.size() - n)));
        }
        INFO("preallocate " << prealloc << ", slice " << slice << ", chunk " << chunk);
        CHECK(off == wire.size());
        got.resize(n);
        CHECK(got == all);
      }
    }
  }
}

// ---- negative cases -----------------------------------------------------------------

namespace {
// Runs the handshake until the server's first flight is produced, returning
// the pair with the server flight pending.
void to_server_flight(Pair& p) {
  p.scfg.credentials.push_back(make_credential(0x0807));
  p.start();
  auto ch = p.c->pending_output();
  REQUIRE(p.s->feed(ch) == ch.size());
  p.c->consume_output(ch.size());
}
}  // namespace

TEST_CASE("connection: record-level errors", "[tls][connection][negative]") {
  SECTION("oversized plaintext record") {
    Pair p;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    Vec rec = {22, 3, 3, 0x40, 0x01};
    rec.resize(5 + 0x4001, 0);
    p.s->feed(rec);
    CHECK(p.s->alert() == Alert::record_overflow);
  }
  SECTION("ciphertext length over 2^14+256") {
    Pair p;
    to_server_flight(p);
    Vec rec = {23, 3, 3, 0x41, 0x01};
    p.c->feed(rec);
    CHECK(p.c->alert() == Alert::record_overflow);
    CHECK(p.c->state() == ConnState::failed);
  }
  SECTION("unknown content type") {
    Pair p;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    Vec rec = {99, 3, 3, 0, 1, 0};
    p.s->feed(rec);
    CHECK(p.s->alert() == Alert::unexpected_message);
  }
  SECTION("application data before the handshake") {
    Pair p;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    Vec rec = {23, 3, 3, 0, 1, 0};
    p.s->feed(rec);
    CHECK(p.s->alert() == Alert::unexpected_message);
  }
  SECTION("change_cipher_spec before ClientHello, and a bad CCS value") {
    Pair p;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    Vec ccs = {20, 3, 3, 0, 1, 1};
    p.s->feed(ccs);
    CHECK(p.s->alert() == Alert::unexpected_message);
    Pair q;
    to_server_flight(q);
    Vec bad = {20, 3, 3, 0, 1, 2};
    q.c->feed(bad);
    CHECK(q.c->alert() == Alert::unexpected_message);
  }
  SECTION("CCS in the allowed window is dropped") {
    Pair p;
    to_server_flight(p);
    Vec ccs = {20, 3, 3, 0, 1, 1};
    p.c->feed(ccs);
    CHECK(p.c->state() == ConnState::handshaking);
    p.run();
    CHECK(p.c->state() == ConnState::open);
  }
  SECTION("tampered encrypted record -> bad_record_mac") {
    Pair p;
    to_server_flight(p);
    Vec flight(p.s->pending_output().begin(), p.s->pending_output().end());
    flight[flight.size() - 3] ^= 0x80;
    p.c->feed(flight);
    CHECK(p.c->alert() == Alert::bad_record_mac);
  }
  SECTION("truncated record stays pending, no crash") {
    Pair p;
    to_server_flight(p);
    auto flight = p.s->pending_output();
    CHECK(p.c->feed(flight.first(flight.size() - 1)) == flight.size() - 1);
    CHECK(p.c->state() == ConnState::handshaking);
  }
  SECTION("empty handshake record") {
    Pair p;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    Vec rec = {22, 3, 3, 0, 0};
    p.s->feed(rec);
    CHECK(p.s->alert() == Alert::decode_error);
  }
  SECTION("alert interleaved in a fragmented handshake message") {
    Pair p;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    auto ch = p.c->pending_output();
    // First 10 bytes of the ClientHello in one record, then an alert record.
    Vec part = record(22, 1, Vec(ch.begin() + 5, ch.begin() + 15));
    Vec alert = {21, 3, 3, 0, 2, 1, 0};
    p.s->feed(part);
    p.s->feed(alert);
    CHECK(p.s->alert() == Alert::unexpected_message);
  }
}

TEST_CASE("connection: handshake-level errors", "[tls][connection][negative]") {
  SECTION("message out of order: Finished instead of ClientHello") {
    Pair p;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    Vec rec = {22, 3, 3, 0, 8, 20, 0, 0, 4, 1, 2, 3, 4};
    p.s->feed(rec);
    CHECK(p.s->alert() == Alert::unexpected_message);
  }
  SECTION("duplicated ClientHello in one record") {
    Pair p;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    auto ch = p.c->pending_output();
    Vec body(ch.begin() + 5, ch.end()), two = body;
    two.resize(2 * body.size());
    std::memcpy(two.data() + body.size(), body.data(), body.size());
    Vec rec = record(22, 1, two);
    p.s->feed(rec);
    // The first ClientHello changes keys, so more data in its record is refused.
    CHECK(p.s->alert() == Alert::unexpected_message);
  }
  SECTION("duplicate extension in ClientHello") {
    Pair p;
    TestHooks hooks;
    hooks.edit_client_hello = [](ClientHelloOut& o) { o.exts.push_back(o.exts[0]); };
    p.ccfg.hooks = &hooks;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    p.run();
    CHECK(p.s->alert() == Alert::illegal_parameter);
    CHECK(p.c->alert() == Alert::illegal_parameter);
  }
  SECTION("no TLS 1.3 in supported_versions -> protocol_version") {
    Pair p;
    TestHooks hooks;
    hooks.edit_client_hello = [](ClientHelloOut& o) {
      for (auto& e : o.exts)
        if (e.type == ext::supported_versions) e.data = {2, 3, 3};
    };
    p.ccfg.hooks = &hooks;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    p.run();
    CHECK(p.s->alert() == Alert::protocol_version);
  }
  SECTION("missing signature_algorithms -> missing_extension") {
    Pair p;
    TestHooks hooks;
    hooks.edit_client_hello = [](ClientHelloOut& o) {
      std::erase_if(o.exts, [](const OutExtension& e) { return e.type == ext::signature_algorithms; });
    };
    p.ccfg.hooks = &hooks;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    p.run();
    CHECK(p.s->alert() == Alert::missing_extension);
  }
  SECTION("no common cipher suite -> handshake_failure") {
    Pair p;
    p.ccfg.cipher_suites = {0x1303};
    p.scfg.cipher_suites = {0x1301};
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    p.run();
    CHECK(p.s->alert() == Alert::handshake_failure);
  }
  SECTION("bad Finished from the server -> decrypt_error") {
    // A server whose Finished is computed over a different transcript: edit
    // its EncryptedExtensions after the fact is not possible, so corrupt the
    // CertificateVerify signature instead and check the client's alert.
    Pair p;
    TestHooks hooks;
    hooks.edit_signature = [](tls::ByteVector& sig) { sig[5] ^= 1; };
    p.scfg.hooks = &hooks;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    p.run();
    CHECK(p.c->alert() == Alert::decrypt_error);
    CHECK(std::string(p.c->error()).find("CertificateVerify") != std::string::npos);
    CHECK(p.s->alert_received());
  }
  SECTION("certificate rejected by the verifier") {
    for (Alert a : {Alert::unknown_ca, Alert::certificate_expired, Alert::bad_certificate}) {
      Pair p;
      p.verifier.reject = a;
      p.scfg.credentials.push_back(make_credential(0x0403));
      p.start();
      p.run();
      CHECK(p.c->alert() == a);
      CHECK(p.s->alert() == a);
    }
  }
  SECTION("wrong host name (stub verifier checks the name it is given)") {
    Pair p;
    p.verifier.expect_host = "other.test";
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    p.run();
    CHECK(p.c->alert() == Alert::bad_certificate);
  }
  SECTION("bad Finished -> decrypt_error, both directions") {
    for (bool bad_server : {true, false}) {
      Pair p;
      TestHooks hooks;
      hooks.edit_finished = [](tls::ByteVector& vd) { vd[0] ^= 1; };
      (bad_server ? p.scfg : p.ccfg).hooks = &hooks;
      p.scfg.credentials.push_back(make_credential(0x0807));
      p.start();
      p.run();
      Connection& victim = bad_server ? *p.c : *p.s;
      CHECK(victim.alert() == Alert::decrypt_error);
      CHECK(std::string(victim.error()) == "Finished does not verify");
      CHECK(victim.state() == ConnState::failed);
    }
  }
  SECTION("wrong-length Finished -> decode_error") {
    Pair p;
    TestHooks hooks;
    hooks.edit_finished = [](tls::ByteVector& vd) { vd.pop_back(); };
    p.scfg.hooks = &hooks;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    p.run();
    CHECK(p.c->alert() == Alert::decode_error);
  }
  SECTION("tampered client Finished record -> bad_record_mac") {
    Pair p;
    to_server_flight(p);
    auto flight = p.s->pending_output();
    REQUIRE(p.c->feed(flight) == flight.size());
    p.s->consume_output(flight.size());
    REQUIRE(p.c->state() == ConnState::open);
    Vec fin(p.c->pending_output().begin(), p.c->pending_output().end());
    fin[fin.size() - 20] ^= 1;
    p.s->feed(fin);
    CHECK(p.s->alert() == Alert::bad_record_mac);
  }
  SECTION("after a fatal error the connection stays failed") {
    Pair p;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    Vec junk = {99, 3, 3, 0, 1, 0};
    p.s->feed(junk);
    REQUIRE(p.s->state() == ConnState::failed);
    auto ch = p.c->pending_output();
    CHECK(p.s->feed(ch) == 0);
    CHECK(p.s->state() == ConnState::failed);
    CHECK(p.s->alert() == Alert::unexpected_message);
  }
}

TEST_CASE("connection: downgrade sentinel and ServerHello checks", "[tls][connection][negative]") {
  auto server_hello_record = [](const std::string& random_hex, const std::string& exts_hex,
                                const std::string& sid_hex) {
    Vec body = test::hex("0303" + random_hex + sid_hex + "130100" + exts_hex);
    Vec msg(4 + body.size());
    msg[0] = 2, msg[2] = static_cast<std::uint8_t>(body.size() >> 8), msg[3] = static_cast<std::uint8_t>(body.size());
    std::memcpy(msg.data() + 4, body.data(), body.size());
    return record(22, 3, msg);
  };
  const std::string rnd12 = std::string(48, 'a') + "444f574e47524401";
  const std::string rnd11 = std::string(48, 'a') + "444f574e47524400";
  for (const auto& r : {rnd12, rnd11}) {
    Pair p;
    p.ccfg.middlebox_compat = false;
    p.start();
    p.c->consume_output(p.c->pending_output().size());
    p.c->feed(server_hello_record(r, "0000", "00"));
    CHECK(p.c->alert() == Alert::illegal_parameter);
  }
  {
    Pair p;  // TLS 1.2 ServerHello without the sentinel
    p.ccfg.middlebox_compat = false;
    p.start();
    p.c->consume_output(p.c->pending_output().size());
    p.c->feed(server_hello_record(std::string(64, 'b'), "0000", "00"));
    CHECK(p.c->alert() == Alert::protocol_version);
  }
  {
    Pair p;  // wrong session id echo
    p.ccfg.middlebox_compat = false;
    p.start();
    p.c->consume_output(p.c->pending_output().size());
    p.c->feed(server_hello_record(std::string(64, 'b'), "0006002b00020304", "0101"));
    CHECK(p.c->alert() == Alert::illegal_parameter);
  }
  {
    Pair p;  // unsolicited extension (cookie is HRR-only -> illegal; unknown -> unsupported)
    p.ccfg.middlebox_compat = false;
    p.start();
    p.c->consume_output(p.c->pending_output().size());
    p.c->feed(server_hello_record(std::string(64, 'b'), "000a002b00020304fafa0000", "00"));
    CHECK(p.c->alert() == Alert::unsupported_extension);
  }
  {
    Pair p;  // key_share missing
    p.ccfg.middlebox_compat = false;
    p.start();
    p.c->consume_output(p.c->pending_output().size());
    p.c->feed(server_hello_record(std::string(64, 'b'), "0006002b00020304", "00"));
    CHECK(p.c->alert() == Alert::missing_extension);
  }
}

TEST_CASE("connection: random and mutated input never crashes or hangs", "[tls][connection][fuzz]") {
  test::Rng rng(2026);
  std::size_t runs = 0;
  for (int iter = 0; iter < 300; ++iter) {
    Pair p;
    p.scfg.credentials.push_back(make_credential(0x0807));
    p.start();
    // Feed the server a (possibly mutated) ClientHello, or random bytes.
    Vec in;
    auto ch = p.c->pending_output();
    if (iter % 3 == 0) {
      in = rng.bytes(1 + rng.below(400));
    } else {
      in.assign(ch.begin(), ch.end());
      for (int k = 0, m = 1 + static_cast<int>(rng.below(4)); k < m; ++k) in[rng.below(in.size())] ^= static_cast<std::uint8_t>(1 + rng.below(255));
    }
    p.s->feed(in);
    CHECK(p.s->state() != ConnState::open);
    // And the client a mutated server flight.
    Pair q;
    to_server_flight(q);
    Vec flight(q.s->pending_output().begin(), q.s->pending_output().end());
    if (iter % 2) {
      for (int k = 0; k < 3; ++k) flight[rng.below(flight.size())] ^= static_cast<std::uint8_t>(1 + rng.below(255));
    } else {
      flight.resize(rng.below(flight.size()));
    }
    q.c->feed(flight);
    CHECK(q.c->state() != ConnState::open);
    ++runs;
  }
  test::report("tls mutation runs", "-", runs);
}

// The ClientHello is written straight into the message; with an
// edit_client_hello hook it is re-serialized from a list of extensions
// (write_client_hello). An identity hook must give the same bytes.
TEST_CASE("connection: ClientHello direct writer matches the extension-list serializer", "[tls][connection][codec]") {
  struct Variant {
    const char* name;
    void (*set)(Config&);
  };
  const Variant variants[] = {
      {"defaults", [](Config&) {}},
      {"sni + alpn + rsl", [](Config& c) {
         c.server_name = "example.test";
         c.alpn = {"h2", "http/1.1"};
         c.record_size_limit = 2048;
       }},
      {"two shares, no compat, no sigalgs_cert", [](Config& c) {
         c.key_shares = 2;
         c.middlebox_compat = false;
         c.signature_schemes_cert.clear();
       }},
  };
  for (const auto& v : variants) {
    INFO(v.name);
    Vec flights[2];
    for (int hooked = 0; hooked < 2; ++hooked) {
      ScriptedRandom rng;
      StubVerifier verifier;
      TestHooks hooks;
      hooks.edit_client_hello = [](ClientHelloOut&) {};
      Config cfg;
      cfg.rng = &rng;
      cfg.verifier = &verifier;
      if (hooked) cfg.hooks = &hooks;
      v.set(cfg);
      Connection c(Role::client, cfg);
      auto out = c.pending_output();
      flights[hooked].assign(out.begin(), out.end());
    }
    CHECK(!flights[0].empty());
    CHECK(test::to_hex(flights[0]) == test::to_hex(flights[1]));
  }
}
