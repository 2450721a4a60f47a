#include "tls/record.hpp"

#include <cstring>

#include "crypto/internal/bytes.hpp"
#include "crypto/internal/ct.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::tls {

Status Aead::init(AeadKind kind, Bytes key) noexcept {
  kind_ = kind;
#if !defined(TERN_NO_CHACHA)
  if (kind == AeadKind::chacha20poly1305) return chacha_.init(key);
#endif
#if !defined(TERN_NO_AES)
  if (kind != AeadKind::chacha20poly1305) return gcm_.init(key);
#endif
  (void)key;
  return Status::unsupported;
}

Status Aead::seal(std::span<std::uint8_t> out, Bytes nonce, Bytes aad, Bytes pt) const noexcept {
#if !defined(TERN_NO_CHACHA)
  if (kind_ == AeadKind::chacha20poly1305) return chacha_.seal(out, nonce, aad, pt);
#endif
#if !defined(TERN_NO_AES)
  if (kind_ != AeadKind::chacha20poly1305) return gcm_.seal(out, nonce, aad, pt);
#endif
  (void)out, (void)nonce, (void)aad, (void)pt;
  return Status::unsupported;
}

Status Aead::open(std::span<std::uint8_t> out, Bytes nonce, Bytes aad, Bytes in) const noexcept {
#if !defined(TERN_NO_CHACHA)
  if (kind_ == AeadKind::chacha20poly1305) return chacha_.open(out, nonce, aad, in);
#endif
#if !defined(TERN_NO_AES)
  if (kind_ != AeadKind::chacha20poly1305) return gcm_.open(out, nonce, aad, in);
#endif
  (void)out, (void)nonce, (void)aad, (void)in;
  return Status::unsupported;
}

RecordProtection::~RecordProtection() { wipe(iv_, sizeof iv_); }

void RecordProtection::reset() noexcept {
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
  std::memcpy(out, iv_, 12);
  std::uint8_t s[8];
  store_be64(s, seq_);
  for (int i = 0; i < 8; ++i) out[4 + i] ^= s[i];
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

Err RecordProtection::open(std::span<std::uint8_t> record, ContentType& type, std::span<std::uint8_t>& content) {
  if (record.size() < kRecordHeader + kTagSize + 1) return fail(Alert::bad_record_mac, "record too short");
  if (record.size() > kRecordHeader + kMaxCiphertext) return fail(Alert::record_overflow, "ciphertext too long");
  if (seq_ == ~std::uint64_t{0}) return fail(Alert::internal_error, "sequence number exhausted");
  std::uint8_t n[12];
  nonce(n);
  std::uint8_t* body = record.data() + kRecordHeader;
  const std::size_t len = record.size() - kRecordHeader;
  Status st = aead_.open(std::span<std::uint8_t>(body, len - kTagSize), Bytes(n, 12),
                         Bytes(record.data(), kRecordHeader), Bytes(body, len));
  if (st != Status::ok) return fail(Alert::bad_record_mac, "record authentication failed");
  ++seq_;
  std::size_t inner = len - kTagSize;
  if (inner > kMaxPlaintext + 1) return fail(Alert::record_overflow, "inner plaintext too long");
  // Strip the zero padding without branching on the plaintext bytes: find
  // the last non-zero byte with masks (only the resulting length, which the
  // application sees anyway, is used afterwards).
  // 32 bytes per step: remember the last 32-byte block holding a non-zero
  // byte (its four words and its offset, by masks), then find the last
  // non-zero byte inside it. The work depends only on the record length.
  std::uint64_t k0 = 0, k1 = 0, k2 = 0, k3 = 0;  // that block, little-endian words
  std::uint64_t base = 0;                        // its offset
  std::size_t i = 0;
  auto take = [&](std::uint64_t w0, std::uint64_t w1, std::uint64_t w2, std::uint64_t w3) {
    const std::uint64_t m = ct::mask_nonzero(w0 | w1 | w2 | w3);
    k0 = ct::select(m, w0, k0);
    k1 = ct::select(m, w1, k1);
    k2 = ct::select(m, w2, k2);
    k3 = ct::select(m, w3, k3);
    base = ct::select(m, std::uint64_t{i}, base);
  };
  for (; i + 32 <= inner; i += 32)
    take(load_le64(body + i), load_le64(body + i + 8), load_le64(body + i + 16), load_le64(body + i + 24));
  if (i < inner) {
    std::uint64_t w[4] = {0, 0, 0, 0};
    for (std::size_t k = 0; i + k < inner; ++k) w[k / 8] |= std::uint64_t{body[i + k]} << (8 * (k % 8));
    take(w[0], w[1], w[2], w[3]);
  }
  std::uint64_t pos = 0;  // index + 1 of the last non-zero byte within the block
  const std::uint64_t kw[4] = {k0, k1, k2, k3};
  for (unsigned k = 0; k < 32; ++k)
    pos = ct::select(ct::mask_nonzero((kw[k / 8] >> (8 * (k % 8))) & 0xff), std::uint64_t{k} + 1, pos);
  const std::uint64_t last = ct::select(ct::mask_nonzero(k0 | k1 | k2 | k3), base + pos, std::uint64_t{0});
  inner = static_cast<std::size_t>(last);
  if (inner == 0) return fail(Alert::unexpected_message, "no content type in protected record");
  type = static_cast<ContentType>(body[inner - 1]);
  content = std::span<std::uint8_t>(body, inner - 1);
  return kOk;
}

}  // namespace tern::tls
