// Bignum and RSA: Montgomery arithmetic against OpenSSL's BN, NIST CAVP
// (FIPS 186-3 SigVer/SigGen, PKCS#1 v1.5 and PSS), Wycheproof RSA PKCS#1
// and PSS, RFC 8448's server key and CertificateVerify, differential
// signing/verification against OpenSSL, and malformed inputs.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "crypto/bignum/bignum.hpp"
#include "crypto/internal/random.hpp"
#include "crypto/rsa/rsa.hpp"
#include "crypto/sha2/sha2.hpp"
#include "tests/support/testutil.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#endif

using namespace tern;
using tern::test::Bytes;
using tern::test::hex;
namespace bn = tern::bignum;

namespace {

Bytes digest_of(sha2::HashId h, const Bytes& msg) {
  Bytes d(sha2::digest_size(h));
  sha2::AnyHash::hash(h, d, msg);
  return d;
}

bool hash_from_name(const std::string& name, sha2::HashId& out) {
  if (name == "SHA256" || name == "SHA-256") out = sha2::HashId::sha256;
  else if (name == "SHA384" || name == "SHA-384") out = sha2::HashId::sha384;
  else if (name == "SHA512" || name == "SHA-512") out = sha2::HashId::sha512;
  else return false;
  return true;
}

Bytes base64_decode(const std::string& s) {
  Bytes out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : s) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else continue;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return out;
}

Bytes pem_body(const std::string& pem) {
  auto a = pem.find("-----\n");
  auto b = pem.find("-----END");
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  return base64_decode(pem.substr(a + 6, b - a - 6));
}

std::vector<Bytes> test_keys() {
  std::vector<Bytes> keys;
  auto path = test::locate(test::Source::vectors, "rsa/test_keys.txt");
  REQUIRE(path);
  for (auto& r : test::parse_records(test::read_file(*path)))
    if (r.has("Pkcs1")) keys.push_back(r.bytes("Pkcs1"));
  REQUIRE(keys.size() == 3);
  return keys;
}

std::vector<std::string> kernels(const char* what, const std::function<void(const std::string&)>& body) {
  return test::for_each_kernel(what, bn::bignum_kernels(), body);
}

}  // namespace

TEST_CASE("bignum: dispatch", "[dispatch]") {
  test::check_dispatch("bignum", bn::bignum_kernels());
}

TEST_CASE("bignum: conversions", "[bignum]") {
  bn::Limb x[2];
  const Bytes b = hex("0102030405060708090a0b0c0d0e0f10");
  REQUIRE(bn::from_be(x, 2, b));
  CHECK(x[0] == 0x090a0b0c0d0e0f10ull);
  CHECK(x[1] == 0x0102030405060708ull);
  Bytes out(17);
  bn::to_be(out, x, 2);
  CHECK(out[0] == 0);
  CHECK(Bytes(out.begin() + 1, out.end()) == b);
  CHECK_FALSE(bn::from_be(x, 1, b));
  CHECK(bn::from_be(x, 1, hex("00000000000000000102")));
  CHECK(x[0] == 0x102);
}

#if TERN_HAVE_OPENSSL
namespace {
Bytes bn_bytes(const BIGNUM* v, std::size_t len) {
  Bytes out(len);
  REQUIRE(BN_bn2binpad(v, out.data(), static_cast<int>(len)) == static_cast<int>(len));
  return out;
}
}  // namespace

TEST_CASE("bignum: Montgomery arithmetic and exponentiation vs OpenSSL BN", "[bignum][openssl]") {
  BN_CTX* ctx = BN_CTX_new();
  kernels("bignum-diff", [&](const std::string& kernel) {
    test::Rng rng(7);
    std::size_t n_checks = 0;
    for (std::size_t limbs : {1, 2, 3, 7, 16, 17, 32, 48, 64, 128}) {
      for (int iter = 0; iter < (limbs > 48 ? 2 : 6); ++iter) {
        Bytes mb = rng.bytes(limbs * 8);
        mb[0] |= 0x80 >> (iter % 8 == 0 ? 0 : rng.below(8));
        if (mb[0] == 0) mb[0] = 1;
        if (iter == 1) std::memset(mb.data() + 1, 0xff, mb.size() - 1);  // carry-heavy
        mb.back() |= 1;
        bn::Limb ml[bn::kMaxLimbs];
        REQUIRE(bn::from_be(ml, limbs, mb));
        bn::Modulus m;
        REQUIRE(m.init(ml, limbs) == Status::ok);
        BIGNUM* M = BN_bin2bn(mb.data(), static_cast<int>(mb.size()), nullptr);
        BIGNUM *A = BN_new(), *B = BN_new(), *E = BN_new(), *R = BN_new();
        BN_rand_range(A, M);
        BN_rand_range(B, M);
        if (iter == 2) BN_sub(A, M, BN_value_one());
        BN_rand_range(E, M);
        bn::Limb a[bn::kMaxLimbs], b[bn::kMaxLimbs], e[bn::kMaxLimbs], r[bn::kMaxLimbs], t[bn::kMaxLimbs];
        const std::size_t len = limbs * 8;
        REQUIRE(bn::from_be(a, limbs, bn_bytes(A, len)));
        REQUIRE(bn::from_be(b, limbs, bn_bytes(B, len)));
        REQUIRE(bn::from_be(e, limbs, bn_bytes(E, len)));
        // a*b mod m through Montgomery form
        bn::to_mont(r, a, m);
        bn::to_mont(t, b, m);
        bn::mont_mul(r, r, t, m);
        bn::from_mont(r, r, m);
        BN_mod_mul(R, A, B, M, ctx);
        Bytes got(len);
        bn::to_be(got, r, limbs);
        REQUIRE(test::to_hex(got) == test::to_hex(bn_bytes(R, len)));
        // a^e mod m (secret path), and a^e with a short public exponent
        bn::to_mont(t, a, m);
        bn::pow_secret(r, t, e, m);
        bn::from_mont(r, r, m);
        BN_mod_exp(R, A, E, M, ctx);
        bn::to_be(got, r, limbs);
        REQUIRE(test::to_hex(got) == test::to_hex(bn_bytes(R, len)));
        const Bytes pe = hex("010001");
        bn::pow_public(r, t, pe, m);
        bn::from_mont(r, r, m);
        BIGNUM* PE = BN_bin2bn(pe.data(), 3, nullptr);
        BN_mod_exp(R, A, PE, M, ctx);
        bn::to_be(got, r, limbs);
        REQUIRE(test::to_hex(got) == test::to_hex(bn_bytes(R, len)));
        // plain-in/plain-out public exponentiation (kernels may override),
        // before and after the modulus's radix-2^52 precomputation
        for (int prepared = 0; prepared < 2; ++prepared) {
          if (prepared == 1) m.prepare_radix52();
          for (const Bytes& pub_e : {pe, rng.bytes(1 + rng.below(40)), Bytes{0}}) {
            bn::modexp_public(r, a, pub_e, m);
            BIGNUM* X = BN_bin2bn(pub_e.data(), static_cast<int>(pub_e.size()), nullptr);
            BN_mod_exp(R, A, X, M, ctx);
            bn::to_be(got, r, limbs);
            REQUIRE(test::to_hex(got) == test::to_hex(bn_bytes(R, len)));
            BN_free(X);
          }
        }
        // a^e * b^e2 (two secret exponents)
        bn::Limb e2[bn::kMaxLimbs], bm[bn::kMaxLimbs];
        for (std::size_t i = 0; i < limbs; ++i) e2[i] = e[limbs - 1 - i];
        e2[limbs - 1] &= (limbs * 64 == m.bits) ? ~0ull >> 1 : 0;
        bn::to_mont(bm, b, m);
        bn::pow2_secret(r, t, e, bm, e2, m);
        bn::from_mont(r, r, m);
        Bytes e2b(len);
        bn::to_be(e2b, e2, limbs);
        BIGNUM *E2 = BN_bin2bn(e2b.data(), static_cast<int>(len), nullptr), *R2 = BN_new();
        BN_mod_exp(R, A, E, M, ctx);
        BN_mod_exp(R2, B, E2, M, ctx);
        BN_mod_mul(R, R, R2, M, ctx);
        bn::to_be(got, r, limbs);
        REQUIRE(test::to_hex(got) == test::to_hex(bn_bytes(R, len)));
        // reduction of a double-length value
        Bytes wide = rng.bytes(2 * len + 8);
        bn::Limb w[3 * bn::kMaxLimbs];
        REQUIRE(bn::from_be(w, 2 * limbs + 1, wide));
        bn::reduce_to_mont(r, w, 2 * limbs + 1, m);
        bn::from_mont(r, r, m);
        BIGNUM* W = BN_bin2bn(wide.data(), static_cast<int>(wide.size()), nullptr);
        BN_mod(R, W, M, ctx);
        bn::to_be(got, r, limbs);
        REQUIRE(test::to_hex(got) == test::to_hex(bn_bytes(R, len)));
        n_checks += 8;
        BN_free(M); BN_free(A); BN_free(B); BN_free(E); BN_free(R); BN_free(PE); BN_free(E2); BN_free(R2); BN_free(W);
      }
    }
    test::report("bignum vs OpenSSL BN", kernel, n_checks);
  });
  BN_CTX_free(ctx);
}
#endif

TEST_CASE("rsa: CAVP FIPS 186-3 SigVer and SigGen (PKCS#1 v1.5, PSS)", "[rsa][cavp]") {
  struct File {
    const char* name;
    bool pss, has_result;
  };
  const File files[] = {{"SigVer15_186-3.rsp", false, true},
                        {"SigVerPSS_186-3.rsp", true, true},
                        {"SigGen15_186-3.rsp", false, false},
                        {"SigGenPSS_186-3.rsp", true, false}};
  kernels("rsa-cavp", [&](const std::string& kernel) {
    for (const File& f : files) {
      auto path = test::locate(test::Source::cavp, std::string("asymmetric/RSA/FIPS_186-2/") + f.name);
      if (!path) continue;
      std::size_t n_pass = 0;
      Bytes n, e;
      for (auto& r : test::parse_records(test::read_file(*path))) {
        if (r.has("n")) n = r.bytes("n");
        if (r.has("e")) e = r.bytes("e");
        if (!r.has("S")) continue;
        sha2::HashId h;
        if (!hash_from_name(r.get("SHAAlg"), h)) continue;  // SHA-1/224 not supported
        INFO(f.name << " line " << r.line);
        rsa::PublicKey key;
        Status ks = key.from_components(n, e);
        const bool expect = !f.has_result || r.get("Result").substr(0, 1) == "P";
        if (ks != Status::ok) {  // e.g. an altered e that is even
          REQUIRE_FALSE(expect);
          ++n_pass;
          continue;
        }
        const Bytes d = digest_of(h, r.bytes("Msg"));
        const Bytes sig = r.bytes("S");
        Status s;
        if (!f.pss) {
          s = rsa::verify_pkcs1v15(key, h, d, sig);
        } else {
          std::ptrdiff_t slen = r.has("SaltVal") ? static_cast<std::ptrdiff_t>(r.bytes("SaltVal").size()) : -1;
          if (r.has("SaltVal") && r.get("SaltVal") == "00") slen = 0;
          s = rsa::verify_pss(key, h, h, slen, d, sig);
          if (expect) REQUIRE(rsa::verify_pss(key, h, h, -1, d, sig) == Status::ok);
        }
        REQUIRE((s == Status::ok) == expect);
        ++n_pass;
      }
      test::report(std::string("cavp ") + f.name, kernel, n_pass);
      CHECK(n_pass > 0);
    }
  });
}

namespace {
void run_wycheproof(const char* file, bool pss) {
  auto j = test::load_wycheproof(file);
  if (!j) return;
  kernels(file, [&](const std::string& kernel) {
    std::size_t n_pass = 0;
    for (auto& g : (*j)["testGroups"].items) {
      sha2::HashId h, mh = sha2::HashId::sha256;
      REQUIRE(hash_from_name(g["sha"].s, h));
      std::ptrdiff_t slen = -1;
      if (pss) {
        REQUIRE(g["mgf"].s == "MGF1");
        REQUIRE(hash_from_name(g["mgfSha"].s, mh));
        slen = static_cast<std::ptrdiff_t>(g["sLen"].as_int());
      }
      rsa::PublicKey key, key2;
      REQUIRE(key.from_spki_der(g["publicKeyDer"].as_hex()) == Status::ok);
      REQUIRE(key2.from_pkcs1_der(g["publicKeyAsn"].as_hex()) == Status::ok);
      REQUIRE(test::to_hex(Bytes(key.modulus().begin(), key.modulus().end())) ==
              test::to_hex(Bytes(key2.modulus().begin(), key2.modulus().end())));
      for (auto& t : g["tests"].items) {
        INFO(file << " tcId " << t["tcId"].s << " " << t["comment"].s);
        const Bytes d = digest_of(h, t["msg"].as_hex());
        const Bytes sig = t["sig"].as_hex();
        Status s = pss ? rsa::verify_pss(key, h, mh, slen, d, sig) : rsa::verify_pkcs1v15(key, h, d, sig);
        const std::string& res = t["result"].s;
        if (res == "valid") REQUIRE(s == Status::ok);
        if (res == "invalid") REQUIRE(s != Status::ok);
        // acceptable (MissingNull): rejected by the strict encoding check.
        if (res == "acceptable") CHECK(s != Status::ok);
        ++n_pass;
      }
    }
    test::report(std::string("wycheproof ") + file, kernel, n_pass);
  });
}
}  // namespace

TEST_CASE("rsa: Wycheproof PKCS#1 v1.5 verify", "[rsa][wycheproof]") {
  for (const char* f : {"rsa_signature_2048_sha256_test.json", "rsa_signature_3072_sha256_test.json",
                        "rsa_signature_4096_sha384_test.json"})
    run_wycheproof(f, false);
}

TEST_CASE("rsa: Wycheproof PSS verify", "[rsa][wycheproof]") {
  for (const char* f : {"rsa_pss_2048_sha256_mgf1_32_test.json", "rsa_pss_3072_sha256_mgf1_32_test.json",
                        "rsa_pss_4096_sha384_mgf1_48_test.json"})
    run_wycheproof(f, true);
}

TEST_CASE("rsa: RFC 8448 server key and CertificateVerify", "[rsa][rfc8448]") {
  auto p8 = test::locate(test::Source::rfc8448, "keys/server_rsa_key.pkcs8.pem");
  auto p1 = test::locate(test::Source::rfc8448, "keys/server_rsa_key.pkcs1.pem");
  auto trace = test::locate(test::Source::rfc8448, "simple_1rtt.txt");
  if (!p8 || !p1 || !trace) return;
  const Bytes der8 = pem_body(test::read_file(*p8)), der1 = pem_body(test::read_file(*p1));
  rsa::PrivateKey weak;
  CHECK(weak.from_pkcs8_der(der8) == Status::weak_key);  // 1024-bit: below the default minimum
  CHECK(weak.from_pkcs1_der(der1) == Status::weak_key);
  // The trace's messages.
  std::map<std::string, Bytes> v;
  {
    std::string text = test::read_file(*trace);
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto eol = text.find('\n', pos);
      if (eol == std::string::npos) eol = text.size();
      std::string line = text.substr(pos, eol - pos);
      pos = eol + 1;
      auto sp = line.find(' ');
      if (sp == std::string::npos) continue;
      std::string val = line.substr(sp + 1);
      v[line.substr(0, sp)] = val == "-" ? Bytes{} : hex(val);
    }
  }
  const Bytes& cv = v.at("server.construct_a_certificateverify_handshake_message.1.certificateverify");
  REQUIRE(cv.size() == 4 + 4 + 128);
  REQUIRE(cv[4] == 0x08);
  REQUIRE(cv[5] == 0x04);  // rsa_pss_rsae_sha256
  const Bytes sig(cv.begin() + 8, cv.end());
  sha2::Sha256 th;
  for (const char* name : {"client.construct_a_clienthello_handshake_message.1.clienthello",
                           "server.construct_a_serverhello_handshake_message.1.serverhello",
                           "server.construct_an_encryptedextensions_handshake_message.1.encryptedextensions",
                           "server.construct_a_certificate_handshake_message.1.certificate"})
    th.update(v.at(name));
  Bytes content(64, 0x20);
  const std::string label = "TLS 1.3, server CertificateVerify";
  content.insert(content.end(), label.begin(), label.end());
  content.push_back(0);
  std::uint8_t thash[32];
  th.final(thash);
  content.insert(content.end(), thash, thash + 32);
  const Bytes d = digest_of(sha2::HashId::sha256, content);
  kernels("rsa-rfc8448", [&](const std::string& kernel) {
    rsa::PrivateKey k8, k1;
    REQUIRE(k8.from_pkcs8_der(der8, {.min_bits = 1024}) == Status::ok);
    REQUIRE(k1.from_pkcs1_der(der1, {.min_bits = 1024}) == Status::ok);
    REQUIRE(k8.bits() == 1024);
    REQUIRE(test::to_hex(Bytes(k8.public_key().modulus().begin(), k8.public_key().modulus().end())) ==
            test::to_hex(v.size() ? Bytes(k1.public_key().modulus().begin(), k1.public_key().modulus().end()) : Bytes{}));
    // The recorded signature verifies; altered ones do not.
    REQUIRE(rsa::verify_pss(k8.public_key(), sha2::HashId::sha256, sha2::HashId::sha256, 32, d, sig) == Status::ok);
    REQUIRE(rsa::verify_pss(k8.public_key(), sha2::HashId::sha256, sha2::HashId::sha256, -1, d, sig) == Status::ok);
    Bytes bad = sig;
    bad[10] ^= 1;
    REQUIRE(rsa::verify_pss(k8.public_key(), sha2::HashId::sha256, sha2::HashId::sha256, 32, d, bad) != Status::ok);
    // We sign, it verifies.
    TestRandom rng(8448);
    Bytes ours(128);
    REQUIRE(rsa::sign_pss(k8, sha2::HashId::sha256, d, 32, rng, ours) == Status::ok);
    REQUIRE(rsa::verify_pss(k1.public_key(), sha2::HashId::sha256, sha2::HashId::sha256, 32, d, ours) == Status::ok);
    test::report("rfc8448 rsa key/CertificateVerify", kernel, 3);
  });
}

TEST_CASE("rsa: sign/verify round trips with the fixed test keys", "[rsa]") {
  auto keys = test_keys();
  kernels("rsa-roundtrip", [&](const std::string& kernel) {
    std::size_t n = 0;
    TestRandom rng(1);
    test::Rng trng(2);
    for (auto& der : keys) {
      rsa::PrivateKey k;
      REQUIRE(k.from_pkcs1_der(der) == Status::ok);
      for (auto h : {sha2::HashId::sha256, sha2::HashId::sha384, sha2::HashId::sha512}) {
        const Bytes d = digest_of(h, trng.bytes(trng.below(100)));
        Bytes sig(k.size_bytes());
        for (std::size_t salt : {std::size_t{0}, sha2::digest_size(h), std::size_t{20}}) {
          REQUIRE(rsa::sign_pss(k, h, d, salt, rng, sig) == Status::ok);
          REQUIRE(rsa::verify_pss(k.public_key(), h, h, static_cast<std::ptrdiff_t>(salt), d, sig) == Status::ok);
          REQUIRE(rsa::verify_pss(k.public_key(), h, h, -1, d, sig) == Status::ok);
          if (salt != 0)
            REQUIRE(rsa::verify_pss(k.public_key(), h, h, static_cast<std::ptrdiff_t>(salt) - 1, d, sig) != Status::ok);
          ++n;
        }
        REQUIRE(rsa::sign_pkcs1v15(k, h, d, rng, sig) == Status::ok);
        REQUIRE(rsa::verify_pkcs1v15(k.public_key(), h, d, sig) == Status::ok);
        Bytes sig2(k.size_bytes());
        REQUIRE(rsa::sign_pkcs1v15(k, h, d, rng, sig2) == Status::ok);
        REQUIRE(sig == sig2);  // deterministic despite blinding
        Bytes d2 = d;
        d2[0] ^= 1;
        REQUIRE(rsa::verify_pkcs1v15(k.public_key(), h, d2, sig) == Status::bad_signature);
        ++n;
      }
    }
    test::report("rsa sign/verify round trips", kernel, n);
  });
}

namespace tern::rsa {
// Holds a key's blinding-pair lock, as a concurrent signer would, so the
// fresh-r (folded unblinding) path runs.
struct PrivateKeyTestAccess {
  static void hold_blinding(const PrivateKey& k) { (void)k.blind_lock_.test_and_set(); }
  static void release_blinding(const PrivateKey& k) { k.blind_lock_.clear(); }
};
}  // namespace tern::rsa

TEST_CASE("rsa: signing while the blinding pair is busy (fresh r, folded unblinding)", "[rsa]") {
  auto keys = test_keys();
  kernels("rsa-fold", [&](const std::string& kernel) {
    std::size_t n = 0;
    TestRandom rng(55);
    for (auto& der : keys) {
      rsa::PrivateKey k;
      REQUIRE(k.from_pkcs1_der(der) == Status::ok);
      rsa::PrivateKeyTestAccess::hold_blinding(k);
      for (auto h : {sha2::HashId::sha256, sha2::HashId::sha512}) {
        const Bytes d = digest_of(h, Bytes{1, 2, 3, static_cast<std::uint8_t>(n)});
        Bytes sig(k.size_bytes()), sig2(k.size_bytes());
        REQUIRE(rsa::sign_pss(k, h, d, 20, rng, sig) == Status::ok);
        REQUIRE(rsa::verify_pss(k.public_key(), h, h, 20, d, sig) == Status::ok);
        REQUIRE(rsa::sign_pkcs1v15(k, h, d, rng, sig) == Status::ok);
        rsa::PrivateKeyTestAccess::release_blinding(k);
        REQUIRE(rsa::sign_pkcs1v15(k, h, d, rng, sig2) == Status::ok);  // stored-pair path
        rsa::PrivateKeyTestAccess::hold_blinding(k);
        REQUIRE(sig == sig2);
        REQUIRE(rsa::verify_pkcs1v15(k.public_key(), h, d, sig) == Status::ok);
        ++n;
      }
      rsa::PrivateKeyTestAccess::release_blinding(k);
    }
    test::report("rsa signing with folded blinding", kernel, n);
  });
}

TEST_CASE("rsa: many signatures with one key (blinding pair refreshes)", "[rsa]") {
  auto keys = test_keys();
  kernels("rsa-blinding", [&](const std::string& kernel) {
    rsa::PrivateKey k;
    REQUIRE(k.from_pkcs1_der(keys[0]) == Status::ok);
    TestRandom rng(77);
    test::Rng trng(78);
    std::size_t n = 0;
    for (int i = 0; i < 70; ++i) {  // more than two refresh periods
      const Bytes d = digest_of(sha2::HashId::sha256, trng.bytes(16));
      Bytes sig(k.size_bytes());
      REQUIRE(rsa::sign_pss(k, sha2::HashId::sha256, d, 32, rng, sig) == Status::ok);
      REQUIRE(rsa::verify_pss(k.public_key(), sha2::HashId::sha256, sha2::HashId::sha256, 32, d, sig) == Status::ok);
      ++n;
    }
    test::report("rsa repeated signing", kernel, n);
  });
}

TEST_CASE("rsa: PKCS#8 id-RSASSA-PSS key", "[rsa]") {
  auto path = test::locate(test::Source::vectors, "rsa/test_keys.txt");
  REQUIRE(path);
  Bytes der;
  for (auto& r : test::parse_records(test::read_file(*path)))
    if (r.has("Pkcs8Pss")) der = r.bytes("Pkcs8Pss");
  REQUIRE(!der.empty());
  rsa::PrivateKey k;
  REQUIRE(k.from_pkcs8_der(der) == Status::ok);
  REQUIRE(k.bits() == 2048);
  TestRandom rng(10);
  const Bytes d = digest_of(sha2::HashId::sha256, Bytes{'p', 's', 's'});
  Bytes sig(k.size_bytes());
  REQUIRE(rsa::sign_pss(k, sha2::HashId::sha256, d, 32, rng, sig) == Status::ok);
  REQUIRE(rsa::verify_pss(k.public_key(), sha2::HashId::sha256, sha2::HashId::sha256, 32, d, sig) == Status::ok);
  // The same DER is not a PKCS#1 key.
  rsa::PrivateKey k1;
  REQUIRE(k1.from_pkcs1_der(der) != Status::ok);
}

TEST_CASE("rsa: malformed keys and signatures are errors", "[rsa]") {
  auto keys = test_keys();
  rsa::PrivateKey k;
  REQUIRE(k.from_pkcs1_der(keys[0]) == Status::ok);
  // Every truncation of the key DER fails cleanly.
  for (std::size_t len = 0; len < keys[0].size(); len += (len < 64 ? 1 : 37)) {
    rsa::PrivateKey t;
    REQUIRE(t.from_pkcs1_der(std::span<const std::uint8_t>(keys[0].data(), len)) != Status::ok);
  }
  // Flipped bytes: error or (if it still parses) a consistent key check fails.
  test::Rng rng(3);
  for (int i = 0; i < 200; ++i) {
    Bytes der = keys[0];
    der[rng.below(der.size())] ^= static_cast<std::uint8_t>(1 + rng.below(255));
    rsa::PrivateKey t;
    (void)t.from_pkcs1_der(der);
  }
  // Public keys: small, even, bad e.
  rsa::PublicKey pk;
  Bytes n(k.public_key().modulus().begin(), k.public_key().modulus().end());
  CHECK(pk.from_components(n, hex("010001")) == Status::ok);
  CHECK(pk.from_components(n, hex("02")) == Status::bad_key);
  CHECK(pk.from_components(n, hex("01")) == Status::bad_key);
  CHECK(pk.from_components(n, hex("")) == Status::bad_key);
  CHECK(pk.from_components(n, n) == Status::bad_key);
  Bytes even = n;
  even.back() ^= 1;
  CHECK(pk.from_components(even, hex("010001")) == Status::bad_key);
  CHECK(pk.from_components(Bytes(n.begin() + 129, n.end()), hex("010001")) == Status::bad_key);  // < 1024 bits
  CHECK(pk.from_pkcs1_der(hex("3000")) != Status::ok);
  CHECK(pk.from_spki_der(hex("30")) != Status::ok);
  // Signatures: wrong length, >= n, zero.
  REQUIRE(pk.from_components(n, hex("010001")) == Status::ok);
  const Bytes d = digest_of(sha2::HashId::sha256, Bytes{1, 2, 3});
  CHECK(rsa::verify_pkcs1v15(pk, sha2::HashId::sha256, d, Bytes(255)) == Status::bad_signature);
  CHECK(rsa::verify_pkcs1v15(pk, sha2::HashId::sha256, d, Bytes(257)) == Status::bad_signature);
  CHECK(rsa::verify_pkcs1v15(pk, sha2::HashId::sha256, d, n) == Status::bad_signature);
  CHECK(rsa::verify_pkcs1v15(pk, sha2::HashId::sha256, d, Bytes(256)) == Status::bad_signature);
  CHECK(rsa::verify_pss(pk, sha2::HashId::sha256, sha2::HashId::sha256, -1, d, Bytes(256, 0xff)) == Status::bad_signature);
  CHECK(rsa::verify_pss(pk, sha2::HashId::sha256, sha2::HashId::sha256, 1000, d, Bytes(256, 1)) == Status::bad_signature);
  CHECK(rsa::verify_pkcs1v15(pk, sha2::HashId::sha256, Bytes(31), Bytes(256, 1)) == Status::bad_length);
  for (int i = 0; i < 100; ++i) {
    Bytes s = rng.bytes(256);
    CHECK(rsa::verify_pss(pk, sha2::HashId::sha256, sha2::HashId::sha256, -1, d, s) != Status::ok);
  }
  rsa::PublicKey empty;
  CHECK(rsa::verify_pkcs1v15(empty, sha2::HashId::sha256, d, Bytes(256)) == Status::bad_key);
  rsa::PrivateKey none;
  TestRandom tr(1);
  Bytes out(256);
  CHECK(rsa::sign_pss(none, sha2::HashId::sha256, d, 32, tr, out) == Status::bad_key);
  CHECK(rsa::sign_pss(k, sha2::HashId::sha256, d, 300, tr, out) == Status::bad_length);
  Bytes small(100);
  CHECK(rsa::sign_pss(k, sha2::HashId::sha256, d, 32, tr, small) == Status::buffer_too_small);
}

#if TERN_HAVE_OPENSSL
namespace {
const EVP_MD* evp_md(sha2::HashId h) {
  return h == sha2::HashId::sha256 ? EVP_sha256() : h == sha2::HashId::sha384 ? EVP_sha384() : EVP_sha512();
}
}  // namespace

TEST_CASE("rsa: differential vs OpenSSL (random keys and messages)", "[rsa][openssl]") {
  std::vector<Bytes> keys = test_keys();
  // Two fresh OpenSSL keys as well.
  for (unsigned bits : {2048u, 2560u}) {
    EVP_PKEY* p = EVP_RSA_gen(bits);
    REQUIRE(p);
    unsigned char* buf = nullptr;
    int len = i2d_PrivateKey(p, &buf);
    REQUIRE(len > 0);
    keys.emplace_back(buf, buf + len);
    OPENSSL_free(buf);
    EVP_PKEY_free(p);
  }
  kernels("rsa-openssl", [&](const std::string& kernel) {
    std::size_t n = 0;
    TestRandom rng(99);
    test::Rng trng(5);
    for (auto& der : keys) {
      rsa::PrivateKey k;
      REQUIRE(k.from_pkcs1_der(der) == Status::ok);
      const unsigned char* pp = der.data();
      EVP_PKEY* ossl = d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &pp, static_cast<long>(der.size()));
      REQUIRE(ossl);
      // SPKI from OpenSSL loads into ours.
      unsigned char* sp = nullptr;
      int splen = i2d_PUBKEY(ossl, &sp);
      rsa::PublicKey pub;
      REQUIRE(pub.from_spki_der(std::span<const std::uint8_t>(sp, static_cast<std::size_t>(splen))) == Status::ok);
      OPENSSL_free(sp);
      for (int iter = 0; iter < 3; ++iter) {
        const auto h = static_cast<sha2::HashId>(iter);
        const Bytes msg = trng.bytes(trng.below(300));
        const Bytes d = digest_of(h, msg);
        const std::size_t slen = iter == 2 ? 0 : sha2::digest_size(h);
        // ours -> OpenSSL (PSS)
        Bytes sig(k.size_bytes());
        REQUIRE(rsa::sign_pss(k, h, d, slen, rng, sig) == Status::ok);
        EVP_PKEY_CTX* c = EVP_PKEY_CTX_new(ossl, nullptr);
        REQUIRE(EVP_PKEY_verify_init(c) == 1);
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_signature_md(c, evp_md(h));
        EVP_PKEY_CTX_set_rsa_mgf1_md(c, evp_md(h));
        EVP_PKEY_CTX_set_rsa_pss_saltlen(c, static_cast<int>(slen));
        REQUIRE(EVP_PKEY_verify(c, sig.data(), sig.size(), d.data(), d.size()) == 1);
        EVP_PKEY_CTX_free(c);
        // OpenSSL PSS and PKCS#1 -> ours
        for (int pad : {RSA_PKCS1_PSS_PADDING, RSA_PKCS1_PADDING}) {
          c = EVP_PKEY_CTX_new(ossl, nullptr);
          REQUIRE(EVP_PKEY_sign_init(c) == 1);
          EVP_PKEY_CTX_set_rsa_padding(c, pad);
          EVP_PKEY_CTX_set_signature_md(c, evp_md(h));
          if (pad == RSA_PKCS1_PSS_PADDING) {
            EVP_PKEY_CTX_set_rsa_mgf1_md(c, evp_md(h));
            EVP_PKEY_CTX_set_rsa_pss_saltlen(c, static_cast<int>(slen));
          }
          std::size_t siglen = sig.size();
          REQUIRE(EVP_PKEY_sign(c, sig.data(), &siglen, d.data(), d.size()) == 1);
          EVP_PKEY_CTX_free(c);
          if (pad == RSA_PKCS1_PSS_PADDING) {
            REQUIRE(rsa::verify_pss(pub, h, h, static_cast<std::ptrdiff_t>(slen), d, sig) == Status::ok);
          } else {
            REQUIRE(rsa::verify_pkcs1v15(pub, h, d, sig) == Status::ok);
            Bytes ours(k.size_bytes());
            REQUIRE(rsa::sign_pkcs1v15(k, h, d, rng, ours) == Status::ok);
            REQUIRE(ours == sig);  // deterministic: identical to OpenSSL's
          }
        }
        ++n;
      }
      EVP_PKEY_free(ossl);
    }
    test::report("rsa differential vs OpenSSL", kernel, n);
  });
}
#endif
