// Ticket keys, client sessions and their store, and the 0-RTT anti-replay
// cache (declared in tls/config.hpp).
#include <algorithm>
#include <cstring>

#include "crypto/internal/bytes.hpp"
#include "crypto/internal/wipe.hpp"
#include "tls/config.hpp"
#include "tls/record.hpp"
#include "tls/ticket.hpp"
#include "tls/wire.hpp"

namespace tern::tls {

TicketKey::~TicketKey() { wipe(secret.data(), secret.size()); }

Status TicketKeyRing::rotate(RandomSource& rng) noexcept {
  TicketKey k;
  if (Status st = rng.fill(k.name); st != Status::ok) return st;
  if (Status st = rng.fill(k.secret); st != Status::ok) return st;
  set(k);
  return Status::ok;
}

void TicketKeyRing::set(const TicketKey& current) noexcept {
  if (n_ > 0) keys_[1] = keys_[0];
  keys_[0] = current;
  n_ = n_ > 0 ? 2 : 1;
}

const TicketKey* TicketKeyRing::find(Bytes name) const noexcept {
  if (name.size() != 16) return nullptr;
  for (std::size_t i = 0; i < n_; ++i)
    if (std::memcmp(keys_[i].name.data(), name.data(), 16) == 0) return &keys_[i];
  return nullptr;
}

Session::~Session() { wipe(psk.data(), psk.size()); }

bool Session::expired(std::uint64_t now_ms) const noexcept {
  if (now_ms < received_ms) return false;
  return now_ms - received_ms >= std::uint64_t{lifetime} * 1000;
}

namespace {
constexpr std::uint8_t kSessionVersion = 1;
}

std::vector<std::uint8_t> Session::serialize() const {
  ByteVector buf;
  buf.reserve(64 + ticket.size() + server_name.size() + alpn.size() + psk_len);
  Writer w(buf);
  w.u8(kSessionVersion);
  w.u16(cipher_suite);
  w.vec(1, Bytes(psk.data(), psk_len));
  w.u32(lifetime);
  w.u32(age_add);
  w.u32(max_early_data);
  w.u32(static_cast<std::uint32_t>(received_ms >> 32));
  w.u32(static_cast<std::uint32_t>(received_ms));
  w.vec(2, ticket);
  w.vec(1, Bytes(reinterpret_cast<const std::uint8_t*>(server_name.data()), server_name.size()));
  w.vec(1, Bytes(reinterpret_cast<const std::uint8_t*>(alpn.data()), alpn.size()));
  std::vector<std::uint8_t> out(buf.begin(), buf.end());
  wipe(buf.data(), buf.size());  // holds the PSK
  return out;
}

Status Session::deserialize(Bytes in, Session& out) {
  Reader r(in);
  Session s;
  if (r.u8() != kSessionVersion) return Status::bad_encoding;
  s.cipher_suite = r.u16();
  Bytes psk = r.vec8();
  s.lifetime = r.u32();
  s.age_add = r.u32();
  s.max_early_data = r.u32();
  std::uint64_t hi = r.u32();
  s.received_ms = (hi << 32) | r.u32();
  Bytes t = r.vec16();
  Bytes sn = r.vec8();
  Bytes al = r.vec8();
  if (!r.ok() || r.remaining() != 0 || psk.size() > s.psk.size() || psk.empty() || t.empty())
    return Status::bad_encoding;
  std::memcpy(s.psk.data(), psk.data(), psk.size());
  s.psk_len = static_cast<std::uint8_t>(psk.size());
  s.ticket.assign(t.begin(), t.end());
  s.server_name.assign(sn.begin(), sn.end());
  s.alpn.assign(al.begin(), al.end());
  out = s;
  return Status::ok;
}

void MemorySessionStore::put(const Session& s) {
  if (cap_ == 0) return;
  if (items_.size() >= cap_) items_.erase(items_.begin());
  items_.push_back(s);
}

bool MemorySessionStore::take(std::string_view server_name, std::uint64_t now_ms, Session& out) {
  // Newest first; drop expired ones on the way.
  for (std::size_t i = items_.size(); i-- > 0;) {
    if (items_[i].expired(now_ms)) {
      items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (items_[i].server_name == server_name) {
      out = items_[i];
      items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }
  }
  return false;
}

bool AntiReplay::first_use(Bytes fp, std::uint64_t now_ms) {
  std::array<std::uint8_t, 32> key{};
  std::memcpy(key.data(), fp.data(), std::min(fp.size(), key.size()));
  // Entries older than the window can no longer be replayed (the age check
  // rejects them): drop them.
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&](const Entry& e) { return now_ms >= e.at_ms && now_ms - e.at_ms > window_ms_; }),
                 entries_.end());
  for (const auto& e : entries_)
    if (e.fp == key) return false;
  if (entries_.size() >= cap_) return false;
  entries_.push_back({key, now_ms});
  return true;
}

}  // namespace tern::tls

// ---- tickets ----------------------------------------------------------------------

#if !defined(TERN_NO_TLS_SERVER)  // only servers seal and open tickets

namespace tern::tls {

namespace {
constexpr std::uint8_t kTicketVersion = 1;
constexpr std::size_t kTicketOverhead = 16 + 12 + 16;

AeadKind ticket_aead() noexcept {
#if defined(TERN_NO_AES)
  return AeadKind::chacha20poly1305;
#else
  return AeadKind::aes256gcm;
#endif
}
}  // namespace

TicketState::~TicketState() { wipe(psk, sizeof psk); }

Status seal_ticket(const TicketKey& key, const TicketState& st, RandomSource& rng, ByteVector& out) {
  ByteVector pt;
  pt.reserve(96 + st.alpn.size());
  Writer w(pt);
  w.u8(kTicketVersion);
  w.u16(st.cipher_suite);
  w.vec(1, Bytes(st.psk, st.psk_len));
  w.u32(static_cast<std::uint32_t>(st.issued_ms >> 32));
  w.u32(static_cast<std::uint32_t>(st.issued_ms));
  w.u32(st.age_add);
  w.u32(st.lifetime);
  w.u32(st.max_early_data);
  w.vec(1, Bytes(reinterpret_cast<const std::uint8_t*>(st.alpn.data()), st.alpn.size()));
  Aead aead;
  Status s = aead.init(ticket_aead(), Bytes(key.secret.data(), key.secret.size()));
  if (s == Status::ok) {
    out.assign(kTicketOverhead + pt.size(), 0);
    std::memcpy(out.data(), key.name.data(), 16);
    s = rng.fill(std::span<std::uint8_t>(out.data() + 16, 12));
    if (s == Status::ok)
      s = aead.seal(std::span<std::uint8_t>(out.data() + 28, pt.size() + 16), Bytes(out.data() + 16, 12),
                    Bytes(out.data(), 16), pt);
  }
  wipe(pt.data(), pt.size());
  return s;
}

bool open_ticket(const TicketKeyRing& ring, Bytes ticket, TicketState& st) {
  if (ticket.size() < kTicketOverhead + 1) return false;
  const TicketKey* key = ring.find(ticket.first(16));
  if (!key) return false;
  Aead aead;
  if (aead.init(ticket_aead(), Bytes(key->secret.data(), key->secret.size())) != Status::ok) return false;
  ByteVector pt(ticket.size() - kTicketOverhead);
  bool ok = aead.open(pt, ticket.subspan(16, 12), ticket.first(16), ticket.subspan(28)) == Status::ok;
  if (ok) {
    Reader r(pt);
    ok = r.u8() == kTicketVersion;
    st.cipher_suite = r.u16();
    Bytes psk = r.vec8(1, sizeof st.psk);
    std::uint64_t hi = r.u32();
    st.issued_ms = (hi << 32) | r.u32();
    st.age_add = r.u32();
    st.lifetime = r.u32();
    st.max_early_data = r.u32();
    Bytes alpn = r.vec8();
    ok = ok && r.done();
    if (ok) {
      std::memcpy(st.psk, psk.data(), psk.size());
      st.psk_len = static_cast<std::uint8_t>(psk.size());
      st.alpn.assign(alpn.begin(), alpn.end());
    }
  }
  wipe(pt.data(), pt.size());
  return ok;
}

}  // namespace tern::tls

#endif  // !TERN_NO_TLS_SERVER
