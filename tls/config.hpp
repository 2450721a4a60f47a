// Configuration of a TLS connection: what to offer/accept, credentials,
// the certificate verifier, and the sources of randomness and time (so
// traces replay byte-exactly). One Config may be shared by many
// connections; it must outlive them.
#pragma once

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

// Validates the server's (or, later, the client's) certificate chain:
// chain[0] is the leaf. `host` is the expected name (may be empty: no name
// check), `now` Unix seconds. Returns kOk or the alert to send
// (bad_certificate, unknown_ca, certificate_expired, certificate_unknown...).
// The x509/ family provides the real one; tests use stubs.
class CertVerifier {
 public:
  virtual ~CertVerifier() = default;
  virtual Err verify(std::span<const Bytes> chain, std::string_view host, std::uint64_t now) const = 0;
};

// A server certificate chain (DER, leaf first) and its private key.
struct Credential {
  std::vector<std::vector<std::uint8_t>> chain;
  std::shared_ptr<const Signer> signer;
  // Host names this credential serves (empty: any). Matched against SNI.
  std::vector<std::string> names;
};

// Hooks for trace replay and negative tests only. Never set in production.
struct TestHooks {
  // Edit the ClientHello before it is serialized (add/reorder extensions).
  std::function<void(ClientHelloOut&)> edit_client_hello;
  // Edit the server's EncryptedExtensions list.
  std::function<void(OutExtensions&)> edit_encrypted_extensions;
  // Provide the ephemeral private key for a group (return empty for random).
  std::function<std::vector<std::uint8_t>(std::uint16_t group)> ephemeral_private;
  // Replace the CertificateVerify signature we produce (RSA-PSS is randomized).
  std::function<void(std::vector<std::uint8_t>& signature)> edit_signature;
  // Corrupt/replace our Finished verify_data (negative tests).
  std::function<void(std::vector<std::uint8_t>& verify_data)> edit_finished;
  // The server's HelloRetryRequest cookie (default: random).
  std::function<std::vector<std::uint8_t>()> hrr_cookie;
};

struct Config {
  // Sources of randomness and time. nullptr rng: the OS source.
  RandomSource* rng = nullptr;
  std::function<std::uint64_t()> now;  // Unix seconds; empty: the system clock

  // Preference order (the server uses its own order, except ChaCha20 first
  // when the client lists it first and prefer_chacha_if_client_does).
  std::vector<std::uint16_t> cipher_suites = {0x1301, 0x1302, 0x1303};
  std::vector<std::uint16_t> groups = {0x001d, 0x0017, 0x0018};
  std::vector<std::uint16_t> signature_schemes = {0x0807, 0x0403, 0x0503, 0x0804, 0x0805, 0x0806};
  // Sent in signature_algorithms_cert by the client when not empty.
  std::vector<std::uint16_t> signature_schemes_cert;
  std::vector<std::string> alpn;

  // Client.
  std::string server_name;  // SNI and the name the certificate must match
  const CertVerifier* verifier = nullptr;  // required for clients
  std::size_t key_shares = 1;  // key shares sent (first groups of `groups`)
  bool middlebox_compat = true;

  // Server.
  std::vector<Credential> credentials;
  bool prefer_chacha_if_client_does = true;

  const TestHooks* hooks = nullptr;
};

}  // namespace tern::tls
