// TLS 1.3 protocol constants (RFC 8446 §4, §6, appendix B) and the error
// type every parser and handler returns: an alert to send plus a short,
// stable reason for the caller.
#pragma once

#include <cstdint>

// Features a constrained client can leave out (docs/VENDORING.md). Both
// are implied by TERN_SMALL (-Dprofile=minimal) and can be defined on
// their own (e.g. -Dcpp_args=-DTERN_NO_TLS_RESUMPTION):
//   TERN_NO_TLS_RESUMPTION  no PSK resumption, 0-RTT or exporters. A client
//     offers no ticket (offer_session()/write_early() fail) and drops the
//     NewSessionTicket messages it receives (parsed, counted in tickets(),
//     not kept); a server issues no tickets and answers every ClientHello
//     with a full handshake (pre_shared_key offers are ignored, offered
//     0-RTT is rejected and skipped). export_keying_material() and
//     export_early_keying_material() return Status::unsupported.
//   TERN_NO_TLS_CLIENT_CERT  a client answers a CertificateRequest with an
//     empty Certificate (no client authentication; the server decides
//     whether that is fatal). The server side still requests and checks
//     client certificates.
#if defined(TERN_SMALL) && !defined(TERN_NO_TLS_RESUMPTION)
#define TERN_NO_TLS_RESUMPTION 1
#endif
#if defined(TERN_SMALL) && !defined(TERN_NO_TLS_CLIENT_CERT)
#define TERN_NO_TLS_CLIENT_CERT 1
#endif

namespace tern::tls {

enum class Alert : std::uint8_t {
  close_notify = 0,
  unexpected_message = 10,
  bad_record_mac = 20,
  record_overflow = 22,
  handshake_failure = 40,
  bad_certificate = 42,
  unsupported_certificate = 43,
  certificate_revoked = 44,
  certificate_expired = 45,
  certificate_unknown = 46,
  illegal_parameter = 47,
  unknown_ca = 48,
  access_denied = 49,
  decode_error = 50,
  decrypt_error = 51,
  protocol_version = 70,
  insufficient_security = 71,
  internal_error = 80,
  inappropriate_fallback = 86,
  user_canceled = 90,
  missing_extension = 109,
  unsupported_extension = 110,
  unrecognized_name = 112,
  bad_certificate_status_response = 113,
  unknown_psk_identity = 115,
  certificate_required = 116,
  no_application_protocol = 120,
  none = 255,  // internal: "no error"; never sent
};
const char* to_string(Alert a) noexcept;

// An error: the alert to send and why. Converts to true when it IS an error.
struct [[nodiscard]] Err {
  Alert alert = Alert::none;
  const char* why = nullptr;
  constexpr explicit operator bool() const noexcept { return alert != Alert::none; }
};
inline constexpr Err kOk{};
constexpr Err fail(Alert a, const char* why) noexcept { return Err{a, why}; }

#define TERN_TLS_TRY(expr)          \
  do {                              \
    if (::tern::tls::Err e_ = (expr)) return e_; \
  } while (0)

enum class ContentType : std::uint8_t {
  invalid = 0,
  change_cipher_spec = 20,
  alert = 21,
  handshake = 22,
  application_data = 23,
};

enum class HandshakeType : std::uint8_t {
  client_hello = 1,
  server_hello = 2,
  new_session_ticket = 4,
  end_of_early_data = 5,
  encrypted_extensions = 8,
  certificate = 11,
  certificate_request = 13,
  certificate_verify = 15,
  finished = 20,
  key_update = 24,
  message_hash = 254,
};

namespace ext {
inline constexpr std::uint16_t server_name = 0;
inline constexpr std::uint16_t max_fragment_length = 1;
inline constexpr std::uint16_t status_request = 5;
inline constexpr std::uint16_t supported_groups = 10;
inline constexpr std::uint16_t signature_algorithms = 13;
inline constexpr std::uint16_t use_srtp = 14;
inline constexpr std::uint16_t heartbeat = 15;
inline constexpr std::uint16_t alpn = 16;
inline constexpr std::uint16_t signed_certificate_timestamp = 18;
inline constexpr std::uint16_t client_certificate_type = 19;
inline constexpr std::uint16_t server_certificate_type = 20;
inline constexpr std::uint16_t padding = 21;
inline constexpr std::uint16_t record_size_limit = 28;
inline constexpr std::uint16_t pre_shared_key = 41;
inline constexpr std::uint16_t early_data = 42;
inline constexpr std::uint16_t supported_versions = 43;
inline constexpr std::uint16_t cookie = 44;
inline constexpr std::uint16_t psk_key_exchange_modes = 45;
inline constexpr std::uint16_t certificate_authorities = 47;
inline constexpr std::uint16_t oid_filters = 48;
inline constexpr std::uint16_t post_handshake_auth = 49;
inline constexpr std::uint16_t signature_algorithms_cert = 50;
inline constexpr std::uint16_t key_share = 51;
}  // namespace ext

inline constexpr std::uint16_t kTls12 = 0x0303;
inline constexpr std::uint16_t kTls13 = 0x0304;

enum class CipherSuite : std::uint16_t {
  aes_128_gcm_sha256 = 0x1301,
  aes_256_gcm_sha384 = 0x1302,
  chacha20_poly1305_sha256 = 0x1303,
};

enum class NamedGroup : std::uint16_t {
  secp256r1 = 0x0017,
  secp384r1 = 0x0018,
  x25519 = 0x001d,
};

enum class SignatureScheme : std::uint16_t {
  rsa_pkcs1_sha256 = 0x0401,
  rsa_pkcs1_sha384 = 0x0501,
  rsa_pkcs1_sha512 = 0x0601,
  ecdsa_secp256r1_sha256 = 0x0403,
  ecdsa_secp384r1_sha384 = 0x0503,
  ecdsa_secp521r1_sha512 = 0x0603,
  rsa_pss_rsae_sha256 = 0x0804,
  rsa_pss_rsae_sha384 = 0x0805,
  rsa_pss_rsae_sha512 = 0x0806,
  ed25519 = 0x0807,
  ed448 = 0x0808,
  rsa_pss_pss_sha256 = 0x0809,
  rsa_pss_pss_sha384 = 0x080a,
  rsa_pss_pss_sha512 = 0x080b,
};

// Record layer limits (RFC 8446 §5.1, §5.2).
inline constexpr std::size_t kMaxPlaintext = 1u << 14;
inline constexpr std::size_t kMaxCiphertext = (1u << 14) + 256;
inline constexpr std::size_t kRecordHeader = 5;

}  // namespace tern::tls
