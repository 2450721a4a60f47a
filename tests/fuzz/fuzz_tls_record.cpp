// libFuzzer target: TLS 1.3 record protection (tls/record.hpp).
//   byte 0: AEAD (3 suites), 1: mode
//   mode even: the rest is a sequence of records (5-byte header + body as
//     given by the header's length, truncated at the end) opened one after
//     the other under a fixed key (arbitrary ciphertext: must be rejected
//     cleanly, never crash), then the same records sealed as plaintext
//     content by a writer and opened by a reader with the same key: the
//     round trip must give back type and content.
//   mode odd: the key itself comes from the input.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tests/fuzz/fuzz_common.hpp"
#include "tls/record.hpp"

using namespace tern::tls;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tern::fuzz::Input in(data, size);
  const AeadKind kind = static_cast<AeadKind>(in.u8() % 3);
  const std::uint8_t mode = in.u8();
  const std::size_t key_len = kind == AeadKind::aes128gcm ? 16 : 32;
  std::uint8_t key[32], iv[12];
  for (std::size_t i = 0; i < sizeof key; ++i) key[i] = static_cast<std::uint8_t>(0x40 + i);
  for (std::size_t i = 0; i < sizeof iv; ++i) iv[i] = static_cast<std::uint8_t>(0xa0 + i);
  if (mode & 1) {
    auto k = in.take(key_len);
    for (std::size_t i = 0; i < k.size(); ++i) key[i] = k[i];
  }
  RecordProtection reader, writer, reader2;
  TERN_FUZZ_CHECK(reader.install_raw(kind, Bytes(key, key_len), Bytes(iv, 12)) == tern::Status::ok);
  TERN_FUZZ_CHECK(writer.install_raw(kind, Bytes(key, key_len), Bytes(iv, 12)) == tern::Status::ok);
  TERN_FUZZ_CHECK(reader2.install_raw(kind, Bytes(key, key_len), Bytes(iv, 12)) == tern::Status::ok);

  while (!in.empty()) {
    // An arbitrary record, opened as received.
    auto hdr = in.take(5);
    const std::size_t len = hdr.size() == 5 ? (std::size_t{hdr[3]} << 8) | hdr[4] : 0;
    auto body = in.take(len);
    std::vector<std::uint8_t> rec(hdr.begin(), hdr.end());
    rec.insert(rec.end(), body.begin(), body.end());
    ContentType type = ContentType::invalid;
    std::span<std::uint8_t> content;
    const std::uint64_t seq = reader.sequence();
    Err e = reader.open(rec, type, content);
    if (!e) {
      // Only possible by forging the tag: a finding in itself.
      TERN_FUZZ_CHECK(false && "arbitrary record authenticated");
    }
    (void)seq;

    // The same bytes as content: seal, then open, must round-trip.
    if (body.size() <= (1u << 14)) {
      const ContentType ct = hdr.size() > 0 && (hdr[0] & 1) ? ContentType::application_data : ContentType::handshake;
      const std::size_t pad = hdr.size() > 1 ? hdr[1] : 0;
      std::vector<std::uint8_t> out;
      Err se = writer.seal(out, ct, body, body.size() + 1 + pad <= (1u << 14) + 1 ? pad : 0);
      if (se) continue;
      ContentType t2 = ContentType::invalid;
      std::span<std::uint8_t> c2;
      Err oe = reader2.open(out, t2, c2);
      if (body.empty() && ct == ContentType::application_data) {
        // Zero-length application data is allowed on the wire.
      }
      TERN_FUZZ_CHECK(!oe);
      TERN_FUZZ_CHECK(t2 == ct);
      TERN_FUZZ_CHECK(tern::fuzz::same(c2, body));
      // Any single flipped bit must be rejected.
      if (!out.empty() && hdr.size() > 2) {
        std::vector<std::uint8_t> bad(out);
        ContentType t3;
        std::span<std::uint8_t> c3;
        // (writer's next record, read by a fresh reader at the same sequence)
        std::vector<std::uint8_t> again;
        TERN_FUZZ_CHECK(!writer.seal(again, ct, body, 0));
        const std::size_t at = 5 + hdr[2] % (again.size() - 5);
        again[at] ^= static_cast<std::uint8_t>(1u << (hdr[2] & 7));
        TERN_FUZZ_CHECK(reader2.open(again, t3, c3));
        return 0;  // reader2 is now out of step: stop here
      }
    }
  }
  return 0;
}
