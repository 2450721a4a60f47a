// No-heap mode (issue #8): a client and a server, each with a
// caller-provided memory arena (tls::Arena over a buffer of the test's),
// run full handshakes with real X.509 chain validation against a trust
// store, move data both ways (up to 16 KiB records), KeyUpdate and close,
// while every global allocation function (operator new/new[] in all forms,
// and malloc/calloc/realloc on glibc) is counted: the count must stay 0.
// What is NOT counted: building the Configs, credentials, certificates and
// the trust store (done once up front by the caller), and constructing
// the arenas themselves (they own no memory). What is counted: everything
// from the Connection constructors to their destructors.
// Its own executable: it replaces the global allocation functions.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <new>

#include "tests/tls/pki.hpp"
#include "tests/tls/tls_fixtures.hpp"
#include "tls/arena.hpp"
#include "tls/x509_verifier.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define TERN_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TERN_TEST_ASAN 1
#endif
#endif

// Counting is armed only inside the measured windows.
static std::atomic<long> g_allocs{0};
static std::atomic<bool> g_armed{false};

#if !defined(TERN_TEST_ASAN)
#if defined(__GLIBC__) && defined(TERN_NOHEAP_TRACE)
#include <execinfo.h>
// Debug aid (build with -DTERN_NOHEAP_TRACE): print a backtrace of each
// counted allocation (symbolize with addr2line).
static thread_local bool g_in_trace = false;
static void trace_alloc(std::size_t n) {
  if (g_in_trace) return;
  g_in_trace = true;
  void* frames[14];
  int k = backtrace(frames, 14);
  std::fprintf(stderr, "ALLOC %zu\n", n);
  backtrace_symbols_fd(frames + 1, k - 1, 2);
  g_in_trace = false;
}
#else
static void trace_alloc(std::size_t) {}
#endif
static void count(std::size_t n) {
  if (g_armed.load(std::memory_order_relaxed)) {
    ++g_allocs;
    trace_alloc(n);
  }
}

#if defined(__GLIBC__)
// malloc and friends too (glibc exports its implementation as __libc_*).
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void __libc_free(void*);
void* malloc(std::size_t n) {
  count(n);
  return __libc_malloc(n);
}
void* calloc(std::size_t a, std::size_t b) {
  count(a * b);
  return __libc_calloc(a, b);
}
void* realloc(void* p, std::size_t n) {
  count(n);
  return __libc_realloc(p, n);
}
void free(void* p) { __libc_free(p); }
}
#define TERN_RAW_MALLOC __libc_malloc
#define TERN_RAW_FREE __libc_free
#else
#define TERN_RAW_MALLOC std::malloc
#define TERN_RAW_FREE std::free
#endif

void* operator new(std::size_t n) {
  count(n);
  void* p = TERN_RAW_MALLOC(n ? n : 1);
  if (!p) std::abort();
  return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return operator new(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return operator new(n); }
void operator delete(void* p) noexcept { TERN_RAW_FREE(p); }
void operator delete[](void* p) noexcept { TERN_RAW_FREE(p); }
void operator delete(void* p, std::size_t) noexcept { TERN_RAW_FREE(p); }
void operator delete[](void* p, std::size_t) noexcept { TERN_RAW_FREE(p); }
void* operator new(std::size_t n, std::align_val_t al) {
  count(n);
  const std::size_t a = static_cast<std::size_t>(al);
  void* p = std::aligned_alloc(a, (n + a - 1) / a * a);  // not via malloc(): counted once
  if (!p) std::abort();
  return p;
}
void* operator new[](std::size_t n, std::align_val_t al) { return operator new(n, al); }
void operator delete(void* p, std::align_val_t) noexcept { TERN_RAW_FREE(p); }
void operator delete[](void* p, std::align_val_t) noexcept { TERN_RAW_FREE(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { TERN_RAW_FREE(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { TERN_RAW_FREE(p); }
#endif  // !TERN_TEST_ASAN

using namespace tern;
using namespace tern::tls;
using namespace tern::tlstest;

namespace {

struct Armed {
  long start;
  Armed() : start(g_allocs.load()) { g_armed = true; }
  ~Armed() { g_armed = false; }
  long count() const { return g_allocs.load() - start; }
};

// A P-256 CA and a P-256 leaf for "noheap.test" (serverAuth + clientAuth),
// and an Ed25519 leaf from the same CA.
struct Pki {
  x509::gen::PrivateKey ca_key;
  std::vector<std::uint8_t> ca_der;
  x509::Certificate ca_cert;
  x509::TrustStore store;
  Credential p256, ed, p256_nc;
  bool ok = false;

  Pki() {
    if (x509::gen::generate_key(x509::gen::KeyAlg::p256, ca_key) != Status::ok) return;
    x509::gen::CertSpec spec;
    spec.common_name = "noheap CA";
    spec.is_ca = true;
    spec.not_before = kPkiNow - 86400;
    spec.not_after = kPkiNow + 10 * 365 * 86400LL;
    if (x509::gen::self_signed(spec, ca_key, ca_der) != Status::ok) return;
    if (x509::Certificate::from_der(ca_der, ca_cert) != Status::ok) return;
    if (store.add(ca_cert) != Status::ok) return;
    TestRandom rng(99);
    // P-256 leaf.
    {
      Vec sk(32), pk(65);
      if (ec::generate_key(ec::Curve::p256, sk, pk, rng) != Status::ok) return;
      const Vec oid_ec = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
      const Vec p256 = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
      if (!leaf(spki(oid_ec, p256, pk), p256_der)) return;
      this->p256.chain = {p256_der, ca_der};
      this->p256.signer = make_ecdsa_signer(0x0403, sk);
      // The same key under an intermediate with nameConstraints: the
      // constraint checks of path validation run in the counted window.
      x509::gen::CertSpec ispec;
      ispec.common_name = "noheap constrained CA";
      ispec.is_ca = true;
      ispec.not_before = kPkiNow - 86400;
      ispec.not_after = kPkiNow + 5 * 365 * 86400LL;
      ispec.permitted_dns = {"noheap.test"};
      ispec.excluded_dns = {"blocked.noheap.test"};
      ispec.permitted_ip = {"192.0.2.0/24"};
      x509::gen::PrivateKey ikey;
      if (x509::gen::generate_key(x509::gen::KeyAlg::p256, ikey) != Status::ok) return;
      if (x509::gen::issue(ispec, ikey.spki_der(), ca_cert, ca_key, inter_der) != Status::ok) return;
      if (x509::Certificate::from_der(inter_der, inter_cert) != Status::ok) return;
      x509::gen::CertSpec lspec;
      lspec.common_name = "noheap.test";
      lspec.dns_names = {"noheap.test", "www.noheap.test"};
      lspec.ip_addresses = {"192.0.2.7"};
      lspec.ext_key_usage = x509::eku_server_auth | x509::eku_client_auth;
      lspec.not_before = kPkiNow - 2 * 86400;
      lspec.not_after = kPkiNow + 365 * 86400LL;
      if (x509::gen::issue(lspec, spki(oid_ec, p256, pk), inter_cert, ikey, p256_nc_der) != Status::ok) return;
      p256_nc.chain = {p256_nc_der, inter_der};
      p256_nc.signer = make_ecdsa_signer(0x0403, sk);
    }
    // Ed25519 leaf.
    {
      std::uint8_t sk[32], pk[32];
      if (ed25519_keypair(sk, pk, rng) != Status::ok) return;
      if (!leaf(spki({0x2b, 0x65, 0x70}, {}, Vec(pk, pk + 32)), ed_der)) return;
      ed.chain = {ed_der};
      ed.signer = make_ed25519_signer(Bytes(sk, 32));
    }
    ok = true;
  }
  bool leaf(const Vec& spki_der, Vec& der) {
    x509::gen::CertSpec spec;
    spec.common_name = "noheap.test";
    spec.dns_names = {"noheap.test"};
    spec.ext_key_usage = x509::eku_server_auth | x509::eku_client_auth;
    spec.not_before = kPkiNow - 2 * 86400;
    spec.not_after = kPkiNow + 365 * 86400LL;
    return x509::gen::issue(spec, spki_der, ca_cert, ca_key, der) == Status::ok;
  }
  Vec p256_der, ed_der, inter_der, p256_nc_der;
  x509::Certificate inter_cert;
};

Pki& pki() {
  static Pki p;
  return p;
}

// Both sides' configuration, built once up front (not counted).
struct Setup {
  TestRandom crng{61}, srng{62};
  x509::TrustStore* store;
  X509Verifier server_check, client_check;
  Config ccfg, scfg;
  explicit Setup(const Credential& cred)
      : store(&pki().store),
        server_check(pki().store, X509Verifier::Peer::server),
        client_check(pki().store, X509Verifier::Peer::client) {
    server_check.set_time(static_cast<std::uint64_t>(kPkiNow));
    client_check.set_time(static_cast<std::uint64_t>(kPkiNow));
    ccfg.rng = &crng;
    scfg.rng = &srng;
    ccfg.now = scfg.now = [] { return static_cast<std::uint64_t>(kPkiNow); };
    ccfg.verifier = &server_check;
    ccfg.server_name = "noheap.test";
    scfg.credentials.push_back(cred);
    ccfg.preallocate = scfg.preallocate = true;
  }
};

// Moves bytes both ways until quiet (no allocation: spans only).
void shuttle(Connection& a, Connection& b) {
  for (int i = 0; i < 64; ++i) {
    bool moved = false;
    for (int dir = 0; dir < 2; ++dir) {
      Connection& from = dir == 0 ? a : b;
      Connection& to = dir == 0 ? b : a;
      Bytes out = from.pending_output();
      if (out.empty()) continue;
      std::size_t used = to.feed(out);
      if (to.state() == ConnState::failed) {
        from.consume_output(out.size());
        continue;
      }
      from.consume_output(used);
      if (used) moved = true;
    }
    if (!moved) return;
  }
}

std::uint8_t g_client_mem[64 * 1024], g_server_mem[64 * 1024];
std::uint8_t g_msg[16384], g_got[16384];

// Sends n bytes from -> to and checks them (no allocation: static buffers).
bool transfer(Connection& from, Connection& to, std::size_t n, std::uint8_t seed) {
  for (std::size_t i = 0; i < n; ++i) g_msg[i] = static_cast<std::uint8_t>(seed + i * 7);
  // One record per write() (what a constrained sender does): the output
  // buffer then never holds more than one record.
  std::size_t sent = 0, got = 0;
  for (int round = 0; round < 1000 && got < n; ++round) {
    if (sent < n) {
      const std::size_t k = std::min(n - sent, from.max_fragment());
      if (from.write(Bytes(g_msg + sent, k))) return false;
      sent += k;
    }
    shuttle(from, to);  // with preallocate, feed() waits for read() after each record
    std::size_t k = to.read(std::span<std::uint8_t>(g_got + got, n - got));
    if (k == 0 && sent == n && from.pending_output().empty()) break;
    got += k;
  }
  return got == n && std::memcmp(g_msg, g_got, n) == 0;
}

struct Outcome {
  long allocs = 0;
  bool open = false, data_ok = false, closed = false, hrr = false;
  std::size_t client_peak = 0, server_peak = 0;
  std::size_t client_hs_peak = 0, server_hs_peak = 0;  // up to the end of the handshake
};

Outcome run(Setup& st, std::size_t client_mem, std::size_t server_mem) {
  Outcome o;
  Arena ca(std::span<std::uint8_t>(g_client_mem, client_mem));
  Arena sa(std::span<std::uint8_t>(g_server_mem, server_mem));
  {
    Armed armed;
    {
      Connection c(Role::client, st.ccfg, &ca);
      Connection s(Role::server, st.scfg, &sa);
      shuttle(c, s);
      o.open = c.state() == ConnState::open && s.state() == ConnState::open;
      o.hrr = c.hello_retry();
      o.client_hs_peak = ca.peak();
      o.server_hs_peak = sa.peak();
      if (o.open) {
        bool ok = true;
        for (std::size_t n : {1u, 100u, 1500u, 16384u}) {
          ok = ok && transfer(c, s, n, 1);
          ok = ok && transfer(s, c, n, 2);
        }
        ok = ok && !c.key_update(true);
        shuttle(c, s);
        ok = ok && c.key_updates_sent() == 1 && s.key_updates_sent() == 1;
        ok = ok && transfer(c, s, 16384, 3) && transfer(s, c, 16384, 4);
        o.data_ok = ok;
        c.close();
        shuttle(c, s);
        s.close();
        shuttle(c, s);
        o.closed = c.peer_closed() && s.peer_closed();
      } else {
        INFO("client: " << c.error() << " / server: " << s.error());
      }
    }
    o.allocs = armed.count();
  }
  o.client_peak = ca.peak();
  o.server_peak = sa.peak();
  CHECK(ca.used() == 0);  // everything given back
  CHECK(sa.used() == 0);
  return o;
}

}  // namespace

TEST_CASE("no-heap mode: full handshakes and data with caller buffers, zero allocations", "[tls][noheap]") {
  REQUIRE(pki().ok);
  struct Case {
    const char* name;
    bool ed;
    bool hrr;
    bool mtls;
    std::uint16_t rsl = 0;
    bool nc = false;  // chain through the name-constrained intermediate
  };
  for (Case k : {Case{"x25519 + ECDSA P-256 chain", false, false, false},
                 Case{"x25519 + ECDSA P-256 chain, record_size_limit 1024", false, false, false, 1024},
                 Case{"x25519 + Ed25519", true, false, false},
                 Case{"HelloRetryRequest (P-256 after x25519)", false, true, false},
                 Case{"mutual TLS (P-256 both ways)", false, false, true},
                 Case{"P-256 chain through an intermediate with nameConstraints", false, false, false, 0, true}}) {
#if defined(TERN_NO_TLS_CLIENT_CERT)
    if (k.mtls) continue;  // the client cannot authenticate (tls/types.hpp)
#endif
    SECTION(k.name) {
      Setup st(k.ed ? pki().ed : k.nc ? pki().p256_nc : pki().p256);
      if (k.hrr) {
        st.ccfg.groups = {0x001d, 0x0017};
        st.scfg.groups = {0x0017};
      }
      st.ccfg.record_size_limit = st.scfg.record_size_limit = k.rsl;
      if (k.mtls) {
        st.scfg.client_auth = ClientAuth::required;
        st.scfg.client_verifier = &st.client_check;
        st.ccfg.credentials.push_back(pki().p256);
      }
      Outcome o = run(st, sizeof g_client_mem, sizeof g_server_mem);
      CHECK(o.open);
      CHECK(o.data_ok);
      CHECK(o.closed);
      CHECK(o.hrr == k.hrr);
#if !defined(TERN_TEST_ASAN)
      CHECK(o.allocs == 0);
#endif
      std::cout << "no-heap [" << k.name << "]: " << o.allocs << " heap allocations; arena peak client "
                << o.client_peak << " B, server " << o.server_peak << " B (handshake alone: " << o.client_hs_peak
                << " B, " << o.server_hs_peak << " B)" << std::endl;
    }
  }
}

TEST_CASE("no-heap mode: the allocation counter counts", "[tls][noheap]") {
#if defined(TERN_TEST_ASAN)
  WARN("AddressSanitizer build: allocations are not counted, skipped");
#else
  Armed armed;
  int* p = new int(3);
  void* q = std::malloc(10);
  const long n = armed.count();
  delete p;
  std::free(q);
#if defined(__GLIBC__)
  CHECK(n == 2);
#else
  CHECK(n >= 1);
#endif
#endif
}

TEST_CASE("no-heap mode: an arena too small fails cleanly on both sides", "[tls][noheap]") {
  REQUIRE(pki().ok);
  // From nothing at all to one byte short of what the handshake needs.
  for (std::size_t client_mem : {std::size_t{0}, std::size_t{64}, std::size_t{2048}, std::size_t{6000},
                                 std::size_t{20000}, sizeof g_client_mem}) {
    for (std::size_t server_mem : {std::size_t{0}, std::size_t{3000}, std::size_t{9000}, std::size_t{20000},
                                   sizeof g_server_mem}) {
      if (client_mem == sizeof g_client_mem && server_mem == sizeof g_server_mem) continue;
      Setup st(pki().p256);
      Arena ca(std::span<std::uint8_t>(g_client_mem, client_mem));
      Arena sa(std::span<std::uint8_t>(g_server_mem, server_mem));
      bool client_failed = false, server_failed = false;
      {
        Connection c(Role::client, st.ccfg, &ca);
        Connection s(Role::server, st.scfg, &sa);
        shuttle(c, s);
        if (c.state() == ConnState::open && s.state() == ConnState::open) {
          // The handshake fit: the data phase (16 KiB records) may not.
          (void)transfer(c, s, 16384, 5);
          (void)transfer(s, c, 16384, 6);
        }
        client_failed = c.state() == ConnState::failed;
        server_failed = s.state() == ConnState::failed;
        INFO("client arena " << client_mem << " B, server arena " << server_mem << " B: client '" << c.error()
                             << "', server '" << s.error() << "'");
        // Whoever ran out first fails with internal_error "memory arena
        // exhausted" (and sends the alert); a side that ran out after it
        // had already failed (e.g. on the peer's alert) keeps that error.
        CHECK((ca.exhausted() || sa.exhausted()));
        if (ca.exhausted()) CHECK(client_failed);
        if (sa.exhausted()) CHECK(server_failed);
        const std::string ce = c.error(), se = s.error();
        CHECK((ce == "memory arena exhausted" || se == "memory arena exhausted"));
        if (ce == "memory arena exhausted") CHECK((c.alert() == Alert::internal_error && !c.alert_received()));
        if (se == "memory arena exhausted") CHECK((s.alert() == Alert::internal_error && !s.alert_received()));
        CHECK((client_failed || server_failed));
        // A failed connection does nothing more.
        if (client_failed) CHECK(c.write(Bytes(g_msg, 10)));
      }
      CHECK(ca.used() == 0);
      CHECK(sa.used() == 0);
    }
  }
}

TEST_CASE("no-heap mode: Arena reuses and coalesces freed blocks", "[tls][noheap]") {
  alignas(std::max_align_t) static std::uint8_t mem[8192];
  Arena a(mem);
  TestRandom rng(5);
  struct Live {
    std::uint8_t* p;
    std::size_t n;
    std::uint8_t tag;
  };
  std::vector<Live> live;  // (the test's own bookkeeping: heap, not counted)
  live.reserve(512);
  for (int step = 0; step < 20000; ++step) {
    std::uint8_t r[2];
    REQUIRE(rng.fill(r) == Status::ok);
    if (live.empty() || (r[0] & 1)) {
      const std::size_t n = 1 + (r[1] % 3 == 0 ? r[0] * 8u : r[1] % 64u);
      auto* p = static_cast<std::uint8_t*>(a.allocate(n));
      if (!p) continue;  // full: keep freeing
      REQUIRE(reinterpret_cast<std::uintptr_t>(p) % alignof(std::max_align_t) == 0);
      REQUIRE(a.owns(p));
      REQUIRE(a.owns(p + n - 1));
      const auto tag = static_cast<std::uint8_t>(step);
      std::memset(p, tag, n);
      live.push_back({p, n, tag});
    } else {
      const std::size_t i = r[1] % live.size();
      for (std::size_t k = 0; k < live[i].n; ++k)
        if (live[i].p[k] != live[i].tag) FAIL("block overwritten");
      a.deallocate(live[i].p);
      live[i] = live.back();
      live.pop_back();
    }
  }
  for (auto& l : live) a.deallocate(l.p);
  CHECK(a.used() == 0);
  CHECK(a.peak() <= a.capacity());
  // Everything merged back into one block: a single allocation of nearly
  // the whole buffer fits again.
  void* big = a.allocate(a.capacity() - 64);
  CHECK(big != nullptr);
  a.deallocate(big);
  CHECK(a.used() == 0);
  CHECK(a.allocate(a.capacity() + 1) == nullptr);
  CHECK(a.exhausted());
}
