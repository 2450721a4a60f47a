// Configuration of a TLS connection: what to offer/accept, credentials,
// the certificate verifier, and the sources of randomness and time (so
// traces replay byte-exactly). One Config may be shared by many
// connections; it must outlive them, unchanged while they use it
// (Connection::alpn() is a reference to an entry of `alpn`).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/internal/random.hpp"
#include "tls/crypto.hpp"
#include "tls/messages.hpp"
#include "tls/types.hpp"

namespace tern::tls {

// Validates the peer's certificate chain: chain[0] is the leaf. `host` is
// the expected name (may be empty: no name check), `now` Unix seconds.
// Returns kOk or the alert to send (bad_certificate, unknown_ca,
// certificate_expired, certificate_unknown, unsupported_certificate).
// A client uses Config::verifier for the server's chain, a server
// Config::client_verifier for the client's (host is then empty).
// tls/x509_verifier.hpp provides the X.509-backed implementation.
class CertVerifier {
 public:
  virtual ~CertVerifier() = default;
  virtual Err verify(std::span<const Bytes> chain, std::string_view host, std::uint64_t now) const = 0;
};

// A certificate chain (DER, leaf first) and its private key. Servers pick
// one by SNI and the client's signature_algorithms; clients present one
// when the server sends a CertificateRequest (mutual TLS).
struct Credential {
  std::vector<std::vector<std::uint8_t>> chain;
  std::shared_ptr<const Signer> signer;
  // Host names this credential serves (empty: any). Matched against SNI.
  // Ignored for client credentials.
  std::vector<std::string> names;
};

// ---- session resumption (RFC 8446 §4.6.1, §2.2) ---------------------------------

// A session ticket key: a 16-byte public name (sent in the ticket so the
// server finds the key) and a 32-byte secret. Tickets are sealed with
// AES-256-GCM (ChaCha20-Poly1305 in builds without AES) under a key
// derived from `secret`; a ticket that does not authenticate under any
// known key is ignored (full handshake), never an error.
struct TicketKey {
  std::array<std::uint8_t, 16> name{};
  std::array<std::uint8_t, 32> secret{};
  ~TicketKey();
};

// The server's ticket keys: the current key seals new tickets; the
// previous one still opens tickets issued before the last rotation.
// Rotate periodically (e.g. every ticket_lifetime) with rotate(). Not
// thread-safe: rotate while no connection uses the ring.
class TicketKeyRing {
 public:
  // A fresh random current key; the old current becomes previous.
  Status rotate(RandomSource& rng) noexcept;
  // Explicit keys (several servers sharing tickets; tests).
  void set(const TicketKey& current) noexcept;
  bool empty() const noexcept { return n_ == 0; }
  const TicketKey* current() const noexcept { return n_ ? &keys_[0] : nullptr; }
  const TicketKey* previous() const noexcept { return n_ > 1 ? &keys_[1] : nullptr; }
  // The key with this name, or nullptr.
  const TicketKey* find(Bytes name) const noexcept;

 private:
  TicketKey keys_[2];
  std::size_t n_ = 0;
};

// What a client keeps from a NewSessionTicket to resume later. The PSK is
// secret: wiped on destruction; serialize() output must be kept as secret
// as a private key.
struct Session {
  std::uint16_t cipher_suite = 0;
  std::vector<std::uint8_t> ticket;
  std::array<std::uint8_t, 48> psk{};
  std::uint8_t psk_len = 0;
  std::uint32_t lifetime = 0;        // seconds (at most 7 days)
  std::uint32_t age_add = 0;
  std::uint32_t max_early_data = 0;  // 0: the ticket does not allow 0-RTT
  std::uint64_t received_ms = 0;     // client clock when the ticket arrived (Unix ms)
  std::string server_name;           // SNI of the connection that got it
  std::string alpn;                  // ALPN of that connection (0-RTT must reuse it)
  ~Session();
  Session() = default;
  Session(const Session&) = default;
  Session& operator=(const Session&) = default;
  // Expired at `now_ms` (Unix milliseconds)?
  bool expired(std::uint64_t now_ms) const noexcept;
  // A self-contained byte string (e.g. for `tern client --resume FILE`).
  std::vector<std::uint8_t> serialize() const;
  static Status deserialize(Bytes in, Session& out);
};

// Where a client keeps tickets. The connection put()s every ticket it
// receives and, when Config::session_store is set and no session was given
// explicitly, take()s one matching server_name to offer. take() removes
// the ticket: one-time use (RFC 8446 §C.4) unless a store keeps copies.
class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual void put(const Session& s) = 0;
  virtual bool take(std::string_view server_name, std::uint64_t now_ms, Session& out) = 0;
};

// A bounded in-memory store (oldest dropped first), expired tickets skipped.
class MemorySessionStore final : public SessionStore {
 public:
  explicit MemorySessionStore(std::size_t capacity = 16) : cap_(capacity) {}
  void put(const Session& s) override;
  bool take(std::string_view server_name, std::uint64_t now_ms, Session& out) override;
  std::size_t size() const noexcept { return items_.size(); }

 private:
  std::size_t cap_;
  std::vector<Session> items_;
};

// Server-side anti-replay for 0-RTT (RFC 8446 §8). Guarantee: within one
// AntiReplay object (one server process; share it between all connections
// of that server), a ticket's early data is accepted at most once while
// the ticket's age is within `window` of what the client claims, and never
// outside the window. The cache holds up to `capacity` ticket
// fingerprints (SHA-256 of the binder); when it is full, early data is
// rejected (the handshake proceeds as 1-RTT), never accepted twice.
// Separate server instances sharing ticket keys do NOT share this state:
// early data may then be replayed once per instance; only send idempotent
// requests in 0-RTT.
class AntiReplay {
 public:
  explicit AntiReplay(std::size_t capacity = 4096, std::uint32_t window_ms = 10000)
      : cap_(capacity), window_ms_(window_ms) {}
  std::uint32_t window_ms() const noexcept { return window_ms_; }
  // True if `fingerprint` is new (and records it, stamped now_ms); false if
  // seen, or if the cache is full of entries younger than the window.
  bool first_use(Bytes fingerprint, std::uint64_t now_ms);
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::array<std::uint8_t, 32> fp;
    std::uint64_t at_ms;
  };
  std::size_t cap_;
  std::uint32_t window_ms_;
  std::vector<Entry> entries_;
};

enum class ClientAuth : std::uint8_t {
  none,      // no CertificateRequest
  optional,  // request; an empty client Certificate is accepted
  required,  // request; no certificate -> certificate_required alert
};

struct TestHooks;
namespace detail {
// Applies TestHooks::edit_client_hello to a serialized ClientHello (the
// whole message): its extensions become a ClientHelloOut list, the hook
// edits them, the message is written again; `offered` and `last` get the
// ext_bit()s of the types now sent and the last type.
void rewrite_client_hello(const TestHooks& hooks, ByteVector& msg, std::uint32_t& offered, std::uint16_t& last);
// kx.generate() with TestHooks::ephemeral_private's key for the group.
Status generate_share(const TestHooks& hooks, KeyExchange& kx, std::uint16_t group, RandomSource& rng);
// Applies TestHooks::edit_finished to a serialized Finished message.
void rewrite_finished(const TestHooks& hooks, Bytes msg, ByteVector& out);
// Copies a KeyUpdate message into `out` and applies TestHooks::edit_key_update.
void rewrite_key_update(const TestHooks& hooks, Bytes msg, ByteVector& out);
}  // namespace detail

// Hooks for trace replay and negative tests only. Never set in production.
struct TestHooks {
  // Edit the ClientHello before it is serialized (add/reorder extensions).
  std::function<void(ClientHelloOut&)> edit_client_hello;
  // Edit the server's EncryptedExtensions list.
  std::function<void(OutExtensions&)> edit_encrypted_extensions;
  // Provide the ephemeral private key for a group (return empty for random).
  std::function<std::vector<std::uint8_t>(std::uint16_t group)> ephemeral_private;
  // Replace the CertificateVerify signature we produce (RSA-PSS is randomized).
  std::function<void(ByteVector& signature)> edit_signature;
  // Replace the scheme written in our CertificateVerify (negative tests).
  std::function<void(std::uint16_t& scheme)> edit_certificate_verify_scheme;
  // Edit the server's CertificateRequest extensions.
  std::function<void(OutExtensions&)> edit_certificate_request;
  // Replace the ticket nonce / ticket bytes / age_add of a NewSessionTicket
  // the server sends (index = 0 for the first ticket).
  std::function<void(std::size_t index, ByteVector& nonce, ByteVector& ticket,
                     std::uint32_t& age_add, OutExtensions& exts)>
      edit_new_session_ticket;
  // Edit a KeyUpdate message before it is sealed (append bytes: negative tests).
  std::function<void(ByteVector& msg)> edit_key_update;
  // Server: open a ticket the test knows (trace replay: the trace's ticket
  // was sealed by another implementation). Fill cipher_suite, psk, age_add,
  // lifetime, max_early_data, alpn and received_ms (= issue time, Unix ms).
  std::function<bool(Bytes ticket, Session& out)> open_ticket;
  // Corrupt the PSK binder the client sends (negative tests).
  std::function<void(ByteVector& binder)> edit_binder;
  // Corrupt/replace our Finished verify_data (negative tests).
  std::function<void(ByteVector& verify_data)> edit_finished;
  // The server's HelloRetryRequest cookie (default: random).
  std::function<std::vector<std::uint8_t>()> hrr_cookie;
  // How the connection applies edit_client_hello, ephemeral_private,
  // edit_finished and edit_key_update: through these pointers, set when TestHooks is made, so
  // a program that never makes TestHooks does not link that code.
  void (*apply_client_hello)(const TestHooks&, ByteVector&, std::uint32_t&, std::uint16_t&) = &detail::rewrite_client_hello;
  Status (*apply_ephemeral_private)(const TestHooks&, KeyExchange&, std::uint16_t, RandomSource&) = &detail::generate_share;
  void (*apply_finished)(const TestHooks&, Bytes, ByteVector&) = &detail::rewrite_finished;
  void (*apply_key_update)(const TestHooks&, Bytes, ByteVector&) = &detail::rewrite_key_update;
};

struct Config {
  // Sources of randomness and time. nullptr rng: the OS source.
  RandomSource* rng = nullptr;
  std::function<std::uint64_t()> now;  // Unix seconds; empty: the system clock

  // Preference order (the server uses its own order, except ChaCha20 first
  // when the client lists it first and prefer_chacha_if_client_does).
  std::vector<std::uint16_t> cipher_suites = {0x1301, 0x1302, 0x1303};
  std::vector<std::uint16_t> groups = {0x001d, 0x0017, 0x0018};
  // CertificateVerify schemes offered/accepted (rsa_pkcs1_* are never
  // accepted in CertificateVerify, even if listed).
  std::vector<std::uint16_t> signature_schemes = {0x0807, 0x0403, 0x0503, 0x0804, 0x0805, 0x0806,
                                                  0x0809, 0x080a, 0x080b};
  // Sent in signature_algorithms_cert by the client when not empty: the
  // signatures acceptable inside certificates (rsa_pkcs1_* allowed here).
  std::vector<std::uint16_t> signature_schemes_cert = {0x0807, 0x0403, 0x0503, 0x0804, 0x0805, 0x0806,
                                                       0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601};
  std::vector<std::string> alpn;

  // Client.
  std::string server_name;  // SNI and the name the certificate must match
  const CertVerifier* verifier = nullptr;  // required for clients
  std::size_t key_shares = 1;  // key shares sent (first groups of `groups`)
  bool middlebox_compat = true;
  // Tickets: received ones are put() here; one is taken and offered when
  // the connection was not given a session explicitly (Connection::offer_session).
  SessionStore* session_store = nullptr;
  // Send early data (Connection::write_early) when the offered ticket allows it.
  bool enable_early_data = false;

  // Server.
  std::vector<Credential> credentials;  // client role: presented on CertificateRequest
  bool prefer_chacha_if_client_does = true;
  // Mutual TLS.
  ClientAuth client_auth = ClientAuth::none;
  const CertVerifier* client_verifier = nullptr;  // required unless client_auth == none
  // DER Names sent in certificate_authorities (empty: extension left out).
  std::vector<std::vector<std::uint8_t>> certificate_authorities;
  // Session tickets: issued after the handshake when ticket_keys is set.
  TicketKeyRing* ticket_keys = nullptr;
  std::size_t tickets_to_send = 1;
  std::uint32_t ticket_lifetime = 7200;  // seconds, at most 604800
  // 0-RTT: accepted only when max_early_data > 0 AND anti_replay is set;
  // tickets then carry early_data(max_early_data).
  std::uint32_t max_early_data = 0;
  AntiReplay* anti_replay = nullptr;

  // Both roles.
  // PSK key exchange modes: psk_dhe_ke always; psk_ke (no (EC)DHE, no
  // forward secrecy) offered by a client / accepted by a server only when set.
  bool allow_psk_ke = false;
  // RFC 8449 record_size_limit to announce (64..16385; 0: not sent). The
  // peer's limit is always honoured when it sends one.
  std::uint16_t record_size_limit = 0;
  // Automatic KeyUpdate of our sending key after this many records or
  // bytes (0: off). Independently, a KeyUpdate is always sent before the
  // AEAD usage limit (RFC 8446 §5.5: 2^24.5 records for AES-GCM; 2^62 for
  // ChaCha20-Poly1305, i.e. never in practice).
  std::uint64_t rekey_after_records = 0;
  std::uint64_t rekey_after_bytes = 0;
  // Reserve every connection buffer at its maximum size up front (sized by
  // the negotiated record limits), so an established connection's
  // feed/read/write/pending_output never allocate. See Connection.
  bool preallocate = false;

  const TestHooks* hooks = nullptr;
};

}  // namespace tern::tls
