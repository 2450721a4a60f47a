// x509/gen with RSA keys: generated keys encode as PKCS#8/PKCS#1/SPKI that
// crypto/rsa loads back, and RSA-signed certificates (sha256WithRSAEncryption)
// pass tern's path validation and, when libcrypto is available, OpenSSL's
// X509_verify and X509_verify_cert.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "crypto/bignum/bignum.hpp"
#include "crypto/rsa/rsa.hpp"
#include "tests/support/testutil.hpp"
#include "x509/gen/gen.hpp"
#include "x509/path/verify.hpp"
#include "x509/pem/pem.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#endif

using namespace tern;
using namespace tern::x509;

namespace {

Certificate must_cert(const std::vector<std::uint8_t>& der) {
  Certificate c;
  REQUIRE(Certificate::from_der(Bytes(der), c) == Status::ok);
  return c;
}

gen::CertSpec spec(const std::string& cn, bool ca) {
  gen::CertSpec s;
  s.common_name = cn;
  s.is_ca = ca;
  s.not_before = make_time(2025, 1, 1);
  s.not_after = make_time(2035, 1, 1);
  if (!ca) {
    s.dns_names = {cn};
    s.ext_key_usage = eku_server_auth;
  }
  return s;
}

#if TERN_HAVE_OPENSSL
X509* ossl_cert(const std::vector<std::uint8_t>& der) {
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  REQUIRE(x);
  return x;
}
#endif

}  // namespace

TEST_CASE("gen rsa: dispatch", "[dispatch]") { test::check_dispatch("bignum", bignum::bignum_kernels()); }

TEST_CASE("gen rsa: key encodings load back", "[gen][rsa]") {
  if (!gen::supported(gen::KeyAlg::rsa2048)) return;
  gen::PrivateKey k;
  REQUIRE(gen::generate_key(gen::KeyAlg::rsa2048, k) == Status::ok);
  REQUIRE(gen::is_rsa(k.alg()));
  rsa::PrivateKey from8, from1;
  REQUIRE(from8.from_pkcs8_der(k.pkcs8_der()) == Status::ok);
  REQUIRE(from8.bits() == 2048);
  const std::string pem1 = k.pkcs1_pem();
  REQUIRE(pem1.rfind("-----BEGIN RSA PRIVATE KEY-----", 0) == 0);
  REQUIRE(k.pkcs8_pem().rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  rsa::PublicKey pub;
  REQUIRE(pub.from_spki_der(k.spki_der()) == Status::ok);
  REQUIRE(pub.bits() == 2048);
  REQUIRE(std::equal(pub.modulus().begin(), pub.modulus().end(), from8.public_key().modulus().begin()));
  gen::PrivateKey ec;
  if (gen::supported(gen::KeyAlg::p256)) {
    REQUIRE(gen::generate_key(gen::KeyAlg::p256, ec) == Status::ok);
    REQUIRE(ec.pkcs1_pem().empty());
  }
}

TEST_CASE("gen rsa: RSA CA and leaves validate (tern and OpenSSL)", "[gen][rsa]") {
  if (!gen::supported(gen::KeyAlg::rsa2048)) return;
  gen::PrivateKey ca_key, leaf_key, ec_key;
  REQUIRE(gen::generate_key(gen::KeyAlg::rsa2048, ca_key) == Status::ok);
  REQUIRE(gen::generate_key(gen::KeyAlg::rsa3072, leaf_key) == Status::ok);
  std::vector<std::uint8_t> ca_der, leaf_der;
  REQUIRE(gen::self_signed(spec("tern RSA CA", true), ca_key, ca_der) == Status::ok);
  const Certificate ca = must_cert(ca_der);
  REQUIRE(ca->sig_alg.alg == SigAlg::rsa_pkcs1_sha256);
  std::vector<Certificate> leaves;
  REQUIRE(gen::issue(spec("rsa.example", false), leaf_key.spki_der(), ca, ca_key, leaf_der) == Status::ok);
  leaves.push_back(must_cert(leaf_der));
  std::vector<std::vector<std::uint8_t>> ders = {leaf_der};
  if (gen::supported(gen::KeyAlg::p256)) {  // an EC leaf under the RSA CA
    REQUIRE(gen::generate_key(gen::KeyAlg::p256, ec_key) == Status::ok);
    REQUIRE(gen::issue(spec("ec.example", false), ec_key.spki_der(), ca, ca_key, leaf_der) == Status::ok);
    leaves.push_back(must_cert(leaf_der));
    ders.push_back(leaf_der);
  }
  TrustStore store;
  REQUIRE(store.add(ca) == Status::ok);
  VerifyOptions opt;
  opt.now = make_time(2026, 6, 1);
  std::size_t n = 0;
  const char* hosts[] = {"rsa.example", "ec.example"};
  for (const Certificate& leaf : leaves) {
    opt.hostname = hosts[n];
    const VerifyResult r = verify(leaf, {}, store, opt);
    INFO(r.failure.message());
    REQUIRE(r.ok());
    REQUIRE(r.chain.size() == 2);
    ++n;
  }
  // A tampered signature fails.
  std::vector<std::uint8_t> bad = ders[0];
  bad[bad.size() - 10] ^= 1;
  const VerifyResult r = verify(must_cert(bad), {}, store, opt);
  REQUIRE(r.failure.error == Error::bad_signature);
#if TERN_HAVE_OPENSSL
  X509* oca = ossl_cert(ca_der);
  X509_STORE* st = X509_STORE_new();
  X509_STORE_add_cert(st, oca);
  for (const auto& d : ders) {
    X509* ol = ossl_cert(d);
    EVP_PKEY* capub = X509_get_pubkey(oca);
    REQUIRE(X509_verify(ol, capub) == 1);
    EVP_PKEY_free(capub);
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    REQUIRE(X509_STORE_CTX_init(ctx, st, ol, nullptr) == 1);
    X509_STORE_CTX_set_time(ctx, 0, static_cast<time_t>(opt.now));
    INFO(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    REQUIRE(X509_verify_cert(ctx) == 1);
    X509_STORE_CTX_free(ctx);
    X509_free(ol);
    ++n;
  }
  X509_STORE_free(st);
  X509_free(oca);
#endif
  test::report("gen rsa certificates validated", "default", n);
}
