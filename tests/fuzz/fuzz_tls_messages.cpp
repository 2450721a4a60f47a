// libFuzzer target: every TLS 1.3 handshake message parser and extension
// decoder (tls/messages.hpp). The first input byte picks the parser, the
// rest is the message body. Where a serializer exists the parsed value is
// written back and parsed again, and must come out the same.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tests/fuzz/fuzz_common.hpp"
#include "tls/messages.hpp"

namespace {

using namespace tern::tls;
using tern::fuzz::same;

// Body of a message written by a write_* function (skips the 4-byte header).
Bytes body_of(const ByteVector& msg) {
  TERN_FUZZ_CHECK(msg.size() >= 4);
  const std::size_t n = (std::size_t{msg[1]} << 16) | (std::size_t{msg[2]} << 8) | msg[3];
  TERN_FUZZ_CHECK(n + 4 == msg.size());
  return Bytes(msg.data() + 4, n);
}

void check_extensions(const Extensions& exts, ExtContext ctx) {
  for (const auto& e : exts) {
    if (ext_known(e.type)) (void)ext_allowed(e.type, ctx);
    TERN_FUZZ_CHECK(find_ext(exts, e.type) != nullptr);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t which = data[0];
  const Bytes body(data + 1, size - 1);
  switch (which % 16) {
    case 0: {
      ClientHello ch;
      if (!parse_client_hello(body, ch)) {
        TERN_FUZZ_CHECK(ch.random.size() == 32);
        check_extensions(ch.exts, ExtContext::client_hello);
      }
      break;
    }
    case 1: {
      ServerHello sh;
      if (!parse_server_hello(body, sh)) {
        TERN_FUZZ_CHECK(sh.random.size() == 32);
        check_extensions(sh.exts, sh.is_hrr ? ExtContext::hello_retry_request : ExtContext::server_hello);
      }
      break;
    }
    case 2: {
      EncryptedExtensions ee;
      if (!parse_encrypted_extensions(body, ee)) check_extensions(ee.exts, ExtContext::encrypted_extensions);
      break;
    }
    case 3: {
      Certificate c;
      if (!parse_certificate(body, c)) {
        std::vector<Bytes> chain;
        for (const auto& e : c.entries) {
          TERN_FUZZ_CHECK(!e.cert_data.empty());
          chain.push_back(e.cert_data);
        }
        // Without per-entry extensions the chain serializes back to the input.
        bool plain = true;
        for (const auto& e : c.entries) plain = plain && e.exts.empty();
        if (plain) {
          ByteVector out;
          write_certificate(out, c.request_context, chain);
          Certificate again;
          TERN_FUZZ_CHECK(!parse_certificate(body_of(out), again));
          TERN_FUZZ_CHECK(again.entries.size() == c.entries.size());
          TERN_FUZZ_CHECK(same(again.request_context, c.request_context));
        }
      }
      break;
    }
    case 4: {
      CertificateVerify cv;
      if (!parse_certificate_verify(body, cv)) {
        ByteVector out;
        write_certificate_verify(out, cv.scheme, cv.signature);
        TERN_FUZZ_CHECK(same(body_of(out), body));
      }
      break;
    }
    case 5: {
      const std::size_t hash_len = (which & 0x10) ? 48 : 32;
      Bytes vd;
      if (!parse_finished(body, hash_len, vd)) {
        TERN_FUZZ_CHECK(vd.size() == hash_len);
        ByteVector out;
        write_finished(out, vd);
        TERN_FUZZ_CHECK(same(body_of(out), body));
      }
      break;
    }
    case 6: {
      CertificateRequest cr;
      if (!parse_certificate_request(body, cr)) {
        TERN_FUZZ_CHECK(!cr.signature_algorithms.empty());
        check_extensions(cr.exts, ExtContext::certificate_request);
      }
      break;
    }
    case 7: {
      NewSessionTicket t;
      if (!parse_new_session_ticket(body, t)) {
        check_extensions(t.exts, ExtContext::new_session_ticket);
        if (t.exts.empty()) {
          ByteVector out;
          write_new_session_ticket(out, t.lifetime, t.age_add, t.nonce, t.ticket, {});
          TERN_FUZZ_CHECK(same(body_of(out), body));
        }
      }
      break;
    }
    case 8: {
      bool req = false;
      if (!parse_key_update(body, req)) {
        ByteVector out;
        write_key_update(out, req);
        TERN_FUZZ_CHECK(same(body_of(out), body));
      }
      (void)parse_end_of_early_data(body);
      break;
    }
    case 9: {
      // A bare extension block in each context.
      for (int ctx = 0; ctx <= static_cast<int>(ExtContext::new_session_ticket); ++ctx) {
        Reader r(body);
        Extensions exts;
        if (!parse_extensions(r, static_cast<ExtContext>(ctx), exts)) check_extensions(exts, static_cast<ExtContext>(ctx));
      }
      break;
    }
    case 10: {
      ArenaVector<KeyShareEntry> ks;
      if (!decode_key_share_client(body, ks)) {
        ByteVector enc = encode_key_share_client(ks);
        TERN_FUZZ_CHECK(same(enc, body));
      }
      break;
    }
    case 11: {
      Bytes host;
      (void)decode_server_name(body, host);
      ArenaVector<Bytes> protos;
      (void)decode_alpn(body, protos);
      break;
    }
    case 12: {
      for (int width = 1; width <= 2; ++width) {
        ArenaVector<std::uint16_t> v;
        if (!decode_u16_list(body, width, 1, v)) {
          TERN_FUZZ_CHECK(same(encode_u16_list(width, v), body));
        }
      }
      break;
    }
    default: {
      // Handshake framing as the connection sees it: header + body.
      Reader r(body);
      while (r.remaining() >= 4) {
        const std::uint8_t t = r.u8();
        const std::uint32_t n = r.u24();
        Bytes b = r.bytes(n);
        if (!r.ok()) break;
        ByteVector out;
        write_handshake(out, static_cast<HandshakeType>(t), b);
        TERN_FUZZ_CHECK(out.size() == b.size() + 4 && same(body_of(out), b));
      }
      break;
    }
  }
  return 0;
}
