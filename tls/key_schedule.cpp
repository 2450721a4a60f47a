#include "tls/key_schedule.hpp"

#include <cstring>
#include <memory>
#include <new>

#include "crypto/hmac/hkdf.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::tls {

using namespace std::string_view_literals;

namespace {
// Constrained builds leave AES (TERN_NO_AES) or ChaCha20 (TERN_NO_CHACHA) out.
constexpr SuiteInfo kSuites[] = {
#if !defined(TERN_NO_AES)
    {CipherSuite::aes_128_gcm_sha256, HashId::sha256, AeadKind::aes128gcm, 16, "TLS_AES_128_GCM_SHA256"},
    {CipherSuite::aes_256_gcm_sha384, HashId::sha384, AeadKind::aes256gcm, 32, "TLS_AES_256_GCM_SHA384"},
#endif
#if !defined(TERN_NO_CHACHA)
    {CipherSuite::chacha20_poly1305_sha256, HashId::sha256, AeadKind::chacha20poly1305, 32,
     "TLS_CHACHA20_POLY1305_SHA256"},
#endif
};
}  // namespace

const SuiteInfo* find_suite(std::uint16_t id) noexcept {
  for (const auto& s : kSuites)
    if (static_cast<std::uint16_t>(s.id) == id) return &s;
  return nullptr;
}

Secret::~Secret() { wipe(b, sizeof b); }
TrafficKeys::~TrafficKeys() { wipe(this, sizeof *this); }  // key, length and IV in one call

// HKDF-Expand (RFC 5869 §2.3) written out over HMAC, which hkdf_extract()
// is: T(i) = HMAC(secret, T(i-1) || info || i). The blocks are built in
// one buffer with T(i-1) just before info, so every HMAC in the key
// schedule (Extract, Expand, Finished) goes through the one function.
Status hkdf_expand_label(HashId h, std::span<std::uint8_t> out, Bytes secret, std::string_view label,
                         Bytes context) noexcept {
  // struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; }
  if (out.size() > 0xffff || label.size() + 6 > 255 || context.size() > 255) return Status::bad_length;
  const std::size_t hl = sha2::digest_size(h);
  if (out.size() > 255 * hl) return Status::output_too_long;
  if (secret.size() < hl) return Status::bad_length;
  std::uint8_t buf[sha2::max_digest_size + 2 + 1 + 255 + 1 + 255 + 1];
  std::uint8_t* const info = buf + sha2::max_digest_size;
  std::size_t n = 0;
  info[n++] = static_cast<std::uint8_t>(out.size() >> 8);
  info[n++] = static_cast<std::uint8_t>(out.size());
  info[n++] = static_cast<std::uint8_t>(6 + label.size());
  std::memcpy(info + n, "tls13 ", 6);
  n += 6;
  if (!label.empty()) std::memcpy(info + n, label.data(), label.size());
  n += label.size();
  info[n++] = static_cast<std::uint8_t>(context.size());
  if (!context.empty()) std::memcpy(info + n, context.data(), context.size());
  n += context.size();
  Status s = Status::ok;
  std::uint8_t* const t = info - hl;  // T(i), read as the next block's prefix
  for (std::size_t done = 0, i = 1; done < out.size() && s == Status::ok; ++i) {
    info[n] = static_cast<std::uint8_t>(i);
    const std::uint8_t* const first = i == 1 ? info : t;
    // The input is read whole before the tag is written over its start.
    const Bytes block(first, static_cast<std::size_t>(info + n + 1 - first));
    s = hkdf_extract(h, std::span<std::uint8_t>(t, hl), secret, block);
    const std::size_t k = out.size() - done < hl ? out.size() - done : hl;
    std::memcpy(out.data() + done, t, k);
    done += k;
  }
  wipe(buf, sizeof buf);
  return s;
}

Status derive_secret(HashId h, Secret& out, Bytes secret, std::string_view label, Bytes transcript_hash) noexcept {
  out.n = sha2::digest_size(h);
  return hkdf_expand_label(h, out.span(), secret, label, transcript_hash);
}

Status derive_traffic_keys(const SuiteInfo& s, Bytes secret, TrafficKeys& out) noexcept {
  out.key_len = s.key_len;
  // The key, then the IV, through one call site.
  Status st = Status::ok;
  for (int i = 0; i < 2 && st == Status::ok; ++i)
    st = hkdf_expand_label(s.hash, i == 0 ? std::span<std::uint8_t>(out.key, s.key_len) : std::span<std::uint8_t>(out.iv),
                           secret, i == 0 ? "key"sv : "iv"sv, {});
  return st;
}

Status finished_verify_data(HashId h, Bytes base_key, Bytes transcript_hash, Secret& out) noexcept {
  Secret fk;
  fk.n = sha2::digest_size(h);
  Status st = hkdf_expand_label(h, fk.span(), base_key, "finished"sv, {});
  if (st != Status::ok) return st;
  out.n = fk.n;
  // HMAC(finished_key, transcript_hash), which is what HKDF-Extract computes.
  return hkdf_extract(h, out.span(), fk.view(), transcript_hash);
}

Status next_traffic_secret(HashId h, Bytes current, Secret& out) noexcept {
  out.n = sha2::digest_size(h);
  return hkdf_expand_label(h, out.span(), current, "traffic upd"sv, {});
}

Status export_keying_material(HashId h, std::span<std::uint8_t> out, Bytes exporter_master, std::string_view label,
                              Bytes context) noexcept {
  std::uint8_t empty_hash[sha2::max_digest_size], ctx_hash[sha2::max_digest_size];
  const std::size_t hl = sha2::digest_size(h);
  sha2::AnyHash::hash(h, std::span<std::uint8_t>(empty_hash, hl), {});
  sha2::AnyHash::hash(h, std::span<std::uint8_t>(ctx_hash, hl), context);
  Secret tmp;
  Status st = derive_secret(h, tmp, exporter_master, label, Bytes(empty_hash, hl));
  if (st != Status::ok) return st;
  return hkdf_expand_label(h, out, tmp.view(), "exporter"sv, Bytes(ctx_hash, hl));
}

Status resumption_psk(HashId h, Bytes resumption_master, Bytes ticket_nonce, Secret& out) noexcept {
  out.n = sha2::digest_size(h);
  return hkdf_expand_label(h, out.span(), resumption_master, "resumption"sv, ticket_nonce);
}

Status KeySchedule::early(Bytes psk) noexcept {
  const std::size_t hl = hash_len();
  std::uint8_t zeros[sha2::max_digest_size] = {};
  cur_.n = hl;
  return hkdf_extract(h_, cur_.span(), {}, psk.empty() ? Bytes(zeros, hl) : psk);
}

Status KeySchedule::handshake(Bytes dhe) noexcept {
  const std::size_t hl = hash_len();
  std::uint8_t empty_hash[sha2::max_digest_size];
  sha2::AnyHash::hash(h_, std::span<std::uint8_t>(empty_hash, hl), {});
  Secret derived;
  Status st = derive(derived, "derived"sv, Bytes(empty_hash, hl));
  if (st != Status::ok) return st;
  return hkdf_extract(h_, cur_.span(), derived.view(), dhe);
}

Status KeySchedule::master() noexcept {
  std::uint8_t zeros[sha2::max_digest_size] = {};
  return handshake(Bytes(zeros, hash_len()));
}

void Transcript::set_hash(HashId h) {
  h_.~AnyHash();  // (wiped) and rebuilt in place: no temporary to copy
  ::new (&h_) sha2::AnyHash(h);
  known_ = true;
  h_.update(pending_);
  wipe(pending_.data(), pending_.size());
  // Release the buffer: destroyed and rebuilt empty in place, like h_
  // (no swap through a temporary).
  std::destroy_at(&pending_);
  ::new (&pending_) ByteVector();
}

void Transcript::update(Bytes msg) {
  if (known_)
    h_.update(msg);
  else
    pending_.insert(pending_.end(), msg.begin(), msg.end());
}

void Transcript::current(Secret& out) const noexcept {
  out.n = h_.size();
  h_.peek(out.span());
}

void Transcript::replace_with_message_hash() {
  // message_hash header and Hash(ClientHello1) in one buffer, one update.
  std::uint8_t m[4 + sha2::max_digest_size];
  const std::size_t n = h_.size();
  h_.peek(std::span<std::uint8_t>(m + 4, n));
  m[0] = static_cast<std::uint8_t>(HandshakeType::message_hash);
  m[1] = 0;
  m[2] = 0;
  m[3] = static_cast<std::uint8_t>(n);
  h_.reset();
  h_.update(Bytes(m, 4 + n));
}

}  // namespace tern::tls
