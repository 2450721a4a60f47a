#include "tls/x509_verifier.hpp"

namespace tern::tls {

Err X509Verifier::verify(std::span<const Bytes> der_chain, std::string_view host, std::uint64_t now) const {
#ifdef TERN_SMALL
  last_.error = x509::Error::ok;  // subject and detail stay empty in small builds
  last_.depth = -1;
#else
  last_ = x509::Failure{};
#endif
  if (der_chain.empty()) {
    last_.error = x509::Error::malformed;
#ifndef TERN_SMALL
    last_.detail = "the peer sent no certificate";
#endif
    return peer_ == Peer::client ? fail(Alert::certificate_required, "no client certificate")
                                 : fail(Alert::bad_certificate, "no certificate");
  }
  // Parsed in place into views (no copies): the connection keeps the DER
  // alive; the views live in its arena in no-heap mode.
  ArenaVector<x509::CertView> chain(der_chain.size());
  for (std::size_t i = 0; i < der_chain.size(); ++i) {
    x509::ParseError why = x509::ParseError::none;
    if (x509::parse_certificate(der_chain[i], chain[i], &why) != Status::ok) {
      last_.error = x509::Error::malformed;
      last_.depth = static_cast<int>(i);
#ifndef TERN_SMALL
      // Small builds report the error and depth only (see x509/path/verify.cpp).
      last_.detail = std::string("cannot parse: ") + x509::to_string(why);
#endif
      return fail(Alert::bad_certificate, "certificate could not be parsed");
    }
  }
  const x509::Time t = static_cast<x509::Time>(at_ ? at_ : now);
  if (x509::verify_parsed(chain, *store_, t,
                          peer_ == Peer::server ? x509::Purpose::server_auth : x509::Purpose::client_auth,
                          peer_ == Peer::server ? host : std::string_view(), last_))
    return kOk;
  // The alert for each failure (anything else: bad_certificate).
  struct Map {
    x509::Error error;
    Alert alert;
    const char* why;
  };
  static constexpr Map kMap[] = {
      {x509::Error::expired, Alert::certificate_expired, "certificate expired or not yet valid"},
      {x509::Error::not_yet_valid, Alert::certificate_expired, "certificate expired or not yet valid"},
      {x509::Error::unknown_issuer, Alert::unknown_ca, "certificate issuer unknown"},
      {x509::Error::no_trust_anchors, Alert::unknown_ca, "certificate issuer unknown"},
      {x509::Error::unsupported_algorithm, Alert::unsupported_certificate, "certificate algorithm unsupported"},
      {x509::Error::name_mismatch, Alert::bad_certificate, "certificate not valid for the host name"},
      {x509::Error::bad_ext_key_usage, Alert::bad_certificate, "certificate key usage does not allow this role"},
      {x509::Error::bad_key_usage, Alert::bad_certificate, "certificate key usage does not allow this role"},
  };
  for (const Map& m : kMap)
    if (m.error == last_.error) return fail(m.alert, m.why);
  return fail(Alert::bad_certificate, "certificate verification failed");
}

}  // namespace tern::tls
