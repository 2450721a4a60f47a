#include "tls/x509_verifier.hpp"

#include <vector>

namespace tern::tls {

Err X509Verifier::verify(std::span<const Bytes> der_chain, std::string_view host, std::uint64_t now) const {
  last_ = x509::Failure{};
  if (der_chain.empty()) {
    last_.error = x509::Error::malformed;
    last_.detail = "the peer sent no certificate";
    return peer_ == Peer::client ? fail(Alert::certificate_required, "no client certificate")
                                 : fail(Alert::bad_certificate, "no certificate");
  }
  // Parsed in place (no copies): the connection keeps the DER alive.
  ArenaVector<x509::Certificate> chain;
  chain.reserve(der_chain.size());
  for (std::size_t i = 0; i < der_chain.size(); ++i) {
    x509::Certificate c;
    x509::ParseError why = x509::ParseError::none;
    if (x509::Certificate::borrow(der_chain[i], c, &why) != Status::ok) {
      last_.error = x509::Error::malformed;
      last_.depth = static_cast<int>(i);
#ifdef TERN_SMALL
      // Small builds keep failure details short (see x509/path/verify.cpp).
      last_.detail = "cannot parse";
#else
      last_.detail = std::string("cannot parse: ") + x509::to_string(why);
#endif
      return fail(Alert::bad_certificate, "certificate could not be parsed");
    }
    chain.push_back(std::move(c));
  }
  x509::VerifyOptions opt;
  opt.now = static_cast<x509::Time>(at_ ? at_ : now);
  opt.purpose = peer_ == Peer::server ? x509::Purpose::server_auth : x509::Purpose::client_auth;
  if (peer_ == Peer::server) opt.hostname = std::string(host);
  x509::VerifyResult r = x509::verify(chain[0], std::span<const x509::Certificate>(chain).subspan(1), *store_, opt);
  if (r.ok()) return kOk;
  last_ = r.failure;
  switch (r.failure.error) {
    case x509::Error::expired:
    case x509::Error::not_yet_valid:
      return fail(Alert::certificate_expired, "certificate expired or not yet valid");
    case x509::Error::unknown_issuer:
    case x509::Error::no_trust_anchors:
      return fail(Alert::unknown_ca, "certificate issuer unknown");
    case x509::Error::unsupported_algorithm:
      return fail(Alert::unsupported_certificate, "certificate algorithm unsupported");
    case x509::Error::name_mismatch:
      return fail(Alert::bad_certificate, "certificate not valid for the host name");
    case x509::Error::bad_ext_key_usage:
    case x509::Error::bad_key_usage:
      return fail(Alert::bad_certificate, "certificate key usage does not allow this role");
    default:
      return fail(Alert::bad_certificate, "certificate verification failed");
  }
}

}  // namespace tern::tls
