// tls/key_schedule against every intermediate value of RFC 8448 §3, §4,
// §5, §6 and §7 (the trace files give prk/hash/info/expanded per step).
#include <catch2/catch.hpp>

#include "crypto/hmac/hkdf.hpp"
#include "tests/tls/trace.hpp"
#include "tls/key_schedule.hpp"

using namespace tern;
using namespace tern::tls;
using tern::test::Bytes;
using tern::test::hex;

namespace {
using Vec = std::vector<std::uint8_t>;
Vec V(tls::Bytes b) { return Vec(b.begin(), b.end()); }

// "derive_secret_tls13_c_hs_traffic" -> "c hs traffic"; "..._tls13_derived" -> "derived".
std::string label_of(const std::string& step) {
  auto p = step.find("tls13_");
  std::string l = step.substr(p + 6);
  for (auto& c : l)
    if (c == '_') c = ' ';
  return l;
}

// Runs every per-step check of one trace file; returns the number passed.
std::size_t check_steps(const test::Trace& t) {
  std::size_t n = 0;
  for (const auto& [name, value] : t.values) {
    // name = side.step.n.field
    auto d1 = name.find('.'), d2 = name.find('.', d1 + 1), d3 = name.find('.', d2 + 1);
    if (d3 == std::string::npos) continue;
    std::string prefix = name.substr(0, d3), step = name.substr(d1 + 1, d2 - d1 - 1),
                field = name.substr(d3 + 1);
    if (step.rfind("derive_secret", 0) == 0 && field == "expanded") {
      Secret s;
      REQUIRE(derive_secret(HashId::sha256, s, t[prefix + ".prk"], label_of(step), t[prefix + ".hash"]) ==
              Status::ok);
      INFO(name);
      CHECK(V(s.view()) == t[name]);
      ++n;
    } else if (step.rfind("extract_secret", 0) == 0 && field == "secret") {
      Secret s;
      s.n = 32;
      Vec salt = t.has(prefix + ".salt") ? t[prefix + ".salt"] : Vec{};
      REQUIRE(hkdf_extract(HashId::sha256, s.span(), salt, t[prefix + ".ikm"]) == Status::ok);
      INFO(name);
      CHECK(V(s.view()) == t[name]);
      ++n;
    } else if (step.find("traffic_keys") != std::string::npos && field == "key_expanded") {
      TrafficKeys k;
      REQUIRE(derive_traffic_keys(*find_suite(0x1301), t[prefix + ".prk"], k) == Status::ok);
      INFO(name);
      CHECK(Vec(k.key, k.key + k.key_len) == t[name]);
      CHECK(Vec(k.iv, k.iv + 12) == t[prefix + ".iv_expanded"]);
      n += 2;
    } else if ((step == "calculate_finished_tls13_finished" || step == "calculate_psk_binder") &&
               field == "expanded") {
      Vec fk(32);
      REQUIRE(hkdf_expand_label(HashId::sha256, fk, t[prefix + ".prk"], "finished", {}) == Status::ok);
      INFO(name);
      CHECK(fk == t[name]);
      ++n;
    } else if (step == "generate_resumption_secret_tls13_resumption" && field == "expanded") {
      Secret s;
      REQUIRE(resumption_psk(HashId::sha256, t[prefix + ".prk"], t[prefix + ".hash"], s) == Status::ok);
      INFO(name);
      CHECK(V(s.view()) == t[name]);
      ++n;
    }
  }
  return n;
}
}  // namespace

TEST_CASE("key schedule: every RFC 8448 step", "[tls][keyschedule][rfc8448]") {
  for (const char* f : {"simple_1rtt.txt", "resumed_0rtt.txt", "hello_retry_request.txt",
                        "client_authentication.txt", "compatibility_mode.txt"}) {
    auto t = test::load_trace(f);
    if (!t) continue;
    std::size_t n = check_steps(*t);
    CHECK(n >= 20);
    test::report(std::string("rfc8448 key schedule ") + f, "-", n);
  }
}

TEST_CASE("key schedule: RFC 8448 §3 chain, transcript and Finished", "[tls][keyschedule][rfc8448]") {
  auto tr = test::load_trace("simple_1rtt.txt");
  if (!tr) return;
  const auto& t = *tr;
  const Vec ch = t["client.construct_a_clienthello_handshake_message.1.clienthello"];
  const Vec sh = t["server.construct_a_serverhello_handshake_message.1.serverhello"];
  const Vec ee = t["server.construct_an_encryptedextensions_handshake_message.1.encryptedextensions"];
  const Vec cert = t["server.construct_a_certificate_handshake_message.1.certificate"];
  const Vec cv = t["server.construct_a_certificateverify_handshake_message.1.certificateverify"];
  const Vec sfin = t["server.construct_a_finished_handshake_message.1.finished"];
  const Vec cfin = t["client.construct_a_finished_handshake_message.1.finished"];

  Transcript tx;
  tx.update(ch);  // buffered: hash unknown until ServerHello
  tx.update(sh);
  tx.set_hash(HashId::sha256);
  Secret h;
  tx.current(h);
  CHECK(V(h.view()) == t["server.derive_secret_tls13_c_hs_traffic.1.hash"]);

  KeySchedule ks(HashId::sha256);
  REQUIRE(ks.early() == Status::ok);
  CHECK(V(ks.current()) == t["server.extract_secret_early.1.secret"]);
  REQUIRE(ks.handshake(t["server.extract_secret_handshake.1.ikm"]) == Status::ok);
  CHECK(V(ks.current()) == t["server.extract_secret_handshake.1.secret"]);
  Secret shts, chts;
  REQUIRE(ks.derive(shts, "s hs traffic", h.view()) == Status::ok);
  REQUIRE(ks.derive(chts, "c hs traffic", h.view()) == Status::ok);
  CHECK(V(shts.view()) == t["server.derive_secret_tls13_s_hs_traffic.1.expanded"]);

  tx.update(ee);
  tx.update(cert);
  tx.update(cv);
  tx.current(h);
  Secret vd;
  REQUIRE(finished_verify_data(HashId::sha256, shts.view(), h.view(), vd) == Status::ok);
  CHECK(V(vd.view()) == t["server.calculate_finished_tls13_finished.1.finished"]);
  tx.update(sfin);
  tx.current(h);
  REQUIRE(ks.master() == Status::ok);
  CHECK(V(ks.current()) == t["server.extract_secret_master.1.secret"]);
  Secret cats, sats, exp;
  REQUIRE(ks.derive(cats, "c ap traffic", h.view()) == Status::ok);
  REQUIRE(ks.derive(sats, "s ap traffic", h.view()) == Status::ok);
  REQUIRE(ks.derive(exp, "exp master", h.view()) == Status::ok);
  CHECK(V(cats.view()) == t["server.derive_secret_tls13_c_ap_traffic.1.expanded"]);
  CHECK(V(sats.view()) == t["server.derive_secret_tls13_s_ap_traffic.1.expanded"]);
  CHECK(V(exp.view()) == t["server.derive_secret_tls13_exp_master.1.expanded"]);
  REQUIRE(finished_verify_data(HashId::sha256, chts.view(), h.view(), vd) == Status::ok);
  CHECK(V(vd.view()) == t["client.calculate_finished_tls13_finished.2.finished"]);
  tx.update(cfin);
  tx.current(h);
  Secret res;
  REQUIRE(ks.derive(res, "res master", h.view()) == Status::ok);
  CHECK(V(res.view()) == t["client.derive_secret_tls13_res_master.1.expanded"]);
  Secret psk;
  REQUIRE(resumption_psk(HashId::sha256, res.view(), hex("0000"), psk) == Status::ok);
  CHECK(V(psk.view()) == t["server.generate_resumption_secret_tls13_resumption.1.expanded"]);
  // Exporter: smoke (no RFC value); deterministic and label-sensitive.
  Vec e1(32), e2(32);
  REQUIRE(export_keying_material(HashId::sha256, e1, exp.view(), "EXPORTER-test", {}) == Status::ok);
  REQUIRE(export_keying_material(HashId::sha256, e2, exp.view(), "EXPORTER-tesu", {}) == Status::ok);
  CHECK(e1 != e2);
  Secret upd;
  REQUIRE(next_traffic_secret(HashId::sha256, cats.view(), upd) == Status::ok);
  CHECK(upd.n == 32);
}

TEST_CASE("key schedule: RFC 8448 §5 HRR transcript (message_hash rule)", "[tls][keyschedule][rfc8448]") {
  auto tr = test::load_trace("hello_retry_request.txt");
  if (!tr) return;
  const auto& t = *tr;
  Transcript tx;
  tx.update(t["client.construct_a_clienthello_handshake_message.1.clienthello"]);
  tx.set_hash(HashId::sha256);
  tx.replace_with_message_hash();
  tx.update(t["server.construct_a_serverhello_handshake_message.1.serverhello"]);
  tx.update(t["client.construct_a_clienthello_handshake_message.2.clienthello"]);
  tx.update(t["server.construct_a_serverhello_handshake_message.2.serverhello"]);
  Secret h;
  tx.current(h);
  CHECK(V(h.view()) == t["server.derive_secret_tls13_c_hs_traffic.1.hash"]);
}

TEST_CASE("key schedule: SHA-384 shape and label limits", "[tls][keyschedule]") {
  KeySchedule ks(HashId::sha384);
  REQUIRE(ks.early() == Status::ok);
  CHECK(ks.current().size() == 48);
  TrafficKeys k;
  REQUIRE(derive_traffic_keys(*find_suite(0x1302), ks.current(), k) == Status::ok);
  CHECK(k.key_len == 32);
  Vec out(16);
  CHECK(hkdf_expand_label(HashId::sha256, out, ks.current(), std::string(250, 'x'), {}) == Status::bad_length);
  CHECK(find_suite(0x1304) == nullptr);
}

// hkdf_expand_label computes HKDF-Expand itself (over HMAC): the same bytes
// as crypto's hkdf_expand for outputs of one block, several blocks, a
// partial last block and the 255-block maximum, and the same refusals.
TEST_CASE("key schedule: HKDF-Expand-Label equals HKDF-Expand over the HkdfLabel", "[tls][keyschedule]") {
  std::size_t n = 0;
  for (auto h : {HashId::sha256, HashId::sha384}) {
    const std::size_t hl = sha2::digest_size(h);
    Vec secret(hl);
    for (std::size_t i = 0; i < hl; ++i) secret[i] = static_cast<std::uint8_t>(7 * i + 1);
    const Vec ctx = hex("0102030405");
    for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{12}, hl, hl + 1, 3 * hl - 5, 255 * hl}) {
      Vec info = {static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len), 6 + 8};
      for (char c : std::string("tls13 exporter")) info.push_back(static_cast<std::uint8_t>(c));
      info.push_back(static_cast<std::uint8_t>(ctx.size()));
      info.insert(info.end(), ctx.begin(), ctx.end());
      Vec want(len), got(len, 0xee);
      REQUIRE(hkdf_expand(h, want, secret, info) == Status::ok);
      REQUIRE(hkdf_expand_label(h, got, secret, "exporter", ctx) == Status::ok);
      CHECK(got == want);
      ++n;
    }
    Vec big(255 * hl + 1);
    CHECK(hkdf_expand_label(h, big, secret, "exporter", ctx) == Status::output_too_long);
    Vec out(hl);
    CHECK(hkdf_expand_label(h, out, tls::Bytes(secret.data(), hl - 1), "exporter", ctx) == Status::bad_length);
  }
  CHECK(n == 14);
}
