// A test PKI for the interop tests, written to a temporary directory:
// root CA (ECDSA P-256) -> intermediate CA (ECDSA P-384) -> leaves for
// "localhost"/127.0.0.1 with Ed25519, ECDSA P-256, ECDSA P-384 keys (made
// by x509/gen) and RSA 2048 keys (made by `openssl genpkey`, since tern has
// no RSA key generation): one rsaEncryption key (rsa_pss_rsae_*) and one
// id-RSASSA-PSS key (rsa_pss_pss_*). All leaves are issued by tern's CA
// code. Each leaf comes as PEM files for OpenSSL and as a tls::Credential
// (leaf + intermediate) for our server. A client certificate (clientAuth)
// is made too, for the mTLS tests.
#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "crypto/rsa/rsa.hpp"
#include "tls/config.hpp"
#include "tls/crypto.hpp"
#include "x509/x509.hpp"

namespace tern::interop {

using Vec = std::vector<std::uint8_t>;

inline Vec slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Vec(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}
inline bool spit(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary);
  f << data;
  return static_cast<bool>(f);
}
inline std::string make_tmpdir(const char* tag) {
  std::string t = std::string("/tmp/tern-") + tag + "-XXXXXX";
  std::vector<char> buf(t.begin(), t.end());
  buf.push_back(0);
  const char* d = ::mkdtemp(buf.data());
  return d ? d : "";
}

enum class CertKind { ed25519, p256, p384, rsae2048, rsapss2048 };
inline const char* cert_name(CertKind k) {
  switch (k) {
    case CertKind::ed25519: return "Ed25519";
    case CertKind::p256: return "ECDSA-P256";
    case CertKind::p384: return "ECDSA-P384";
    case CertKind::rsae2048: return "RSA-2048(rsae)";
    case CertKind::rsapss2048: return "RSA-PSS-2048(pss)";
  }
  return "?";
}
// The CertificateVerify scheme a peer uses with this key (SHA-256 for RSA).
inline std::uint16_t cert_scheme(CertKind k) {
  switch (k) {
    case CertKind::ed25519: return 0x0807;
    case CertKind::p256: return 0x0403;
    case CertKind::p384: return 0x0503;
    case CertKind::rsae2048: return 0x0804;
    case CertKind::rsapss2048: return 0x0809;
  }
  return 0;
}

struct Leaf {
  CertKind kind{};
  bool ok = false;           // generated
  std::string cert_pem, key_pem;  // files
  tls::Credential cred;      // leaf + intermediate, signer
};

struct Pki {
  std::string dir;
  std::string root_pem, inter_pem, chain_pem;  // chain: intermediate only (what servers send)
  std::vector<std::uint8_t> root_der, inter_der;
  Leaf leaves[5];
  Leaf client;  // clientAuth certificate (ECDSA P-256)
  std::string other_root_pem;  // an unrelated CA (negative tests)
  std::string error;  // what failed in make_pki
  x509::Certificate root, inter, other_root;
  x509::gen::PrivateKey root_key, inter_key, other_key;

  const Leaf& leaf(CertKind k) const { return leaves[static_cast<int>(k)]; }
};

// The signer for our server from a PKCS#8 DER key (via OpenSSL's decoder,
// test code only).
inline std::shared_ptr<const tls::Signer> signer_from_pkcs8(CertKind kind, const Vec& der) {
  if (kind == CertKind::rsae2048 || kind == CertKind::rsapss2048) {
    auto k = std::make_unique<rsa::PrivateKey>();
    if (k->from_pkcs8_der(der) != Status::ok) return nullptr;
    return tls::make_rsa_pss_signer(std::move(k));
  }
  const unsigned char* p = der.data();
  EVP_PKEY* pk = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
  if (!pk) return nullptr;
  std::shared_ptr<const tls::Signer> out;
  if (kind == CertKind::ed25519) {
    std::uint8_t sk[32];
    std::size_t sl = 32;
    if (EVP_PKEY_get_raw_private_key(pk, sk, &sl) == 1 && sl == 32) out = tls::make_ed25519_signer(tls::Bytes(sk, 32));
  } else {
    const std::size_t n = kind == CertKind::p256 ? 32 : 48;
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1) {
      std::uint8_t sk[48];
      BN_bn2binpad(bn, sk, static_cast<int>(n));
      BN_clear_free(bn);
      out = tls::make_ecdsa_signer(kind == CertKind::p256 ? 0x0403 : 0x0503, tls::Bytes(sk, n));
    }
  }
  EVP_PKEY_free(pk);
  return out;
}

inline bool make_pki(Pki& pki) {
  namespace gen = x509::gen;
  pki.dir = make_tmpdir("interop");
  if (pki.dir.empty()) { pki.error = "step 1"; return false; }
  const x509::Time now = static_cast<x509::Time>(std::time(nullptr));
  auto ca_spec = [&](const char* cn) {
    gen::CertSpec s;
    s.common_name = cn;
    s.organization = "tern interop";
    s.not_before = now - 3600;
    s.not_after = now + 7 * 86400;
    s.is_ca = true;
    return s;
  };
  std::vector<std::uint8_t> der;
  if (gen::generate_key(gen::KeyAlg::p256, pki.root_key) != Status::ok) { pki.error = "step 2"; return false; }
  if (gen::self_signed(ca_spec("tern interop root"), pki.root_key, der) != Status::ok) { pki.error = "step 3"; return false; }
  pki.root_der = der;
  if (x509::Certificate::from_der(tls::Bytes(der), pki.root) != Status::ok) { pki.error = "step 4"; return false; }
  pki.root_pem = pki.dir + "/root.pem";
  spit(pki.root_pem, gen::to_pem(der));

  if (gen::generate_key(gen::KeyAlg::p384, pki.inter_key) != Status::ok) { pki.error = "step 5"; return false; }
  const auto ispki = pki.inter_key.spki_der();
  if (gen::issue(ca_spec("tern interop intermediate"), ispki, pki.root, pki.root_key, der) != Status::ok) { pki.error = "step 6"; return false; }
  pki.inter_der = der;
  if (x509::Certificate::from_der(tls::Bytes(der), pki.inter) != Status::ok) { pki.error = "step 7"; return false; }
  pki.inter_pem = pki.dir + "/inter.pem";
  spit(pki.inter_pem, gen::to_pem(der));
  pki.chain_pem = pki.inter_pem;

  if (gen::generate_key(gen::KeyAlg::ed25519, pki.other_key) != Status::ok) { pki.error = "step 8"; return false; }
  if (gen::self_signed(ca_spec("unrelated root"), pki.other_key, der) != Status::ok) { pki.error = "step 9"; return false; }
  pki.other_root_pem = pki.dir + "/other-root.pem";
  spit(pki.other_root_pem, gen::to_pem(der));
  if (x509::Certificate::from_der(tls::Bytes(der), pki.other_root) != Status::ok) { pki.error = "step 10"; return false; }

  auto leaf_spec = [&](bool client) {
    gen::CertSpec s;
    s.common_name = client ? "tern interop client" : "localhost";
    s.not_before = now - 3600;
    s.not_after = now + 2 * 86400;
    if (!client) {
      s.dns_names = {"localhost"};
      s.ip_addresses = {"127.0.0.1"};
    }
    s.ext_key_usage = client ? x509::eku_client_auth : x509::eku_server_auth;
    return s;
  };
  auto finish = [&](Leaf& l, const std::string& name, const Vec& spki, const Vec& pkcs8_der, bool client) {
    std::vector<std::uint8_t> cert;
    if (gen::issue(leaf_spec(client), spki, pki.inter, pki.inter_key, cert) != Status::ok) {
      pki.error = "issuing the " + name + " certificate failed";
      return false;
    }
    l.cert_pem = pki.dir + "/" + name + ".pem";
    spit(l.cert_pem, gen::to_pem(cert));
    l.cred.chain = {cert, pki.inter_der};
    l.cred.signer = signer_from_pkcs8(l.kind, pkcs8_der);
    l.ok = l.cred.signer != nullptr;
    if (!l.ok) pki.error = "loading the " + name + " private key failed";
    return l.ok;
  };
  const struct {
    CertKind kind;
    gen::KeyAlg alg;
    const char* name;
  } ours[] = {{CertKind::ed25519, gen::KeyAlg::ed25519, "ed25519"},
              {CertKind::p256, gen::KeyAlg::p256, "p256"},
              {CertKind::p384, gen::KeyAlg::p384, "p384"}};
  for (const auto& o : ours) {
    Leaf& l = pki.leaves[static_cast<int>(o.kind)];
    l.kind = o.kind;
    gen::PrivateKey k;
    if (gen::generate_key(o.alg, k) != Status::ok) { pki.error = "step 12"; return false; }
    l.key_pem = pki.dir + "/" + o.name + "-key.pem";
    spit(l.key_pem, k.pkcs8_pem());
    if (!finish(l, o.name, k.spki_der(), k.pkcs8_der(), false)) return false;
  }
  // RSA keys from openssl (tern has no RSA key generation).
  const struct {
    CertKind kind;
    const char* alg;
    const char* name;
  } rsas[] = {{CertKind::rsae2048, "RSA", "rsae"}, {CertKind::rsapss2048, "RSA-PSS", "rsapss"}};
  for (const auto& r : rsas) {
    Leaf& l = pki.leaves[static_cast<int>(r.kind)];
    l.kind = r.kind;
    l.key_pem = pki.dir + "/" + r.name + "-key.pem";
    const std::string spki_der = pki.dir + "/" + r.name + "-spki.der";
    const std::string key_der = pki.dir + "/" + r.name + "-key.der";
    // (`openssl pkey -outform DER` writes PKCS#1 in OpenSSL 3.0; pkcs8 -topk8 gives PKCS#8.)
    const std::string cmd = std::string("openssl genpkey -algorithm ") + r.alg + " -pkeyopt rsa_keygen_bits:2048 -out " +
                            l.key_pem + " >/dev/null 2>&1 && openssl pkey -in " + l.key_pem +
                            " -pubout -outform DER -out " + spki_der + " >/dev/null 2>&1 && openssl pkcs8 -topk8 -nocrypt -in " +
                            l.key_pem + " -outform DER -out " + key_der + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      pki.error = std::string("openssl genpkey -algorithm ") + r.alg + " failed";
      return false;
    }
    if (!finish(l, r.name, slurp(spki_der), slurp(key_der), false)) return false;
  }
  // Client certificate (mTLS).
  {
    Leaf& l = pki.client;
    l.kind = CertKind::p256;
    gen::PrivateKey k;
    if (gen::generate_key(gen::KeyAlg::p256, k) != Status::ok) { pki.error = "step 16"; return false; }
    l.key_pem = pki.dir + "/client-key.pem";
    spit(l.key_pem, k.pkcs8_pem());
    if (!finish(l, "client", k.spki_der(), k.pkcs8_der(), true)) return false;
  }
  return true;
}

inline void remove_pki(const Pki& pki) {
  if (pki.dir.rfind("/tmp/tern-", 0) == 0) (void)std::system(("rm -rf " + pki.dir).c_str());
}

}  // namespace tern::interop
