// Session tickets, PSK resumption and 0-RTT between our client and our
// server in memory: every suite, psk_ke, ticket expiry, key rotation and a
// ticket from another server key (full handshake), one-time use, bad
// binder, 0-RTT accepted / rejected / replayed / after HRR.
#include <catch2/catch.hpp>

#include "tests/tls/tls_fixtures.hpp"

using namespace tern;
using namespace tern::tls;
using namespace tern::tlstest;

// TERN_NO_TLS_RESUMPTION (tls/types.hpp): nothing to test.
#if !defined(TERN_NO_TLS_RESUMPTION)
namespace {
Vec bytes_of(const char* s) { return Vec(s, s + std::strlen(s)); }

struct RPair {
  StubVerifier verifier;
  TestRandom crng{21}, srng{22};
  Config ccfg, scfg;
  TicketKeyRing ring;
  MemorySessionStore store;
  AntiReplay replay;
  std::uint64_t t = 1800000000;
  std::unique_ptr<Connection> c, s;
  RPair() {
    ccfg.rng = &crng;
    ccfg.verifier = &verifier;
    ccfg.server_name = "example.test";
    ccfg.session_store = &store;
    ccfg.now = [this] { return t; };
    scfg.rng = &srng;
    scfg.now = [this] { return t; };
    scfg.credentials.push_back(make_credential(0x0807));
    (void)ring.rotate(srng);
    scfg.ticket_keys = &ring;
  }
  void start() {
    c = std::make_unique<Connection>(Role::client, ccfg);
    s = std::make_unique<Connection>(Role::server, scfg);
  }
  void run() { pump(*c, *s, 0, 400); }
  void full() {
    start();
    run();
    REQUIRE(c->state() == ConnState::open);
    REQUIRE(s->state() == ConnState::open);
  }
};
}  // namespace

TEST_CASE("resumption: every suite, one-time tickets, exporters", "[tls][resume]") {
  int n = 0;
  for (std::uint16_t suite : {0x1301, 0x1302, 0x1303}) {
    INFO("suite " << suite);
    RPair p;
    p.ccfg.cipher_suites = {suite};
    p.scfg.tickets_to_send = 2;
    p.full();
    CHECK(!p.c->resumed());
    CHECK(p.s->tickets() == 2);
    CHECK(p.c->tickets() == 2);
    CHECK(p.store.size() == 2);
    REQUIRE(p.c->last_session());
    CHECK(p.c->last_session()->cipher_suite == suite);
    const int calls = p.verifier.calls;
    p.t += 60;
    p.start();
    p.run();
    INFO(p.c->error() << " / " << p.s->error());
    REQUIRE(p.c->state() == ConnState::open);
    REQUIRE(p.s->state() == ConnState::open);
    CHECK(p.c->resumed());
    CHECK(p.s->resumed());
    CHECK(p.verifier.calls == calls);  // no certificate in a PSK handshake
    CHECK(p.store.size() == 1 + 2);    // one ticket taken (one-time use), two new ones
    std::uint8_t e1[32], e2[32];
    REQUIRE(p.c->export_keying_material(e1, "EXPORTER-test", {}) == Status::ok);
    REQUIRE(p.s->export_keying_material(e2, "EXPORTER-test", {}) == Status::ok);
    CHECK(std::memcmp(e1, e2, 32) == 0);
    REQUIRE(!p.c->write(bytes_of("ping")));
    pump(*p.c, *p.s);
    CHECK(p.s->readable() == 4);
    ++n;
  }
  test::report("tls resumptions", "-", static_cast<std::size_t>(n));
}

TEST_CASE("resumption: psk_ke, serialized sessions, explicit offer", "[tls][resume]") {
  RPair p;
  p.full();
  REQUIRE(p.c->last_session());
  // A session survives serialize/deserialize.
  Session s2;
  auto blob = p.c->last_session()->serialize();
  REQUIRE(Session::deserialize(blob, s2) == Status::ok);
  CHECK(s2.ticket == p.c->last_session()->ticket);
  blob.pop_back();
  Session s3;
  CHECK(Session::deserialize(blob, s3) != Status::ok);
  // psk_ke on both sides and a client that offers only psk_ke.
  p.ccfg.allow_psk_ke = p.scfg.allow_psk_ke = true;
  p.ccfg.session_store = nullptr;
  TestHooks hooks;
  hooks.edit_client_hello = [](ClientHelloOut& ch) {
    for (auto& e : ch.exts)
      if (e.type == ext::psk_key_exchange_modes) e.data = {1, 0};  // psk_ke only
  };
  p.ccfg.hooks = &hooks;
  p.start();
  REQUIRE(!p.c->offer_session(s2));
  p.run();
  INFO(p.c->error() << " / " << p.s->error());
  REQUIRE(p.c->state() == ConnState::open);
  CHECK(p.c->resumed());
  CHECK(p.s->resumed());
  CHECK(p.c->group() == 0);  // no (EC)DHE
  // Without allow_psk_ke on the server the PSK is ignored: full handshake.
  p.scfg.allow_psk_ke = false;
  p.start();
  REQUIRE(!p.c->offer_session(s2));
  p.run();
  REQUIRE(p.c->state() == ConnState::open);
  CHECK(!p.c->resumed());
  // offer_session after the first flight is refused.
  CHECK(p.c->offer_session(s2).alert == Alert::internal_error);
}

TEST_CASE("resumption: expiry, rotation, other server key -> full handshake", "[tls][resume]") {
  SECTION("ticket expired on the client: not offered") {
    RPair p;
    p.scfg.ticket_lifetime = 100;
    p.full();
    p.t += 101;
    p.start();
    p.run();
    REQUIRE(p.c->state() == ConnState::open);
    CHECK(!p.c->resumed());
  }
  SECTION("ticket expired on the server (client clock behind): full handshake") {
    RPair p;
    p.scfg.ticket_lifetime = 100;
    p.full();
    std::uint64_t server_t = p.t + 500;
    p.scfg.now = [&] { return server_t; };
    p.start();
    p.run();
    REQUIRE(p.c->state() == ConnState::open);
    CHECK(!p.c->resumed());
  }
  SECTION("one rotation: previous key still opens; two: it does not") {
    RPair p;
    p.scfg.tickets_to_send = 2;
    p.full();
    REQUIRE(p.ring.rotate(p.srng) == Status::ok);
    p.start();
    p.run();
    CHECK(p.c->resumed());
    REQUIRE(p.ring.rotate(p.srng) == Status::ok);
    REQUIRE(p.ring.rotate(p.srng) == Status::ok);
    Session old;
    // The remaining first-connection ticket is two rotations old.
    p.ccfg.session_store = nullptr;
    REQUIRE(p.store.take("example.test", p.t * 1000, old));
    p.start();
    REQUIRE(!p.c->offer_session(old));
    p.run();
    REQUIRE(p.c->state() == ConnState::open);
    CHECK(!p.c->resumed());
  }
  SECTION("ticket from another server's key") {
    RPair p;
    p.full();
    TicketKeyRing other;
    REQUIRE(other.rotate(p.srng) == Status::ok);
    p.scfg.ticket_keys = &other;
    p.start();
    p.run();
    REQUIRE(p.c->state() == ConnState::open);
    CHECK(!p.c->resumed());
    CHECK(p.c->tickets() == 1);  // and a fresh ticket under the new key
  }
  SECTION("a tampered ticket is ignored") {
    RPair p;
    p.full();
    Session s;
    p.ccfg.session_store = nullptr;
    REQUIRE(p.store.take("example.test", p.t * 1000, s));
    s.ticket[30] ^= 1;
    p.start();
    REQUIRE(!p.c->offer_session(s));
    p.run();
    REQUIRE(p.c->state() == ConnState::open);
    CHECK(!p.c->resumed());
  }
}

TEST_CASE("resumption: bad binder -> decrypt_error", "[tls][resume][negative]") {
  RPair p;
  p.full();
  TestHooks hooks;
  hooks.edit_binder = [](tls::ByteVector& b) { b[0] ^= 0x80; };
  p.ccfg.hooks = &hooks;
  p.start();
  p.run();
  CHECK(p.s->alert() == Alert::decrypt_error);
  CHECK(p.c->alert() == Alert::decrypt_error);
  CHECK(p.c->alert_received());
  CHECK(p.s->state() == ConnState::failed);
}

TEST_CASE("0-RTT: accepted, rejected, replayed, after HRR", "[tls][resume][0rtt]") {
  const Vec early = bytes_of("GET / HTTP/1.1\r\n\r\n");
  auto enable = [](RPair& p) {
    p.scfg.max_early_data = 4096;
    p.scfg.anti_replay = &p.replay;
    p.ccfg.enable_early_data = true;
  };
  SECTION("accepted") {
    RPair p;
    enable(p);
    p.full();
    REQUIRE(p.c->last_session());
    CHECK(p.c->last_session()->max_early_data == 4096);
    p.t += 2;
    p.start();
    REQUIRE(!p.c->write_early(early));
    CHECK(p.c->early_data() == EarlyData::offered);
    std::uint8_t x1[16], x2[16];
    REQUIRE(p.c->export_early_keying_material(x1, "EXPORTER-early", {}) == Status::ok);
    // The server reads the early data before the handshake completes.
    auto out = p.c->pending_output();
    REQUIRE(p.s->feed(out) == out.size());
    p.c->consume_output(out.size());
    CHECK(p.s->state() == ConnState::handshaking);
    REQUIRE(p.s->readable() == early.size());
    REQUIRE(p.s->export_early_keying_material(x2, "EXPORTER-early", {}) == Status::ok);
    CHECK(std::memcmp(x1, x2, 16) == 0);
    Vec got(early.size());
    p.s->read(got);
    CHECK(got == early);
    p.run();
    INFO(p.c->error() << " / " << p.s->error());
    REQUIRE(p.c->state() == ConnState::open);
    REQUIRE(p.s->state() == ConnState::open);
    CHECK(p.c->early_data() == EarlyData::accepted);
    CHECK(p.s->early_data() == EarlyData::accepted);
    // Over the limit: refused locally.
    RPair q;
    enable(q);
    q.scfg.max_early_data = 16;
    q.full();
    q.start();
    CHECK(q.c->write_early(early).alert == Alert::internal_error);
  }
  SECTION("rejected: the server skips it, the client learns it") {
    RPair p;
    enable(p);
    p.full();
    p.scfg.max_early_data = 0;  // 0-RTT switched off since the ticket was issued
    p.start();
    REQUIRE(!p.c->write_early(early));
    REQUIRE(!p.c->write_early(Vec(3000, 7)));
    p.run();
    INFO(p.c->error() << " / " << p.s->error());
    REQUIRE(p.c->state() == ConnState::open);
    REQUIRE(p.s->state() == ConnState::open);
    CHECK(p.c->resumed());
    CHECK(p.c->early_data() == EarlyData::rejected);
    CHECK(p.s->early_data() == EarlyData::rejected);
    CHECK(p.s->readable() == 0);
    REQUIRE(!p.c->write(early));  // resent as 1-RTT data
    pump(*p.c, *p.s);
    CHECK(p.s->readable() == early.size());
  }
  SECTION("replayed ClientHello + early data: accepted once") {
    RPair p;
    enable(p);
    p.full();
    p.start();
    REQUIRE(!p.c->write_early(early));
    Vec flight(p.c->pending_output().begin(), p.c->pending_output().end());
    p.run();
    REQUIRE(p.s->state() == ConnState::open);
    CHECK(p.s->early_data() == EarlyData::accepted);
    // An attacker replays the first flight to a second server instance
    // sharing the ticket keys and the anti-replay cache.
    Connection s2(Role::server, p.scfg);
    CHECK(s2.feed(flight) == flight.size());
    CHECK(s2.state() == ConnState::handshaking);
    CHECK(s2.early_data() == EarlyData::rejected);
    CHECK(s2.readable() == 0);
    CHECK(p.replay.size() == 1);
  }
  SECTION("outside the replay window: rejected") {
    RPair p;
    enable(p);
    p.full();
    std::uint64_t client_t = p.t + 100;  // client clock 100 s ahead of the server's idea of the age
    p.ccfg.now = [&] { return client_t; };
    p.t += 20;
    p.start();
    REQUIRE(!p.c->write_early(early));
    p.run();
    REQUIRE(p.c->state() == ConnState::open);
    CHECK(p.c->early_data() == EarlyData::rejected);
  }
  SECTION("after a HelloRetryRequest: rejected, handshake resumed") {
    RPair p;
    enable(p);
    p.full();
    p.ccfg.groups = {0x001d, 0x0017};
    p.scfg.groups = {0x0017};
    p.start();
    REQUIRE(!p.c->write_early(early));
    p.run();
    INFO(p.c->error() << " / " << p.s->error());
    REQUIRE(p.c->state() == ConnState::open);
    CHECK(p.c->hello_retry());
    CHECK(p.c->resumed());
    CHECK(p.c->early_data() == EarlyData::rejected);
    CHECK(p.s->readable() == 0);
  }
  SECTION("too much early data for the server -> unexpected_message") {
    RPair p;
    enable(p);
    p.full();
    TestHooks hooks;  // the client believes the ticket allows 4096 bytes, the server now 100
    p.scfg.max_early_data = 100;
    p.start();
    REQUIRE(!p.c->write_early(Vec(200, 1)));
    p.run();
    CHECK(p.s->alert() == Alert::unexpected_message);
  }
}

TEST_CASE("resumption/0-RTT/mTLS flights mutated: no crash, no hang, failures stick", "[tls][resume][fuzz]") {
  // Record the flights of a resumed 0-RTT handshake, then replay them with
  // random byte flips / truncations into fresh connections.
  RPair p;
  p.scfg.max_early_data = 1024;
  p.scfg.anti_replay = &p.replay;
  p.ccfg.enable_early_data = true;
  p.full();
  REQUIRE(p.c->last_session());
  const Session sess = *p.c->last_session();
  TestRandom mut(99);
  int runs = 0;
  for (int i = 0; i < 300; ++i) {
    AntiReplay fresh;
    p.scfg.anti_replay = &fresh;
    p.ccfg.session_store = nullptr;
    p.start();
    REQUIRE(!p.c->offer_session(sess));
    REQUIRE(!p.c->write_early(Vec(100, 5)));
    Vec cflight(p.c->pending_output().begin(), p.c->pending_output().end());
    p.c->consume_output(cflight.size());
    std::uint8_t r[4];
    (void)mut.fill(r);
    Vec m = cflight;
    const int mode = r[0] % 3;
    if (mode == 0) {
      m[r[1] % m.size()] ^= static_cast<std::uint8_t>(1u << (r[2] % 8));
    } else if (mode == 1) {
      m.resize(r[1] % m.size());
    } else {
      m[(r[1] * 7u + r[2]) % m.size()] = r[3];
      m[(r[2] * 13u) % m.size()] ^= 0xff;
    }
    p.s->feed(m);
    // Whatever happened, the server's answer goes to the client (which may fail).
    auto out = p.s->pending_output();
    p.c->feed(out);
    if (p.s->state() == ConnState::failed) {
      CHECK(p.s->alert() != Alert::none);
      CHECK(p.s->feed(cflight) == 0);  // stays failed
    }
    ++runs;
  }
  test::report("tls resumption mutation runs", "-", static_cast<std::size_t>(runs));
}
#endif  // TERN_NO_TLS_RESUMPTION
