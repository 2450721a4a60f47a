// RFC 8448 §3 (simple 1-RTT) replayed byte-exactly through our client and
// our server: the trace's randoms and ephemeral keys are injected, the
// server's RSA-PSS CertificateVerify signature (randomized) through the
// test hook, and the trace's extra ClientHello/EncryptedExtensions
// extensions through the edit hooks.
#include <catch2/catch.hpp>

#include <map>

#include "tests/tls/tls_fixtures.hpp"

using namespace tern;
using namespace tern::tls;
using namespace tern::tlstest;

namespace {
std::string hx(Bytes b) { return test::to_hex(b.data(), b.size()); }
std::string hx(const Vec& b) { return test::to_hex(b.data(), b.size()); }

// Rebuild the trace's extension list in its order; where we produced the
// same extension, keep our bytes (key_share, server_name, supported_versions).
void trace_extensions(OutExtensions& ours, Bytes trace_exts_block, const std::vector<std::uint16_t>& keep_ours) {
  Reader r(trace_exts_block);
  Reader list = r.sub(2, 0, 0xffff);
  OutExtensions out;
  while (list.remaining() > 0) {
    std::uint16_t t = list.u16();
    Bytes d = list.vec16();
    bool kept = false;
    if (std::find(keep_ours.begin(), keep_ours.end(), t) != keep_ours.end())
      for (const auto& e : ours)
        if (e.type == t) {
          out.push_back(e);
          kept = true;
        }
    if (!kept) out.push_back({t, ByteVector(d.begin(), d.end())});
  }
  ours = out;
}
}  // namespace

TEST_CASE("RFC 8448 §3: client replay is byte-exact", "[tls][rfc8448][client]") {
  auto tr = test::load_trace("simple_1rtt.txt");
  if (!tr) return;
  const auto& t = *tr;
  const Vec ch = t["client.construct_a_clienthello_handshake_message.1.clienthello"];
  ScriptedRandom rng;
  rng.queue.push_back(Vec(ch.begin() + 6, ch.begin() + 38));  // ClientHello.random
  StubVerifier verifier;
  TestHooks hooks;
  hooks.ephemeral_private = [&](std::uint16_t) { return t["client.create_an_ephemeral_x25519_key_pair.1.private_key"]; };
  hooks.edit_client_hello = [&](ClientHelloOut& o) {
    // legacy header (2) + random (32) + sid len (1) + suites (2+6) + comp (2) = 45 bytes after the 4-byte header
    trace_extensions(o.exts, Bytes(ch).subspan(4 + 45), {ext::server_name, ext::key_share, ext::supported_versions});
  };
  Config cfg;
  cfg.rng = &rng;
  cfg.hooks = &hooks;
  cfg.verifier = &verifier;
  cfg.server_name = "server";
  cfg.middlebox_compat = false;
  cfg.cipher_suites = {0x1301, 0x1303, 0x1302};
  Connection c(Role::client, cfg);

  auto out = c.pending_output();
  CHECK(hx(out) == hx(t["client.send_handshake_record.1.complete_record"]));
  c.consume_output(out.size());

  Vec flight = t["server.send_handshake_record.1.complete_record"];
  Vec f2 = t["server.send_handshake_record.2.complete_record"];
  flight.insert(flight.end(), f2.begin(), f2.end());
  CHECK(c.feed(flight) == flight.size());
  INFO(c.error());
  REQUIRE(c.state() == ConnState::open);
  CHECK(verifier.calls == 1);
  CHECK(c.signature_scheme() == 0x0804);  // rsa_pss_rsae_sha256, verified for real
  out = c.pending_output();
  CHECK(hx(out) == hx(t["client.send_handshake_record.2.complete_record"]));
  c.consume_output(out.size());

  // NewSessionTicket (parsed and dropped), then application data.
  Vec nst = t["server.send_handshake_record.3.complete_record"];
  CHECK(c.feed(nst) == nst.size());
  Vec sdata = t["server.send_application_data_record.1.complete_record"];
  CHECK(c.feed(sdata) == sdata.size());
  Vec buf(100);
  std::size_t n = c.read(buf);
  buf.resize(n);
  CHECK(hx(buf) == hx(t["server.send_application_data_record.1.payload"]));

  REQUIRE(!c.write(t["client.send_application_data_record.1.payload"]));
  out = c.pending_output();
  CHECK(hx(out) == hx(t["client.send_application_data_record.1.complete_record"]));
  c.consume_output(out.size());
  c.close();
  out = c.pending_output();
  CHECK(hx(out) == hx(t["client.send_alert_record.1.complete_record"]));
  c.consume_output(out.size());
  Vec salert = t["server.send_alert_record.1.complete_record"];
  c.feed(salert);
  CHECK(c.peer_closed());
  CHECK(c.state() == ConnState::closed);
  // Exporter works once open (no RFC value to compare).
  std::uint8_t ekm[32];
#if !defined(TERN_NO_TLS_RESUMPTION)
  CHECK(c.export_keying_material(ekm, "EXPORTER-x", {}) == Status::ok);
#else
  CHECK(c.export_keying_material(ekm, "EXPORTER-x", {}) == Status::unsupported);  // not built
#endif
}

TEST_CASE("RFC 8448 §3: server replay is byte-exact", "[tls][rfc8448][server]") {
  auto tr = test::load_trace("simple_1rtt.txt");
  if (!tr) return;
  const auto& t = *tr;
  const Vec sh = t["server.construct_a_serverhello_handshake_message.1.serverhello"];
  const Vec ee = t["server.construct_an_encryptedextensions_handshake_message.1.encryptedextensions"];
  const Vec cv = t["server.construct_a_certificateverify_handshake_message.1.certificateverify"];
  ScriptedRandom rng;
  rng.queue.push_back(Vec(sh.begin() + 6, sh.begin() + 38));  // ServerHello.random
  TestHooks hooks;
  hooks.ephemeral_private = [&](std::uint16_t) { return t["server.create_an_ephemeral_x25519_key_pair.1.private_key"]; };
  hooks.edit_encrypted_extensions = [&](OutExtensions& o) { trace_extensions(o, Bytes(ee).subspan(4), {}); };
  hooks.edit_signature = [&](tls::ByteVector& sig) { sig.assign(cv.begin() + 8, cv.end()); };
  Config cfg;
  cfg.rng = &rng;
  cfg.hooks = &hooks;
  auto cred = make_credential(0x0804);
  REQUIRE(cred.signer);
  cfg.credentials.push_back(cred);
  Connection s(Role::server, cfg);

  Vec ch = t["client.send_handshake_record.1.complete_record"];
  CHECK(s.feed(ch) == ch.size());
  INFO(s.error());
  REQUIRE(s.state() == ConnState::handshaking);
  auto out = s.pending_output();
  CHECK(hx(out) == hx(t["server.send_handshake_record.1.complete_record"]) +
                       hx(t["server.send_handshake_record.2.complete_record"]));
  s.consume_output(out.size());
  CHECK(s.server_name() == "server");

  Vec cfin = t["client.send_handshake_record.2.complete_record"];
  CHECK(s.feed(cfin) == cfin.size());
  REQUIRE(s.state() == ConnState::open);
  Vec cdata = t["client.send_application_data_record.1.complete_record"];
  s.feed(cdata);
  Vec buf(100);
  buf.resize(s.read(buf));
  CHECK(hx(buf) == hx(t["client.send_application_data_record.1.payload"]));
  Vec calert = t["client.send_alert_record.1.complete_record"];
  s.feed(calert);
  CHECK(s.peer_closed());
}

TEST_CASE("RFC 8448 §3: the server's CertificateVerify verifies with our RSA-PSS", "[tls][rfc8448]") {
  auto tr = test::load_trace("simple_1rtt.txt");
  if (!tr) return;
  const auto& t = *tr;
  Transcript tx;
  tx.set_hash(HashId::sha256);
  for (const char* k : {"client.construct_a_clienthello_handshake_message.1.clienthello",
                        "server.construct_a_serverhello_handshake_message.1.serverhello",
                        "server.construct_an_encryptedextensions_handshake_message.1.encryptedextensions",
                        "server.construct_a_certificate_handshake_message.1.certificate"})
    tx.update(t[k]);
  Secret th;
  tx.current(th);
  const Vec cv = t["server.construct_a_certificateverify_handshake_message.1.certificateverify"];
  auto content = certificate_verify_content(true, th.view());
  Vec sig(cv.begin() + 8, cv.end());
  CHECK(!verify_signature(0x0804, rfc8448_rsa_cert(), content, sig));
  sig[10] ^= 1;
  CHECK(verify_signature(0x0804, rfc8448_rsa_cert(), content, sig).alert == Alert::decrypt_error);
  CHECK(verify_signature(0x0403, rfc8448_rsa_cert(), content, sig).alert == Alert::illegal_parameter);
  CHECK(verify_signature(0x0401, rfc8448_rsa_cert(), content, sig).alert == Alert::illegal_parameter);
}

// ---- table-driven replay of §3, §5 (HelloRetryRequest) and §7 (compatibility mode) ----

namespace {
struct Phase {
  std::vector<std::string> feed;    // trace records fed in
  std::vector<std::string> expect;  // trace records expected out (concatenated)
};
struct Section {
  const char* file;
  bool compat;
  std::vector<std::uint16_t> server_groups;
  std::vector<Phase> client, server;
  bool client_alert, server_alert;  // the final close_notify is at ap seq 0
};

Bytes exts_block(const Vec& ch_msg) {
  Reader r(Bytes(ch_msg).subspan(4));
  r.u16();
  r.bytes(32);
  r.vec8();
  r.vec16();
  r.vec8();
  return Bytes(ch_msg).subspan(ch_msg.size() - r.remaining());
}

Vec cat(const test::Trace& t, const std::vector<std::string>& names) {
  Vec v;
  for (const auto& n : names) {
    Vec x = t[n + ".complete_record"];
    v.insert(v.end(), x.begin(), x.end());
  }
  return v;
}

const char* key_name(bool client, std::uint16_t group) {
  if (group == 0x001d)
    return client ? "client.create_an_ephemeral_x25519_key_pair.1.private_key"
                  : "server.create_an_ephemeral_x25519_key_pair.1.private_key";
  return client ? "client.create_an_ephemeral_p_256_key_pair.1.private_key"
                : "server.create_an_ephemeral_p_256_key_pair.1.private_key";
}

const std::vector<Section>& sections() {
  static const std::vector<Section> s = {
      {"simple_1rtt.txt", false, {},
       {{{}, {"client.send_handshake_record.1"}},
        {{"server.send_handshake_record.1", "server.send_handshake_record.2"}, {"client.send_handshake_record.2"}}},
       {{{"client.send_handshake_record.1"}, {"server.send_handshake_record.1", "server.send_handshake_record.2"}},
        {{"client.send_handshake_record.2"}, {}}},
       false, false},
      {"hello_retry_request.txt", false, {0x0017},
       {{{}, {"client.send_handshake_record.1"}},
        {{"server.send_handshake_record.1"}, {"client.send_handshake_record.2"}},
        {{"server.send_handshake_record.2", "server.send_handshake_record.3"}, {"client.send_handshake_record.3"}}},
       {{{"client.send_handshake_record.1"}, {"server.send_handshake_record.1"}},
        {{"client.send_handshake_record.2"}, {"server.send_handshake_record.2", "server.send_handshake_record.3"}},
        {{"client.send_handshake_record.3"}, {}}},
       true, true},
      {"compatibility_mode.txt", true, {},
       {{{}, {"client.send_handshake_record.1"}},
        {{"server.send_handshake_record.1", "server.send_change_cipher_spec_record.1", "server.send_handshake_record.2"},
         {"client.send_change_cipher_spec_record.1", "client.send_handshake_record.2"}}},
       {{{"client.send_handshake_record.1"},
         {"server.send_handshake_record.1", "server.send_change_cipher_spec_record.1", "server.send_handshake_record.2"}},
        {{"client.send_change_cipher_spec_record.1", "client.send_handshake_record.2"}, {}}},
       true, true},
  };
  return s;
}
}  // namespace

TEST_CASE("RFC 8448 §3/§5/§7: client replays byte-exactly", "[tls][rfc8448][client][hrr]") {
  std::size_t passed = 0;
  for (const auto& sec : sections()) {
    auto tr = test::load_trace(sec.file);
    if (!tr) continue;
    const auto& t = *tr;
    INFO(sec.file);
    const Vec ch1 = t["client.construct_a_clienthello_handshake_message.1.clienthello"];
    ScriptedRandom rng;
    rng.queue.push_back(Vec(ch1.begin() + 6, ch1.begin() + 38));
    if (sec.compat) rng.queue.push_back(Vec(ch1.begin() + 39, ch1.begin() + 71));
    StubVerifier verifier;
    TestHooks hooks;
    hooks.ephemeral_private = [&](std::uint16_t g) { return t[key_name(true, g)]; };
    int n_ch = 0;
    hooks.edit_client_hello = [&](ClientHelloOut& o) {
      ++n_ch;
      Vec ch = t["client.construct_a_clienthello_handshake_message." + std::to_string(n_ch) + ".clienthello"];
      trace_extensions(o.exts, exts_block(ch), {ext::server_name, ext::key_share, ext::supported_versions, ext::cookie});
    };
    Config cfg;
    cfg.rng = &rng;
    cfg.hooks = &hooks;
    cfg.verifier = &verifier;
    cfg.server_name = "server";
    cfg.middlebox_compat = sec.compat;
    cfg.cipher_suites = {0x1301, 0x1303, 0x1302};
    Connection c(Role::client, cfg);
    for (const auto& ph : sec.client) {
      Vec in = cat(t, ph.feed);
      CHECK(c.feed(in) == in.size());
      INFO(c.error());
      REQUIRE(c.state() != ConnState::failed);
      auto out = c.pending_output();
      CHECK(hx(out) == hx(cat(t, ph.expect)));
      c.consume_output(out.size());
      ++passed;
    }
    CHECK(c.state() == ConnState::open);
    if (sec.client_alert) {
      c.close();
      auto out = c.pending_output();
      CHECK(hx(out) == hx(t["client.send_alert_record.1.complete_record"]));
      c.consume_output(out.size());
      Vec sa = t["server.send_alert_record.1.complete_record"];
      c.feed(sa);
      CHECK(c.peer_closed());
    }
  }
  test::report("rfc8448 client flights byte-exact (§3, §5, §7)", "-", passed);
}

TEST_CASE("RFC 8448 §3/§5/§7: server replays byte-exactly", "[tls][rfc8448][server][hrr]") {
  std::size_t passed = 0;
  for (const auto& sec : sections()) {
    auto tr = test::load_trace(sec.file);
    if (!tr) continue;
    const auto& t = *tr;
    INFO(sec.file);
    const bool hrr = !sec.server_groups.empty();
    const Vec sh = t[std::string("server.construct_a_serverhello_handshake_message.") + (hrr ? "2" : "1") + ".serverhello"];
    const Vec ee = t["server.construct_an_encryptedextensions_handshake_message.1.encryptedextensions"];
    const Vec cv = t["server.construct_a_certificateverify_handshake_message.1.certificateverify"];
    ScriptedRandom rng;
    rng.queue.push_back(Vec(sh.begin() + 6, sh.begin() + 38));
    TestHooks hooks;
    hooks.ephemeral_private = [&](std::uint16_t g) { return t[key_name(false, g)]; };
    hooks.edit_encrypted_extensions = [&](OutExtensions& o) { trace_extensions(o, Bytes(ee).subspan(4), {}); };
    hooks.edit_signature = [&](tls::ByteVector& sig) { sig.assign(cv.begin() + 8, cv.end()); };
    hooks.hrr_cookie = [&]() {
      ServerHello h;
      Vec m = t["server.construct_a_serverhello_handshake_message.1.serverhello"];
      REQUIRE(!parse_server_hello(Bytes(m).subspan(4), h));
      return Vec(h.cookie.begin(), h.cookie.end());
    };
    Config cfg;
    cfg.rng = &rng;
    cfg.hooks = &hooks;
    if (hrr) cfg.groups = sec.server_groups;
    cfg.credentials.push_back(make_credential(0x0804));
    Connection s(Role::server, cfg);
    for (const auto& ph : sec.server) {
      Vec in = cat(t, ph.feed);
      CHECK(s.feed(in) == in.size());
      INFO(s.error());
      REQUIRE(s.state() != ConnState::failed);
      auto out = s.pending_output();
      CHECK(hx(out) == hx(cat(t, ph.expect)));
      s.consume_output(out.size());
      ++passed;
    }
    CHECK(s.state() == ConnState::open);
    CHECK(s.hello_retry() == hrr);
    if (sec.server_alert) {
      Vec ca = t["client.send_alert_record.1.complete_record"];
      s.feed(ca);
      CHECK(s.peer_closed());
      s.close();
      auto out = s.pending_output();
      CHECK(hx(out) == hx(t["server.send_alert_record.1.complete_record"]));
    }
  }
  test::report("rfc8448 server flights byte-exact (§3, §5, §7)", "-", passed);
}
