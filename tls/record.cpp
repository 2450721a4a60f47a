#include "tls/record.hpp"

#include <cstring>
#include <new>

#include "crypto/internal/bytes.hpp"
#include "crypto/internal/ct.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::tls {

Aead::~Aead() { clear(); }

void Aead::clear() noexcept {
#if !defined(TERN_NO_AES)
  if (held_ == Held::gcm) u_.gcm.~AesGcm();
#endif
#if !defined(TERN_NO_CHACHA)
  if (held_ == Held::chacha) u_.chacha.~ChaCha20Poly1305();
#endif
  held_ = Held::none;
}

Status Aead::init(AeadKind kind, Bytes key) noexcept {
  clear();
#if !defined(TERN_NO_CHACHA)
  if (kind == AeadKind::chacha20poly1305) {
    new (&u_.chacha) chacha::ChaCha20Poly1305();
    held_ = Held::chacha;
    return u_.chacha.init(key);
  }
#endif
#if !defined(TERN_NO_AES)
  if (kind != AeadKind::chacha20poly1305) {
    new (&u_.gcm) aes::AesGcm();
    held_ = Held::gcm;
    return u_.gcm.init(key);
  }
#endif
  (void)kind, (void)key;
  return Status::unsupported;
}

Status Aead::seal(std::span<std::uint8_t> out, Bytes nonce, Bytes aad, Bytes pt) const noexcept {
#if !defined(TERN_NO_AES)
  if (held_ == Held::gcm) return u_.gcm.seal(out, nonce, aad, pt);
#endif
#if !defined(TERN_NO_CHACHA)
  if (held_ == Held::chacha) return u_.chacha.seal(out, nonce, aad, pt);
#endif
  (void)out, (void)nonce, (void)aad, (void)pt;
  return Status::unsupported;
}

Status Aead::open(std::span<std::uint8_t> out, Bytes nonce, Bytes aad, Bytes in) const noexcept {
#if !defined(TERN_NO_AES)
  if (held_ == Held::gcm) return u_.gcm.open(out, nonce, aad, in);
#endif
#if !defined(TERN_NO_CHACHA)
  if (held_ == Held::chacha) return u_.chacha.open(out, nonce, aad, in);
#endif
  (void)out, (void)nonce, (void)aad, (void)in;
  return Status::unsupported;
}

RecordProtection::~RecordProtection() { wipe(iv_, sizeof iv_); }

void RecordProtection::reset() noexcept {
  aead_.clear();
  wipe(iv_, sizeof iv_);
  seq_ = 0;
  active_ = false;
}

Status RecordProtection::install(const SuiteInfo& suite, Bytes secret) noexcept {
  TrafficKeys k;
  Status st = derive_traffic_keys(suite, secret, k);
  if (st != Status::ok) return st;
  return install_raw(suite.aead, Bytes(k.key, k.key_len), Bytes(k.iv, 12));
}

Status RecordProtection::install_raw(AeadKind kind, Bytes key, Bytes iv) noexcept {
  if (iv.size() != 12) return Status::bad_nonce;
  Status st = aead_.init(kind, key);
  if (st != Status::ok) return st;
  std::memcpy(iv_, iv.data(), 12);
  seq_ = 0;
  active_ = true;
  return Status::ok;
}

void RecordProtection::nonce(std::uint8_t out[12]) const noexcept {
  // The IV with the big-endian sequence number XORed into its last 8 bytes.
  std::memcpy(out, iv_, 12);
  for (int i = 0; i < 8; ++i) out[11 - i] ^= static_cast<std::uint8_t>(seq_ >> (8 * i));
}

Err RecordProtection::seal(std::vector<std::uint8_t>& out, ContentType type, Bytes content, std::size_t pad) {
  if (content.size() + 1 + pad > kMaxPlaintext + 1) return fail(Alert::internal_error, "record too large to send");
  if (seq_ == ~std::uint64_t{0}) return fail(Alert::internal_error, "sequence number exhausted");
  const std::size_t inner = content.size() + 1 + pad;
  const std::size_t len = inner + kTagSize;
  const std::size_t start = out.size();
  // Appended piece by piece (no zero-fill of the whole record first).
  // `content` must not alias `out`.
  const std::uint8_t hdr[kRecordHeader] = {static_cast<std::uint8_t>(ContentType::application_data), 0x03, 0x03,
                                           static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)};
  out.reserve(start + kRecordHeader + len);
  out.insert(out.end(), hdr, hdr + kRecordHeader);
  out.insert(out.end(), content.begin(), content.end());
  out.push_back(static_cast<std::uint8_t>(type));
  out.resize(start + kRecordHeader + len);  // zero padding and room for the tag
  std::uint8_t* h = out.data() + start;
  std::uint8_t* body = h + kRecordHeader;
  std::uint8_t n[12];
  nonce(n);
  Status st = aead_.seal(std::span<std::uint8_t>(body, len), Bytes(n, 12), Bytes(h, kRecordHeader),
                         Bytes(body, inner));
  if (st != Status::ok) {
    out.resize(start);
    return fail(Alert::internal_error, "aead seal failed");
  }
  ++seq_;
  return kOk;
}

Err RecordProtection::seal(std::span<std::uint8_t> out, ContentType type, Bytes content) {
  if (content.size() > kMaxPlaintext) return fail(Alert::internal_error, "record too large to send");
  if (seq_ == ~std::uint64_t{0}) return fail(Alert::internal_error, "sequence number exhausted");
  const std::size_t inner = content.size() + 1;
  const std::size_t len = inner + kTagSize;
  if (out.size() < kRecordHeader + len) return fail(Alert::internal_error, "record buffer too small");
  std::uint8_t* h = out.data();
  h[0] = static_cast<std::uint8_t>(ContentType::application_data);
  h[1] = 0x03;
  h[2] = 0x03;
  h[3] = static_cast<std::uint8_t>(len >> 8);
  h[4] = static_cast<std::uint8_t>(len);
  std::uint8_t* body = h + kRecordHeader;
  if (!content.empty()) std::memcpy(body, content.data(), content.size());
  body[content.size()] = static_cast<std::uint8_t>(type);
  std::uint8_t n[12];
  nonce(n);
  Status st = aead_.seal(std::span<std::uint8_t>(body, len), Bytes(n, 12), Bytes(h, kRecordHeader), Bytes(body, inner));
  if (st != Status::ok) return fail(Alert::internal_error, "aead seal failed");
  ++seq_;
  return kOk;
}

Err RecordProtection::open(std::span<std::uint8_t> record, ContentType& type, std::span<std::uint8_t>& content) {
  if (record.size() < kRecordHeader) return fail(Alert::bad_record_mac, "record too short");
  std::uint8_t* body = record.data() + kRecordHeader;
  const std::size_t len = record.size() - kRecordHeader;
  // In place: the output aliases the ciphertext exactly (both AEADs allow it).
  return open(Bytes(record.data(), kRecordHeader), Bytes(body, len),
              std::span<std::uint8_t>(body, len >= kTagSize ? len - kTagSize : 0), type, content);
}

Err RecordProtection::open(Bytes header, Bytes in, std::span<std::uint8_t> out, ContentType& type,
                           std::span<std::uint8_t>& content) {
  if (in.size() < kTagSize + 1) return fail(Alert::bad_record_mac, "record too short");
  if (in.size() > kMaxCiphertext) return fail(Alert::record_overflow, "ciphertext too long");
  if (seq_ == ~std::uint64_t{0}) return fail(Alert::internal_error, "sequence number exhausted");
  std::size_t inner = in.size() - kTagSize;
  if (out.size() < inner) return fail(Alert::internal_error, "record buffer too small");
  std::uint8_t n[12];
  nonce(n);
  std::uint8_t* body = out.data();
  Status st = aead_.open(std::span<std::uint8_t>(body, inner), Bytes(n, 12), header, in);
  if (st != Status::ok) return fail(Alert::bad_record_mac, "record authentication failed");
  ++seq_;
  if (inner > kMaxPlaintext + 1) return fail(Alert::record_overflow, "inner plaintext too long");
  // Strip the zero padding (RFC 8446 §5.4: scan from the end for the last
  // non-zero byte). The loop stops at the last non-zero 8-byte word, then
  // at the last non-zero byte in it: its running time depends only on the
  // padding length, i.e. on the content length, which is public (the
  // application receives it); the content bytes before the last non-zero
  // word are never inspected. TERN_SMALL builds scan byte by byte only
  // (smaller code; no content byte is inspected at all).
#if !defined(TERN_SMALL)
  while (inner >= 8 && load_le64(body + inner - 8) == 0) inner -= 8;
#endif
  while (inner > 0 && body[inner - 1] == 0) --inner;
  if (inner == 0) return fail(Alert::unexpected_message, "no content type in protected record");
  type = static_cast<ContentType>(body[inner - 1]);
  content = std::span<std::uint8_t>(body, inner - 1);
  return kOk;
}

}  // namespace tern::tls
