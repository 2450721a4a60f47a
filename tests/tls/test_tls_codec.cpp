// tls/wire + tls/messages: the bounded reader, and every handshake message
// parser/serializer with its error alerts.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>

#include "tests/support/testutil.hpp"
#include "tls/messages.hpp"
#include "tls/wire.hpp"

using namespace tern;
using namespace tern::tls;
using tern::test::hex;

namespace {
template <class V>
Bytes B(const V& v) {
  return Bytes(v.data(), v.size());
}
// The RFC 8448 §3 ClientHello / ServerHello bodies (without the 4-byte header).
const char* kCh =
    "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302010000910000000b"
    "0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400230000003300260024001d002099"
    "381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e0403050306030203080408"
    "05080604010501060102010402050206020202002d00020101001c00024001";
const char* kSh =
    "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024001d0020c98288"
    "76112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";
}  // namespace

TEST_CASE("wire: reader is bounded and sticky", "[tls][wire]") {
  auto d = hex("0102030004aabbccdd");
  Reader r(B(d));
  CHECK(r.u8() == 1);
  CHECK(r.u16() == 0x0203);
  Bytes v = r.vec16(1, 4);
  CHECK(v.size() == 4);
  CHECK(r.done());
  CHECK(r.u8() == 0);  // overrun
  CHECK(!r.ok());
  CHECK(r.u16() == 0);  // sticky
  CHECK(r.remaining() == 0);

  Reader r2(B(d));
  r2.u24();
  CHECK(r2.vec16(0, 3).empty());  // length 4 > max 3
  CHECK(!r2.ok());

  auto d3 = hex("0005aabb");
  Reader r3(B(d3));
  CHECK(r3.vec16().empty());  // declared 5, only 2 present
  CHECK(!r3.ok());
  Reader r4(B(d3));
  Reader sub = r4.sub(1, 0, 255);  // 0x00: empty vector
  CHECK(sub.done());
  CHECK(r4.u24() == 0x05aabb);
  CHECK(r4.done());
  CHECK(r4.u32() == 0);
  CHECK(!r4.ok());
}

TEST_CASE("wire: writer length prefixes", "[tls][wire]") {
  ByteVector out;
  Writer w(out);
  auto m = w.begin(3);
  w.u16(0x1234);
  auto m2 = w.begin(1);
  w.u8(9);
  w.end(m2);
  w.end(m);
  CHECK(out == hex("00000412340109"));
  CHECK(w.ok());
  std::vector<std::uint8_t> big(300, 1);
  ByteVector out2;
  Writer w2(out2);
  w2.vec(1, B(big));
  CHECK(!w2.ok());
}

TEST_CASE("messages: RFC 8448 ClientHello parses and re-serializes", "[tls][codec]") {
  auto raw = hex(kCh);
  ClientHello ch;
  REQUIRE(!parse_client_hello(Bytes(raw).subspan(4), ch));
  CHECK(ch.legacy_version == 0x0303);
  CHECK(ch.session_id.empty());
  CHECK(ch.cipher_suites == std::vector<std::uint16_t>{0x1301, 0x1303, 0x1302});
  CHECK(ch.has_supported_versions);
  CHECK(ch.supported_versions == std::vector<std::uint16_t>{0x0304});
  CHECK(ch.key_shares.size() == 1);
  CHECK(ch.key_shares[0].group == 0x001d);
  CHECK(std::string(ch.server_name.begin(), ch.server_name.end()) == "server");
  CHECK(ch.supported_groups.size() == 9);
  CHECK(ch.signature_algorithms.size() == 15);
  CHECK(ch.exts.size() == 9);

  // Re-serialize from the parsed pieces, keeping the trace's order.
  ClientHelloOut o;
  std::memcpy(o.random, ch.random.data(), 32);
  o.session_id = ch.session_id;
  o.cipher_suites = ch.cipher_suites;
  for (const auto& e : ch.exts) o.exts.push_back({e.type, ByteVector(e.data.begin(), e.data.end())});
  ByteVector again;
  write_client_hello(again, o);
  CHECK(again == raw);
}

TEST_CASE("messages: RFC 8448 ServerHello parses and re-serializes", "[tls][codec]") {
  auto raw = hex(kSh);
  ServerHello sh;
  REQUIRE(!parse_server_hello(Bytes(raw).subspan(4), sh));
  CHECK(!sh.is_hrr);
  CHECK(sh.cipher_suite == 0x1301);
  CHECK(sh.selected_version == 0x0304);
  CHECK(sh.key_share.group == 0x001d);
  CHECK(sh.key_share.key.size() == 32);
  ServerHelloOut o;
  std::memcpy(o.random, sh.random.data(), 32);
  o.session_id = sh.session_id;
  o.cipher_suite = sh.cipher_suite;
  o.exts.push_back({ext::key_share, encode_key_share_server(sh.key_share)});
  o.exts.push_back({ext::supported_versions, encode_supported_versions_server(0x0304)});
  ByteVector again;
  write_server_hello(again, o);
  CHECK(again == raw);
}

namespace {
// Builds a ClientHello body with the given extensions block (raw bytes).
std::vector<std::uint8_t> ch_with_exts(const std::string& exts_hex, const std::string& comp = "0100") {
  return hex("0303" + std::string(64, '1') + "00" + "00021301" + comp + exts_hex);
}
Alert ch_alert(const std::vector<std::uint8_t>& body) {
  ClientHello ch;
  return parse_client_hello(B(body), ch).alert;
}
}  // namespace

TEST_CASE("messages: ClientHello errors map to the right alerts", "[tls][codec][negative]") {
  // Valid minimal: supported_versions only.
  CHECK(ch_alert(ch_with_exts("0007002b0003020304")) == Alert::none);
  // Duplicate extension.
  CHECK(ch_alert(ch_with_exts("000e002b0003020304002b0003020304")) == Alert::illegal_parameter);
  // Extension list length overruns.
  CHECK(ch_alert(ch_with_exts("0008002b0003020304")) == Alert::decode_error);
  // Trailing byte after extensions.
  CHECK(ch_alert(ch_with_exts("0007002b000302030400")) == Alert::decode_error);
  // Inner length inconsistent (supported_versions says 3 bytes of list, has 2).
  CHECK(ch_alert(ch_with_exts("0006002b00020304")) == Alert::decode_error);
  // Odd-length u16 list.
  CHECK(ch_alert(ch_with_exts("0006002b0002010303")) == Alert::decode_error);
  // Compression other than {null} in a TLS 1.3 ClientHello.
  CHECK(ch_alert(ch_with_exts("0007002b0003020304", "0101")) == Alert::illegal_parameter);
  // pre_shared_key not last.
  CHECK(ch_alert(ch_with_exts("000b00290000002b0003020304")) == Alert::illegal_parameter);
  // A recognized extension that belongs to another message (oid_filters).
  CHECK(ch_alert(ch_with_exts("000b002b000302030400300000")) == Alert::illegal_parameter);
  // Unknown extensions are ignored.
  CHECK(ch_alert(ch_with_exts("000b002b0003020304fafa0000")) == Alert::none);
  // Duplicate key_share group.
  // key_share list length 0x0f but 15 bytes of entries do not parse evenly.
  CHECK(ch_alert(ch_with_exts("00130033000f000d001d0001aa001d0001bb001d0001cc")) == Alert::decode_error);
  CHECK(ch_alert(ch_with_exts("00100033000c000a001d0001aa001d0001bb")) == Alert::illegal_parameter);
  // Empty key_exchange.
  CHECK(ch_alert(ch_with_exts("000a003300060004001d0000")) == Alert::decode_error);
  // Truncated anywhere.
  auto good = ch_with_exts("0007002b0003020304");
  for (std::size_t n = 0; n < good.size(); ++n) {
    std::vector<std::uint8_t> t(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    // (A hello that ends right after compression_methods has no extensions:
    // structurally valid, rejected later as not TLS 1.3.)
    if (n != good.size() - 9) CHECK(ch_alert(t) == Alert::decode_error);
  }
  // Session id longer than 32.
  CHECK(ch_alert(hex("0303" + std::string(64, '1') + "21" + std::string(66, '0') + "000213010100")) ==
        Alert::decode_error);
}

namespace {
// supported_versions plus `n` empty extensions of distinct unrecognized
// types (0x4000 + i; `dup` repeats the first one at the end), as hex.
std::string many_unknown(std::size_t n, bool dup = false) {
  std::string body = "002b0003020304";
  char buf[48];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%04zx0000", 0x4000 + i);
    body += buf;
  }
  if (dup) body += "40000000";
  std::snprintf(buf, sizeof buf, "%04zx", body.size() / 2);
  return buf + body;
}
}  // namespace

TEST_CASE("messages: extension and key_share counts are bounded", "[tls][codec][negative]") {
  // Up to kMaxUnknownExtensions unrecognized types are ignored; a duplicate
  // among them is still refused; one more is refused as too many.
  CHECK(ch_alert(ch_with_exts(many_unknown(kMaxUnknownExtensions))) == Alert::none);
  CHECK(ch_alert(ch_with_exts(many_unknown(kMaxUnknownExtensions - 1, true))) == Alert::illegal_parameter);
  CHECK(ch_alert(ch_with_exts(many_unknown(kMaxUnknownExtensions + 1))) == Alert::decode_error);
  // The largest block (16,382 empty unrecognized extensions after
  // supported_versions) is refused at once instead of costing ~0.6 s of
  // pairwise comparisons.
  CHECK(ch_alert(ch_with_exts(many_unknown(16382))) == Alert::decode_error);
  // key_share: kMaxKeyShareEntries entries of distinct groups parse, one
  // more is refused.
  auto shares = [](std::size_t n) {
    std::string list;
    char buf[48];
    for (std::size_t i = 0; i < n; ++i) {
      std::snprintf(buf, sizeof buf, "%04zx0001aa", 0x7000 + i);
      list += buf;
    }
    std::string ext = "002b0003020304";
    std::snprintf(buf, sizeof buf, "0033%04zx%04zx", list.size() / 2 + 2, list.size() / 2);
    ext += buf + list;
    std::snprintf(buf, sizeof buf, "%04zx", ext.size() / 2);
    return buf + ext;
  };
  CHECK(ch_alert(ch_with_exts(shares(kMaxKeyShareEntries))) == Alert::none);
  CHECK(ch_alert(ch_with_exts(shares(kMaxKeyShareEntries + 1))) == Alert::decode_error);
}

TEST_CASE("messages: ServerHello/HRR structure and alerts", "[tls][codec][negative]") {
  auto sh_body = [](const std::string& random, const std::string& exts) {
    return hex("0303" + random + "00" + "1301" + "00" + exts);
  };
  std::string hrr_random = test::to_hex(kHrrRandom, 32);
  ServerHello sh;
  REQUIRE(!parse_server_hello(B(sh_body(hrr_random, "000c002b00020304003300020017")), sh));
  CHECK(sh.is_hrr);
  CHECK(sh.key_share.group == 0x0017);
  // key_share in an HRR carries only the group: a key makes it malformed.
  CHECK(parse_server_hello(B(sh_body(hrr_random, "000f002b000203040033000500170001aa")), sh).alert ==
        Alert::decode_error);
  // cookie is not allowed in a ServerHello.
  CHECK(parse_server_hello(B(sh_body(std::string(64, '2'), "000d002b00020304002c0003000101")), sh).alert ==
        Alert::illegal_parameter);
  // supported_versions with a list (client form) in a ServerHello.
  CHECK(parse_server_hello(B(sh_body(std::string(64, '2'), "0007002b0003020304")), sh).alert ==
        Alert::decode_error);
  // Duplicate.
  CHECK(parse_server_hello(B(sh_body(std::string(64, '2'), "000c002b00020304002b00020304")), sh).alert ==
        Alert::illegal_parameter);
}

TEST_CASE("messages: EncryptedExtensions / Certificate / CertificateVerify / Finished", "[tls][codec]") {
  // RFC 8448 §3 EncryptedExtensions.
  auto ee_raw = hex("080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000");
  EncryptedExtensions ee;
  REQUIRE(!parse_encrypted_extensions(Bytes(ee_raw).subspan(4), ee));
  CHECK(ee.has_server_name);
  CHECK(ee.exts.size() == 3);
  // key_share is not allowed in EncryptedExtensions.
  CHECK(parse_encrypted_extensions(B(hex("0006003300020001")), ee).alert == Alert::illegal_parameter);
  CHECK(parse_encrypted_extensions(B(hex("00070033000200")), ee).alert == Alert::decode_error);
  // ALPN with two protocols from the server.
  CHECK(parse_encrypted_extensions(B(hex("000b0010000702683202683300")), ee).alert == Alert::decode_error);
  CHECK(parse_encrypted_extensions(B(hex("000c001000080006026832026833")), ee).alert == Alert::illegal_parameter);
  REQUIRE(!parse_encrypted_extensions(B(hex("0009001000050003026832")), ee));
  CHECK(ee.has_alpn);
  CHECK(ee.alpn.size() == 2);

  Certificate c;
  auto cert_body = hex("00000009000004aabbccdd0000");
  REQUIRE(!parse_certificate(B(cert_body), c));
  REQUIRE(c.entries.size() == 1);
  CHECK(c.entries[0].cert_data.size() == 4);
  ByteVector out;
  Bytes chain[] = {c.entries[0].cert_data};
  write_certificate(out, {}, chain);
  CHECK(out == hex("0b00000d" "00000009000004aabbccdd0000"));
  CHECK(parse_certificate(B(hex("00000009000004aabbccdd00")), c).alert == Alert::decode_error);
  CHECK(parse_certificate(B(hex("000000050000000000")), c).alert == Alert::decode_error);  // empty cert_data

  CertificateVerify cv;
  REQUIRE(!parse_certificate_verify(B(hex("08040002abcd")), cv));
  CHECK(cv.scheme == 0x0804);
  CHECK(parse_certificate_verify(B(hex("08040003abcd")), cv).alert == Alert::decode_error);
  CHECK(parse_certificate_verify(B(hex("08040000")), cv).alert == Alert::decode_error);

  Bytes vd;
  auto fin = hex("9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718");
  CHECK(!parse_finished(B(fin), 32, vd));
  CHECK(parse_finished(B(fin), 48, vd).alert == Alert::decode_error);
}

TEST_CASE("messages: CertificateRequest, NewSessionTicket, KeyUpdate", "[tls][codec]") {
  CertificateRequest cr;
  const auto cr_body = hex("00000a000d0006000404030807");  // cr views into it
  Err e = parse_certificate_request(B(cr_body), cr);
  CHECK(!e);
  REQUIRE(cr.signature_algorithms.size() == 2);
  CHECK(cr.signature_algorithms[0] == 0x0403);
  CHECK(cr.signature_algorithms[1] == 0x0807);
  CHECK(cr.signature_algorithms.contains(0x0807));
  CHECK(!cr.signature_algorithms.contains(0x0804));
  CHECK(parse_certificate_request(B(hex("000000")), cr).alert == Alert::missing_extension);
  CHECK(parse_certificate_request(B(hex("000006002b00020304")), cr).alert == Alert::illegal_parameter);
  // certificate_authorities: kept as a view of the validated name list.
  const auto cr_ca = hex("000013000d000400020403002f000700050003aabbcc");
  REQUIRE(!parse_certificate_request(B(cr_ca), cr));
  CHECK(std::vector<std::uint8_t>(cr.certificate_authorities.begin(), cr.certificate_authorities.end()) ==
        hex("0003aabbcc"));
  CHECK(parse_certificate_request(B(hex("000013000d000400020403002f000700050004aabbcc")), cr).alert ==
        Alert::decode_error);  // a name overruns the list
  CHECK(parse_certificate_request(B(hex("000013000d000400020403002f000700060003aabbcc")), cr).alert ==
        Alert::decode_error);  // list length beyond the extension
  CHECK(parse_certificate_request(B(hex("000013000d000400020403002f0007000500000001aa")), cr).alert ==
        Alert::decode_error);  // an empty name

  NewSessionTicket t;
  REQUIRE(!parse_new_session_ticket(B(hex("0000001e" "fad6aac5" "020000" "0002abcd" "0008002a000400000400")), t));
  CHECK(t.lifetime == 30);
  CHECK(t.nonce.size() == 2);
  CHECK(t.has_early_data);
  CHECK(t.max_early_data == 0x400);
  CHECK(parse_new_session_ticket(B(hex("00093a81" "fad6aac5" "00" "0002abcd" "0000")), t).alert ==
        Alert::illegal_parameter);
  CHECK(parse_new_session_ticket(B(hex("0000001e" "fad6aac5" "00" "0000" "0000")), t).alert ==
        Alert::decode_error);

  bool req = false;
  CHECK(!parse_key_update(B(hex("01")), req));
  CHECK(req);
  CHECK(parse_key_update(B(hex("02")), req).alert == Alert::illegal_parameter);
  CHECK(parse_key_update(B(hex("0100")), req).alert == Alert::decode_error);
  CHECK(!parse_end_of_early_data({}));
  CHECK(parse_end_of_early_data(B(hex("00"))).alert == Alert::decode_error);
}
