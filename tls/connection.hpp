// The sans-I/O TLS 1.3 connection (client or server).
//
//   feed(bytes) -> consumed        bytes received from the peer
//   pending_output() / consume_output(n)   bytes to send
//   write(data) / read(buf)        application data once open
//   state()                        handshaking / open / closed / failed
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
#include <optional>
#include <span>
#include <string>
#include <vector>

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

// Tokens that only the checks can construct.
class PeerAuthenticated {
  friend class Connection;
  PeerAuthenticated() = default;
};
class PeerFinishedVerified {
  friend class Connection;
  PeerFinishedVerified() = default;
};

class Connection {
 public:
  Connection(Role role, const Config& cfg);
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
  std::size_t readable() const noexcept { return app_in_.size() - app_head_; }
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
  const std::string& alpn() const noexcept { return alpn_; }
  const std::string& server_name() const noexcept { return sni_; }
  bool hello_retry() const noexcept { return hrr_done_; }
  const std::vector<std::vector<std::uint8_t>>& peer_chain() const noexcept { return peer_chain_; }
  // RFC 8446 §7.5 exporter (open connections only).
  Status export_keying_material(std::span<std::uint8_t> out, std::string_view label, Bytes context) const noexcept;
  // Sends KeyUpdate (and switches our write key).
  Err key_update(bool request_peer_update);

 private:
  void start();
  void fail_with(Err e, bool received = false);
  void move_to(HsState to);
  // Records.
  void process_record();
  Err handle_record(ContentType type, std::span<std::uint8_t> content);
  Err handle_handshake_data(std::span<std::uint8_t> data);
  Err handle_alert(std::span<std::uint8_t> data);
  Err send_record(ContentType type, Bytes content);
  void send_plain_record(ContentType type, Bytes content, std::uint16_t version = kTls12);
  void send_ccs();
  void queue_handshake(Bytes msg);
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
  Err on_server_wait_finished(const HandshakeMessage& m);
  Err on_connected(const HandshakeMessage& m);

  Err client_send_hello(bool second, Bytes cookie);
  Err client_handle_hrr(const ServerHello& sh, const HandshakeMessage& m);
  Err server_handle_ch(const ClientHello& ch, const HandshakeMessage& m);
  Err server_send_hrr(const ClientHello& ch, const HandshakeMessage& m, std::uint16_t group);
  Err install_handshake_keys();
  Err derive_application_secrets();
  Err install_peer_application_keys(const PeerFinishedVerified&);
  Err check_server_extensions(const Extensions& exts);
  Err verify_finished(Bytes base_key, Bytes received, std::optional<PeerFinishedVerified>& out);

  RandomSource& rng() const noexcept;
  std::uint64_t now() const;

  Role role_;
  const Config& cfg_;
  HsState hs_;
  Err err_{};
  bool alert_received_ = false;
  bool started_ = false;
  bool peer_closed_ = false;
  bool local_closed_ = false;

  // Output.
  std::vector<std::uint8_t> out_;
  std::size_t out_head_ = 0;
  std::vector<std::uint8_t> hs_out_;  // handshake messages not yet framed in records
  bool ccs_sent_ = false;

  // Input.
  std::vector<std::uint8_t> rec_;     // the record being assembled (header + body)
  std::vector<std::uint8_t> hs_in_;   // handshake bytes not yet forming a whole message
  bool key_changed_ = false;          // a message just changed the read key
  std::vector<std::uint8_t> app_in_;
  std::size_t app_head_ = 0;

  RecordProtection read_, write_;

  // Handshake.
  const SuiteInfo* suite_ = nullptr;
  Transcript transcript_;
  KeySchedule ks_;
  std::vector<std::unique_ptr<KeyExchange>> kx_;
  std::uint16_t group_ = 0;
  std::uint16_t sig_scheme_ = 0;
  std::uint8_t random_[32]{};
  std::vector<std::uint8_t> session_id_;
  std::vector<std::uint8_t> cookie_;
  bool hrr_done_ = false;
  std::uint16_t hrr_suite_ = 0;
  std::uint16_t hrr_group_ = 0;
  std::vector<std::uint16_t> offered_exts_;
  std::string alpn_, sni_;
  std::vector<std::vector<std::uint8_t>> peer_chain_;
  std::optional<PeerAuthenticated> peer_auth_;
  bool cert_requested_ = false;
  std::vector<std::uint8_t> cert_request_context_;
  const Credential* cred_ = nullptr;
  Secret dhe_;
  Secret c_hs_, s_hs_, c_ap_, s_ap_, exp_master_, res_master_;
};

}  // namespace tern::tls
