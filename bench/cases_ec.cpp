// P-256 / P-384 benchmark rows: p256-sign, p256-verify, p256-ecdh (and
// p384-*), one row per supported kernel plus OpenSSL. Operation counts.
//
// tern: ecdsa_sign (RFC 6979 nonce, raw r||s) / ecdsa_verify (raw r||s,
// SEC 1 public key decoded and validated on every call) / ecdh (peer point
// validated on every call). Keys are generated once.
// OpenSSL: EVP_PKEY built once in setup; sign = EVP_PKEY_sign on a digest
// with a context initialised in setup; verify = EVP_PKEY_verify on the DER
// signature; ecdh = EVP_PKEY_derive with the peer set in setup.
#include <memory>
#include <string>
#include <vector>

#include "bench/cases.hpp"
#include "crypto/ec/ec.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#endif

namespace {

using tern::bench::Case;
using tern::ec::Curve;
using Bytes = std::vector<std::uint8_t>;

struct Keys {
  Curve curve;
  Bytes priv, pub, peer_priv, peer_pub, digest, sig;
  explicit Keys(Curve c) : curve(c) {
    const std::size_t fs = tern::ec::field_size(c);
    tern::TestRandom rng(c == Curve::p256 ? 1 : 2);
    priv.resize(fs);
    peer_priv.resize(fs);
    pub.resize(tern::ec::uncompressed_point_size(c));
    peer_pub.resize(pub.size());
    if (tern::ec::generate_key(c, priv, pub, rng) != tern::Status::ok ||
        tern::ec::generate_key(c, peer_priv, peer_pub, rng) != tern::Status::ok)
      __builtin_trap();
    digest.resize(c == Curve::p256 ? 32 : 48);
    for (std::size_t i = 0; i < digest.size(); ++i) digest[i] = static_cast<std::uint8_t>(i * 7 + 1);
    sig.resize(tern::ec::raw_signature_size(c));
    if (tern::ec::ecdsa_sign(c, sig, priv, digest) != tern::Status::ok) __builtin_trap();
  }
};

const char* prefix(Curve c) { return c == Curve::p256 ? "p256" : "p384"; }

void add_tern(Curve curve, tern::KernelSet& set, const std::string& kernel) {
  auto k = std::make_shared<Keys>(curve);
  auto setup = [&set, kernel] {
    if (!set.select(kernel)) __builtin_trap();
  };
  tern::bench::add({std::string(prefix(curve)) + "-sign", kernel, 0, setup, [k](std::uint64_t n) {
                      Bytes sig(tern::ec::raw_signature_size(k->curve));
                      for (std::uint64_t i = 0; i < n; ++i) {
                        if (tern::ec::ecdsa_sign(k->curve, sig, k->priv, k->digest) != tern::Status::ok)
                          __builtin_trap();
                        tern::bench::keep(sig);
                      }
                    }});
  tern::bench::add({std::string(prefix(curve)) + "-verify", kernel, 0, setup, [k](std::uint64_t n) {
                      for (std::uint64_t i = 0; i < n; ++i)
                        if (tern::ec::ecdsa_verify(k->curve, k->pub, k->digest, k->sig) != tern::Status::ok)
                          __builtin_trap();
                    }});
  tern::bench::add({std::string(prefix(curve)) + "-ecdh", kernel, 0, setup, [k](std::uint64_t n) {
                      Bytes out(tern::ec::field_size(k->curve));
                      for (std::uint64_t i = 0; i < n; ++i) {
                        if (tern::ec::ecdh(k->curve, out, k->priv, k->peer_pub) != tern::Status::ok)
                          __builtin_trap();
                        tern::bench::keep(out);
                      }
                    }});
}

#if TERN_HAVE_OPENSSL
EVP_PKEY* ossl_key(Curve c, const Bytes& pub, const Bytes* priv) {
  OSSL_PARAM_BLD* b = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, c == Curve::p256 ? "prime256v1" : "secp384r1", 0);
  OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size());
  BIGNUM* bn = nullptr;
  if (priv) {
    bn = BN_bin2bn(priv->data(), static_cast<int>(priv->size()), nullptr);
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, bn);
  }
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(b);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
      EVP_PKEY_fromdata(ctx, &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
    key = nullptr;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(b);
  BN_clear_free(bn);
  return key;
}

struct Ossl {
  std::shared_ptr<Keys> k;
  EVP_PKEY* key = nullptr;
  EVP_PKEY* peer = nullptr;
  EVP_PKEY_CTX* sign = nullptr;
  EVP_PKEY_CTX* verify = nullptr;
  EVP_PKEY_CTX* derive = nullptr;
  Bytes der;
  ~Ossl() {
    EVP_PKEY_CTX_free(sign);
    EVP_PKEY_CTX_free(verify);
    EVP_PKEY_CTX_free(derive);
    EVP_PKEY_free(key);
    EVP_PKEY_free(peer);
  }
  void init() {
    if (key) return;
    key = ossl_key(k->curve, k->pub, &k->priv);
    peer = ossl_key(k->curve, k->peer_pub, nullptr);
    if (!key || !peer) __builtin_trap();
    sign = EVP_PKEY_CTX_new(key, nullptr);
    verify = EVP_PKEY_CTX_new(key, nullptr);
    derive = EVP_PKEY_CTX_new(key, nullptr);
    if (EVP_PKEY_sign_init(sign) != 1 || EVP_PKEY_verify_init(verify) != 1 || EVP_PKEY_derive_init(derive) != 1 ||
        EVP_PKEY_derive_set_peer(derive, peer) != 1)
      __builtin_trap();
    der.resize(tern::ec::max_der_signature_size(k->curve));
    std::size_t len = 0;
    if (tern::ec::sig_raw_to_der(k->curve, der, len, k->sig) != tern::Status::ok) __builtin_trap();
    der.resize(len);
  }
};

void add_openssl(Curve curve) {
  auto o = std::make_shared<Ossl>();
  o->k = std::make_shared<Keys>(curve);
  auto setup = [o] { o->init(); };
  tern::bench::add({std::string(prefix(curve)) + "-sign", "openssl", 0, setup, [o](std::uint64_t n) {
                      unsigned char sig[128];
                      for (std::uint64_t i = 0; i < n; ++i) {
                        std::size_t len = sizeof(sig);
                        if (EVP_PKEY_sign(o->sign, sig, &len, o->k->digest.data(), o->k->digest.size()) != 1)
                          __builtin_trap();
                        tern::bench::keep(sig);
                      }
                    }});
  tern::bench::add({std::string(prefix(curve)) + "-verify", "openssl", 0, setup, [o](std::uint64_t n) {
                      for (std::uint64_t i = 0; i < n; ++i)
                        if (EVP_PKEY_verify(o->verify, o->der.data(), o->der.size(), o->k->digest.data(),
                                            o->k->digest.size()) != 1)
                          __builtin_trap();
                    }});
  tern::bench::add({std::string(prefix(curve)) + "-ecdh", "openssl", 0, setup, [o](std::uint64_t n) {
                      unsigned char out[64];
                      for (std::uint64_t i = 0; i < n; ++i) {
                        std::size_t len = sizeof(out);
                        if (EVP_PKEY_derive(o->derive, out, &len) != 1) __builtin_trap();
                        tern::bench::keep(out);
                      }
                    }});
}
#endif

tern::bench::Registrar reg([] {
  for (Curve c : {Curve::p256, Curve::p384}) {
    tern::KernelSet& set = c == Curve::p256 ? tern::ec::p256_kernels() : tern::ec::p384_kernels();
    for (std::size_t i = 0; i < set.count(); ++i)
      if (set.supported(i)) add_tern(c, set, set.name(i));
#if TERN_HAVE_OPENSSL
    add_openssl(c);
#endif
  }
});

}  // namespace
