// TLS 1.3 key schedule (RFC 8446 §7): HKDF-Expand-Label, Derive-Secret,
// the early/handshake/master secret chain, traffic keys, Finished,
// exporters, resumption, KeyUpdate, and the transcript hash with the
// HelloRetryRequest message_hash rule (§4.4.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/sha2/sha2.hpp"
#include "crypto/status.hpp"
#include "tls/types.hpp"
#include "tls/wire.hpp"

namespace tern::tls {

using sha2::HashId;

enum class AeadKind : std::uint8_t { aes128gcm, aes256gcm, chacha20poly1305 };

struct SuiteInfo {
  CipherSuite id;
  HashId hash;
  AeadKind aead;
  std::size_t key_len;
  const char* name;
};
// nullptr for a suite this implementation does not support.
const SuiteInfo* find_suite(std::uint16_t id) noexcept;

// A secret of the suite's hash length (at most 48 bytes for our suites,
// 64 reserved); wiped on destruction. Only the first n bytes are ever
// read: a default-initialized Secret (`Secret s;`) leaves b unset (no
// zero-fill at each of the many construction sites), `Secret s{}` zeroes
// it.
struct Secret {
  std::uint8_t b[sha2::max_digest_size];
  std::size_t n = 0;
  Secret() noexcept = default;
  Secret(const Secret&) noexcept = default;
  Secret& operator=(const Secret&) noexcept = default;
  ~Secret();
  Bytes view() const noexcept { return Bytes(b, n); }
  std::span<std::uint8_t> span() noexcept { return std::span<std::uint8_t>(b, n); }
};

// HKDF-Expand-Label(Secret, Label, Context, Length): label without "tls13 ".
Status hkdf_expand_label(HashId h, std::span<std::uint8_t> out, Bytes secret, std::string_view label,
                         Bytes context) noexcept;
// Derive-Secret(Secret, Label, Messages) given Transcript-Hash(Messages).
Status derive_secret(HashId h, Secret& out, Bytes secret, std::string_view label, Bytes transcript_hash) noexcept;

// Traffic key and IV (RFC 8446 §7.3).
struct TrafficKeys {
  std::uint8_t key[32];  // key_len bytes set by derive_traffic_keys
  std::size_t key_len = 0;
  std::uint8_t iv[12];
  ~TrafficKeys();
};
Status derive_traffic_keys(const SuiteInfo& s, Bytes traffic_secret, TrafficKeys& out) noexcept;

// verify_data = HMAC(finished_key, transcript_hash), finished_key from base_key.
Status finished_verify_data(HashId h, Bytes base_key, Bytes transcript_hash, Secret& out) noexcept;
// application_traffic_secret_N+1 (RFC 8446 §7.2).
Status next_traffic_secret(HashId h, Bytes current, Secret& out) noexcept;
// TLS-Exporter(label, context, length) from exporter_master_secret (§7.5).
Status export_keying_material(HashId h, std::span<std::uint8_t> out, Bytes exporter_master,
                              std::string_view label, Bytes context) noexcept;
// PSK for a ticket: HKDF-Expand-Label(resumption_master, "resumption", nonce, Hash.length).
Status resumption_psk(HashId h, Bytes resumption_master, Bytes ticket_nonce, Secret& out) noexcept;

// The secret chain. Each stage is entered once, in order.
class KeySchedule {
 public:
  explicit KeySchedule(HashId h = HashId::sha256) noexcept : h_(h) {}
  HashId hash() const noexcept { return h_; }
  std::size_t hash_len() const noexcept { return sha2::digest_size(h_); }
  // Early Secret = HKDF-Extract(0, PSK or 0^HashLen).
  Status early(Bytes psk = {}) noexcept;
  // Handshake Secret = HKDF-Extract(Derive-Secret(early, "derived", ""), (EC)DHE).
  Status handshake(Bytes dhe) noexcept;
  // Master Secret = HKDF-Extract(Derive-Secret(hs, "derived", ""), 0).
  Status master() noexcept;
  // Derive-Secret(current stage secret, label, transcript_hash).
  Status derive(Secret& out, std::string_view label, Bytes transcript_hash) const noexcept {
    return derive_secret(h_, out, cur_.view(), label, transcript_hash);
  }
  // The same for a string literal label (the RFC's labels): its length is
  // known at the call site, no strlen call there.
  template <std::size_t N>
  Status derive(Secret& out, const char (&label)[N], Bytes transcript_hash) const noexcept {
    return derive(out, std::string_view(label, N - 1), transcript_hash);
  }
  Bytes current() const noexcept { return cur_.view(); }

 private:
  HashId h_;
  Secret cur_;
};

// Transcript-Hash over handshake messages. Until the hash is known (the
// client before ServerHello) the messages are buffered.
class Transcript {
 public:
  Transcript() noexcept = default;
  bool hash_known() const noexcept { return known_; }
  HashId hash() const noexcept { return h_.id(); }
  std::size_t hash_len() const noexcept { return h_.size(); }
  void set_hash(HashId h);
  void update(Bytes msg);
  // Transcript-Hash of everything so far (requires set_hash).
  void current(Secret& out) const noexcept;
  // The HRR rule: replaces the transcript so far (ClientHello1) by
  // message_hash = 254 || 00 00 Hash.length || Hash(ClientHello1).
  void replace_with_message_hash();

 private:
  bool known_ = false;
  sha2::AnyHash h_;
  ByteVector pending_;
};

}  // namespace tern::tls
