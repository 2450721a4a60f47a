// KeyUpdate (both directions, update_requested, automatic every N records
// or bytes, in the middle of a record), record_size_limit 64..16385, and
// an established connection that never allocates (allocations counted).
// GCC 12 warns falsely about Config's default vectors once operator new is
// replaced in the same translation unit.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// ... and (armhf) about free() on memory from the replaced operator new,
// which is exactly the pairing this file defines.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <new>

#include "tests/tls/tls_fixtures.hpp"

// Counting global allocation functions (this test binary only). Not under
// AddressSanitizer, whose allocator must see every new/delete pair.
#if defined(__SANITIZE_ADDRESS__)
#define TERN_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TERN_TEST_ASAN 1
#endif
#endif
static std::atomic<long> g_allocs{0};
#if !defined(TERN_TEST_ASAN)
void* operator new(std::size_t n) {
  ++g_allocs;
  void* p = std::malloc(n ? n : 1);
  if (!p) std::abort();
  return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void* operator new(std::size_t n, std::align_val_t al) {
  ++g_allocs;
  const std::size_t a = static_cast<std::size_t>(al);
  void* p = std::aligned_alloc(a, (n + a - 1) / a * a);
  if (!p) std::abort();
  return p;
}
void* operator new[](std::size_t n, std::align_val_t al) { return operator new(n, al); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
#endif  // !TERN_TEST_ASAN

using namespace tern;
using namespace tern::tls;
using namespace tern::tlstest;

namespace {
struct KPair {
  StubVerifier verifier;
  TestRandom crng{31}, srng{32};
  Config ccfg, scfg;
  std::unique_ptr<Connection> c, s;
  KPair() {
    ccfg.rng = &crng;
    ccfg.verifier = &verifier;
    ccfg.server_name = "example.test";
    scfg.rng = &srng;
    scfg.credentials.push_back(make_credential(0x0807));
  }
  void start() {
    c = std::make_unique<Connection>(Role::client, ccfg);
    s = std::make_unique<Connection>(Role::server, scfg);
    pump(*c, *s, 0, 400);
    REQUIRE(c->state() == ConnState::open);
    REQUIRE(s->state() == ConnState::open);
  }
};

// Sends `total` bytes from -> to in `chunk` writes, reading as it goes;
// checks the content.
void stream(Connection& from, Connection& to, std::size_t total, std::size_t chunk) {
  Vec buf(chunk), got(64 * 1024);
  std::size_t sent = 0, recv = 0;
  std::uint8_t expect = 0;
  while (recv < total) {
    if (sent < total && from.pending_output().size() < 256 * 1024) {
      std::size_t n = std::min(chunk, total - sent);
      for (std::size_t i = 0; i < n; ++i) buf[i] = static_cast<std::uint8_t>(sent + i);
      REQUIRE(!from.write(Bytes(buf.data(), n)));
      sent += n;
    }
    auto out = from.pending_output();
    std::size_t used = to.feed(out);
    from.consume_output(used);
    REQUIRE(to.state() != ConnState::failed);
    std::size_t k;
    while ((k = to.read(got)) > 0) {
      for (std::size_t i = 0; i < k; ++i, ++expect)
        if (got[i] != expect) FAIL("data mismatch at " << recv + i);
      recv += k;
    }
    // Answers (KeyUpdate responses) flow back.
    auto back = to.pending_output();
    if (!back.empty()) {
      from.feed(back);
      to.consume_output(back.size());
    }
  }
}
}  // namespace

TEST_CASE("KeyUpdate: both directions, update_requested, counters", "[tls][keyupdate]") {
  KPair p;
  p.start();
  REQUIRE(!p.c->key_update(false));
  pump(*p.c, *p.s);
  CHECK(p.c->key_updates_sent() == 1);
  CHECK(p.s->key_updates_received() == 1);
  CHECK(p.s->key_updates_sent() == 0);  // not requested: no answer
  REQUIRE(!p.s->key_update(true));
  pump(*p.c, *p.s);
  CHECK(p.c->key_updates_received() == 1);
  CHECK(p.c->key_updates_sent() == 2);  // answered the request
  CHECK(p.s->key_updates_received() == 2);
  stream(*p.c, *p.s, 50000, 7000);
  stream(*p.s, *p.c, 50000, 7000);
}

TEST_CASE("KeyUpdate: automatically every N records / bytes", "[tls][keyupdate]") {
  // A scaled-down version of the 100 MiB run (suite 'slow', test_tls_slow.cpp).
  KPair p;
  p.ccfg.rekey_after_records = 64;
  p.scfg.rekey_after_bytes = 256 * 1024;
  p.start();
  const std::size_t total = 4u << 20;
  stream(*p.c, *p.s, total, 16384);
  CHECK(p.c->key_updates_sent() == total / 16384 / 64 - (total / 16384 % 64 == 0 ? 1 : 0));
  CHECK(p.s->key_updates_received() == p.c->key_updates_sent());
  stream(*p.s, *p.c, total, 16384);
  CHECK(p.s->key_updates_sent() == total / (256 * 1024) - 1);
  CHECK(p.c->key_updates_received() == p.s->key_updates_sent());
}

TEST_CASE("KeyUpdate in the middle of a record -> unexpected_message", "[tls][keyupdate][negative]") {
  KPair p;
  TestHooks hooks;
  hooks.edit_key_update = [](tls::ByteVector& msg) {
    // A second KeyUpdate in the same record after the first.
    const std::vector<std::uint8_t> again(msg.begin(), msg.end());
    msg.insert(msg.end(), again.begin(), again.end());
  };
  p.ccfg.hooks = &hooks;
  p.start();
  REQUIRE(!p.c->key_update(false));
  pump(*p.c, *p.s);
  CHECK(p.s->alert() == Alert::unexpected_message);
  CHECK(p.s->state() == ConnState::failed);
  // Fatal errors stick.
  CHECK(p.s->write(Vec(1, 1)));
  Vec junk(50, 0x17);
  CHECK(p.s->feed(junk) == 0);
  CHECK(p.s->state() == ConnState::failed);
}

TEST_CASE("KeyUpdate before the handshake / bad value", "[tls][keyupdate][negative]") {
  KPair p;
  p.c = std::make_unique<Connection>(Role::client, p.ccfg);
  CHECK(p.c->key_update(false).alert == Alert::internal_error);
  TestHooks hooks;
  hooks.edit_key_update = [](tls::ByteVector& msg) { msg.back() = 2; };
  p.ccfg.hooks = &hooks;
  p.start();
  REQUIRE(!p.c->key_update(false));
  pump(*p.c, *p.s);
  CHECK(p.s->alert() == Alert::illegal_parameter);
}

TEST_CASE("record_size_limit: 64..16385 both ways", "[tls][rsl]") {
  int n = 0;
  for (std::uint16_t cl : {0, 64, 100, 513, 1024, 16384, 16385})
    for (std::uint16_t sl : {0, 64, 1000, 16385}) {
      INFO("client limit " << cl << " server limit " << sl);
      KPair p;
      p.ccfg.record_size_limit = cl;
      p.scfg.record_size_limit = sl;
      p.start();
      // The server answers only when the client offered.
      CHECK(p.s->peer_record_size_limit() == cl);
      CHECK(p.c->peer_record_size_limit() == (cl ? (sl ? sl : 16385) : 0));
      const std::size_t c_frag = p.c->max_fragment(), s_frag = p.s->max_fragment();
      CHECK(s_frag == (cl ? std::min<std::size_t>(cl - 1, 16384) : 16384));
      // Record sizes on the wire respect the limits.
      REQUIRE(!p.c->write(Vec(40000, 3)));
      auto out = p.c->pending_output();
      for (std::size_t off = 0; off < out.size();) {
        std::size_t len = (std::size_t{out[off + 3]} << 8) | out[off + 4];
        CHECK(len <= c_frag + 1 + 16);
        off += 5 + len;
      }
      std::size_t fed = p.s->feed(out);
      p.c->consume_output(fed);
      pump(*p.c, *p.s);
      Vec sink(40000);
      std::size_t drained = 0;
      for (int i = 0; i < 100 && drained < 40000; ++i) {
        drained += p.s->read(std::span<std::uint8_t>(sink.data() + drained, sink.size() - drained));
        pump(*p.c, *p.s);
      }
      CHECK(drained == 40000);
      stream(*p.c, *p.s, 30000, 5000);
      stream(*p.s, *p.c, 30000, 5000);
      ++n;
    }
  test::report("record_size_limit pairs", "-", static_cast<std::size_t>(n));
}

TEST_CASE("record_size_limit: violations", "[tls][rsl][negative]") {
  SECTION("limit under 64 -> illegal_parameter") {
    KPair p;
    TestHooks hooks;
    hooks.edit_client_hello = [](ClientHelloOut& ch) { ch.exts.push_back({ext::record_size_limit, {0, 63}}); };
    p.ccfg.hooks = &hooks;
    p.c = std::make_unique<Connection>(Role::client, p.ccfg);
    p.s = std::make_unique<Connection>(Role::server, p.scfg);
    pump(*p.c, *p.s);
    CHECK(p.s->alert() == Alert::illegal_parameter);
  }
  SECTION("peer ignores our limit -> record_overflow") {
    KPair p;
    p.scfg.record_size_limit = 256;
    p.ccfg.record_size_limit = 16385;
    p.start();
    // The client honours 256; force a bigger record through a second,
    // unconstrained client config? Instead shrink the server's view: the
    // server announced 256, so a 300-byte record from the client is fatal.
    // Produce one by sealing more than max_fragment() via KeyUpdate hook.
    TestHooks hooks;
    hooks.edit_key_update = [](tls::ByteVector& msg) { msg.resize(msg.size() + 400, 0); };
    KPair q;
    q.scfg.record_size_limit = 256;
    q.ccfg.record_size_limit = 16385;
    q.ccfg.hooks = &hooks;
    q.start();
    REQUIRE(!q.c->key_update(false));
    pump(*q.c, *q.s);
    CHECK(q.s->alert() == Alert::record_overflow);
  }
}

TEST_CASE("no-heap steady state: an established connection does not allocate", "[tls][noheap]") {
#if defined(TERN_TEST_ASAN)
  WARN("AddressSanitizer build: allocations are not counted, skipped");
  return;
#endif
  KPair p;
  p.ccfg.preallocate = p.scfg.preallocate = true;
  p.ccfg.record_size_limit = p.scfg.record_size_limit = 1024;
  p.start();
  Vec msg(1023, 9), got(1023);
  // Warm-up round, then count.
  for (int warm = 0; warm < 2; ++warm) {
    const long before = g_allocs.load();
    for (int i = 0; i < 200; ++i) {
      Connection& a = i % 2 ? *p.c : *p.s;
      Connection& b = i % 2 ? *p.s : *p.c;
      REQUIRE(!a.write(msg));
      auto out = a.pending_output();
      REQUIRE(b.feed(out) == out.size());
      a.consume_output(out.size());
      REQUIRE(b.read(got) == msg.size());
    }
    if (warm == 1) CHECK(g_allocs.load() - before == 0);
  }
  // KeyUpdate (sending and receiving) does not allocate either.
  const long before = g_allocs.load();
  REQUIRE(!p.c->key_update(false));
  auto out = p.c->pending_output();
  REQUIRE(p.s->feed(out) == out.size());
  p.c->consume_output(out.size());
  const long during = g_allocs.load() - before;
  CHECK(during == 0);
  std::cout << "no-heap: 200 records of 1023 bytes each way + a KeyUpdate on established connections: " << during
            << " allocations" << std::endl;
}

// The full-size run (hidden; meson suite 'slow': tls-keyupdate-100mib).
TEST_CASE("KeyUpdate every 100 records over 100 MiB", "[.][slow][keyupdate]") {
  for (std::uint16_t suite : {0x1301, 0x1303}) {
    KPair p;
    p.ccfg.cipher_suites = {suite};
    p.ccfg.rekey_after_records = 100;
    p.scfg.rekey_after_records = 100;
    p.start();
    const std::size_t total = std::size_t{100} << 20;
    stream(*p.c, *p.s, total, 16384);
    CHECK(p.c->key_updates_sent() == (total / 16384 - 1) / 100);  // before record 101, 201, ...
    CHECK(p.s->key_updates_received() == p.c->key_updates_sent());
    std::cout << "suite " << suite << ": 100 MiB client->server, " << p.c->key_updates_sent() << " KeyUpdates"
              << std::endl;
  }
}
