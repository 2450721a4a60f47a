// Helpers shared by the X.509 suites: file loading and (with OpenSSL) a
// signature verifier for algorithms tern does not implement (SHA-1 RSA,
// DSA: NIST PKITS), plus OpenSSL-backed signers used only when tern's own
// signing algorithms are not built.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "x509/x509.hpp"

namespace tern::x509test {

std::vector<std::uint8_t> read_bytes(const std::string& path);
bool file_exists(const std::string& path);
std::vector<std::string> list_dir(const std::string& dir);  // sorted file names

#if TERN_HAVE_OPENSSL
// Verifies with OpenSSL's EVP for any algorithm OpenSSL knows.
Status openssl_verify(void* ctx, const x509::AlgorithmId& alg, x509::Bytes spki, x509::Bytes tbs, x509::Bytes sig);
#endif

}  // namespace tern::x509test
