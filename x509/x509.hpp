// tern X.509: the public entry point.
//
//   x509/pem/pem.hpp     PEM blocks and base64
//   x509/cert/cert.hpp   certificate parsing: views over DER, names, time, extensions
//   x509/path/verify.hpp path building and validation, hostnames, trust stores, expiry
//   x509/gen/gen.hpp     key and certificate generation
//
// Typical client use:
//
//   tern::x509::TrustStore store;
//   store.load_system();
//   std::vector<tern::x509::Certificate> chain;   // leaf first, from the peer
//   tern::x509::certificates_from_pem(pem_text, chain);
//   tern::x509::VerifyOptions opt;
//   opt.now = time(nullptr);
//   opt.hostname = "example.com";
//   auto r = tern::x509::verify(chain[0], {chain.begin() + 1, chain.end()}, store, opt);
//   if (!r.ok()) puts(r.failure.message().c_str());
//
// Nothing here throws; failures are tern::Status values, and validation
// failures a named x509::Error with the depth and subject of the
// certificate at fault.
#pragma once

#include "x509/cert/cert.hpp"
#ifndef TERN_NO_X509_GEN  // -Dx509_gen=disabled
#include "x509/gen/gen.hpp"
#endif
#include "x509/path/verify.hpp"
#include "x509/pem/pem.hpp"
