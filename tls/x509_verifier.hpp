// The library's X.509-backed certificate verifier: path validation with
// x509/ against a trust store, the host name check (servers' certificates)
// and the extended key usage the role requires (serverAuth for a server's
// chain, clientAuth for a client's). Failures map to TLS alerts:
//   expired / not yet valid             -> certificate_expired
//   no path to an anchor, empty store   -> unknown_ca
//   algorithm tern cannot verify        -> unsupported_certificate
//   unparsable certificate, bad signature, wrong name, wrong EKU/keyUsage,
//   constraints violated                -> bad_certificate
//   empty chain                         -> certificate_required (client
//                                          chain) / bad_certificate
// The last failure's details stay available through last_failure() (for
// logs); a verifier used by several threads at once should not rely on it.
// TERN_SMALL builds (-Dprofile=minimal) set only its error and depth.
// The chain is parsed into views in place and validated with
// x509::verify_parsed() (no Certificate copies; in the connection's arena
// in no-heap mode).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tls/config.hpp"
#include "x509/path/verify.hpp"

namespace tern::tls {

class X509Verifier final : public CertVerifier {
 public:
  enum class Peer : std::uint8_t { server, client };
  // `store` must outlive the verifier. For Peer::server the host passed by
  // the connection (Config::server_name) is checked unless it is empty.
  X509Verifier(const x509::TrustStore& store, Peer peer = Peer::server) noexcept : store_(&store), peer_(peer) {}

  Err verify(std::span<const Bytes> chain, std::string_view host, std::uint64_t now) const override;

  // Overrides the validation time (0: use the connection's clock).
  void set_time(std::uint64_t t) noexcept { at_ = t; }
  // The details of the last failed verify() ("certificate 0 (CN=x): expired: ...").
  const x509::Failure& last_failure() const noexcept { return last_; }

 private:
  const x509::TrustStore* store_;
  Peer peer_;
  std::uint64_t at_ = 0;
  mutable x509::Failure last_;
};

}  // namespace tern::tls
