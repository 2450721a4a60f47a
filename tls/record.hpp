// TLS 1.3 record protection (RFC 8446 §5): one direction's AEAD key, IV
// and 64-bit sequence number; TLSInnerPlaintext framing and padding
// removal; the record size limits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#if !defined(TERN_NO_AES)
#include "crypto/aes/gcm.hpp"
#endif
#if !defined(TERN_NO_CHACHA)
#include "crypto/chacha/aead.hpp"
#endif
#include "tls/key_schedule.hpp"
#include "tls/types.hpp"

namespace tern::tls {

// The suite's AEAD, chosen at run time. Only the negotiated kind's key
// context exists (a union): init() destroys (and so wipes) the previous
// one and constructs the new one in its place.
class Aead {
 public:
  Aead() noexcept {}
  ~Aead();
  Aead(const Aead&) = delete;
  Aead& operator=(const Aead&) = delete;
  Status init(AeadKind kind, Bytes key) noexcept;
  // Destroys the key context (wiped by its destructor).
  void clear() noexcept;
  Status seal(std::span<std::uint8_t> out, Bytes nonce, Bytes aad, Bytes pt) const noexcept;
  Status open(std::span<std::uint8_t> out, Bytes nonce, Bytes aad, Bytes in) const noexcept;

 private:
  enum class Held : std::uint8_t { none, gcm, chacha };
  union Ctx {
    Ctx() noexcept {}
    ~Ctx() {}
#if !defined(TERN_NO_AES)
    aes::AesGcm gcm;
#endif
#if !defined(TERN_NO_CHACHA)
    chacha::ChaCha20Poly1305 chacha;
#endif
    std::uint8_t none;
  };
  Held held_ = Held::none;
  Ctx u_;
};

// One direction of protected records.
class RecordProtection {
 public:
  static constexpr std::size_t kTagSize = 16;
  RecordProtection() noexcept = default;
  RecordProtection(const RecordProtection&) = delete;
  RecordProtection& operator=(const RecordProtection&) = delete;
  ~RecordProtection();

  bool active() const noexcept { return active_; }
  // Forgets the key (the direction is unprotected again).
  void reset() noexcept;
  std::uint64_t sequence() const noexcept { return seq_; }
  // Derives key and IV from a traffic secret and resets the sequence to 0.
  Status install(const SuiteInfo& suite, Bytes traffic_secret) noexcept;
  // The same from an explicit key and IV (tests).
  Status install_raw(AeadKind kind, Bytes key, Bytes iv) noexcept;

  // Appends one record: header || AEAD(content || type || pad zeros).
  // content.size() + 1 + pad must not exceed 2^14 + 1.
  Err seal(std::vector<std::uint8_t>& out, ContentType type, Bytes content, std::size_t pad = 0);
  // Writes one record (no padding) to `out`, which must hold
  // sealed_size(content.size()) bytes and not overlap `content`.
  Err seal(std::span<std::uint8_t> out, ContentType type, Bytes content);
  static constexpr std::size_t sealed_size(std::size_t content) noexcept {
    return kRecordHeader + content + 1 + kTagSize;
  }
  // Decrypts a complete protected record in place (`record` = header ||
  // encrypted body). On success `type` is the inner content type and
  // `content` views the plaintext (padding removed) inside `record`.
  //   bad_record_mac   the AEAD check failed
  //   record_overflow  inner plaintext over 2^14 + 1 bytes
  //   unexpected_message  all-zero inner plaintext (no content type)
  Err open(std::span<std::uint8_t> record, ContentType& type, std::span<std::uint8_t>& content);
  // The same out of place: `header` and `body` (the encrypted part) are
  // the received bytes, left untouched; the inner plaintext is written to
  // `out` (body.size() - 16 bytes, not overlapping body) and `content`
  // views its content part.
  Err open(Bytes header, Bytes body, std::span<std::uint8_t> out, ContentType& type, std::span<std::uint8_t>& content);

 private:
  void nonce(std::uint8_t out[12]) const noexcept;
  Aead aead_;
  std::uint8_t iv_[12]{};
  std::uint64_t seq_ = 0;
  bool active_ = false;
};

}  // namespace tern::tls
