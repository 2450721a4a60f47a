#include "tls/connection.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>

#include "crypto/internal/bytes.hpp"
#include "crypto/internal/ct.hpp"
#include "crypto/internal/wipe.hpp"
#include "tls/ticket.hpp"

namespace tern::tls {

namespace {
constexpr std::size_t kMaxHandshakeMessage = 1u << 17;
constexpr std::size_t kMaxBufferedAppData = 4 * kMaxPlaintext;
// RFC 8446 §5.5: AES-GCM keys may protect at most 2^24.5 records; we
// update well before (2^24). ChaCha20-Poly1305's limit (2^62 here, below
// the sequence-number space) is never reached in practice.
constexpr std::uint64_t kAesGcmRecordLimit = std::uint64_t{1} << 24;
constexpr std::uint64_t kChaChaRecordLimit = std::uint64_t{1} << 62;
[[maybe_unused]] constexpr std::uint32_t kMaxTicketLifetime = 604800;  // server only
constexpr std::uint16_t kMaxRecordSizeLimit = kMaxPlaintext + 1;

bool same(Bytes a, Bytes b) noexcept { return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0); }

bool contains(std::span<const std::uint16_t> v, std::uint16_t x) {
  for (auto y : v)
    if (y == x) return true;
  return false;
}
}  // namespace

// ---- the state machine table --------------------------------------------------

const Transition kTransitions[] = {
    {HsState::client_start, HsState::client_wait_sh},
    {HsState::client_wait_sh, HsState::client_wait_sh},  // HelloRetryRequest
    {HsState::client_wait_sh, HsState::client_wait_ee},
    {HsState::client_wait_ee, HsState::client_wait_cert_cr},
    {HsState::client_wait_ee, HsState::client_wait_finished},  // resumed with a PSK
    {HsState::client_wait_cert_cr, HsState::client_wait_cert},  // CertificateRequest
    {HsState::client_wait_cert_cr, HsState::client_wait_cv},
    {HsState::client_wait_cert, HsState::client_wait_cv},
    {HsState::client_wait_cv, HsState::client_wait_finished},
    {HsState::client_wait_finished, HsState::connected},
    {HsState::server_wait_ch, HsState::server_wait_ch2},  // sent HelloRetryRequest
    {HsState::server_wait_ch, HsState::server_wait_finished},
    {HsState::server_wait_ch2, HsState::server_wait_finished},
    {HsState::server_wait_ch, HsState::server_wait_eoed},  // accepted 0-RTT
    {HsState::server_wait_eoed, HsState::server_wait_finished},
    {HsState::server_wait_ch, HsState::server_wait_cert},  // sent CertificateRequest
    {HsState::server_wait_ch2, HsState::server_wait_cert},
    {HsState::server_wait_cert, HsState::server_wait_cv},
    {HsState::server_wait_cert, HsState::server_wait_finished},  // empty client Certificate
    {HsState::server_wait_cv, HsState::server_wait_finished},
    {HsState::server_wait_finished, HsState::connected},
    {HsState::connected, HsState::closed},
};
const std::size_t kTransitionCount = sizeof kTransitions / sizeof kTransitions[0];

bool transition_allowed(HsState from, HsState to) noexcept {
  if (to == HsState::failed) return from != HsState::failed;
  for (const auto& t : kTransitions)
    if (t.from == from && t.to == to) return true;
  return false;
}

const char* to_string(HsState s) noexcept {
  switch (s) {
    case HsState::client_start: return "client_start";
    case HsState::client_wait_sh: return "client_wait_sh";
    case HsState::client_wait_ee: return "client_wait_ee";
    case HsState::client_wait_cert_cr: return "client_wait_cert_cr";
    case HsState::client_wait_cert: return "client_wait_cert";
    case HsState::client_wait_cv: return "client_wait_cv";
    case HsState::client_wait_finished: return "client_wait_finished";
    case HsState::server_wait_ch: return "server_wait_ch";
    case HsState::server_wait_ch2: return "server_wait_ch2";
    case HsState::server_wait_eoed: return "server_wait_eoed";
    case HsState::server_wait_cert: return "server_wait_cert";
    case HsState::server_wait_cv: return "server_wait_cv";
    case HsState::server_wait_finished: return "server_wait_finished";
    case HsState::connected: return "connected";
    case HsState::closed: return "closed";
    case HsState::failed: return "failed";
  }
  return "?";
}

const char* to_string(EarlyData e) noexcept {
  switch (e) {
    case EarlyData::not_offered: return "not_offered";
    case EarlyData::offered: return "offered";
    case EarlyData::accepted: return "accepted";
    case EarlyData::rejected: return "rejected";
  }
  return "?";
}

void Connection::move_to(HsState to) {
  if (!transition_allowed(hs_, to)) {
    fail_with(fail(Alert::internal_error, "state machine: transition not in the table"));
    return;
  }
  hs_ = to;
  // Done by feed() once the current record is processed (its plaintext
  // may sit in the buffers settle_memory() resizes).
  if (to == HsState::connected) settle_pending_ = true;
}

namespace {
template <class V>
void release(V& v) {
  V().swap(v);
}
}  // namespace

void Connection::settle_memory() {
  release(hs_out_);
  h_.reset();  // secrets, key shares, transcript: wiped by their destructors
  if (hs_in_.empty()) hs_in_.release();
  // Drop the handshake-sized receive buffer when it holds nothing.
  if (app_head_ == app_end_ && part_ == 0) {
    rx_.release();
    app_head_ = app_end_ = 0;
  }
  if (!cfg_.preallocate) return;
  // One record each way: the largest record the peer may send us (it is
  // assembled/decrypted in rx_ and read from there), and one of ours
  // (write() of at most max_fragment() bytes once the previous output was
  // taken). Post-handshake messages (KeyUpdate, NewSessionTicket) arriving
  // whole in one record are parsed in place; hs_in_ only holds fragments.
  const std::size_t in_max = kRecordHeader + (rsl_sent_ && peer_rsl_ ? std::size_t{own_record_limit()} + RecordProtection::kTagSize
                                                                   : kMaxCiphertext);
  const std::size_t out_max = RecordProtection::sealed_size(max_fragment());
  compact_rx();
  rx_.reserve(std::max(in_max, rx_.size()), true);
  out_.reserve(std::max(out_max, out_.size()), true);
}

namespace detail {
void ByteBuf::reserve(std::size_t n, bool exact) {
  if (n <= cap_ && !(exact && n < cap_)) return;
  if (n < n_) n = n_;
  std::size_t c = n;
  if (!exact && c > cap_) c = std::max(c, cap_ + cap_ / 2);
  auto* q = static_cast<std::uint8_t*>(arena_alloc(c));
  if (n_) std::memcpy(q, p_, n_);
  release_keep(q, c);
}

void ByteBuf::release_keep(std::uint8_t* q, std::size_t c) noexcept {
  if (p_) {
    wipe(p_, cap_);
    arena_free(p_);
  }
  p_ = q;
  cap_ = c;
}

void ByteBuf::append(const std::uint8_t* b, std::size_t k) {
  if (!k) return;
  std::memcpy(room(k), b, k);
  n_ += k;
}

void ByteBuf::release() noexcept {
  release_keep(nullptr, 0);
  n_ = 0;
}
}  // namespace detail

// ---- construction, state, I/O ---------------------------------------------------

Connection::Connection(Role role, const Config& cfg, Arena* arena)
    : detail::ConnectionScalars(),  // all zero
      hold_(arena),
      role_(role),
      cfg_(cfg),
      arena_(arena),
      hs_(role == Role::client ? HsState::client_start : HsState::server_wait_ch),
      h_(make_arena<Handshake>()) {
  check_arena();
  hold_.leave();
}

Connection::Handshake::~Handshake() { wipe(random_, sizeof random_); }

Connection::~Connection() {
  hold_.enter(arena_);  // the members are freed into the arena (hold_ goes last)
}

void Connection::check_arena() {
  if (arena_ && arena_->exhausted() && hs_ != HsState::failed)
    fail_with(fail(Alert::internal_error, "memory arena exhausted"));
}

RandomSource& Connection::rng() const noexcept { return cfg_.rng ? *cfg_.rng : default_random(); }

std::uint64_t Connection::now() const {
  if (cfg_.now) return cfg_.now();
  return static_cast<std::uint64_t>(std::time(nullptr));
}

std::uint64_t Connection::now_ms() const { return now() * 1000; }

std::uint16_t Connection::own_record_limit() const noexcept {
  if (cfg_.record_size_limit == 0) return kMaxRecordSizeLimit;
  return std::clamp<std::uint16_t>(cfg_.record_size_limit, 64, kMaxRecordSizeLimit);
}

ConnState Connection::state() const noexcept {
  switch (hs_) {
    case HsState::connected: return peer_closed_ || local_closed_ ? ConnState::closed : ConnState::open;
    case HsState::closed: return ConnState::closed;
    case HsState::failed: return ConnState::failed;
    default: return ConnState::handshaking;
  }
}

void Connection::fail_with(Err e, bool received) {
  if (hs_ == HsState::failed) return;
  err_ = e;
  alert_received_ = received;
  hs_ = HsState::failed;
  hs_out_.clear();
  if (!received && e.alert != Alert::none) {
    const std::uint8_t a[2] = {2, static_cast<std::uint8_t>(e.alert)};
    (void)send_record(ContentType::alert, Bytes(a, 2));  // plaintext before keys
  }
}

void Connection::start() {
  if (started_ || hs_ == HsState::failed) return;
  started_ = true;
  if (role_ == Role::client) {
#if !defined(TERN_NO_TLS_RESUMPTION)
    if (!h_->offer_ && cfg_.session_store) {
      Session s;
      if (cfg_.session_store->take(cfg_.server_name, now_ms(), s)) {
        started_ = false;
        (void)offer_session(s);  // an unusable ticket is just not offered
        started_ = true;
      }
    }
#endif
    if (Err e = client_send_hello(false, {})) fail_with(e);
  }
}

Bytes Connection::pending_output() {
  {
    Call call(*this);  // may queue an alert: the span is taken afterwards
    start();
  }
  return Bytes(out_.data() + out_head_, out_.size() - out_head_);
}

// consume_output() and read() neither allocate nor free: no Call (the arena
// need not be current, and exhaustion can only come from a call that
// allocates, which checks it itself).
void Connection::consume_output(std::size_t n) {
  out_head_ += std::min(n, out_.size() - out_head_);
  if (out_head_ == out_.size()) {
    out_.clear();
    out_head_ = 0;
  }
}

bool Connection::check_header(const std::uint8_t* h) {
  const std::uint8_t t = h[0];
  const std::size_t len = load_be16(h + 3);
  if (t < 20 || t > 23) {
    fail_with(fail(Alert::unexpected_message, "unknown record content type"));
    return false;
  }
  if (len > kMaxCiphertext) {
    fail_with(fail(Alert::record_overflow, "record longer than 2^14 + 256"));
    return false;
  }
  if (len == 0 && t != static_cast<std::uint8_t>(ContentType::application_data)) {
    fail_with(fail(Alert::decode_error, "empty record"));
    return false;
  }
  return true;
}

// Moves the unread application data and the partial record to the front
// of rx_.
void Connection::compact_rx() {
  if (app_head_ == 0) return;
  const std::size_t live = app_end_ - app_head_ + part_;
  if (live) std::memmove(rx_.data(), rx_.data() + app_head_, live);
  wipe(rx_.data() + live, app_head_);
  app_end_ -= app_head_;
  app_head_ = 0;
  rx_.set_size(app_end_ + part_);
}

std::size_t Connection::feed(Bytes in) {
  Call call(*this);
  start();
  std::size_t used = 0;
  while (used < in.size()) {
    if (hs_ == HsState::failed || hs_ == HsState::closed || peer_closed_) break;
    if (readable() > (cfg_.preallocate && hs_ == HsState::connected ? 0 : kMaxBufferedAppData)) break;
    const std::size_t avail = in.size() - used;
    if (part_ == 0 && avail >= kRecordHeader) {
      // A whole record in the fed bytes: opened straight from them.
      const std::uint8_t* h = in.data() + used;
      if (!check_header(h)) break;
      const std::size_t len = load_be16(h + 3);
      if (avail >= kRecordHeader + len) {
        used += kRecordHeader + len;
        if (Err e = process_record(h, Bytes(h + kRecordHeader, len), false)) fail_with(e);
        after_record();
        continue;
      }
    }
    // Assemble the record in rx_ after the unread application data.
    std::size_t need = kRecordHeader;
    if (part_ >= kRecordHeader) need += load_be16(rx_.data() + app_end_ + 3);
    if (part_ == 0 && app_head_ == app_end_) {
      app_head_ = app_end_ = 0;
      rx_.set_size(0);
    }
    const std::size_t take = std::min(need - part_, avail);
    if (rx_.capacity() - rx_.size() < take) {
      compact_rx();
      rx_.reserve(rx_.size() + (part_ < kRecordHeader ? kRecordHeader + kMaxCiphertext - part_ : take));
    }
    rx_.append(in.data() + used, take);
    part_ += take;
    used += take;
    std::uint8_t* h = rx_.data() + app_end_;
    if (part_ == kRecordHeader && !check_header(h)) break;
    if (part_ >= kRecordHeader && part_ == kRecordHeader + load_be16(h + 3)) {
      const std::size_t len = part_ - kRecordHeader;
      part_ = 0;
      rx_.set_size(app_end_);
      if (Err e = process_record(h, Bytes(h + kRecordHeader, len), true)) fail_with(e);
      after_record();
    }
  }
  return used;
}

void Connection::after_record() {
  if (!settle_pending_) return;
  settle_pending_ = false;
  if (hs_ == HsState::connected) settle_memory();
}

std::size_t Connection::read(std::span<std::uint8_t> out) {
  std::size_t n = std::min(out.size(), readable());
  if (n) std::memcpy(out.data(), rx_.data() + app_head_, n);
  app_head_ += n;
  if (app_head_ == app_end_ && app_end_ && part_ == 0) {
    wipe(rx_.data(), app_end_);
    app_head_ = app_end_ = 0;
    rx_.set_size(0);
  }
  return n;
}

Err Connection::write(Bytes data) {
  Call call(*this);
  if (hs_ != HsState::connected || local_closed_) return fail(Alert::internal_error, "connection not open for writing");
  const std::size_t frag = max_fragment();
  std::size_t off = 0;
  do {
    std::size_t n = std::min(frag, data.size() - off);
    TERN_TLS_TRY(maybe_rekey());
    TERN_TLS_TRY(send_record(ContentType::application_data, data.subspan(off, n)));
    ++records_since_rekey_;
    bytes_since_rekey_ += n;
    off += n;
  } while (off < data.size());
  return kOk;
}

Err Connection::maybe_rekey() {
  const std::uint64_t limit = suite_ && suite_->aead == AeadKind::chacha20poly1305 ? kChaChaRecordLimit : kAesGcmRecordLimit;
  const bool due = write_.sequence() + 1 >= limit ||
                   (cfg_.rekey_after_records && records_since_rekey_ >= cfg_.rekey_after_records) ||
                   (cfg_.rekey_after_bytes && bytes_since_rekey_ >= cfg_.rekey_after_bytes);
  return due ? key_update(false) : kOk;
}

void Connection::close() {
  Call call(*this);
  if (local_closed_ || hs_ == HsState::failed) return;
  local_closed_ = true;
  const std::uint8_t a[2] = {1, static_cast<std::uint8_t>(Alert::close_notify)};
  (void)send_record(ContentType::alert, Bytes(a, 2));  // plaintext before keys
}

#if !defined(TERN_NO_TLS_RESUMPTION)
Status Connection::export_keying_material(std::span<std::uint8_t> out, std::string_view label, Bytes ctx) const noexcept {
  if (hs_ != HsState::connected || !suite_) return Status::unsupported;
  return tls::export_keying_material(suite_->hash, out, exp_master_.view(), label, ctx);
}

Status Connection::export_early_keying_material(std::span<std::uint8_t> out, std::string_view label,
                                                Bytes ctx) const noexcept {
  const SuiteInfo* si = suite_ ? suite_ : early_suite_;
  if (!si || early_exp_.n == 0) return Status::unsupported;
  return tls::export_keying_material(si->hash, out, early_exp_.view(), label, ctx);
}
#else
// TERN_NO_TLS_RESUMPTION (tls/types.hpp): no exporters, no tickets kept.
const std::optional<Session>& Connection::last_session() const noexcept {
  static const std::optional<Session> none;
  return none;
}

Status Connection::export_keying_material(std::span<std::uint8_t>, std::string_view, Bytes) const noexcept {
  return Status::unsupported;
}

Status Connection::export_early_keying_material(std::span<std::uint8_t>, std::string_view, Bytes) const noexcept {
  return Status::unsupported;
}
#endif

#if defined(TERN_NO_TLS_SERVER)
const ArenaString& Connection::server_name() const noexcept {
  static const ArenaString none;
  return none;
}
#endif

const std::string& Connection::alpn() const noexcept {
  static const std::string none;
  return alpn_ ? *alpn_ : none;
}

std::size_t Connection::max_fragment() const noexcept {
  if (peer_rsl_ == 0) return kMaxPlaintext;
  return std::min<std::size_t>(kMaxPlaintext, std::size_t{peer_rsl_} - 1);
}

Err Connection::offer_session(const Session& s) {
  Call call(*this);
#if defined(TERN_NO_TLS_RESUMPTION)
  (void)s;
  return fail(Alert::internal_error, "offer_session: resumption is not built (TERN_NO_TLS_RESUMPTION)");
#else
  if (role_ != Role::client || started_) return fail(Alert::internal_error, "offer_session: client only, before the first flight");
  const SuiteInfo* si = find_suite(s.cipher_suite);
  if (!si || !contains(cfg_.cipher_suites, s.cipher_suite))
    return fail(Alert::internal_error, "offer_session: the session's cipher suite is not enabled");
  if (s.psk_len != sha2::digest_size(si->hash) || s.ticket.empty() || s.ticket.size() > 0xffff)
    return fail(Alert::internal_error, "offer_session: malformed session");
  if (s.expired(now_ms())) return fail(Alert::internal_error, "offer_session: the ticket expired");
  h_->offer_ = s;
  early_suite_ = si;
  return kOk;
#endif
}

Err Connection::write_early(Bytes data) {
  Call call(*this);
#if defined(TERN_NO_TLS_RESUMPTION)
  (void)data;
  return fail(Alert::internal_error, "write_early: resumption is not built (TERN_NO_TLS_RESUMPTION)");
#else
  start();
  if (role_ != Role::client || early_ != EarlyData::offered || hs_ != HsState::client_wait_sh || !write_.active())
    return fail(Alert::internal_error, "write_early: no early data offered, or too late");
  if (early_bytes_ + data.size() > early_limit_) return fail(Alert::internal_error, "write_early: over max_early_data_size");
  std::size_t off = 0;
  while (off < data.size()) {
    std::size_t n = std::min(max_fragment(), data.size() - off);
    TERN_TLS_TRY(send_record(ContentType::application_data, data.subspan(off, n)));
    off += n;
  }
  early_bytes_ += data.size();
  return kOk;
#endif
}

// ---- records --------------------------------------------------------------------

void Connection::send_plain_record(ContentType type, Bytes content, std::uint16_t version) {
  std::size_t off = 0;
  do {
    std::size_t n = std::min(kMaxPlaintext, content.size() - off);
    const std::uint8_t h[kRecordHeader] = {static_cast<std::uint8_t>(type), static_cast<std::uint8_t>(version >> 8),
                                           static_cast<std::uint8_t>(version), static_cast<std::uint8_t>(n >> 8),
                                           static_cast<std::uint8_t>(n)};
    out_.append(h, kRecordHeader);
    out_.append(content.data() + off, n);
    off += n;
  } while (off < content.size());
}

void Connection::send_ccs() {
  if (ccs_sent_) return;
  ccs_sent_ = true;
  const std::uint8_t one = 1;
  send_plain_record(ContentType::change_cipher_spec, Bytes(&one, 1));
}

Err Connection::send_record(ContentType type, Bytes content) {
  if (!write_.active()) {
    send_plain_record(type, content);
    return kOk;
  }
  // Sealed straight from the caller's bytes into the output buffer.
  const std::size_t len = RecordProtection::sealed_size(content.size());
  std::uint8_t* dst = out_.room(len);
  TERN_TLS_TRY(write_.seal(std::span<std::uint8_t>(dst, len), type, content));
  out_.commit(len);
  return kOk;
}

// Transcript-Hash of the messages so far (in the handshake state).
Bytes Connection::transcript_hash() {
  h_->transcript_.current(h_->th_);
  return h_->th_.view();
}

// Our Finished: verify_data from `base_key` over the transcript so far,
// built on the stack (TestHooks::edit_finished may change it).
Err Connection::queue_finished(Bytes base_key) {
  const Secret& vd = h_->vd_;
  if (finished_verify_data(suite_->hash, base_key, transcript_hash(), h_->vd_) != Status::ok)
    return fail(Alert::internal_error, "finished computation failed");
  std::uint8_t m[4 + sha2::max_digest_size] = {static_cast<std::uint8_t>(HandshakeType::finished), 0, 0,
                                               static_cast<std::uint8_t>(vd.n)};
  std::memcpy(m + 4, vd.b, vd.n);
  Bytes msg(m, 4 + vd.n);
  ByteVector edited;
  if (cfg_.hooks && cfg_.hooks->edit_finished) {
    cfg_.hooks->apply_finished(*cfg_.hooks, msg, edited);
    msg = edited;
  }
  queue_handshake(msg);
  wipe(m, sizeof m);
  return kOk;
}

void Connection::queue_handshake(Bytes msg) {
  h_->transcript_.update(msg);
  hs_out_.insert(hs_out_.end(), msg.begin(), msg.end());
}

Err Connection::flush_handshake() {
  if (hs_out_.empty()) return kOk;
  std::size_t off = 0;
  Err e = kOk;
  while (off < hs_out_.size() && !e) {
    std::size_t n = std::min(max_fragment(), hs_out_.size() - off);
    e = send_record(ContentType::handshake, Bytes(hs_out_.data() + off, n));
    off += n;
  }
  hs_out_.clear();
  return e;
}

bool Connection::ccs_allowed() const noexcept {
  // RFC 8446 §5: after the first ClientHello and before the peer's Finished.
  switch (hs_) {
    case HsState::client_wait_sh:
    case HsState::client_wait_ee:
    case HsState::client_wait_cert_cr:
    case HsState::client_wait_cert:
    case HsState::client_wait_cv:
    case HsState::client_wait_finished:
    case HsState::server_wait_ch2:
    case HsState::server_wait_eoed:
    case HsState::server_wait_cert:
    case HsState::server_wait_cv:
    case HsState::server_wait_finished:
      return true;
    default:
      return false;
  }
}

Err Connection::process_record(const std::uint8_t* header, Bytes body, bool in_rx) {
  const auto type = static_cast<ContentType>(header[0]);
  if (type == ContentType::change_cipher_spec) {
    if (body.size() != 1 || body[0] != 1) return fail(Alert::unexpected_message, "bad change_cipher_spec");
    if (!ccs_allowed()) return fail(Alert::unexpected_message, "change_cipher_spec at this point");
    return kOk;  // dropped
  }
  if (read_.active()) {
    if (type != ContentType::application_data)
      return fail(Alert::unexpected_message, "unprotected record after keys were installed");
    // RFC 8449: our announced limit, once the peer acknowledged it (not
    // for 0-RTT records, sent before the peer knew it).
    if (rsl_sent_ && (!client() || peer_rsl_ != 0) && hs_ != HsState::server_wait_eoed &&
        body.size() > std::size_t{own_record_limit()} + RecordProtection::kTagSize)
      return fail(Alert::record_overflow, "record over our record_size_limit");
    ContentType inner;
    std::span<std::uint8_t> content;
    Err e;
    if (in_rx) {
      // Assembled in rx_: decrypted in place.
      e = read_.open(std::span<std::uint8_t>(const_cast<std::uint8_t*>(header), kRecordHeader + body.size()), inner,
                     content);
    } else {
      // Straight from the fed bytes into rx_ after the unread data.
      const std::size_t n = body.size() >= RecordProtection::kTagSize ? body.size() - RecordProtection::kTagSize : 0;
      if (app_head_ == app_end_) {
        app_head_ = app_end_ = 0;
        rx_.set_size(0);
      }
      if (rx_.capacity() - app_end_ < n) {
        compact_rx();
        rx_.reserve(app_end_ + n);
      }
      e = read_.open(Bytes(header, kRecordHeader), body, std::span<std::uint8_t>(rx_.data() + app_end_, n), inner,
                     content);
    }
    if (e) {
      // Rejected 0-RTT: skip what the handshake key cannot open, up to the limit.
      if (skipping_early() && e.alert == Alert::bad_record_mac && early_bytes_ + body.size() <= early_budget_) {
        early_bytes_ += body.size();
        return kOk;
      }
      return e;
    }
    skip_early_ = false;
    if (inner == ContentType::change_cipher_spec)
      return fail(Alert::unexpected_message, "protected change_cipher_spec");
    if (inner == ContentType::handshake && content.empty())
      return fail(Alert::unexpected_message, "empty handshake record");
    Err he = handle_record(inner, content);
    // Anything but application data is consumed: wipe its plaintext.
    if (inner != ContentType::application_data && !content.empty())
      wipe(content.data(), content.size());
    return he;
  }
  if (type == ContentType::application_data) {
    // 0-RTT records after we answered with a HelloRetryRequest: skipped.
    if (skipping_early() && hs_ == HsState::server_wait_ch2 && early_bytes_ + body.size() <= early_budget_) {
      early_bytes_ += body.size();
      return kOk;
    }
    return fail(Alert::unexpected_message, "application data before keys");
  }
  if (body.size() > kMaxPlaintext) return fail(Alert::record_overflow, "plaintext record over 2^14");
  // Unprotected handshake/alert content is only read (never written).
  return handle_record(type, std::span<std::uint8_t>(const_cast<std::uint8_t*>(body.data()), body.size()));
}

// Application data just decrypted into rx_ (in place after a header, or
// at app_end_): made readable, contiguous with what is still unread.
void Connection::take_app_data(std::span<std::uint8_t> content) {
  if (content.empty()) return;
  std::uint8_t* at = content.data();
  const std::size_t n = content.size();
  if (at == rx_.data() + app_end_) {
    app_end_ += n;
  } else if (app_head_ == app_end_) {
    app_head_ = static_cast<std::size_t>(at - rx_.data());
    app_end_ = app_head_ + n;
  } else {
    std::memmove(rx_.data() + app_end_, at, n);
    app_end_ += n;
  }
  rx_.set_size(app_end_ + part_);
}

Err Connection::handle_record(ContentType type, std::span<std::uint8_t> content) {
  switch (type) {
    case ContentType::handshake:
      return handle_handshake_data(content);
    case ContentType::alert:
      if (!hs_in_.empty()) return fail(Alert::unexpected_message, "alert inside a fragmented handshake message");
      return handle_alert(content);
    case ContentType::application_data:
      if (!hs_in_.empty()) return fail(Alert::unexpected_message, "application data inside a handshake message");
#if !defined(TERN_NO_TLS_SERVER)
      if (hs_ == HsState::server_wait_eoed) {  // accepted 0-RTT
        early_bytes_ += content.size();
        if (early_bytes_ > early_limit_) return fail(Alert::unexpected_message, "early data over max_early_data_size");
        take_app_data(content);
        return kOk;
      }
#endif
      if (hs_ != HsState::connected) return fail(Alert::unexpected_message, "application data during the handshake");
      take_app_data(content);
      return kOk;
    default:
      return fail(Alert::unexpected_message, "unexpected record type");
  }
}

Err Connection::handle_alert(std::span<std::uint8_t> data) {
  if (data.size() != 2) return fail(Alert::decode_error, "alert: wrong length");
  const auto a = static_cast<Alert>(data[1]);
  if (a == Alert::close_notify) {
    peer_closed_ = true;
    if (hs_ != HsState::connected) fail_with(fail(Alert::close_notify, "peer closed during the handshake"), true);
    return kOk;
  }
  if (a == Alert::user_canceled) return kOk;  // followed by close_notify
  fail_with(Err{a, "fatal alert received"}, true);
  return kOk;
}

Err Connection::handle_handshake_data(Bytes data) {
  // Whole messages are parsed where they are (the record's plaintext);
  // only an incomplete tail is kept in hs_in_ (or appended to the
  // fragment already there).
  Bytes buf = data;
  if (!hs_in_.empty()) {
    hs_in_.append(data.data(), data.size());
    buf = Bytes(hs_in_.data(), hs_in_.size());
  }
  const bool buffered = !hs_in_.empty();
  std::size_t off = 0;
  Err result = kOk;
  while (buf.size() - off >= 4) {
    const std::size_t len = (std::size_t{buf[off + 1]} << 16) | (std::size_t{buf[off + 2]} << 8) | buf[off + 3];
    if (len > kMaxHandshakeMessage) {
      result = fail(Alert::illegal_parameter, "handshake message too large");
      break;
    }
    if (buf.size() - off < 4 + len) break;
    HandshakeMessage m{static_cast<HandshakeType>(buf[off]), buf.subspan(off + 4, len), buf.subspan(off, 4 + len)};
    off += 4 + len;
    key_changed_ = false;
    result = dispatch(m);
    if (result || hs_ == HsState::failed) break;
    // A message that changes keys must end its record (RFC 8446 §5.1).
    if (key_changed_ && off != buf.size()) {
      result = fail(Alert::unexpected_message, "handshake data after a key change in the same record");
      break;
    }
  }
  if (result || hs_ == HsState::failed) {
    hs_in_.clear();
    return result;
  }
  if (buffered) {
    const std::size_t rest = hs_in_.size() - off;
    if (off && rest) std::memmove(hs_in_.data(), hs_in_.data() + off, rest);
    hs_in_.set_size(rest);
  } else if (off < buf.size()) {
    hs_in_.append(buf.data() + off, buf.size() - off);
  }
  return kOk;
}

// ---- dispatcher -------------------------------------------------------------------

Err Connection::dispatch(const HandshakeMessage& m) {
  switch (hs_) {
    case HsState::client_wait_sh: return on_client_wait_sh(m);
    case HsState::client_wait_ee: return on_client_wait_ee(m);
    case HsState::client_wait_cert_cr: return on_client_wait_cert_cr(m);
    case HsState::client_wait_cert: return on_client_wait_cert(m);
    case HsState::client_wait_cv: return on_client_wait_cv(m);
    case HsState::client_wait_finished: return on_client_wait_finished(m);
#if !defined(TERN_NO_TLS_SERVER)
    case HsState::server_wait_ch:
    case HsState::server_wait_ch2: return on_server_wait_ch(m);
    case HsState::server_wait_eoed: return on_server_wait_eoed(m);
    case HsState::server_wait_cert: return on_server_wait_cert(m);
    case HsState::server_wait_cv: return on_server_wait_cv(m);
    case HsState::server_wait_finished: return on_server_wait_finished(m);
#else
    case HsState::server_wait_ch:
      return fail(Alert::internal_error, "the server role is not built (TERN_NO_TLS_SERVER)");
#endif
    case HsState::connected: return on_connected(m);
    default: return fail(Alert::unexpected_message, "handshake message in this state");
  }
}

// ---- client -------------------------------------------------------------------------

namespace {
// Appends a u16 list with a `width`-byte length prefix, leaving out the
// values `skip` names (what a constrained build cannot use).
void put_u16_list(Writer& w, int width, std::span<const std::uint16_t> v, bool (*skip)(std::uint16_t) noexcept = nullptr) {
  auto m = w.begin(width);
  for (auto x : v)
    if (!skip || !skip(x)) w.u16(x);
  w.end(m);
}
// A TLS 1.3 suite this build leaves out (TERN_NO_AES / TERN_NO_CHACHA).
bool suite_compiled_out(std::uint16_t s) noexcept { return s >= 0x1301 && s <= 0x1303 && !find_suite(s); }
Bytes as_bytes(std::string_view s) noexcept { return Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }
}  // namespace

void Connection::Handshake::set_session_id(Bytes id) noexcept {
  session_id_len_ = std::min(id.size(), sizeof session_id_);  // parsers allow at most 32 bytes
  if (session_id_len_) std::memcpy(session_id_, id.data(), session_id_len_);
}

const KeyExchange* Connection::Handshake::share_for(std::uint16_t group) const noexcept {
  for (std::size_t i = 0; i < nkx_; ++i)
    if (kx_[i].group() == group) return &kx_[i];
  return nullptr;
}

void Connection::Handshake::drop_shares() noexcept {
  for (auto& k : kx_) k.clear();
  nkx_ = 0;
}

// A fresh key pair for `group` (a fixed private key from the test hook
// when it gives one: trace replay).
Err Connection::generate_share(KeyExchange& kx, std::uint16_t group) {
  const Status st = cfg_.hooks && cfg_.hooks->ephemeral_private
                        ? cfg_.hooks->apply_ephemeral_private(*cfg_.hooks, kx, group, rng())
                        : kx.generate(group, rng());
  return st == Status::ok ? kOk : fail(Alert::internal_error, "key share generation failed");
}

// One more key share for `group`.
Err Connection::add_key_share(std::uint16_t group) {
  if (h_->nkx_ == Handshake::kMaxShares) return fail(Alert::internal_error, "too many key shares");
  TERN_TLS_TRY(generate_share(h_->kx_[h_->nkx_], group));
  ++h_->nkx_;
  return kOk;
}

namespace detail {
Status generate_share(const TestHooks& hooks, KeyExchange& kx, std::uint16_t group, RandomSource& rng) {
  const std::vector<std::uint8_t> fixed = hooks.ephemeral_private(group);
  return kx.generate(group, rng, fixed);
}

void rewrite_finished(const TestHooks& hooks, Bytes msg, ByteVector& out) {
  ByteVector vd(msg.begin() + 4, msg.end());
  hooks.edit_finished(vd);
  write_finished(out, vd);
  wipe(vd.data(), vd.size());
}

void rewrite_key_update(const TestHooks& hooks, Bytes msg, ByteVector& out) {
  out.assign(msg.begin(), msg.end());
  hooks.edit_key_update(out);
}

void rewrite_client_hello(const TestHooks& hooks, ByteVector& msg, std::uint32_t& offered, std::uint16_t& last) {
  ClientHelloOut ch;
  Reader r(Bytes(msg).subspan(4));
  r.u16();  // legacy_version
  std::memcpy(ch.random, r.bytes(32).data(), 32);
  ch.session_id = r.vec8();
  for (Reader cs = r.sub(2, 0, 0xffff); cs.remaining() > 0;) ch.cipher_suites.push_back(cs.u16());
  r.vec8();  // legacy_compression_methods
  for (Reader x = r.sub(2, 0, 0xffff); x.remaining() > 0;) {
    const std::uint16_t type = x.u16();
    const Bytes data = x.vec16();
    ch.exts.push_back({type, ByteVector(data.begin(), data.end())});
  }
  hooks.edit_client_hello(ch);
  // Types edited in that this build does not recognize are not recorded:
  // a server answering with one is refused.
  offered = 0;
  last = 0;
  for (const auto& x : ch.exts) {
    offered |= ext_bit(x.type);
    last = x.type;
  }
  ByteVector out;
  write_client_hello(out, ch);
  msg.swap(out);
}
}  // namespace detail

// The ClientHello is written straight into the message: each extension is
// its type and a 2-byte length patched once its body is written (no
// per-extension buffers); offered_ records the types sent.
Err Connection::client_send_hello(bool second, Bytes cookie) {
  if (!second) {
    if (rng().fill(h_->random_) != Status::ok) return fail(Alert::internal_error, "rng failure");
    if (cfg_.middlebox_compat) {
      if (rng().fill(h_->session_id_) != Status::ok) return fail(Alert::internal_error, "rng failure");
      h_->session_id_len_ = 32;
    }
    // Shares for the first key_shares groups this build has.
    const std::size_t n = std::max<std::size_t>(cfg_.key_shares, 1);
    for (std::size_t i = 0; i < cfg_.groups.size() && h_->nkx_ < n; ++i)
      if (!group_compiled_out(cfg_.groups[i])) TERN_TLS_TRY(add_key_share(cfg_.groups[i]));
  }
  h_->offered_ = 0;
  ByteVector msg;
  Writer w(msg);
  w.u8(static_cast<std::uint8_t>(HandshakeType::client_hello));
  const auto body = w.begin(3);
  w.u16(kTls12);
  w.bytes(Bytes(h_->random_, 32));
  w.vec(1, h_->session_id());
  put_u16_list(w, 2, cfg_.cipher_suites, suite_compiled_out);
  w.u8(1);  // legacy_compression_methods: null
  w.u8(0);
  const auto exts = w.begin(2);
  // Each extension's length is patched when the next one starts (or the
  // list ends: supported_groups is always there).
  Writer::Mark e{0, 0};
  auto ext_begin = [&](std::uint16_t type) {
    if (e.width) w.end(e);
    h_->offered_ |= ext_bit(type);
    h_->last_offered_ = type;
    w.u16(type);
    e = w.begin(2);
  };
  auto ext_u16s = [&](std::uint16_t type, std::span<const std::uint16_t> v, bool (*skip)(std::uint16_t) noexcept) {
    ext_begin(type);
    put_u16_list(w, 2, v, skip);
  };
  if (!cfg_.server_name.empty()) {
    ext_begin(ext::server_name);
    const auto list = w.begin(2);
    w.u8(0);  // host_name
    w.vec(2, as_bytes(cfg_.server_name));
    w.end(list);
  }
  ext_u16s(ext::supported_groups, cfg_.groups, group_compiled_out);
  ext_u16s(ext::signature_algorithms, cfg_.signature_schemes, scheme_compiled_out);
  if (!cfg_.signature_schemes_cert.empty())
    ext_u16s(ext::signature_algorithms_cert, cfg_.signature_schemes_cert, scheme_compiled_out);
  ext_begin(ext::key_share);
  {
    const auto list = w.begin(2);
    for (std::size_t i = 0; i < h_->nkx_; ++i) {
      w.u16(h_->kx_[i].group());
      w.vec(2, h_->kx_[i].public_key());
    }
    w.end(list);
  }
  ext_begin(ext::supported_versions);
  w.u8(2);  // the list's length: one version
  w.u16(kTls13);
  if (!cfg_.alpn.empty()) {
    ext_begin(ext::alpn);
    const auto list = w.begin(2);
    for (const auto& proto : cfg_.alpn) w.vec(1, as_bytes(proto));
    w.end(list);
  }
  if (!cookie.empty()) {
    ext_begin(ext::cookie);
    w.vec(2, cookie);
  }
  if (cfg_.record_size_limit) {
    ext_begin(ext::record_size_limit);
    w.u16(own_record_limit());
  }
#if !defined(TERN_NO_TLS_RESUMPTION)
  const SuiteInfo* psk_suite = h_->offer_ ? find_suite(h_->offer_->cipher_suite) : nullptr;
  if (psk_suite) {
    ext_begin(ext::psk_key_exchange_modes);
    w.u8(cfg_.allow_psk_ke ? 2 : 1);
    w.u8(1);  // psk_dhe_ke
    if (cfg_.allow_psk_ke) w.u8(0);  // psk_ke
    // 0-RTT: only in the first ClientHello, when the ticket allows it and
    // the ALPN we would offer first is the session's.
    const bool alpn_fits = h_->offer_->alpn.empty() ? cfg_.alpn.empty() : (!cfg_.alpn.empty() && cfg_.alpn[0] == h_->offer_->alpn);
    if (!second && cfg_.enable_early_data && h_->offer_->max_early_data > 0 && alpn_fits) {
      ext_begin(ext::early_data);
      early_ = EarlyData::offered;
      early_limit_ = h_->offer_->max_early_data;
    }
    // One identity and a zeroed binder, filled in below.
    const std::uint32_t age = static_cast<std::uint32_t>(now_ms() - h_->offer_->received_ms) + h_->offer_->age_add;
    ext_begin(ext::pre_shared_key);
    const auto ids = w.begin(2);
    w.vec(2, h_->offer_->ticket);
    w.u32(age);
    w.end(ids);
    const auto binders = w.begin(2);
    const std::size_t hl = sha2::digest_size(psk_suite->hash);
    w.u8(static_cast<std::uint8_t>(hl));
    for (std::size_t i = 0; i < hl; ++i) w.u8(0);
    w.end(binders);
  }
#endif
  w.end(e);
  w.end(exts);
  w.end(body);
  if (!w.ok()) return fail(Alert::internal_error, "ClientHello too large");
  // Tests edit the message as a list of extensions (TestHooks).
  if (cfg_.hooks && cfg_.hooks->edit_client_hello)
    cfg_.hooks->apply_client_hello(*cfg_.hooks, msg, h_->offered_, h_->last_offered_);
  rsl_sent_ = (h_->offered_ & ext_bit(ext::record_size_limit)) != 0;
#if !defined(TERN_NO_TLS_RESUMPTION)
  if (psk_suite) {
    // The binder: HMAC over the ClientHello truncated before the binders
    // list (RFC 8446 §4.2.11.2), keyed from the PSK's binder_key.
    if (h_->last_offered_ != ext::pre_shared_key)
      return fail(Alert::internal_error, "pre_shared_key must be the last extension");
    const HashId h = psk_suite->hash;
    const std::size_t hl = sha2::digest_size(h);
    const std::size_t blen = 2 + 1 + hl;
    Transcript t;
    if (second) {
      t = h_->transcript_;
    } else {
      t.set_hash(h);
    }
    t.update(Bytes(msg.data(), msg.size() - blen));
    Secret th, binder_key, binder;
    t.current(th);
    h_->psk_.n = h_->offer_->psk_len;
    std::memcpy(h_->psk_.b, h_->offer_->psk.data(), h_->psk_.n);
    KeySchedule eks(h);
    std::uint8_t empty_hash[sha2::max_digest_size];
    sha2::AnyHash::hash(h, std::span<std::uint8_t>(empty_hash, hl), {});
    if (eks.early(h_->psk_.view()) != Status::ok || eks.derive(binder_key, "res binder", Bytes(empty_hash, hl)) != Status::ok ||
        finished_verify_data(h, binder_key.view(), th.view(), binder) != Status::ok)
      return fail(Alert::internal_error, "binder computation failed");
    ByteVector b(binder.b, binder.b + binder.n);
    if (cfg_.hooks && cfg_.hooks->edit_binder) cfg_.hooks->edit_binder(b);
    if (b.size() != hl) return fail(Alert::internal_error, "binder length");
    std::memcpy(msg.data() + msg.size() - hl, b.data(), hl);
    if (early_ == EarlyData::offered) {
      Transcript full;
      full.set_hash(h);
      full.update(msg);
      full.current(th);
      if (eks.derive(h_->c_e_traffic_, "c e traffic", th.view()) != Status::ok ||
          eks.derive(early_exp_, "e exp master", th.view()) != Status::ok)
        return fail(Alert::internal_error, "early secrets failed");
    }
  }
#endif
  h_->transcript_.update(msg);
  if (second && cfg_.middlebox_compat) send_ccs();
  send_plain_record(ContentType::handshake, msg, second ? kTls12 : 0x0301);
#if !defined(TERN_NO_TLS_RESUMPTION)
  if (early_ == EarlyData::offered) {
    // The early data follows the ClientHello (and, in compatibility mode,
    // the dummy change_cipher_spec: RFC 8446 §D.4).
    if (cfg_.middlebox_compat) send_ccs();
    if (write_.install(*psk_suite, h_->c_e_traffic_.view()) != Status::ok)
      return fail(Alert::internal_error, "installing early keys failed");
  }
#endif
  if (!second) move_to(HsState::client_wait_sh);
  return kOk;
}

Err Connection::check_offered(std::uint32_t known, bool unknown, std::uint32_t also) {
  if (unknown || (known & ~(h_->offered_ | also)) != 0)
    return fail(Alert::unsupported_extension, "extension not offered");
  return kOk;
}

Err Connection::on_client_wait_sh(const HandshakeMessage& m) {
  if (m.type != HandshakeType::server_hello) return fail(Alert::unexpected_message, "expected ServerHello");
  ServerHello sh;
  TERN_TLS_TRY(parse_server_hello(m.body, sh));
  if (!sh.has_supported_versions) {
    // A TLS 1.2-or-older ServerHello: check the downgrade sentinel first.
    // (RFC 8446 §4.1.3: "DOWNGRD" then 01 for TLS 1.2, 00 for TLS 1.1 and below.)
    static_assert(sizeof kDowngradeTls12 == 8);
    if (std::memcmp(sh.random.data() + 24, kDowngradeTls12, 7) == 0 && sh.random[31] <= 1)
      return fail(Alert::illegal_parameter, "downgrade sentinel in ServerHello.random");
    return fail(Alert::protocol_version, "server did not negotiate TLS 1.3");
  }
  if (sh.selected_version != kTls13) return fail(Alert::illegal_parameter, "server selected a version not offered");
  if (sh.legacy_version != kTls12) return fail(Alert::protocol_version, "bad legacy_version");
  if (!same(sh.session_id, h_->session_id()))
    return fail(Alert::illegal_parameter, "legacy_session_id_echo mismatch");
  if (!contains(cfg_.cipher_suites, sh.cipher_suite) || !find_suite(sh.cipher_suite))
    return fail(Alert::illegal_parameter, "cipher suite not offered");
  if (sh.compression != 0) return fail(Alert::illegal_parameter, "compression method not null");
  // The HRR cookie is the server's own extension.
  TERN_TLS_TRY(check_offered(sh.exts.known(), sh.exts.has_unknown(), sh.is_hrr ? ext_bit(ext::cookie) : 0));
  if (sh.has_pre_shared_key) {
#if defined(TERN_NO_TLS_RESUMPTION)
    return fail(Alert::illegal_parameter, "pre_shared_key without an offer");
#else
    if (!h_->offer_) return fail(Alert::illegal_parameter, "pre_shared_key without an offer");
    if (sh.selected_identity != 0) return fail(Alert::illegal_parameter, "selected_identity not offered");
    const SuiteInfo* ps = find_suite(h_->offer_->cipher_suite);
    const SuiteInfo* ns = find_suite(sh.cipher_suite);
    if (!ps || !ns || ps->hash != ns->hash) return fail(Alert::illegal_parameter, "PSK with a cipher suite of another hash");
    resumed_ = true;
#endif
  }
  if (sh.is_hrr) {
#if !defined(TERN_NO_TLS_RESUMPTION)
    if (early_ == EarlyData::offered) {
      // 0-RTT is off after a HelloRetryRequest; the early write key goes.
      early_ = EarlyData::rejected;
      write_.reset();
    }
#endif
    return client_handle_hrr(sh, m);
  }

  if (hrr_done_ && sh.cipher_suite != h_->hrr_suite_)
    return fail(Alert::illegal_parameter, "ServerHello cipher suite differs from HelloRetryRequest");
  suite_ = find_suite(sh.cipher_suite);
  if (!sh.has_key_share) {
    if (!resumed_) return fail(Alert::missing_extension, "ServerHello without key_share");
    if (!cfg_.allow_psk_ke) return fail(Alert::illegal_parameter, "psk_ke selected but not offered");
    psk_ke_only_ = true;
  } else {
    const KeyExchange* kx = h_->share_for(sh.key_share.group);
    if (!kx) return fail(Alert::illegal_parameter, "key_share for a group we did not send");
    group_ = sh.key_share.group;
    if (kx->shared(sh.key_share.key, h_->dhe_) != Status::ok) return fail(Alert::illegal_parameter, "bad server key share");
  }
  if (!h_->transcript_.hash_known()) h_->transcript_.set_hash(suite_->hash);
  h_->transcript_.update(m.raw);
  TERN_TLS_TRY(install_handshake_keys());
  h_->drop_shares();
  move_to(HsState::client_wait_ee);
  return kOk;
}

Err Connection::client_handle_hrr(const ServerHello& sh, const HandshakeMessage& m) {
  if (hrr_done_) return fail(Alert::unexpected_message, "second HelloRetryRequest");
  hrr_done_ = true;
  h_->hrr_suite_ = sh.cipher_suite;
  bool changes = false;
  if (sh.has_key_share) {
    if (!contains(cfg_.groups, sh.key_share.group) || group_compiled_out(sh.key_share.group))
      return fail(Alert::illegal_parameter, "HRR group not offered");
    if (h_->share_for(sh.key_share.group)) return fail(Alert::illegal_parameter, "HRR asks for a share we sent");
    changes = true;
  }
  if (sh.has_cookie) changes = true;
  if (!changes) return fail(Alert::illegal_parameter, "HelloRetryRequest would not change the ClientHello");
  suite_ = find_suite(sh.cipher_suite);
#if !defined(TERN_NO_TLS_RESUMPTION)
  if (h_->offer_ && find_suite(h_->offer_->cipher_suite)->hash != suite_->hash) h_->offer_.reset();  // cannot be used any more
#endif
  h_->transcript_.set_hash(suite_->hash);
  h_->transcript_.replace_with_message_hash();
  h_->transcript_.update(m.raw);
  if (sh.has_key_share) {
    h_->drop_shares();
    TERN_TLS_TRY(add_key_share(sh.key_share.group));
  }
  // The cookie is echoed straight from the HelloRetryRequest (still in
  // the record being processed): the client keeps no copy.
  TERN_TLS_TRY(client_send_hello(true, sh.cookie));
  move_to(HsState::client_wait_sh);
  return kOk;
}

Err Connection::install_handshake_keys() {
  if (h_->ks_.hash() != suite_->hash) h_->ks_ = KeySchedule(suite_->hash);
  const Bytes th = transcript_hash();
  if (psk_ke_only_) {
    wipe_object(h_->dhe_);
    h_->dhe_.n = suite_->hash == HashId::sha384 ? 48 : 32;  // (EC)DHE input 0^HashLen
  }
  if (h_->ks_.early(resumed_ ? h_->psk() : Bytes{}) != Status::ok || h_->ks_.handshake(h_->dhe_.view()) != Status::ok ||
      h_->ks_.derive(h_->c_hs_, "c hs traffic", th) != Status::ok ||
      h_->ks_.derive(h_->s_hs_, "s hs traffic", th) != Status::ok)
    return fail(Alert::internal_error, "key schedule failed");
  wipe_object(h_->dhe_);
  const Secret& rd = client() ? h_->s_hs_ : h_->c_hs_;
  const Secret& wr = client() ? h_->c_hs_ : h_->s_hs_;
  // A client still sending 0-RTT keeps its early write key until its second
  // flight; a server that accepted 0-RTT reads with the early key until
  // EndOfEarlyData.
  const bool keep_write = client() && early_ == EarlyData::offered;
  const bool early_read = !client() && early_ == EarlyData::accepted;
  if (read_.install(*suite_, early_read ? h_->early_traffic() : rd.view()) != Status::ok ||
      (!keep_write && write_.install(*suite_, wr.view()) != Status::ok))
    return fail(Alert::internal_error, "installing handshake keys failed");
  key_changed_ = true;
  return kOk;
}

Err Connection::derive_application_secrets() {
  const Bytes th = transcript_hash();  // through the server Finished
  if (h_->ks_.master() != Status::ok || h_->ks_.derive(c_ap_, "c ap traffic", th) != Status::ok ||
      h_->ks_.derive(s_ap_, "s ap traffic", th) != Status::ok
#if !defined(TERN_NO_TLS_RESUMPTION)
      || h_->ks_.derive(exp_master_, "exp master", th) != Status::ok
#endif
  )
    return fail(Alert::internal_error, "key schedule failed");
  return kOk;
}

Err Connection::install_peer_application_keys(const PeerFinishedVerified&) {
  const Secret& rd = client() ? s_ap_ : c_ap_;
  if (read_.install(*suite_, rd.view()) != Status::ok) return fail(Alert::internal_error, "installing keys failed");
  key_changed_ = true;
  return kOk;
}

Err Connection::verify_finished(Bytes base_key, Bytes received, std::optional<PeerFinishedVerified>& out) {
  const Secret& expected = h_->vd_;
  if (finished_verify_data(suite_->hash, base_key, transcript_hash(), h_->vd_) != Status::ok)
    return fail(Alert::internal_error, "finished computation failed");
  if (received.size() != expected.n) return fail(Alert::decode_error, "finished: wrong length");
  if (!ct::equal(received.data(), expected.b, expected.n)) return fail(Alert::decrypt_error, "Finished does not verify");
  out.emplace(PeerFinishedVerified{});
  return kOk;
}

Err Connection::on_client_wait_ee(const HandshakeMessage& m) {
  if (m.type != HandshakeType::encrypted_extensions) return fail(Alert::unexpected_message, "expected EncryptedExtensions");
  EncryptedExtensions ee;
  TERN_TLS_TRY(parse_encrypted_extensions(m.body, ee));
  TERN_TLS_TRY(check_offered(ee.exts.known(), ee.exts.has_unknown()));
  if (ee.has_alpn) {
    std::string_view p(reinterpret_cast<const char*>(ee.alpn.data()), ee.alpn.size());
    for (const auto& a : cfg_.alpn)
      if (!alpn_ && std::string_view(a) == p) alpn_ = &a;
    if (!alpn_) return fail(Alert::illegal_parameter, "server selected an ALPN protocol we did not offer");
  }
  if (ee.has_early_data) {
    if (early_ != EarlyData::offered || !resumed_)
      return fail(Alert::illegal_parameter, "early_data accepted but not offered");
#if !defined(TERN_NO_TLS_RESUMPTION)
    if (suite_->id != static_cast<CipherSuite>(h_->offer_->cipher_suite))
      return fail(Alert::illegal_parameter, "0-RTT accepted with another cipher suite");
#endif
  }
  if (early_ == EarlyData::offered && !ee.has_early_data) early_ = EarlyData::rejected;
  if (early_ == EarlyData::offered) early_ = EarlyData::accepted;
  if (ee.has_record_size_limit) {
    if (!rsl_sent_) return fail(Alert::unsupported_extension, "record_size_limit not offered");
    peer_rsl_ = std::min(ee.record_size_limit, kMaxRecordSizeLimit);
  }
  h_->transcript_.update(m.raw);
  if (resumed_) {
    // The PSK (its binder and the key schedule) authenticates the server:
    // no Certificate/CertificateVerify follow.
    h_->peer_auth_.emplace(PeerAuthenticated{});
    move_to(HsState::client_wait_finished);
  } else {
    move_to(HsState::client_wait_cert_cr);
  }
  return kOk;
}

Err Connection::on_client_wait_cert_cr(const HandshakeMessage& m) {
  if (m.type == HandshakeType::certificate_request) {
    CertificateRequest cr;
    TERN_TLS_TRY(parse_certificate_request(m.body, cr));
    if (!cr.request_context.empty()) return fail(Alert::illegal_parameter, "certificate_request_context not empty");
    cert_requested_ = true;
#if !defined(TERN_NO_TLS_CLIENT_CERT)
    h_->cr_sigalgs_.assign(cr.signature_algorithms.raw.begin(), cr.signature_algorithms.raw.end());
#endif
    h_->transcript_.update(m.raw);
    move_to(HsState::client_wait_cert);
    return kOk;
  }
  return on_client_wait_cert(m);
}

Err Connection::on_client_wait_cert(const HandshakeMessage& m) {
  if (m.type != HandshakeType::certificate) return fail(Alert::unexpected_message, "expected Certificate");
  CertificateChain c;
  TERN_TLS_TRY(parse_certificate_chain(m.body, c));
  if (!c.request_context.empty()) return fail(Alert::illegal_parameter, "certificate_request_context not empty");
  if (c.certs.empty()) return fail(Alert::decode_error, "empty server Certificate");
  TERN_TLS_TRY(check_offered(c.exts_known, c.exts_unknown));
  if (!cfg_.verifier) return fail(Alert::certificate_unknown, "no certificate verifier configured");
  TERN_TLS_TRY(cfg_.verifier->verify(c.certs, cfg_.server_name, now()));
  keep_peer_chain(m.body, c.certs);
  h_->transcript_.update(m.raw);
  move_to(HsState::client_wait_cv);
  return kOk;
}

// The verified chain is kept as one copy of the Certificate message body
// with the parsed views moved over and pointed into that copy.
void Connection::keep_peer_chain(Bytes body, ArenaVector<Bytes>& certs) {
  peer_certs_.clear();
  peer_certs_.insert(peer_certs_.end(), body.begin(), body.end());
  peer_chain_.swap(certs);
  for (auto& b : peer_chain_) b = Bytes(peer_certs_.data() + (b.data() - body.data()), b.size());
}

Err Connection::on_client_wait_cv(const HandshakeMessage& m) {
  if (m.type != HandshakeType::certificate_verify) return fail(Alert::unexpected_message, "expected CertificateVerify");
  CertificateVerify cv;
  TERN_TLS_TRY(parse_certificate_verify(m.body, cv));
  if (!contains(cfg_.signature_schemes, cv.scheme) || scheme_compiled_out(cv.scheme))
    return fail(Alert::illegal_parameter, "CertificateVerify scheme not offered");
  auto content = certificate_verify_content(true, transcript_hash());
  TERN_TLS_TRY(verify_signature(cv.scheme, peer_chain_[0], content, cv.signature));
  h_->peer_auth_.emplace(PeerAuthenticated{});
  sig_scheme_ = cv.scheme;
  h_->transcript_.update(m.raw);
  move_to(HsState::client_wait_finished);
  return kOk;
}

Err Connection::on_client_wait_finished(const HandshakeMessage& m) {
  if (m.type != HandshakeType::finished) return fail(Alert::unexpected_message, "expected Finished");
  if (!h_->peer_auth_) return fail(Alert::internal_error, "Finished before the server was authenticated");
  std::optional<PeerFinishedVerified> ok;
  TERN_TLS_TRY(verify_finished(h_->s_hs_.view(), m.body, ok));
  h_->transcript_.update(m.raw);
  TERN_TLS_TRY(derive_application_secrets());
  TERN_TLS_TRY(install_peer_application_keys(*ok));
  // Our second flight: [EndOfEarlyData] [CCS] [Certificate [CertificateVerify]] Finished.
#if !defined(TERN_NO_TLS_RESUMPTION)
  if (early_ == EarlyData::accepted) {
    ByteVector eoed;
    write_handshake(eoed, HandshakeType::end_of_early_data, {});
    queue_handshake(eoed);
    TERN_TLS_TRY(flush_handshake());  // under the early key
  }
  if (client() && write_.active() && early_ != EarlyData::not_offered) write_.reset();
#endif
  if (!write_.active() && write_.install(*suite_, h_->c_hs_.view()) != Status::ok)
    return fail(Alert::internal_error, "installing handshake keys failed");
  if (cfg_.middlebox_compat) send_ccs();
  if (cert_requested_) TERN_TLS_TRY(client_send_certificate());
  TERN_TLS_TRY(queue_finished(h_->c_hs_.view()));
  TERN_TLS_TRY(flush_handshake());
  if (write_.install(*suite_, c_ap_.view()) != Status::ok) return fail(Alert::internal_error, "installing keys failed");
#if !defined(TERN_NO_TLS_RESUMPTION)
  if (h_->ks_.derive(res_master_, "res master", transcript_hash()) != Status::ok)
    return fail(Alert::internal_error, "res master");
#endif
  move_to(HsState::connected);
  return kOk;
}

Err Connection::client_send_certificate() {
#if defined(TERN_NO_TLS_CLIENT_CERT)
  // No client authentication (tls/types.hpp): an empty Certificate
  // (type 11, length 4, empty certificate_request_context -- the
  // CertificateRequest's was checked to be empty -- and an empty
  // certificate_list), what write_certificate() makes of no chain.
  static constexpr std::uint8_t kEmpty[8] = {static_cast<std::uint8_t>(HandshakeType::certificate), 0, 0, 4, 0, 0, 0, 0};
  queue_handshake(Bytes(kEmpty, sizeof kEmpty));
  return kOk;
#else
  // The first credential with a scheme the server asked for; none: an
  // empty Certificate (the server decides whether that is fatal).
  const Credential* cred = nullptr;
  std::uint16_t scheme = 0;
  for (const auto& c : cfg_.credentials) {
    if (!c.signer || c.chain.empty()) continue;
    for (auto sc : c.signer->schemes())
      if (U16List{h_->cr_sigalgs_}.contains(sc) && scheme_supported(sc) && scheme_fits_certificate(sc, c.chain[0])) {
        scheme = sc;
        break;
      }
    if (scheme) {
      cred = &c;
      break;
    }
  }
  ByteVector msg;
  ArenaVector<Bytes> chain;
  if (cred)
    for (const auto& c : cred->chain) chain.push_back(c);
  write_certificate(msg, {}, chain);  // our request_context: the (checked empty) one received
  queue_handshake(msg);
  if (!cred) return kOk;
  auto content = certificate_verify_content(false, transcript_hash());
  ByteVector sig;
  if (cred->signer->sign(scheme, content, rng(), sig) != Status::ok) return fail(Alert::internal_error, "signing failed");
  if (cfg_.hooks && cfg_.hooks->edit_signature) cfg_.hooks->edit_signature(sig);
  msg.clear();
  write_certificate_verify(msg, scheme, sig);
  queue_handshake(msg);
  return kOk;
#endif
}

// ---- server -------------------------------------------------------------------------

// Constrained client-only builds (TERN_NO_TLS_SERVER) leave the server role out.
#if !defined(TERN_NO_TLS_SERVER)


Err Connection::on_server_wait_ch(const HandshakeMessage& m) {
  if (m.type != HandshakeType::client_hello) return fail(Alert::unexpected_message, "expected ClientHello");
  ClientHello ch;
  TERN_TLS_TRY(parse_client_hello(m.body, ch));
  return server_handle_ch(ch, m);
}

Err Connection::server_handle_ch(const ClientHello& ch, const HandshakeMessage& m) {
  const bool second = hs_ == HsState::server_wait_ch2;
  if (!ch.has_supported_versions || !contains(ch.supported_versions, kTls13))
    return fail(Alert::protocol_version, "client does not offer TLS 1.3");
  if (ch.has_pre_shared_key && !ch.has_psk_modes)
    return fail(Alert::missing_extension, "pre_shared_key without psk_key_exchange_modes");
  if (ch.has_early_data && !ch.has_pre_shared_key) return fail(Alert::illegal_parameter, "early_data without a PSK");
  if (second && ch.has_early_data) return fail(Alert::illegal_parameter, "early_data after HelloRetryRequest");
  // Cipher suite.
  const SuiteInfo* suite = nullptr;
  if (second) {
    if (!contains(ch.cipher_suites, static_cast<std::uint16_t>(suite_->id)))
      return fail(Alert::illegal_parameter, "second ClientHello dropped the selected cipher suite");
    suite = suite_;
  } else {
    const std::uint16_t chacha = static_cast<std::uint16_t>(CipherSuite::chacha20_poly1305_sha256);
    std::uint16_t first_known = 0;
    for (auto s : ch.cipher_suites)
      if (find_suite(s)) {
        first_known = s;
        break;
      }
    if (cfg_.prefer_chacha_if_client_does && first_known == chacha && contains(cfg_.cipher_suites, chacha))
      suite = find_suite(chacha);
    for (std::size_t i = 0; !suite && i < cfg_.cipher_suites.size(); ++i)
      if (contains(ch.cipher_suites, cfg_.cipher_suites[i])) suite = find_suite(cfg_.cipher_suites[i]);
    if (!suite) return fail(Alert::handshake_failure, "no cipher suite in common");
  }
  if (!ch.has_signature_algorithms) return fail(Alert::missing_extension, "no signature_algorithms");
  if (!ch.has_supported_groups) return fail(Alert::missing_extension, "no supported_groups");
  if (!ch.has_key_share) return fail(Alert::missing_extension, "no key_share");
  for (const auto& ks : ch.key_shares)
    if (!contains(ch.supported_groups, ks.group)) return fail(Alert::illegal_parameter, "key_share group not in supported_groups");
  // Group: a share we can use, in our order; otherwise HRR.
  const KeyShareEntry* share = nullptr;
  for (auto g : cfg_.groups) {
    if (!group_supported(g)) continue;
    for (const auto& ks : ch.key_shares)
      if (ks.group == g && !share) share = &ks;
    if (share) break;
  }
  if (second) {
    if (ch.key_shares.size() != 1 || ch.key_shares[0].group != h_->hrr_group_)
      return fail(Alert::illegal_parameter, "second ClientHello without the requested key share");
    if (!ch.has_cookie || ch.cookie.size() != h_->cookie_.size() ||
        !std::equal(ch.cookie.begin(), ch.cookie.end(), h_->cookie_.begin()))
      return fail(Alert::illegal_parameter, "cookie mismatch");
    if (!same(ch.session_id, h_->session_id()))
      return fail(Alert::illegal_parameter, "second ClientHello changed legacy_session_id");
  }
  if (ch.has_server_name) sni_.assign(ch.server_name.begin(), ch.server_name.end());
  // PSK resumption (may switch to the ticket's cipher suite).
  bool psk_ke = false, accept_early = false;
  TERN_TLS_TRY(server_check_psk(ch, m, suite, psk_ke, accept_early));
  if (ch.has_early_data && !accept_early) {
    // Rejected 0-RTT: skip the client's early records (RFC 8446 §4.2.10).
    early_ = EarlyData::rejected;
    skip_early_ = true;
    early_budget_ = 2 * std::max<std::uint64_t>(cfg_.max_early_data, kMaxCiphertext);
  }
  // Credential: SNI match and a scheme the client accepts (not needed with a PSK).
  const Credential* cred = nullptr;
  std::uint16_t scheme = 0;
  for (const auto& c : cfg_.credentials) {
    if (resumed_) break;
    if (!c.signer) continue;
    if (!c.names.empty() && std::find(c.names.begin(), c.names.end(), std::string_view(sni_)) == c.names.end()) continue;
    if (c.chain.empty()) continue;
    for (auto s : c.signer->schemes())
      if (contains(ch.signature_algorithms, s) && contains(cfg_.signature_schemes, s) && scheme_supported(s) &&
          scheme_fits_certificate(s, c.chain[0])) {
        scheme = s;
        break;
      }
    if (scheme) {
      cred = &c;
      break;
    }
  }
  if (!cred && !resumed_) return fail(Alert::handshake_failure, "no certificate for the client's signature algorithms or name");
  // ALPN.
  std::string_view alpn;
  const std::string* alpn_mine = nullptr;
  if (ch.has_alpn && !cfg_.alpn.empty()) {
    for (const auto& mine : cfg_.alpn) {
      for (auto p : ch.alpn)
        if (p.size() == mine.size() && std::equal(p.begin(), p.end(), mine.begin())) {
          alpn = mine;
          alpn_mine = &mine;
        }
      if (!alpn.empty()) break;
    }
    if (alpn.empty()) return fail(Alert::no_application_protocol, "no ALPN protocol in common");
  }

  if (accept_early && alpn != h_->ticket_alpn_) {
    accept_early = false;  // 0-RTT needs the ticket's ALPN (RFC 8446 §4.2.10)
    early_ = EarlyData::rejected;
    skip_early_ = true;
    early_budget_ = 2 * std::max<std::uint64_t>(cfg_.max_early_data, kMaxCiphertext);
  }
  if (!share && !psk_ke) {
    if (second) return fail(Alert::illegal_parameter, "second ClientHello without a usable share");
    resumed_ = false;  // decided again on the second ClientHello
    if (early_ == EarlyData::accepted) early_ = EarlyData::rejected;
    if (ch.has_early_data) {
      skip_early_ = true;
      early_budget_ = 2 * std::max<std::uint64_t>(cfg_.max_early_data, kMaxCiphertext);
    }
    for (auto g : cfg_.groups)
      if (group_supported(g) && contains(ch.supported_groups, g)) {
        suite_ = suite;
        return server_send_hrr(ch, m, g);
      }
    return fail(Alert::handshake_failure, "no group in common");
  }

  suite_ = suite;
  h_->cred_ = cred;
  sig_scheme_ = scheme;
  alpn_ = alpn.empty() ? nullptr : alpn_mine;
  psk_ke_only_ = psk_ke;
  if (!second) h_->set_session_id(ch.session_id);
  if (accept_early) early_ = EarlyData::accepted;

  // ServerHello.
  ServerHelloOut sh;
  if (rng().fill(sh.random) != Status::ok) return fail(Alert::internal_error, "rng failure");
  sh.session_id = h_->session_id();
  sh.cipher_suite = static_cast<std::uint16_t>(suite_->id);
  if (resumed_) sh.exts.push_back({ext::pre_shared_key, encode_u16(h_->psk_identity_)});
  if (!psk_ke) {
    group_ = share->group;
    KeyExchange kx;
    TERN_TLS_TRY(generate_share(kx, group_));
    if (kx.shared(share->key, h_->dhe_) != Status::ok) return fail(Alert::illegal_parameter, "bad client key share");
    sh.exts.push_back({ext::key_share, encode_key_share_server({group_, kx.public_key()})});
  }
  sh.exts.push_back({ext::supported_versions, encode_supported_versions_server(kTls13)});
  ByteVector shm;
  write_server_hello(shm, sh);
  if (!h_->transcript_.hash_known()) h_->transcript_.set_hash(suite_->hash);
  h_->transcript_.update(m.raw);
  h_->transcript_.update(shm);
  send_plain_record(ContentType::handshake, shm);
  if (h_->session_id_len_ != 0) send_ccs();
  TERN_TLS_TRY(install_handshake_keys());

  // EncryptedExtensions, Certificate, CertificateVerify, Finished: one flight.
  OutExtensions ee;
  if (ch.has_server_name) ee.push_back({ext::server_name, {}});
  if (alpn_) {
    std::string_view p = *alpn_;
    ee.push_back({ext::alpn, encode_alpn(std::span<const std::string_view>(&p, 1))});
  }
  if (ch.has_record_size_limit) {
    peer_rsl_ = std::min(ch.record_size_limit, kMaxRecordSizeLimit);
    ee.push_back({ext::record_size_limit, encode_u16(own_record_limit())});
    rsl_sent_ = true;
  }
  if (early_ == EarlyData::accepted) ee.push_back({ext::early_data, {}});
  if (cfg_.hooks && cfg_.hooks->edit_encrypted_extensions) cfg_.hooks->edit_encrypted_extensions(ee);
  ByteVector msg;
  write_encrypted_extensions(msg, ee);
  queue_handshake(msg);
  msg.clear();
  if (!resumed_) {
    if (cfg_.client_auth != ClientAuth::none) {
      OutExtensions cr;
      ArenaVector<std::uint16_t> algs;
      for (auto a : cfg_.signature_schemes)
        if (scheme_supported(a)) algs.push_back(a);
      cr.push_back({ext::signature_algorithms, encode_u16_list(2, algs)});
      if (!cfg_.certificate_authorities.empty())
        cr.push_back({ext::certificate_authorities, encode_certificate_authorities(cfg_.certificate_authorities)});
      if (cfg_.hooks && cfg_.hooks->edit_certificate_request) cfg_.hooks->edit_certificate_request(cr);
      write_certificate_request(msg, {}, cr);
      queue_handshake(msg);
      msg.clear();
      cert_requested_ = true;
    }
    ArenaVector<Bytes> chain;
    for (const auto& c : h_->cred_->chain) chain.push_back(c);
    write_certificate(msg, {}, chain);
    queue_handshake(msg);
    auto content = certificate_verify_content(true, transcript_hash());
    ByteVector sig;
    if (h_->cred_->signer->sign(sig_scheme_, content, rng(), sig) != Status::ok)
      return fail(Alert::internal_error, "signing failed");
    if (cfg_.hooks && cfg_.hooks->edit_signature) cfg_.hooks->edit_signature(sig);
    msg.clear();
    std::uint16_t cv_scheme = sig_scheme_;
    if (cfg_.hooks && cfg_.hooks->edit_certificate_verify_scheme) cfg_.hooks->edit_certificate_verify_scheme(cv_scheme);
    write_certificate_verify(msg, cv_scheme, sig);
    queue_handshake(msg);
  }
  TERN_TLS_TRY(queue_finished(h_->s_hs_.view()));
  TERN_TLS_TRY(flush_handshake());
  TERN_TLS_TRY(derive_application_secrets());
  if (write_.install(*suite_, s_ap_.view()) != Status::ok) return fail(Alert::internal_error, "installing keys failed");
  if (early_ == EarlyData::accepted)
    move_to(HsState::server_wait_eoed);
  else
    move_to(cert_requested_ ? HsState::server_wait_cert : HsState::server_wait_finished);
  return kOk;
}

Err Connection::server_check_psk(const ClientHello& ch, const HandshakeMessage& m, const SuiteInfo*& suite,
                                 bool& psk_ke, bool& accept_early) {
  psk_ke = false;
  accept_early = false;
  resumed_ = false;
#if defined(TERN_NO_TLS_RESUMPTION)
  (void)ch, (void)m, (void)suite;
  return kOk;  // resumption is not built: every offer is ignored
#else
  // Resumption needs our ticket keys; with client_auth required a ticket
  // (which does not record the client's certificate) is not enough.
  if (!ch.has_pre_shared_key || !cfg_.ticket_keys || cfg_.client_auth == ClientAuth::required) return kOk;
  bool mode_dhe = false, mode_ke = false;
  for (auto b : ch.psk_modes) {
    if (b == 1) mode_dhe = true;
    if (b == 0) mode_ke = true;
  }
  const bool can_dhe = mode_dhe;
  const bool can_ke = mode_ke && cfg_.allow_psk_ke;
  if (!can_dhe && !can_ke) return kOk;
  const bool second = hs_ == HsState::server_wait_ch2;
  const std::uint64_t now = now_ms();
  for (std::size_t i = 0; i < ch.psk_identities.size(); ++i) {
    TicketState st;
    if (cfg_.hooks && cfg_.hooks->open_ticket) {
      Session hs;
      if (!cfg_.hooks->open_ticket(ch.psk_identities[i].identity, hs) || hs.psk_len > sizeof st.psk) continue;
      st.cipher_suite = hs.cipher_suite;
      std::memcpy(st.psk, hs.psk.data(), hs.psk_len);
      st.psk_len = hs.psk_len;
      st.issued_ms = hs.received_ms;
      st.age_add = hs.age_add;
      st.lifetime = hs.lifetime;
      st.max_early_data = hs.max_early_data;
      st.alpn = hs.alpn;
    } else if (!open_ticket(*cfg_.ticket_keys, ch.psk_identities[i].identity, st)) {
      continue;  // not ours / another key / tampered
    }
    const SuiteInfo* ts = find_suite(st.cipher_suite);
    if (!ts || st.psk_len != sha2::digest_size(ts->hash)) continue;
    if (now < st.issued_ms || now - st.issued_ms >= std::uint64_t{st.lifetime} * 1000) continue;  // expired
    if (suite->hash != ts->hash) {
      if (second || !contains(ch.cipher_suites, st.cipher_suite) || !contains(cfg_.cipher_suites, st.cipher_suite))
        continue;
      suite = ts;
    }
    // The binder over the truncated ClientHello (RFC 8446 §4.2.11.2).
    const HashId h = ts->hash;
    const std::size_t hl = sha2::digest_size(h);
    if (m.raw.size() < ch.binders_len) return fail(Alert::decode_error, "pre_shared_key: binders");
    Transcript t;
    if (second) {
      t = h_->transcript_;
    } else {
      t.set_hash(h);
    }
    t.update(m.raw.first(m.raw.size() - ch.binders_len));
    Secret th, binder_key, binder, psk;
    t.current(th);
    psk.n = st.psk_len;
    std::memcpy(psk.b, st.psk, psk.n);
    KeySchedule eks(h);
    std::uint8_t empty_hash[sha2::max_digest_size];
    sha2::AnyHash::hash(h, std::span<std::uint8_t>(empty_hash, hl), {});
    if (eks.early(psk.view()) != Status::ok || eks.derive(binder_key, "res binder", Bytes(empty_hash, hl)) != Status::ok ||
        finished_verify_data(h, binder_key.view(), th.view(), binder) != Status::ok)
      return fail(Alert::internal_error, "binder computation failed");
    const Bytes got = ch.psk_binders[i];
    if (got.size() != hl || !ct::equal(got.data(), binder.b, hl))
      return fail(Alert::decrypt_error, "PSK binder does not verify");
    h_->psk_ = psk;
    resumed_ = true;
    h_->psk_identity_ = static_cast<std::uint16_t>(i);
    psk_ke = !can_dhe || !ch.has_key_share;
    if (psk_ke && !can_ke) psk_ke = false;  // psk_dhe_ke without a share: HelloRetryRequest
    h_->ticket_alpn_.assign(st.alpn.data(), st.alpn.size());
    // 0-RTT: first identity, enabled, same suite, age within the window,
    // and the first use of this ClientHello's binder.
    if (i == 0 && ch.has_early_data && !second && cfg_.max_early_data && cfg_.anti_replay && st.max_early_data &&
        suite->id == ts->id) {
      const std::uint32_t claimed = ch.psk_identities[0].obfuscated_age - st.age_add;
      const std::uint64_t real = now - st.issued_ms;
      const std::uint64_t diff = real > claimed ? real - claimed : claimed - real;
      if (diff <= cfg_.anti_replay->window_ms() && cfg_.anti_replay->first_use(got, now)) {
        accept_early = true;
        early_limit_ = std::min(st.max_early_data, cfg_.max_early_data);
        Transcript full;
        full.set_hash(h);
        full.update(m.raw);
        full.current(th);
        if (eks.derive(h_->c_e_traffic_, "c e traffic", th.view()) != Status::ok ||
            eks.derive(early_exp_, "e exp master", th.view()) != Status::ok)
          return fail(Alert::internal_error, "early secrets failed");
      }
    }
    return kOk;
  }
  return kOk;
#endif
}

Err Connection::server_send_hrr(const ClientHello& ch, const HandshakeMessage& m, std::uint16_t group) {
  hrr_done_ = true;
  h_->hrr_group_ = group;
  h_->set_session_id(ch.session_id);
  if (cfg_.hooks && cfg_.hooks->hrr_cookie) {
    auto c = cfg_.hooks->hrr_cookie();
    h_->cookie_.assign(c.begin(), c.end());
  } else {
    h_->cookie_.resize(32);
    if (rng().fill(h_->cookie_) != Status::ok) return fail(Alert::internal_error, "rng failure");
  }
  ServerHelloOut hrr;
  std::memcpy(hrr.random, kHrrRandom, 32);
  hrr.session_id = h_->session_id();
  hrr.cipher_suite = static_cast<std::uint16_t>(suite_->id);
  hrr.exts.push_back({ext::key_share, encode_key_share_hrr(group)});
  hrr.exts.push_back({ext::cookie, encode_cookie(h_->cookie_)});
  hrr.exts.push_back({ext::supported_versions, encode_supported_versions_server(kTls13)});
  ByteVector msg;
  write_server_hello(msg, hrr);
  h_->transcript_.set_hash(suite_->hash);
  h_->transcript_.update(m.raw);
  h_->transcript_.replace_with_message_hash();
  h_->transcript_.update(msg);
  send_plain_record(ContentType::handshake, msg);
  if (h_->session_id_len_ != 0) send_ccs();
  move_to(HsState::server_wait_ch2);
  return kOk;
}

Err Connection::on_server_wait_eoed(const HandshakeMessage& m) {
  if (m.type != HandshakeType::end_of_early_data) return fail(Alert::unexpected_message, "expected EndOfEarlyData");
  TERN_TLS_TRY(parse_end_of_early_data(m.body));
  h_->transcript_.update(m.raw);
  if (read_.install(*suite_, h_->c_hs_.view()) != Status::ok) return fail(Alert::internal_error, "installing keys failed");
  key_changed_ = true;
  move_to(HsState::server_wait_finished);
  return kOk;
}

Err Connection::on_server_wait_cert(const HandshakeMessage& m) {
  if (m.type != HandshakeType::certificate) return fail(Alert::unexpected_message, "expected client Certificate");
  CertificateChain c;
  TERN_TLS_TRY(parse_certificate_chain(m.body, c));
  if (!c.request_context.empty()) return fail(Alert::illegal_parameter, "certificate_request_context mismatch");
  if (c.exts_known || c.exts_unknown)
    return fail(Alert::unsupported_extension, "client certificate extension not requested");
  h_->transcript_.update(m.raw);
  if (c.certs.empty()) {
    if (cfg_.client_auth == ClientAuth::required)
      return fail(Alert::certificate_required, "client certificate required but none sent");
    client_cert_empty_ = true;
    move_to(HsState::server_wait_finished);
    return kOk;
  }
  const ArenaVector<Bytes>& chain = c.certs;
  if (!cfg_.client_verifier) return fail(Alert::certificate_unknown, "no client certificate verifier configured");
  TERN_TLS_TRY(cfg_.client_verifier->verify(chain, {}, now()));
  keep_peer_chain(m.body, c.certs);
  move_to(HsState::server_wait_cv);
  return kOk;
}

Err Connection::on_server_wait_cv(const HandshakeMessage& m) {
  if (m.type != HandshakeType::certificate_verify) return fail(Alert::unexpected_message, "expected CertificateVerify");
  CertificateVerify cv;
  TERN_TLS_TRY(parse_certificate_verify(m.body, cv));
  if (!contains(cfg_.signature_schemes, cv.scheme) || !scheme_supported(cv.scheme))
    return fail(Alert::illegal_parameter, "client CertificateVerify scheme not requested");
  auto content = certificate_verify_content(false, transcript_hash());
  TERN_TLS_TRY(verify_signature(cv.scheme, peer_chain_[0], content, cv.signature));
  h_->transcript_.update(m.raw);
  move_to(HsState::server_wait_finished);
  return kOk;
}

Err Connection::on_server_wait_finished(const HandshakeMessage& m) {
  if (m.type != HandshakeType::finished) return fail(Alert::unexpected_message, "expected Finished");
  std::optional<PeerFinishedVerified> ok;
  TERN_TLS_TRY(verify_finished(h_->c_hs_.view(), m.body, ok));
  h_->transcript_.update(m.raw);
  TERN_TLS_TRY(install_peer_application_keys(*ok));
#if defined(TERN_NO_TLS_RESUMPTION)
  move_to(HsState::connected);  // no tickets
  return kOk;
#else
  if (h_->ks_.derive(res_master_, "res master", transcript_hash()) != Status::ok)
    return fail(Alert::internal_error, "res master");
  move_to(HsState::connected);
  return server_send_tickets();
#endif
}

Err Connection::server_send_tickets() {
#if defined(TERN_NO_TLS_RESUMPTION)
  return kOk;
#else
  if (!cfg_.ticket_keys || !cfg_.ticket_keys->current() || cfg_.client_auth == ClientAuth::required) return kOk;
  const bool early_ok = cfg_.max_early_data > 0 && cfg_.anti_replay;
  for (std::size_t i = 0; i < cfg_.tickets_to_send; ++i) {
    TicketState st;
    st.cipher_suite = static_cast<std::uint16_t>(suite_->id);
    st.issued_ms = now_ms();
    st.lifetime = std::min(cfg_.ticket_lifetime, kMaxTicketLifetime);
    st.max_early_data = early_ok ? cfg_.max_early_data : 0;
    st.alpn = alpn();
    std::uint8_t aa[4];
    if (rng().fill(aa) != Status::ok) return fail(Alert::internal_error, "rng failure");
    st.age_add = load_be32(aa);
    ByteVector nonce(8);
    store_be64(nonce.data(), static_cast<std::uint64_t>(i));
    Secret psk;
    if (resumption_psk(suite_->hash, res_master_.view(), nonce, psk) != Status::ok)
      return fail(Alert::internal_error, "resumption psk failed");
    std::memcpy(st.psk, psk.b, psk.n);
    st.psk_len = static_cast<std::uint8_t>(psk.n);
    ByteVector ticket;
    if (seal_ticket(*cfg_.ticket_keys->current(), st, rng(), ticket) != Status::ok)
      return fail(Alert::internal_error, "sealing the ticket failed");
    OutExtensions exts;
    if (early_ok) exts.push_back({ext::early_data, encode_u32(cfg_.max_early_data)});
    std::uint32_t age_add = st.age_add;
    if (cfg_.hooks && cfg_.hooks->edit_new_session_ticket)
      cfg_.hooks->edit_new_session_ticket(i, nonce, ticket, age_add, exts);
    ByteVector msg;
    write_new_session_ticket(msg, st.lifetime, age_add, nonce, ticket, exts);
    TERN_TLS_TRY(send_record(ContentType::handshake, msg));
    ++tickets_;
  }
  return kOk;
#endif
}

#endif  // !TERN_NO_TLS_SERVER

// ---- post-handshake -------------------------------------------------------------------

Err Connection::on_connected(const HandshakeMessage& m) {
  switch (m.type) {
    case HandshakeType::new_session_ticket:
      return on_new_session_ticket(m);
    case HandshakeType::key_update: {
      bool requested = false;
      TERN_TLS_TRY(parse_key_update(m.body, requested));
      TERN_TLS_TRY(next_application_key(false));
      key_changed_ = true;
      ++key_updates_received_;
      if (requested && !local_closed_) return key_update(false);
      return kOk;
    }
    default:
      return fail(Alert::unexpected_message, "unexpected post-handshake message");
  }
}

Err Connection::on_new_session_ticket(const HandshakeMessage& m) {
  if (!client()) return fail(Alert::unexpected_message, "NewSessionTicket sent to a server");
  NewSessionTicket t;
  TERN_TLS_TRY(parse_new_session_ticket(m.body, t));
  ++tickets_;
#if defined(TERN_NO_TLS_RESUMPTION)
  return kOk;  // dropped: resumption is not built
#else
  if (t.lifetime == 0) return kOk;  // "discard immediately"
  Session s;
  Secret psk;
  if (resumption_psk(suite_->hash, res_master_.view(), t.nonce, psk) != Status::ok)
    return fail(Alert::internal_error, "resumption psk failed");
  s.cipher_suite = static_cast<std::uint16_t>(suite_->id);
  s.ticket.assign(t.ticket.begin(), t.ticket.end());
  std::memcpy(s.psk.data(), psk.b, psk.n);
  s.psk_len = static_cast<std::uint8_t>(psk.n);
  s.lifetime = t.lifetime;
  s.age_add = t.age_add;
  s.max_early_data = t.has_early_data ? t.max_early_data : 0;
  s.received_ms = now_ms();
  s.server_name = cfg_.server_name;
  s.alpn = alpn();
  if (cfg_.session_store) cfg_.session_store->put(s);
  last_session_ = s;
  return kOk;
#endif
}

// KeyUpdate: the next application traffic secret (RFC 8446 §7.2) for our
// writing side or the peer's, installed.
Err Connection::next_application_key(bool ours) {
  Secret& cur = client() == ours ? c_ap_ : s_ap_;
  Secret next;
  if (next_traffic_secret(suite_->hash, cur.view(), next) != Status::ok ||
      (ours ? write_ : read_).install(*suite_, next.view()) != Status::ok)
    return fail(Alert::internal_error, "key update failed");
  cur = next;
  return kOk;
}

Err Connection::key_update(bool request_peer_update) {
  Call call(*this);
  if (hs_ != HsState::connected || local_closed_)
    return fail(Alert::internal_error, "key_update: connection not open for writing");
  // Built on the stack: an established connection does not allocate.
  const std::uint8_t ku[5] = {static_cast<std::uint8_t>(HandshakeType::key_update), 0, 0, 1,
                              static_cast<std::uint8_t>(request_peer_update ? 1 : 0)};
  Bytes msg(ku, 5);
  ByteVector edited;
  if (cfg_.hooks && cfg_.hooks->edit_key_update) {
    cfg_.hooks->apply_key_update(*cfg_.hooks, msg, edited);
    msg = edited;
  }
  TERN_TLS_TRY(send_record(ContentType::handshake, msg));
  TERN_TLS_TRY(next_application_key(true));
  ++key_updates_sent_;
  records_since_rekey_ = 0;
  bytes_since_rekey_ = 0;
  return kOk;
}

}  // namespace tern::tls
