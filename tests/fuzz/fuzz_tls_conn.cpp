// libFuzzer target: a TLS 1.3 Connection (client when TERN_FUZZ_SERVER is 0,
// server when 1) fed bytes from the fuzzer, deterministically (fixed RNG,
// fixed clock, fixed ephemeral keys).
//
// The first input byte picks the phase:
//   0  from the start: the input is cut into feed() calls (sizes from the
//      input) of raw bytes, as if received from the network.
//   1  after a valid start: the connection first gets the real peer's
//      first flight (server: the ClientHello; client: ServerHello + CCS),
//      then the input is a list of records the harness protects with the
//      peer's real handshake traffic key, so the fuzzer reaches the
//      encrypted handshake messages (EncryptedExtensions, Certificate,
//      CertificateVerify, Finished...).
//   2  after a complete handshake: the same with the peer's application
//      traffic key (post-handshake messages, alerts, application data).
// Records in phases 1-2: ctl (1 byte) | length (2 bytes) | bytes. ctl bit 7:
// feed the bytes raw (unprotected); else ctl & 3 picks the inner content
// type (handshake, alert, application_data, change_cipher_spec) and ctl
// bits 2-5 the padding length.
//
// Seeds: when TERN_FUZZ_WRITE_SEEDS names a directory, the initializer
// writes the real flights of each phase there in this format.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "crypto/curve25519/curve25519.hpp"
#include "crypto/internal/random.hpp"
#include "tests/fuzz/fuzz_common.hpp"
#include "tls/connection.hpp"
#include "tls/key_schedule.hpp"
#include "tls/record.hpp"
#include "x509/gen/gen.hpp"

#ifndef TERN_FUZZ_SERVER
#define TERN_FUZZ_SERVER 0
#endif

namespace {

using namespace tern;
using namespace tern::tls;
using Vec = std::vector<std::uint8_t>;

class AcceptAll final : public CertVerifier {
 public:
  Err verify(std::span<const Bytes> chain, std::string_view, std::uint64_t) const override {
    return chain.empty() ? fail(Alert::bad_certificate, "empty chain") : kOk;
  }
};

const std::uint8_t kServerSeed[32] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                      7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};

Status sign_fixed(void*, Bytes tbs, std::vector<std::uint8_t>& sig) {
  sig.assign(64, 0);
  ed25519_sign(std::span<std::uint8_t, 64>(sig.data(), 64), std::span<const std::uint8_t, 32>(kServerSeed), tbs);
  return Status::ok;
}

// A self-signed Ed25519 certificate for the fixed server key.
Vec server_cert() {
  std::uint8_t pub[32];
  ed25519_public_key(pub, std::span<const std::uint8_t, 32>(kServerSeed));
  Vec spki = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
  spki.insert(spki.end(), pub, pub + 32);
  x509::gen::CertSpec spec;
  spec.common_name = "fuzz.example";
  spec.serial = {1};
  spec.not_before = 1577836800;  // 2020-01-01
  spec.not_after = 2208988800;   // 2040-01-01
  spec.dns_names = {"fuzz.example"};
  x509::gen::Signer s;
  s.algorithm = x509::gen::signature_algorithm(x509::gen::KeyAlg::ed25519);
  s.fn = sign_fixed;
  Vec der;
  const Vec name = x509::gen::make_name(spec);
  TERN_FUZZ_CHECK(x509::gen::issue_with(spec, spki, name, {}, s, der) == Status::ok);
  return der;
}

struct World {
  AcceptAll verifier;
  TestHooks chooks, shooks;
  Config ccfg, scfg;
  // The recorded trace.
  Vec ch_record;          // client: ClientHello record
  Vec sh_records;         // server: ServerHello record + CCS record
  Vec server_flight;      // server: its whole first flight
  Vec client_flight2;     // client: CCS + Finished
  Vec server_hs_plain;    // EE..Finished (plaintext handshake messages)
  Vec client_fin_plain;   // the client's Finished message
  Secret s_hs, c_hs, s_ap, c_ap;
  const SuiteInfo* suite = nullptr;

  World() {
    chooks.ephemeral_private = [](std::uint16_t) { return Vec(32, 0x11); };
    shooks.ephemeral_private = [](std::uint16_t) { return Vec(32, 0x22); };
    for (Config* c : {&ccfg, &scfg}) {
      c->now = [] { return std::uint64_t{1700000000}; };
      c->cipher_suites = {0x1301};
      c->groups = {0x001d};
      c->signature_schemes = {0x0807};
    }
    ccfg.hooks = &chooks;
    scfg.hooks = &shooks;
    ccfg.server_name = "fuzz.example";
    ccfg.verifier = &verifier;
    Credential cred;
    cred.chain.push_back(server_cert());
    cred.signer = make_ed25519_signer(Bytes(kServerSeed, 32));
    scfg.credentials.push_back(std::move(cred));
    record();
  }

  // Runs one real handshake and derives the secrets the harness needs.
  void record() {
    TestRandom crng(1), srng(2);
    ccfg.rng = &crng;
    scfg.rng = &srng;
    Connection c(Role::client, ccfg), s(Role::server, scfg);
    auto out = c.pending_output();
    ch_record.assign(out.begin(), out.end());
    c.consume_output(out.size());
    TERN_FUZZ_CHECK(s.feed(ch_record) == ch_record.size());
    out = s.pending_output();
    server_flight.assign(out.begin(), out.end());
    s.consume_output(out.size());
    TERN_FUZZ_CHECK(c.feed(server_flight) == server_flight.size());
    out = c.pending_output();
    client_flight2.assign(out.begin(), out.end());
    c.consume_output(out.size());
    TERN_FUZZ_CHECK(s.feed(client_flight2) == client_flight2.size());
    TERN_FUZZ_CHECK(c.state() == ConnState::open && s.state() == ConnState::open);
    ccfg.rng = scfg.rng = nullptr;

    // Split records.
    auto records = [](const Vec& v) {
      std::vector<Vec> r;
      std::size_t p = 0;
      while (p + 5 <= v.size()) {
        const std::size_t n = (std::size_t{v[p + 3]} << 8) | v[p + 4];
        r.emplace_back(v.begin() + static_cast<std::ptrdiff_t>(p), v.begin() + static_cast<std::ptrdiff_t>(p + 5 + n));
        p += 5 + n;
      }
      return r;
    };
    auto srecs = records(server_flight);
    TERN_FUZZ_CHECK(srecs.size() >= 3 && srecs[0][0] == 22 && srecs[1][0] == 20);
    sh_records = srecs[0];
    sh_records.insert(sh_records.end(), srecs[1].begin(), srecs[1].end());
    const Bytes ch_msg = Bytes(ch_record).subspan(5);
    const Bytes sh_msg = Bytes(srecs[0]).subspan(5);
    ServerHello sh;
    TERN_FUZZ_CHECK(!parse_server_hello(sh_msg.subspan(4), sh));
    suite = find_suite(sh.cipher_suite);
    TERN_FUZZ_CHECK(suite != nullptr && sh.key_share.key.size() == 32);
    std::uint8_t dhe[32];
    const Vec csk(32, 0x11);
    TERN_FUZZ_CHECK(x25519(dhe, std::span<const std::uint8_t, 32>(csk.data(), 32),
                           std::span<const std::uint8_t, 32>(sh.key_share.key.data(), 32)) == Status::ok);
    KeySchedule ks(suite->hash);
    TERN_FUZZ_CHECK(ks.early() == Status::ok && ks.handshake(Bytes(dhe, 32)) == Status::ok);
    Transcript tr;
    tr.set_hash(suite->hash);
    tr.update(ch_msg);
    tr.update(sh_msg);
    Secret th;
    tr.current(th);
    TERN_FUZZ_CHECK(ks.derive(c_hs, "c hs traffic", th.view()) == Status::ok);
    TERN_FUZZ_CHECK(ks.derive(s_hs, "s hs traffic", th.view()) == Status::ok);
    RecordProtection rp;
    TERN_FUZZ_CHECK(rp.install(*suite, s_hs.view()) == Status::ok);
    for (std::size_t i = 2; i < srecs.size(); ++i) {
      ContentType t;
      std::span<std::uint8_t> content;
      TERN_FUZZ_CHECK(!rp.open(srecs[i], t, content) && t == ContentType::handshake);
      server_hs_plain.insert(server_hs_plain.end(), content.begin(), content.end());
    }
    tr.update(server_hs_plain);
    tr.current(th);
    TERN_FUZZ_CHECK(ks.master() == Status::ok);
    TERN_FUZZ_CHECK(ks.derive(c_ap, "c ap traffic", th.view()) == Status::ok);
    TERN_FUZZ_CHECK(ks.derive(s_ap, "s ap traffic", th.view()) == Status::ok);
    RecordProtection cp;
    TERN_FUZZ_CHECK(cp.install(*suite, c_hs.view()) == Status::ok);
    for (auto& r : records(client_flight2)) {
      if (r[0] != 23) continue;
      ContentType t;
      std::span<std::uint8_t> content;
      TERN_FUZZ_CHECK(!cp.open(r, t, content) && t == ContentType::handshake);
      client_fin_plain.insert(client_fin_plain.end(), content.begin(), content.end());
    }
    TERN_FUZZ_CHECK(!client_fin_plain.empty());
  }
};

World& world() {
  static World w;
  return w;
}

void drain(Connection& c) {
  auto out = c.pending_output();
  c.consume_output(out.size());
  std::uint8_t buf[512];
  while (c.read(buf) > 0) {
  }
}

// Feeds `in` to the connection in pieces, draining output as a peer would.
void feed(Connection& c, Bytes in) {
  while (!in.empty()) {
    const std::size_t used = c.feed(in);
    drain(c);
    if (used == 0) return;
    in = in.subspan(used);
  }
}

void append_chunk(Vec& seed, std::uint8_t ctl, Bytes data) {
  seed.push_back(ctl);
  seed.push_back(static_cast<std::uint8_t>(data.size() >> 8));
  seed.push_back(static_cast<std::uint8_t>(data.size()));
  seed.insert(seed.end(), data.begin(), data.end());
}

void write_seed(const char* dir, const char* name, const Vec& v) {
  const std::string path = std::string(dir) + "/" + name;
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(v.data(), 1, v.size(), f);
    std::fclose(f);
  }
}

void write_seeds(const char* dir) {
  World& w = world();
  const bool server = TERN_FUZZ_SERVER;
  Vec s0 = {0};
  const Vec& raw = server ? w.ch_record : w.server_flight;
  s0.insert(s0.end(), raw.begin(), raw.end());
  write_seed(dir, "phase0-flight", s0);
  Vec s1 = {1};
  append_chunk(s1, 0, server ? w.client_fin_plain : w.server_hs_plain);
  write_seed(dir, "phase1-flight", s1);
  if (!server) {
    // Each server message in its own record.
    Vec s1b = {1};
    Bytes p = w.server_hs_plain;
    while (p.size() >= 4) {
      const std::size_t n = 4 + ((std::size_t{p[1]} << 16) | (std::size_t{p[2]} << 8) | p[3]);
      if (n > p.size()) break;
      append_chunk(s1b, 0, p.first(n));
      p = p.subspan(n);
    }
    write_seed(dir, "phase1-split", s1b);
  }
  Vec s2 = {2};
  const std::uint8_t app[] = {'G', 'E', 'T', ' ', '/', '\n'};
  append_chunk(s2, 2, Bytes(app, sizeof app));
  const std::uint8_t key_update[] = {24, 0, 0, 1, 1};
  append_chunk(s2, 0, Bytes(key_update, sizeof key_update));
  append_chunk(s2, 2, Bytes(app, sizeof app));
  const std::uint8_t nst[] = {4, 0, 0, 13, 0, 0, 0x0e, 0x10, 1, 2, 3, 4, 1, 0, 0, 1, 0x42, 0, 0};
  if (!server) append_chunk(s2, 0, Bytes(nst, sizeof nst));
  const std::uint8_t close_notify[] = {1, 0};
  append_chunk(s2, 1, Bytes(close_notify, sizeof close_notify));
  write_seed(dir, "phase2-app", s2);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)world();
  if (const char* dir = std::getenv("TERN_FUZZ_WRITE_SEEDS")) write_seeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  fuzz::Input in(data, size);
  const int phase = in.u8() % 3;
  TestRandom crng(1), srng(2);
  w.ccfg.rng = &crng;
  w.scfg.rng = &srng;
  const bool server = TERN_FUZZ_SERVER;
  Connection conn(server ? Role::server : Role::client, server ? w.scfg : w.ccfg);
  drain(conn);  // the client's ClientHello

  if (phase == 0) {
    while (!in.empty() && conn.state() == ConnState::handshaking) {
      const std::size_t n = 1 + in.u8() * 8u;
      feed(conn, in.take(n));
    }
    while (!in.empty()) feed(conn, in.take(4096));
    return 0;
  }

  // A valid start.
  if (server) {
    feed(conn, w.ch_record);
    if (phase == 2) feed(conn, w.client_flight2);
  } else {
    feed(conn, phase == 1 ? Bytes(w.sh_records) : Bytes(w.server_flight));
  }
  TERN_FUZZ_CHECK(conn.state() == (phase == 2 ? ConnState::open : ConnState::handshaking));
  RecordProtection seal;
  const Secret& key = phase == 1 ? (server ? w.c_hs : w.s_hs) : (server ? w.c_ap : w.s_ap);
  TERN_FUZZ_CHECK(seal.install(*w.suite, key.view()) == Status::ok);
  if (phase == 2) {
    // A write on the open connection (exercises the write side too).
    const std::uint8_t hello[] = {'h', 'i'};
    (void)conn.write(Bytes(hello, 2));
    drain(conn);
  }
  static const ContentType kTypes[] = {ContentType::handshake, ContentType::alert, ContentType::application_data,
                                       ContentType::change_cipher_spec};
  while (!in.empty()) {
    const std::uint8_t ctl = in.u8();
    const std::size_t len = in.u16();
    Bytes body = in.take(len);
    if (ctl & 0x80) {
      feed(conn, body);
    } else {
      Vec rec;
      if (seal.seal(rec, kTypes[ctl & 3], body.size() > (1u << 14) ? body.first(1u << 14) : body, (ctl >> 2) & 15)) continue;
      feed(conn, rec);
    }
    if (conn.state() == ConnState::failed) break;
  }
  if (conn.state() == ConnState::open) {
    conn.close();
    drain(conn);
  }
  return 0;
}
