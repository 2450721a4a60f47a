// A small real PKI for the TLS tests, made with x509/gen: two CAs
// (trusted, unknown) and Ed25519 leaves for servers and clients with the
// chosen names, EKUs and validity, as tls::Credentials.
#pragma once

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "tls/config.hpp"
#include "tls/crypto.hpp"
#include "x509/x509.hpp"

namespace tern::tlstest {

struct Ca {
  x509::gen::PrivateKey key;
  std::vector<std::uint8_t> der;
  x509::Certificate cert;
};

inline const std::int64_t kPkiNow = 1767225600;  // 2026-01-01

inline bool make_ca(const std::string& cn, Ca& ca) {
  if (x509::gen::generate_key(x509::gen::KeyAlg::ed25519, ca.key) != Status::ok) return false;
  x509::gen::CertSpec spec;
  spec.common_name = cn;
  spec.is_ca = true;
  spec.not_before = kPkiNow - 86400;
  spec.not_after = kPkiNow + 10 * 365 * 86400LL;
  if (x509::gen::self_signed(spec, ca.key, ca.der) != Status::ok) return false;
  return x509::Certificate::from_der(ca.der, ca.cert) == Status::ok;
}

// An Ed25519 leaf issued by `ca`. eku: x509::eku_server_auth / eku_client_auth bits.
inline tls::Credential make_leaf(const Ca& ca, const std::string& name, std::uint8_t eku,
                                 std::int64_t not_after = kPkiNow + 365 * 86400LL) {
  tls::Credential c;
  x509::gen::PrivateKey k;
  if (x509::gen::generate_key(x509::gen::KeyAlg::ed25519, k) != Status::ok) return c;
  x509::gen::CertSpec spec;
  spec.common_name = name;
  spec.dns_names = {name};
  spec.ext_key_usage = eku;
  spec.not_before = kPkiNow - 2 * 86400;
  spec.not_after = not_after;
  std::vector<std::uint8_t> der;
  if (x509::gen::issue(spec, k.spki_der(), ca.cert, ca.key, der) != Status::ok) return c;
  c.chain.push_back(der);
  auto p8 = k.pkcs8_der();  // RFC 8410: the seed is the last 32 bytes
  c.signer = tls::make_ed25519_signer(tls::Bytes(p8.data() + p8.size() - 32, 32));
  return c;
}

}  // namespace tern::tlstest
