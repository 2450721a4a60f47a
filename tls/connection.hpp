// The sans-I/O TLS 1.3 connection (client or server).
//
//   feed(bytes) -> consumed        bytes received from the peer
//   pending_output() / consume_output(n)   bytes to send
//   write(data) / read(buf)        application data once open
//   state()                        handshaking / open / closed / failed
//
// Resumption: a client offers a ticket given with offer_session() (or
// taken from Config::session_store) before its first output; tickets the
// server sends are put() into the store. 0-RTT: after offering a session
// whose ticket allows early data (and with Config::enable_early_data), the
// client may write_early() until the ServerHello arrives; early_data()
// later says whether the server accepted it (if rejected, the application
// must resend it with write() once open). A server that accepted early
// data makes it readable with read() while state() is still handshaking.
// A server that rejects 0-RTT skips the client's early records by trial
// decryption, at most 2 * max(max_early_data, 2^14 + 256) bytes of them.
// With ClientAuth::required the server neither issues nor accepts tickets
// (a ticket does not record the client's certificate).
// Builds with TERN_NO_TLS_RESUMPTION (implied by TERN_SMALL, see
// tls/types.hpp) have none of this: offer_session() and write_early() fail,
// received tickets are dropped, the server issues none and ignores PSK
// offers, and the exporters return Status::unsupported. TERN_NO_TLS_CLIENT_CERT
// (also implied by TERN_SMALL) makes a client answer a CertificateRequest
// with an empty Certificate.
//
// Memory: one receive buffer (records are decrypted into it, straight from
// the fed bytes when a whole record is there, and read() copies out of it)
// and one output buffer (the caller's bytes are copied into it and sealed
// in place: the AEADs take one contiguous content || type plaintext).
// read() wipes a record's plaintext once all of it has been copied out, and
// the buffer is wiped whole when it is released (destructor, end of the
// handshake) or regrown. The handshake-only state
// (transcript, key schedule, key shares, handshake secrets...) is a
// separate allocation, wiped and freed when the
// handshake completes. With Config::preallocate both buffers are sized
// once to one record of the negotiated limits (RFC 8449) when the
// handshake completes, so feed/read/write/pending_output on an open
// connection do not allocate (tested by counting allocations); feed() then
// takes no more records while decrypted data is unread.
//
// No-heap mode: give the constructor an Arena (tls/arena.hpp) over a
// buffer of yours. Everything the connection allocates, from the
// constructor to the destructor -- handshake messages, transcript, key
// shares, the peer's chain and its X.509 path validation, record buffers,
// KeyUpdate -- then comes from that buffer, never from the heap (tested by
// counting operator new and malloc: tests/tls/test_tls_noheap.cpp). With
// Config::preallocate and 16 KiB records a full handshake plus data peaks
// at about 34 KB of arena per side (ECDSA P-256 chain), much less with
// record_size_limit. An arena too small makes the connection fail with
// internal_error, error() "memory arena exhausted" (see tls/arena.hpp).
// Still on the heap in this mode: the Session a client keeps from a
// NewSessionTicket (last_session(), SessionStore), offer_session()'s copy,
// a server's 0-RTT anti-replay cache, TestHooks, and X.509 failure details
// (x509::Failure strings) when a chain is rejected; names in
// nameConstraints are checked with heap vectors too.
//
// The handshake is an explicit state machine: HsState lists the "expecting
// X" states; each has one handler; anything else is unexpected_message.
// kTransitions is the table of allowed moves (checked on every move and
// tested). Traffic keys for reading the peer's application data can only
// be installed with a PeerFinishedVerified token, which only the Finished
// check constructs; the client's Finished check in turn needs a
// PeerAuthenticated token that only the CertificateVerify check makes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tls/arena.hpp"
#include "tls/config.hpp"
#include "tls/crypto.hpp"
#include "tls/key_schedule.hpp"
#include "tls/messages.hpp"
#include "tls/record.hpp"
#include "tls/types.hpp"

namespace tern::tls {

enum class Role : std::uint8_t { client, server };

enum class HsState : std::uint8_t {
  client_start,
  client_wait_sh,
  client_wait_ee,
  client_wait_cert_cr,
  client_wait_cert,
  client_wait_cv,
  client_wait_finished,
  server_wait_ch,
  server_wait_ch2,
  server_wait_eoed,         // accepted 0-RTT: early data until EndOfEarlyData
  server_wait_cert,         // requested a client Certificate
  server_wait_cv,           // client CertificateVerify
  server_wait_finished,
  connected,
  closed,
  failed,
};
const char* to_string(HsState s) noexcept;

struct Transition {
  HsState from, to;
};
// Every allowed handshake move (besides "any -> failed" and
// "connected -> closed", which are always allowed).
extern const Transition kTransitions[];
extern const std::size_t kTransitionCount;
bool transition_allowed(HsState from, HsState to) noexcept;

enum class ConnState : std::uint8_t { handshaking, open, closed, failed };

// 0-RTT outcome, as seen by either side.
enum class EarlyData : std::uint8_t {
  not_offered,  // no early_data extension sent / received
  offered,      // client: sent, no answer yet
  accepted,
  rejected,     // the server skipped it; the client must resend with write()
};
const char* to_string(EarlyData e) noexcept;

// Tokens that only the checks can construct.
class PeerAuthenticated {
  friend class Connection;
  PeerAuthenticated() = default;
};
class PeerFinishedVerified {
  friend class Connection;
  PeerFinishedVerified() = default;
};

namespace detail {
// A growable byte buffer for records: growing neither zero-fills nor copies
// more than the live bytes; freeing wipes the whole allocation.
class ByteBuf {
 public:
  ByteBuf() noexcept = default;
  ~ByteBuf() { release(); }
  ByteBuf(const ByteBuf&) = delete;
  ByteBuf& operator=(const ByteBuf&) = delete;
  std::uint8_t* data() noexcept { return p_; }
  const std::uint8_t* data() const noexcept { return p_; }
  std::size_t size() const noexcept { return n_; }
  std::size_t capacity() const noexcept { return cap_; }
  bool empty() const noexcept { return n_ == 0; }
  // Capacity for at least `n` bytes (the live ones kept); `exact` avoids
  // the geometric growth.
  void reserve(std::size_t n, bool exact = false);
  // Room for `extra` more bytes after size(); returns where they go.
  std::uint8_t* room(std::size_t extra) {
    if (cap_ - n_ < extra) reserve(n_ + extra);
    return p_ + n_;
  }
  void commit(std::size_t k) noexcept { n_ += k; }
  void append(const std::uint8_t* b, std::size_t k);
  void push_back(std::uint8_t b) { append(&b, 1); }
  void set_size(std::size_t n) noexcept { n_ = n; }
  void clear() noexcept { n_ = 0; }
  // Wipes and frees the allocation.
  void release() noexcept;

 private:
  void release_keep(std::uint8_t* q, std::size_t c) noexcept;
  std::uint8_t* p_ = nullptr;
  std::size_t n_ = 0, cap_ = 0;
};
}  // namespace detail

namespace detail {
// The connection's plain state. Every member starts as zero (no default
// member initializers): the connection value-initializes this base, one
// memset instead of a store per member.
struct ConnectionScalars {
  bool alert_received_;
  bool started_;
  bool peer_closed_;
  bool local_closed_;
  bool settle_pending_;  // handshake done: settle_memory() after this record
  // Output: out_head_ bytes of out_ already taken by consume_output().
  std::size_t out_head_;
  bool ccs_sent_;
  // Input. rx_ holds [app_head_, app_end_) decrypted application data not
  // yet read, then part_ bytes of a record still being assembled (header +
  // body). Whole records found in the fed bytes are decrypted straight
  // into rx_; read() copies out of it.
  std::size_t app_head_, app_end_, part_;
  bool key_changed_;  // a message just changed the read key

  [[maybe_unused]] const SuiteInfo* early_suite_;  // the offered session's suite (early exporter)
  // Handshake.
  const SuiteInfo* suite_;
  std::uint16_t group_;
  std::uint16_t sig_scheme_;
  bool hrr_done_;
  const std::string* alpn_;  // the negotiated one of cfg_.alpn (nullptr: none)
  bool cert_requested_;

  // Post-handshake, resumption, 0-RTT, record_size_limit.
  std::uint64_t key_updates_sent_, key_updates_received_;
  std::uint64_t records_since_rekey_, bytes_since_rekey_;
  bool resumed_;
  std::size_t tickets_;
  EarlyData early_;               // EarlyData::not_offered is 0
  std::uint64_t early_bytes_;     // sent (client) / received or skipped (server)
  std::uint32_t early_limit_;
  std::uint16_t peer_rsl_;
  bool rsl_sent_;
  bool psk_ke_only_;              // psk_ke: no (EC)DHE
  bool client_cert_empty_;
  bool skip_early_;               // server: skipping rejected 0-RTT records
  std::uint64_t early_budget_;    // server: bytes of rejected 0-RTT we skip at most
};
static_assert(static_cast<int>(EarlyData::not_offered) == 0);
}  // namespace detail

class Connection : private detail::ConnectionScalars {
 public:
  // arena: no-heap mode (tls/arena.hpp); nullptr: the global heap.
  Connection(Role role, const Config& cfg, Arena* arena = nullptr);
  Arena* arena() const noexcept { return arena_; }
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Role role() const noexcept { return role_; }
  // Feeds received bytes; returns how many were taken (less than offered
  // only when the connection failed/closed or unread data is piling up).
  std::size_t feed(Bytes in);
  // Bytes to send (the client's first flight appears on the first call).
  Bytes pending_output();
  void consume_output(std::size_t n);

  // Application data. write() is allowed once open; read() returns the
  // number of bytes copied (0 when none are buffered).
  Err write(Bytes data);
  std::size_t read(std::span<std::uint8_t> out);
  std::size_t readable() const noexcept { return app_end_ - app_head_; }
  // Sends close_notify; further writes fail.
  void close();

  ConnState state() const noexcept;
  HsState handshake_state() const noexcept { return hs_; }
  // The alert that ended the connection (sent or received) and why.
  Alert alert() const noexcept { return err_.alert; }
  const char* error() const noexcept { return err_.why ? err_.why : ""; }
  bool alert_received() const noexcept { return alert_received_; }
  bool peer_closed() const noexcept { return peer_closed_; }

  // Negotiated parameters (valid once the relevant message was processed).
  std::uint16_t cipher_suite() const noexcept { return suite_ ? static_cast<std::uint16_t>(suite_->id) : 0; }
  std::uint16_t group() const noexcept { return group_; }
  std::uint16_t signature_scheme() const noexcept { return sig_scheme_; }
  // The negotiated ALPN protocol (empty: none): a reference to that entry
  // of Config::alpn (the connection keeps no copy; like the rest of the
  // Config, the list must outlive the connection unchanged).
  const std::string& alpn() const noexcept;
#if !defined(TERN_NO_TLS_SERVER)
  const ArenaString& server_name() const noexcept { return sni_; }
#else
  const ArenaString& server_name() const noexcept;  // always empty (no server role)
#endif
  bool hello_retry() const noexcept { return hrr_done_; }
  // The peer's certificate chain, DER, leaf first (server: the client's,
  // empty when the client sent none). The views stay valid as long as the
  // connection.
  const ArenaVector<Bytes>& peer_chain() const noexcept { return peer_chain_; }
  // RFC 8446 §7.5 exporter (open connections only). Status::unsupported
  // before the handshake completes.
  Status export_keying_material(std::span<std::uint8_t> out, std::string_view label, Bytes context) const noexcept;
  // The early exporter (early_exporter_master_secret; only when a PSK was
  // offered/accepted with early data). Status::unsupported otherwise.
  Status export_early_keying_material(std::span<std::uint8_t> out, std::string_view label,
                                      Bytes context) const noexcept;

  // Sends KeyUpdate (and switches our write key). With request_peer_update
  // the peer answers with its own KeyUpdate (RFC 8446 §4.6.3).
  Err key_update(bool request_peer_update);
  std::uint64_t key_updates_sent() const noexcept { return key_updates_sent_; }
  std::uint64_t key_updates_received() const noexcept { return key_updates_received_; }

  // Resumption. Client only, before the first pending_output()/feed():
  // offers `s` (its ticket is used once; the caller should drop it).
  // Errors: wrong role/state, unsupported suite, or an expired ticket.
  Err offer_session(const Session& s);
  // True when the handshake used a PSK (resumed session).
  bool resumed() const noexcept { return resumed_; }
  // Tickets received (client) / sent (server) on this connection.
  std::size_t tickets() const noexcept { return tickets_; }
  // The last ticket this client received (also put() into the store).
#if !defined(TERN_NO_TLS_RESUMPTION)
  const std::optional<Session>& last_session() const noexcept { return last_session_; }
#else
  const std::optional<Session>& last_session() const noexcept;  // always empty
#endif

  // 0-RTT. Client: queues early application data (sent as soon as the
  // ClientHello goes out) while the offered ticket allows it, at most its
  // max_early_data bytes in total. Errors when no session with early data
  // was offered, after the ServerHello, or beyond the limit.
  Err write_early(Bytes data);
  EarlyData early_data() const noexcept { return early_; }

  // RFC 8449: the peer's record_size_limit (0 when it sent none) and the
  // largest plaintext we put in one record.
  std::uint16_t peer_record_size_limit() const noexcept { return peer_rsl_; }
  std::size_t max_fragment() const noexcept;

 private:
  void start();
  // The role, where only a connection past its first handshake message
  // asks (without the server role built, a server-role connection fails
  // on the first ClientHello and never gets there).
  bool client() const noexcept {
#if defined(TERN_NO_TLS_SERVER)
    return true;
#else
    return role_ == Role::client;
#endif
  }
  void fail_with(Err e, bool received = false);
  void move_to(HsState to);
  // Records.
  // One whole record: `in_rx` says it sits in rx_ at app_end_ (assembled
  // from pieces, decrypted in place); otherwise header/body are the fed
  // bytes and the plaintext is decrypted into rx_ at app_end_.
  Err process_record(const std::uint8_t* header, Bytes body, bool in_rx);
  bool check_header(const std::uint8_t* h);
  Err handle_record(ContentType type, std::span<std::uint8_t> content);
  Err handle_handshake_data(Bytes data);
  Err handle_alert(std::span<std::uint8_t> data);
  void take_app_data(std::span<std::uint8_t> content);
  void after_record();
  void compact_rx();
  Err send_record(ContentType type, Bytes content);
  void send_plain_record(ContentType type, Bytes content, std::uint16_t version = kTls12);
  void send_ccs();
  void queue_handshake(Bytes msg);
  Err queue_finished(Bytes base_key);
  Bytes transcript_hash();
  Err flush_handshake();
  bool ccs_allowed() const noexcept;

  // One handler per state.
  Err dispatch(const HandshakeMessage& m);
  Err on_client_wait_sh(const HandshakeMessage& m);
  Err on_client_wait_ee(const HandshakeMessage& m);
  Err on_client_wait_cert_cr(const HandshakeMessage& m);
  Err on_client_wait_cert(const HandshakeMessage& m);
  Err on_client_wait_cv(const HandshakeMessage& m);
  Err on_client_wait_finished(const HandshakeMessage& m);
  Err on_server_wait_ch(const HandshakeMessage& m);
  Err on_server_wait_eoed(const HandshakeMessage& m);
  Err on_server_wait_cert(const HandshakeMessage& m);
  Err on_server_wait_cv(const HandshakeMessage& m);
  Err on_server_wait_finished(const HandshakeMessage& m);
  Err on_connected(const HandshakeMessage& m);

  Err client_send_hello(bool second, Bytes cookie);
  Err add_key_share(std::uint16_t group);
  Err client_handle_hrr(const ServerHello& sh, const HandshakeMessage& m);
  Err server_handle_ch(const ClientHello& ch, const HandshakeMessage& m);
  Err server_send_hrr(const ClientHello& ch, const HandshakeMessage& m, std::uint16_t group);
  Err install_handshake_keys();
  Err next_application_key(bool ours);
  Err derive_application_secrets();
  Err install_peer_application_keys(const PeerFinishedVerified&);
  // unsupported_extension unless every extension (ext_bit()s `known`, and
  // `unknown` for any other type) was offered or is in `also`.
  Err check_offered(std::uint32_t known, bool unknown, std::uint32_t also = 0);
  Err generate_share(KeyExchange& kx, std::uint16_t group);
  Err verify_finished(Bytes base_key, Bytes received, std::optional<PeerFinishedVerified>& out);

  RandomSource& rng() const noexcept;
  std::uint64_t now() const;

  // First member: the arena is current while the others are built/freed.
  detail::ArenaHold hold_;
  Role role_;
  const Config& cfg_;
  Arena* arena_;
  // One public call: the arena is current, exhaustion checked at the end.
  struct Call {
    Connection& c;
    ArenaScope scope;
    explicit Call(Connection& x) noexcept : c(x), scope(x.arena_) {}
    ~Call() { c.check_arena(); }
  };
  void check_arena();  // exhausted arena -> internal_error
  HsState hs_;
  Err err_{};

  // Output.
  detail::ByteBuf out_;
  ByteVector hs_out_;  // handshake messages not yet framed in records

  // Input (see ConnectionScalars::app_head_).
  detail::ByteBuf rx_;
  detail::ByteBuf hs_in_;  // handshake bytes not yet forming a whole message

  RecordProtection read_, write_;

  // The handshake state's plain members, all zero to begin with (no
  // default member initializers: value-initialized by Handshake()).
  struct HandshakeScalars {
    std::size_t nkx_;  // key shares in kx_
    std::uint8_t random_[32];
    std::uint8_t session_id_[32];  // legacy_session_id (client: ours; server: the client's)
    std::size_t session_id_len_;
    std::uint16_t hrr_suite_;
    std::uint16_t hrr_group_;
    std::uint16_t psk_identity_;  // server: the identity selected
    std::uint32_t offered_;       // ext_bit() of each extension type sent
    std::uint16_t last_offered_;  // the last one
    const Credential* cred_;
  };
  // Handshake-only state: allocated with the connection, wiped and freed
  // once the handshake completes (settle_memory).
  struct Handshake : HandshakeScalars {
    Handshake() : HandshakeScalars() {}
    Transcript transcript_;
    KeySchedule ks_;
    // Our key shares (x25519, secp256r1, secp384r1 at most).
    static constexpr std::size_t kMaxShares = 3;
    KeyExchange kx_[kMaxShares];
    const KeyExchange* share_for(std::uint16_t group) const noexcept;
    void drop_shares() noexcept;
    Bytes session_id() const noexcept { return Bytes(session_id_, session_id_len_); }
    void set_session_id(Bytes id) noexcept;
#if !defined(TERN_NO_TLS_SERVER)
    ByteVector cookie_;  // server: the cookie of its HelloRetryRequest
#endif
    std::optional<PeerAuthenticated> peer_auth_;
    Secret dhe_, c_hs_, s_hs_;
#if !defined(TERN_NO_TLS_RESUMPTION)
    Secret psk_, c_e_traffic_;
    Bytes psk() const noexcept { return psk_.view(); }
    Bytes early_traffic() const noexcept { return c_e_traffic_.view(); }
#else
    // No PSK, no 0-RTT: never read (resumed_ and accepted early data stay false).
    static Bytes psk() noexcept { return {}; }
    static Bytes early_traffic() noexcept { return {}; }
#endif
    Secret th_, vd_;  // scratch: the latest transcript hash, Finished verify_data
#if !defined(TERN_NO_TLS_RESUMPTION)
    std::optional<Session> offer_;           // client: the session offered
#endif
#if !defined(TERN_NO_TLS_CLIENT_CERT)
    ByteVector cr_sigalgs_;  // client: the CertificateRequest's signature_algorithms (u16 pairs)
#endif
    ArenaString ticket_alpn_;                // server: ALPN recorded in the accepted ticket
    ~Handshake();
  };
  ArenaPtr<Handshake> h_;
  // Kept after the handshake: application traffic secrets (KeyUpdate),
  // exporter and resumption secrets.
  Secret c_ap_, s_ap_;
#if !defined(TERN_NO_TLS_RESUMPTION)
  Secret exp_master_, res_master_, early_exp_;
#endif

#if !defined(TERN_NO_TLS_SERVER)
  ArenaString sni_;  // server: the client's server_name
#endif
  ArenaVector<Bytes> peer_chain_;  // views into peer_certs_
  ByteVector peer_certs_;          // the peer's Certificate message body
  void keep_peer_chain(Bytes body, ArenaVector<Bytes>& certs);

#if !defined(TERN_NO_TLS_RESUMPTION)
  std::optional<Session> last_session_;
#endif
  bool skipping_early() const noexcept {
#if defined(TERN_NO_TLS_SERVER)
    return false;
#else
    return skip_early_;
#endif
  }

  std::uint64_t now_ms() const;
  void settle_memory();  // handshake done: free its buffers, size the record buffers
  std::uint16_t own_record_limit() const noexcept;
  Err maybe_rekey();
  Err server_check_psk(const ClientHello& ch, const HandshakeMessage& m, const SuiteInfo*& suite, bool& psk_ke,
                       bool& accept_early);
  Err server_send_tickets();
  Err client_send_certificate();
  Err on_new_session_ticket(const HandshakeMessage& m);
};

}  // namespace tern::tls
