// Handshake message codec (RFC 8446 §4): parsers that return views into
// the message bytes, and serializers. Every parser reads through the
// bounded tls::Reader and reports the alert RFC 8446 names:
//   - malformed/truncated/trailing bytes, bad vector lengths -> decode_error
//   - well-formed but forbidden values, duplicate extensions,
//     an extension recognized but not allowed in this message -> illegal_parameter
//   - a mandatory extension absent -> missing_extension
//
// Parsed structs hold spans into the caller's buffer: keep it alive while
// the struct is used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

#include "tls/types.hpp"
#include "tls/wire.hpp"

namespace tern::tls {

// ---- handshake framing -------------------------------------------------------
struct HandshakeMessage {
  HandshakeType type;
  Bytes body;  // without the 4-byte header
  Bytes raw;   // header + body (what goes into the transcript)
};
// Writes the 4-byte header and body.
void write_handshake(ByteVector& out, HandshakeType t, Bytes body);

// ---- extensions --------------------------------------------------------------
struct Extension {
  std::uint16_t type;
  Bytes data;
};

// Which message an extension block belongs to (RFC 8446 §4.2 table).
enum class ExtContext : std::uint8_t {
  client_hello,
  server_hello,
  hello_retry_request,
  encrypted_extensions,
  certificate,
  certificate_request,
  new_session_ticket,
};

// The extensions this implementation recognizes, each with the messages
// it may appear in (bit c = ExtContext c). A type's position in the table
// is its index (ext_index); Extensions::known() and the client's record of
// what it offered are bit sets over these indexes.
struct ExtRule {
  std::uint16_t type;
  std::uint8_t contexts;
};
namespace detail {
constexpr std::uint8_t ctx_bits(std::initializer_list<ExtContext> cs) {
  std::uint8_t b = 0;
  for (auto c : cs) b = static_cast<std::uint8_t>(b | (1u << static_cast<int>(c)));
  return b;
}
using C = ExtContext;
inline constexpr ExtRule kExtRules[] = {
    {ext::server_name, ctx_bits({C::client_hello, C::encrypted_extensions})},
    {ext::max_fragment_length, ctx_bits({C::client_hello, C::encrypted_extensions})},
    {ext::status_request, ctx_bits({C::client_hello, C::certificate, C::certificate_request})},
    {ext::supported_groups, ctx_bits({C::client_hello, C::encrypted_extensions})},
    {ext::signature_algorithms, ctx_bits({C::client_hello, C::certificate_request})},
    {ext::use_srtp, ctx_bits({C::client_hello, C::encrypted_extensions})},
    {ext::heartbeat, ctx_bits({C::client_hello, C::encrypted_extensions})},
    {ext::alpn, ctx_bits({C::client_hello, C::encrypted_extensions})},
    {ext::signed_certificate_timestamp, ctx_bits({C::client_hello, C::certificate, C::certificate_request})},
    {ext::client_certificate_type, ctx_bits({C::client_hello, C::encrypted_extensions})},
    {ext::server_certificate_type, ctx_bits({C::client_hello, C::encrypted_extensions})},
    {ext::padding, ctx_bits({C::client_hello})},
    {ext::record_size_limit, ctx_bits({C::client_hello, C::encrypted_extensions})},
    {ext::pre_shared_key, ctx_bits({C::client_hello, C::server_hello})},
    {ext::early_data, ctx_bits({C::client_hello, C::encrypted_extensions, C::new_session_ticket})},
    {ext::supported_versions, ctx_bits({C::client_hello, C::server_hello, C::hello_retry_request})},
    {ext::cookie, ctx_bits({C::client_hello, C::hello_retry_request})},
    {ext::psk_key_exchange_modes, ctx_bits({C::client_hello})},
    {ext::certificate_authorities, ctx_bits({C::client_hello, C::certificate_request})},
    {ext::oid_filters, ctx_bits({C::certificate_request})},
    {ext::post_handshake_auth, ctx_bits({C::client_hello})},
    {ext::signature_algorithms_cert, ctx_bits({C::client_hello, C::certificate_request})},
    {ext::key_share, ctx_bits({C::client_hello, C::server_hello, C::hello_retry_request})},
};
}  // namespace detail
inline constexpr int kKnownExtensions = sizeof detail::kExtRules / sizeof detail::kExtRules[0];
// Index of a recognized type in the table above, -1 for any other.
constexpr int ext_index(std::uint16_t type) noexcept {
  for (int i = 0; i < kKnownExtensions; ++i)
    if (detail::kExtRules[i].type == type) return i;
  return -1;
}
// Bit of a recognized type (0 for any other).
constexpr std::uint32_t ext_bit(std::uint16_t type) noexcept {
  const int i = ext_index(type);
  return i < 0 ? 0 : std::uint32_t{1} << i;
}
static_assert(kKnownExtensions <= 32);
// True when `type` is one this implementation recognizes.
bool ext_known(std::uint16_t type) noexcept;
// True when a recognized extension may appear in `ctx` (unknown: true,
// the caller decides whether to ignore it or refuse it).
bool ext_allowed(std::uint16_t type, ExtContext ctx) noexcept;

// A parsed extension block: a view of the validated list in the message
// (no copies, no allocation), walked in wire order by the iterator.
class Extensions {
 public:
  class iterator {
   public:
    using value_type = Extension;
    using difference_type = std::ptrdiff_t;
    iterator() noexcept = default;
    Extension operator*() const noexcept;
    iterator& operator++() noexcept;
    iterator operator++(int) noexcept {
      iterator t = *this;
      ++*this;
      return t;
    }
    bool operator==(const iterator& o) const noexcept { return p_ == o.p_; }

   private:
    friend class Extensions;
    explicit iterator(const std::uint8_t* p) noexcept : p_(p) {}
    const std::uint8_t* p_ = nullptr;
  };
  iterator begin() const noexcept { return iterator(raw_.data()); }
  iterator end() const noexcept { return iterator(raw_.data() + raw_.size()); }
  bool empty() const noexcept { return raw_.empty(); }
  std::size_t size() const noexcept;
  void clear() noexcept { *this = Extensions{}; }
  // ext_bit() of every recognized type present, and whether any other
  // type is.
  std::uint32_t known() const noexcept { return known_; }
  bool has_unknown() const noexcept { return unknown_; }
  bool has(std::uint16_t type) const noexcept { return (known_ & ext_bit(type)) != 0; }

 private:
  friend Err parse_extensions(Reader& r, ExtContext ctx, Extensions& out);
  Bytes raw_;  // the list without its 2-byte length
  std::uint32_t known_ = 0;
  bool unknown_ = false;
};

// find_ext's answer: the extension, when found.
struct ExtRef {
  Extension ext{};
  bool found = false;
  explicit operator bool() const noexcept { return found; }
  const Extension* operator->() const noexcept { return &ext; }
  const Extension& operator*() const noexcept { return ext; }
  bool operator==(std::nullptr_t) const noexcept { return !found; }
};
ExtRef find_ext(const Extensions& e, std::uint16_t type) noexcept;

// Parses a u16-length extension list: duplicates -> illegal_parameter,
// a known extension not allowed in ctx -> illegal_parameter.
// At most this many extensions of types the library does not recognize in
// one block, and this many entries in a ClientHello key_share; more is
// refused with decode_error (each is checked for duplicates against the
// ones before it, so the check stays small for any input).
inline constexpr std::size_t kMaxUnknownExtensions = 64;
inline constexpr std::size_t kMaxKeyShareEntries = 64;
Err parse_extensions(Reader& r, ExtContext ctx, Extensions& out);

// An extension to send (owned bytes), kept in send order.
struct OutExtension {
  std::uint16_t type;
  ByteVector data;
};
using OutExtensions = ArenaVector<OutExtension>;
void write_extensions(Writer& w, const OutExtensions& exts);

// Extension bodies.
struct KeyShareEntry {
  std::uint16_t group;
  Bytes key;
};
ByteVector encode_u16_list(int len_width, std::span<const std::uint16_t> v);
ByteVector encode_key_share_client(std::span<const KeyShareEntry> shares);
ByteVector encode_key_share_server(const KeyShareEntry& share);
ByteVector encode_key_share_hrr(std::uint16_t group);
ByteVector encode_server_name(std::string_view host);
ByteVector encode_alpn(std::span<const std::string_view> protos);
ByteVector encode_cookie(Bytes cookie);
ByteVector encode_supported_versions_client(std::span<const std::uint16_t> versions);
ByteVector encode_supported_versions_server(std::uint16_t version);
ByteVector encode_u16(std::uint16_t v);  // record_size_limit, pre_shared_key (server)
ByteVector encode_u32(std::uint32_t v);  // early_data in NewSessionTicket
ByteVector encode_psk_modes(bool psk_ke, bool psk_dhe_ke);
// certificate_authorities: a list of DER Names.
ByteVector encode_certificate_authorities(std::span<const std::vector<std::uint8_t>> names);
// The client's pre_shared_key with one identity and a zeroed binder of
// binder_len bytes (filled in after the binder is computed over the
// truncated ClientHello).
ByteVector encode_pre_shared_key_client(Bytes identity, std::uint32_t obfuscated_age,
                                                       std::size_t binder_len);
Err decode_record_size_limit(Bytes data, std::uint16_t& out);

// A validated list of u16 values, read in place (big-endian pairs).
struct U16List {
  Bytes raw;
  std::size_t size() const noexcept { return raw.size() / 2; }
  bool empty() const noexcept { return raw.empty(); }
  std::uint16_t operator[](std::size_t i) const noexcept {
    return static_cast<std::uint16_t>((raw[2 * i] << 8) | raw[2 * i + 1]);
  }
  bool contains(std::uint16_t v) const noexcept;
};

// Decoders (validate structure; list contents kept as raw u16 pairs).
Err decode_u16_list(Bytes data, int len_width, std::size_t min_items, U16List& out);
Err decode_u16_list(Bytes data, int len_width, std::size_t min_items, ArenaVector<std::uint16_t>& out);
Err decode_key_share_client(Bytes data, ArenaVector<KeyShareEntry>& out);
Err decode_server_name(Bytes data, Bytes& host);
Err decode_alpn(Bytes data, ArenaVector<Bytes>& out);

// ---- ClientHello -------------------------------------------------------------
struct ClientHello {
  std::uint16_t legacy_version = 0;
  Bytes random;
  Bytes session_id;
  ArenaVector<std::uint16_t> cipher_suites;
  Extensions exts;

  // Decoded extensions (has_* false when absent).
  bool has_supported_versions = false;
  ArenaVector<std::uint16_t> supported_versions;
  bool has_supported_groups = false;
  ArenaVector<std::uint16_t> supported_groups;
  bool has_signature_algorithms = false;
  ArenaVector<std::uint16_t> signature_algorithms;
  bool has_signature_algorithms_cert = false;
  ArenaVector<std::uint16_t> signature_algorithms_cert;
  bool has_key_share = false;
  ArenaVector<KeyShareEntry> key_shares;
  bool has_server_name = false;
  Bytes server_name;
  bool has_alpn = false;
  ArenaVector<Bytes> alpn;
  bool has_cookie = false;
  Bytes cookie;
  bool has_pre_shared_key = false;
  struct PskIdentity {
    Bytes identity;
    std::uint32_t obfuscated_age;
  };
  ArenaVector<PskIdentity> psk_identities;  // as many as binders
  ArenaVector<Bytes> psk_binders;
  std::size_t binders_len = 0;  // bytes of the binders list incl. its 2-byte length (at the message's end)
  bool has_psk_modes = false;
  Bytes psk_modes;
  bool has_early_data = false;
  bool has_record_size_limit = false;
  std::uint16_t record_size_limit = 0;  // 64..65535 (values under 64 -> illegal_parameter)
};
// body: the message without the 4-byte header.
Err parse_client_hello(Bytes body, ClientHello& out);

struct ClientHelloOut {
  std::uint8_t random[32];
  Bytes session_id;
  ArenaVector<std::uint16_t> cipher_suites;
  OutExtensions exts;  // in send order
};
void write_client_hello(ByteVector& out, const ClientHelloOut& ch);

// ---- ServerHello / HelloRetryRequest -----------------------------------------
// SHA-256("HelloRetryRequest"), the random value that marks an HRR.
extern const std::uint8_t kHrrRandom[32];
// The downgrade sentinels (RFC 8446 §4.1.3).
extern const std::uint8_t kDowngradeTls12[8];
extern const std::uint8_t kDowngradeTls11[8];

struct ServerHello {
  bool is_hrr = false;
  std::uint16_t legacy_version = 0;
  Bytes random;
  Bytes session_id;
  std::uint16_t cipher_suite = 0;
  std::uint8_t compression = 0;
  Extensions exts;
  bool has_supported_versions = false;
  std::uint16_t selected_version = 0;
  bool has_key_share = false;
  KeyShareEntry key_share{};  // SH: group + key; HRR: group only
  bool has_cookie = false;
  Bytes cookie;
  bool has_pre_shared_key = false;
  std::uint16_t selected_identity = 0;
};
// Parses ServerHello or HRR (distinguished by the random). Structural
// checks only; the client checks the values against its ClientHello.
Err parse_server_hello(Bytes body, ServerHello& out);

struct ServerHelloOut {
  std::uint8_t random[32];
  Bytes session_id;
  std::uint16_t cipher_suite;
  OutExtensions exts;
};
void write_server_hello(ByteVector& out, const ServerHelloOut& sh);

// ---- EncryptedExtensions -----------------------------------------------------
struct EncryptedExtensions {
  Extensions exts;
  bool has_alpn = false;
  Bytes alpn;  // the one selected protocol
  bool has_server_name = false;
  bool has_early_data = false;
  bool has_record_size_limit = false;
  std::uint16_t record_size_limit = 0;
};
Err parse_encrypted_extensions(Bytes body, EncryptedExtensions& out);
void write_encrypted_extensions(ByteVector& out, const OutExtensions& exts);

// ---- Certificate -------------------------------------------------------------
struct CertificateEntry {
  Bytes cert_data;  // DER (X.509)
  Extensions exts;
};
struct Certificate {
  Bytes request_context;
  ArenaVector<CertificateEntry> entries;
};
Err parse_certificate(Bytes body, Certificate& out);
// The same message as a connection uses it: the certificates in order
// and the union of the entries' extensions (the same checks as
// parse_certificate, no per-entry structures).
struct CertificateChain {
  Bytes request_context;
  ArenaVector<Bytes> certs;
  std::uint32_t exts_known = 0;  // ext_bit()s of the entries' extensions
  bool exts_unknown = false;     // any other type
};
Err parse_certificate_chain(Bytes body, CertificateChain& out);
void write_certificate(ByteVector& out, Bytes request_context,
                       std::span<const Bytes> chain_der);

// ---- CertificateVerify -------------------------------------------------------
struct CertificateVerify {
  std::uint16_t scheme = 0;
  Bytes signature;
};
Err parse_certificate_verify(Bytes body, CertificateVerify& out);
void write_certificate_verify(ByteVector& out, std::uint16_t scheme, Bytes signature);

// ---- Finished ----------------------------------------------------------------
// verify_data must be exactly hash_len bytes (else decode_error).
Err parse_finished(Bytes body, std::size_t hash_len, Bytes& verify_data);
void write_finished(ByteVector& out, Bytes verify_data);

// ---- CertificateRequest ------------------------------------------------------
struct CertificateRequest {
  Bytes request_context;
  Extensions exts;
  U16List signature_algorithms;  // mandatory
  bool has_signature_algorithms_cert = false;
  U16List signature_algorithms_cert;
  // certificate_authorities: the validated DistinguishedName list (each a
  // u16-length DER Name) without its length, empty when absent.
  Bytes certificate_authorities;
};
Err parse_certificate_request(Bytes body, CertificateRequest& out);
void write_certificate_request(ByteVector& out, Bytes context, const OutExtensions& exts);

// ---- NewSessionTicket --------------------------------------------------------
struct NewSessionTicket {
  std::uint32_t lifetime = 0;
  std::uint32_t age_add = 0;
  Bytes nonce;
  Bytes ticket;
  Extensions exts;
  bool has_early_data = false;
  std::uint32_t max_early_data = 0;
};
Err parse_new_session_ticket(Bytes body, NewSessionTicket& out);
void write_new_session_ticket(ByteVector& out, std::uint32_t lifetime,
                              std::uint32_t age_add, Bytes nonce, Bytes ticket,
                              const OutExtensions& exts);

// ---- KeyUpdate / EndOfEarlyData ---------------------------------------------
// request_update: 0 = update_not_requested, 1 = update_requested; any other
// value -> illegal_parameter.
Err parse_key_update(Bytes body, bool& update_requested);
void write_key_update(ByteVector& out, bool update_requested);
Err parse_end_of_early_data(Bytes body);

}  // namespace tern::tls
