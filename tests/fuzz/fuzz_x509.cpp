// libFuzzer target for tern's certificate parser (and what a verifier then
// touches: names, SANs, hostname matching, name constraints, PEM).
// Built by tests/x509/meson.build with clang only; run by tests/fuzz/run_x509.sh.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "x509/x509.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tern::x509;
  const Bytes in(data, size);
  CertView v;
  ParseError why = ParseError::none;
  if (parse_certificate(in, v, &why) == tern::Status::ok) {
    (void)to_string(v.subject);
    (void)to_string(v.issuer);
    (void)names_equal(v.subject, v.issuer);
    (void)name_has_prefix(v.subject, v.issuer);
    (void)san_list(v);
    (void)matches_hostname(v, "www.example.com");
    (void)matches_hostname(v, "192.0.2.1");
    (void)satisfies_name_constraints(v, v, true, nullptr);
    (void)verify_signature(v.sig_alg, v.spki.raw, v.tbs, v.signature);
    Certificate c;
    (void)Certificate::from_der(in, c);
  }
  PublicKeyInfo k;
  (void)parse_public_key_info(in, k);
  std::vector<GeneralName> names;
  (void)parse_general_names(in, names);
  // The same bytes as PEM text.
  std::vector<Certificate> certs;
  (void)certificates_from_pem(std::string_view(reinterpret_cast<const char*>(data), size), certs);
  return 0;
}
