// tls/record: protection against the RFC 8448 records, nonce = IV xor seq,
// padding removal, limits, and per-kernel AEAD selection.
#include <catch2/catch.hpp>

#include "tests/tls/trace.hpp"
#include "tls/record.hpp"

using namespace tern;
using namespace tern::tls;
using Vec = std::vector<std::uint8_t>;

namespace {
std::string hx(const Vec& b) { return test::to_hex(b.data(), b.size()); }
}  // namespace

TEST_CASE("record: RFC 8448 §3 protected records seal and open byte-exactly", "[tls][record][rfc8448]") {
  auto tr = test::load_trace("simple_1rtt.txt");
  if (!tr) return;
  const auto& t = *tr;
  struct Case {
    const char* keys;    // key derivation step prefix
    const char* record;  // record step prefix
    ContentType type;
    int seq;
  };
  const Case cases[] = {
      {"server.derive_write_traffic_keys_for_handshake_data.1", "server.send_handshake_record.2", ContentType::handshake, 0},
      {"client.derive_write_traffic_keys_for_handshake_data.1", "client.send_handshake_record.2", ContentType::handshake, 0},
      {"server.derive_write_traffic_keys_for_application_data.1", "server.send_handshake_record.3", ContentType::handshake, 0},
      {"server.derive_write_traffic_keys_for_application_data.1", "server.send_application_data_record.1",
       ContentType::application_data, 1},
      {"client.derive_write_traffic_keys_for_application_data.1", "client.send_application_data_record.1",
       ContentType::application_data, 0},
      {"client.derive_write_traffic_keys_for_application_data.1", "client.send_alert_record.1", ContentType::alert, 1},
      {"server.derive_write_traffic_keys_for_application_data.1", "server.send_alert_record.1", ContentType::alert, 2},
  };
  std::size_t n = 0;
  for (const auto& c : cases) {
    INFO(c.record);
    std::string kp = c.keys;
    if (!t.has(kp + ".key_expanded")) {
      // Some key steps are printed only by the other side.
      kp.replace(0, kp.find('.'), kp[0] == 's' ? "client" : "server");
      kp.replace(kp.find("write"), 5, "read");
    }
    Vec key = t[kp + ".key_expanded"], iv = t[kp + ".iv_expanded"];
    Vec payload = t[std::string(c.record) + ".payload"], rec = t[std::string(c.record) + ".complete_record"];
    RecordProtection w, r;
    REQUIRE(w.install_raw(AeadKind::aes128gcm, key, iv) == Status::ok);
    REQUIRE(r.install_raw(AeadKind::aes128gcm, key, iv) == Status::ok);
    for (int i = 0; i < c.seq; ++i) {
      Vec dummy;
      REQUIRE(!w.seal(dummy, ContentType::application_data, {}));
      Vec scratch = dummy;
      ContentType ty;
      std::span<std::uint8_t> content;
      REQUIRE(!r.open(scratch, ty, content));
    }
    Vec out;
    REQUIRE(!w.seal(out, c.type, payload));
    CHECK(hx(out) == hx(rec));
    ContentType ty;
    std::span<std::uint8_t> content;
    Vec in = rec;
    REQUIRE(!r.open(in, ty, content));
    CHECK(ty == c.type);
    CHECK(Vec(content.begin(), content.end()) == payload);
    ++n;
  }
  test::report("rfc8448 records", "-", n);
}

TEST_CASE("record: padding, limits and failures", "[tls][record][negative]") {
  for (AeadKind kind : {AeadKind::aes128gcm, AeadKind::aes256gcm, AeadKind::chacha20poly1305}) {
    Vec key(kind == AeadKind::aes128gcm ? 16 : 32, 7), iv(12, 9);
    RecordProtection w, r;
    REQUIRE(w.install_raw(kind, key, iv) == Status::ok);
    REQUIRE(r.install_raw(kind, key, iv) == Status::ok);
    Vec msg = {1, 2, 3};
    Vec out;
    REQUIRE(!w.seal(out, ContentType::application_data, msg, 100));  // padded
    CHECK(out.size() == 5 + 3 + 1 + 100 + 16);
    ContentType ty;
    std::span<std::uint8_t> content;
    REQUIRE(!r.open(out, ty, content));
    CHECK(Vec(content.begin(), content.end()) == msg);
    CHECK(r.sequence() == 1);

    // Tampering -> bad_record_mac.
    out.clear();
    REQUIRE(!w.seal(out, ContentType::application_data, msg));
    out[7] ^= 1;
    CHECK(r.open(out, ty, content).alert == Alert::bad_record_mac);
    // Replay/reorder (sequence already advanced) -> bad_record_mac.
    Vec a, b;
    REQUIRE(!w.seal(a, ContentType::application_data, msg));
    REQUIRE(!w.seal(b, ContentType::application_data, msg));
    RecordProtection r2;
    REQUIRE(r2.install_raw(kind, key, iv) == Status::ok);
    // r2 is at seq 0, records are at 2 and 3.
    CHECK(r2.open(b, ty, content).alert == Alert::bad_record_mac);

    // All-zero inner plaintext -> unexpected_message.
    RecordProtection w3, r3;
    REQUIRE(w3.install_raw(kind, key, iv) == Status::ok);
    REQUIRE(r3.install_raw(kind, key, iv) == Status::ok);
    Vec z;
    REQUIRE(!w3.seal(z, ContentType::invalid, {}, 10));
    CHECK(r3.open(z, ty, content).alert == Alert::unexpected_message);

    // Full-size record ok; one byte over cannot be sent.
    Vec big(kMaxPlaintext, 0x55), o;
    CHECK(!w3.seal(o, ContentType::application_data, big));
    CHECK(r3.open(o, ty, content).alert == Alert::none);
    CHECK(content.size() == kMaxPlaintext);
    Vec o2;
    CHECK(w3.seal(o2, ContentType::application_data, big, 1).alert == Alert::internal_error);
    // Inner plaintext over 2^14+1 (a peer padding too much) -> record_overflow.
    RecordProtection w4, r4;
    REQUIRE(w4.install_raw(kind, key, iv) == Status::ok);
    REQUIRE(r4.install_raw(kind, key, iv) == Status::ok);
    // Build by hand: seal 2^14+2 bytes of inner plaintext with the raw AEAD.
    Aead aead;
    REQUIRE(aead.init(kind, key) == Status::ok);
    Vec inner(kMaxPlaintext + 2, 0);
    inner[0] = 23;
    Vec rec(5 + inner.size() + 16);
    rec[0] = 23, rec[1] = 3, rec[2] = 3, rec[3] = static_cast<std::uint8_t>((inner.size() + 16) >> 8),
    rec[4] = static_cast<std::uint8_t>(inner.size() + 16);
    REQUIRE(aead.seal(std::span<std::uint8_t>(rec.data() + 5, inner.size() + 16), iv,
                      Bytes(rec.data(), 5), inner) == Status::ok);
    CHECK(r4.open(rec, ty, content).alert == Alert::record_overflow);
    // Too short to hold a tag.
    Vec tiny = {23, 3, 3, 0, 4, 1, 2, 3, 4};
    CHECK(r4.open(tiny, ty, content).alert == Alert::bad_record_mac);
  }
}

TEST_CASE("record: padding removal at every offset", "[tls][record]") {
  // Content lengths 0..33 (content bytes include zeros, so only the content
  // type marks the end), padding 0..33: covers every position of the last
  // non-zero byte within and across 8-byte words.
  Vec key(16, 3), iv(12, 5);
  RecordProtection w, r;
  REQUIRE(w.install_raw(AeadKind::aes128gcm, key, iv) == Status::ok);
  REQUIRE(r.install_raw(AeadKind::aes128gcm, key, iv) == Status::ok);
  std::size_t n = 0;
  for (std::size_t len = 0; len <= 33; ++len) {
    for (std::size_t pad = 0; pad <= 33; ++pad) {
      Vec msg(len);
      for (std::size_t i = 0; i < len; ++i) msg[i] = static_cast<std::uint8_t>(i % 3 == 0 ? 0 : i);
      for (ContentType t : {ContentType::application_data, ContentType::handshake, ContentType::alert}) {
        Vec out;
        REQUIRE(!w.seal(out, t, msg, pad));
        ContentType ty;
        std::span<std::uint8_t> content;
        REQUIRE(!r.open(out, ty, content));
        CHECK(ty == t);
        CHECK(Vec(content.begin(), content.end()) == msg);
        ++n;
      }
    }
  }
  test::report("padding offsets", "aes128gcm", n);
}
