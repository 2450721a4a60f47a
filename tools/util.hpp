// Shared pieces of the tern subcommands: option parsing, files, private
// keys (PKCS#8 / SEC1 PEM), trust stores, a certificate verifier for TLS,
// plain POSIX sockets and a blocking TLS handshake driver.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "crypto/rsa/rsa.hpp"
#include "tls/config.hpp"
#include "tls/connection.hpp"
#include "tls/x509_verifier.hpp"
#include "x509/x509.hpp"

namespace tern::tool {

// ---- options ----------------------------------------------------------------------
// A small parser: "--name value", "--name=value" and flags. Unknown
// options and missing values become an error message.
struct Options {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> values;  // in order (repeatable)
  std::vector<std::string> flags;
  std::string error;
  bool has(const std::string& flag) const;
  std::string get(const std::string& name, const std::string& def = "") const;
  std::vector<std::string> all(const std::string& name) const;
  // The option as a whole decimal number (def when absent); false when it
  // is not one.
  bool get_long(const std::string& name, long def, long& out) const;
};
// `with_value` and `flag_names` list the accepted options (without "--").
Options parse_options(const std::vector<std::string>& args, const std::vector<std::string>& with_value,
                      const std::vector<std::string>& flag_names);

// ---- files ----------------------------------------------------------------------
bool read_file(const std::string& path, std::string& out);
bool write_file(const std::string& path, const std::string& data, bool private_file);

// ---- keys ----------------------------------------------------------------------
enum class KeyKind : std::uint8_t { ed25519, p256, p384, rsa };
const char* to_string(KeyKind k) noexcept;

struct LoadedKey {
  KeyKind kind = KeyKind::ed25519;
  std::vector<std::uint8_t> secret;           // Ed25519 seed or EC scalar
  std::unique_ptr<rsa::PrivateKey> rsa;       // RSA keys
  std::vector<std::uint8_t> spki;             // SubjectPublicKeyInfo DER
  ~LoadedKey();
};
// Loads a PEM private key ("PRIVATE KEY" PKCS#8, "EC PRIVATE KEY" SEC1,
// "RSA PRIVATE KEY" PKCS#1). On failure `err` holds a sentence.
bool load_private_key(const std::string& path, LoadedKey& out, std::string& err);
// The X.509 signer for a key (ctx points at `key`).
x509::gen::Signer x509_signer(const LoadedKey& key);
// The TLS CertificateVerify signer (RSA keys are moved out of `key`).
std::shared_ptr<const tls::Signer> tls_signer(LoadedKey& key);

// ---- certificates ------------------------------------------------------------------
bool load_certificates(const std::string& path, std::vector<x509::Certificate>& out, std::string& err);
// "Ed25519", "ECDSA P-256", "RSA 2048"...
std::string key_description(const x509::CertView& c);
std::string hex(x509::Bytes b, char sep = ':');
// Parses "2026-01-31", "2026-01-31T12:00:00Z", "2026-01-31 12:00:00" or
// "@1700000000" (Unix seconds).
bool parse_time_arg(const std::string& s, x509::Time& out);
std::int64_t days_left(x509::Time not_after, x509::Time now);

// "2026-01-01 00:00:00 UTC to 2027-01-01 00:00:00 UTC (364 days left)".
std::string validity_line(const x509::CertView& c, x509::Time now);
// The `tern cert show` block for one certificate of a chain.
void print_certificate(std::FILE* out, const x509::Certificate& cert, std::size_t index, std::size_t count,
                       x509::Time now, const char* indent);

// Trust: --cafile / --capath, or the system store when both are empty.
bool load_trust(const std::string& cafile, const std::string& capath, x509::TrustStore& store, std::string& err);

// The library's X.509 verifier (tls/x509_verifier.hpp) with what the tool
// needs around it: the outcome is kept for detailed messages (which
// certificate, what, dates/names), the parsed chain and, after a success,
// the validated path up to the trust anchor for display; --insecure
// records the outcome but lets the handshake go on. The accept/reject
// decision is the library verifier's.
class ToolVerifier final : public tls::CertVerifier {
 public:
  explicit ToolVerifier(const x509::TrustStore& store,
                        tls::X509Verifier::Peer peer = tls::X509Verifier::Peer::server) noexcept
      : store_(&store), lib_(store, peer), peer_(peer) {}
  std::string host;          // the expected name (used when the TLS layer passes none)
  bool insecure = false;     // accept anything (the outcome is still recorded)
  x509::Time at = 0;         // validation time (0: the connection's clock)
  mutable x509::VerifyResult result;
  mutable bool ran = false;
  mutable std::vector<x509::Certificate> chain;
  tls::Err verify(std::span<const tls::Bytes> chain, std::string_view host, std::uint64_t now) const override;

 private:
  const x509::TrustStore* store_;
  mutable tls::X509Verifier lib_;
  tls::X509Verifier::Peer peer_;
};

// ---- network --------------------------------------------------------------------
// Splits "host:port" / "[v6]:port".
bool split_host_port(const std::string& s, std::string& host, std::string& port);
// Connects a TCP socket (IPv4/IPv6, DNS) within timeout_ms; -1 and `err` on failure.
int tcp_connect(const std::string& host, const std::string& port, int timeout_ms, std::string& err);
// A listening socket on 127.0.0.1/:: or any address, port 0 = ephemeral.
int tcp_listen(const std::string& bind_addr, int port, std::string& err);

// Sends everything the connection has queued. false on a socket error.
bool flush(int fd, tls::Connection& c);
// Runs the handshake over `fd` until open, failed or timed out.
bool handshake(int fd, tls::Connection& c, int timeout_ms, std::string& err);

// Names of TLS code points.
std::string suite_name(std::uint16_t s);
std::string group_name(std::uint16_t g);
std::string scheme_name(std::uint16_t s);

}  // namespace tern::tool
