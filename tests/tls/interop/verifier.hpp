// The certificate verifier our client uses in the interop tests: real
// X.509 path validation (x509::verify) against the test PKI's root, with
// the host name and the current time, server_auth (or client_auth) purpose.
#pragma once

#include <string>
#include <vector>

#include "tls/config.hpp"
#include "x509/x509.hpp"

namespace tern::interop {

class ChainVerifier final : public tls::CertVerifier {
 public:
  x509::TrustStore store;
  x509::Purpose purpose = x509::Purpose::server_auth;
  mutable int calls = 0;
  mutable std::string last_failure;

  tls::Err verify(std::span<const tls::Bytes> chain, std::string_view host, std::uint64_t now) const override {
    ++calls;
    last_failure.clear();
    if (chain.empty()) return tls::fail(tls::Alert::bad_certificate, "empty certificate chain");
    x509::Certificate leaf;
    if (x509::Certificate::from_der(chain[0], leaf) != Status::ok)
      return tls::fail(tls::Alert::bad_certificate, "unparsable leaf certificate");
    std::vector<x509::Certificate> inter;
    for (std::size_t i = 1; i < chain.size(); ++i) {
      x509::Certificate c;
      if (x509::Certificate::from_der(chain[i], c) == Status::ok) inter.push_back(std::move(c));
    }
    x509::VerifyOptions o;
    o.now = static_cast<x509::Time>(now);
    o.hostname = std::string(host);
    o.purpose = purpose;
    const auto r = x509::verify(leaf, inter, store, o);
    if (r.ok()) return tls::kOk;
    last_failure = r.failure.message();
    switch (r.failure.error) {
      case x509::Error::expired:
      case x509::Error::not_yet_valid:
        return tls::fail(tls::Alert::certificate_expired, "certificate expired or not yet valid");
      case x509::Error::unknown_issuer:
      case x509::Error::no_trust_anchors:
        return tls::fail(tls::Alert::unknown_ca, "no path to a trusted root");
      case x509::Error::unsupported_algorithm:
        return tls::fail(tls::Alert::unsupported_certificate, "unsupported certificate algorithm");
      default:
        return tls::fail(tls::Alert::bad_certificate, "certificate rejected by X.509 validation");
    }
  }
};

}  // namespace tern::interop
