// Constant-time check for RSA signing: the private key (primes, CRT
// exponents, q^-1, the Montgomery constants of p and q) and the blinding
// factor are secret; RSA-PSS and PKCS#1 v1.5 signatures (stored blinding
// pair: first use with its Fermat inversion, then a squared pair; and the
// fresh-blinding fallback) with the
// 2048-bit test key of vectors/rsa/test_keys.txt must not branch on or
// index memory by them. The signature is declassified once released.
// Runs with whichever bignum kernel is active. valgrind hides ADX and
// AVX-512 from CPUID, so that is the portable kernel in both runs; the adx
// kernel shares all its C++ around the MULX/ADCX/ADOX row (fixed trip
// counts, no data-dependent branches), and the IFMA code cannot run there.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "crypto/rsa/rsa.hpp"
#include "tests/ct/ct.hpp"

namespace tern::rsa {
struct PrivateKeyTestAccess {
  static void mark_secret(PrivateKey& k) {
    using ctcheck::secret;
    for (bignum::Modulus* m : {&k.p_, &k.q_}) {
      secret(m->m, m->n * sizeof(bignum::Limb));
      secret(m->rr, m->n * sizeof(bignum::Limb));
      secret(&m->m0inv, sizeof m->m0inv);
    }
    secret(k.dp_, sizeof k.dp_);
    secret(k.dq_, sizeof k.dq_);
    secret(k.pm2_, sizeof k.pm2_);
    secret(k.qm2_, sizeof k.qm2_);
    secret(k.qinv_, sizeof k.qinv_);
  }
  static void hold_blinding(const PrivateKey& k) { (void)k.blind_lock_.test_and_set(); }
  static void release_blinding(const PrivateKey& k) { k.blind_lock_.clear(); }
};
}  // namespace tern::rsa

namespace {

// vectors/rsa/test_keys.txt, the 2048-bit key (PKCS#1 DER).
const char* const kKey2048 =
    "308204a30201000282010100cb3c8d27e3cf1991ef40e09d78755d1b169d67fb1e6a8660c36d492f217768b891c642cd"
    "8b7f36580e4a2f07ea5e92d6fdcd099b2013da44d6dc3e3f1bdccaa43ef285e65b45f1b1b8c292eaf8367230b978a430"
    "7a44176693f4d2eaca4d289e0b77054eebcfd87146e365249741b61c2de2ae5d1d044d3dd8f18af1db42ce0a0f85195d"
    "d132f5d7ccb4a8aae3de6ff909ad5d1de885ae4b439d3fe075857c8ec4d3578cd8bfeb4e0ddfc96904b3ea21f7200a1e"
    "e9a90afd92a73e995e1d0af5d8cedb52315ebb39db430a4e996bb2540665faf8ca7d099b4decb802ee68b424f067bdd9"
    "c47ef849a02309a395a622250a3b1c7f7c308653a8c95b72248d4e370203010001028201004801e8315df19ea9aa0f5e"
    "85ec8c08b4f44a48f11c51b9d2c6eb0da6f9408985fb803763042dca5f6090c02119d4f049e41aa570a4e8e3c8c827b8"
    "963b94fae73eb646e2db2be8fa82efcd861af38f79dbfcf68f86826198228bf7bee0767e11a116467733edac4e564373"
    "2e87b8ec810770ed3e686d81c08c00e8add075d6f1eff35a00768aafc4cf399037b5406f867e7d5ec1753a92c99016f1"
    "40e24056bc7000d881651a3392f6e79045c2f5294a800ccddea82688d31b86cc8f6bf4a1ec48556409178b2ea562cc10"
    "9182726d10d4a17bf4fd83ce488a39c4b529628c4d9afa6e00825806223bf3b571729d03220a13eeb800e8b24afdea62"
    "944378504102818100e485b172cf3696d9d4d98e7b0e2f61370b17b55f4c394864c8a5caacae228b7ece31bcdf44982c"
    "8371f02e1fec0f35c6ebee0bd9da8c6e86cb04612fcaf1223457a686208d7b4eec73d19d92d39f039c756d02624e6b08"
    "9f883dd262b2d7a6269ca4a04b365bc01f369aace2507edc28432a841f85da6d5289f4cf66b12e309902818100e3ac85"
    "4a63cf0e1303d32ba2eb55d5bf97428eaa25fa5f3d5e9ad54c427ffe1b7cc4e0e78d699438e02cbcf698040bb8a72f31"
    "9ba6240da67df7e37944ce2d19c48615cb8269dc0b9751cfe5971933829566af66173fc82287c91aa553406097460bf5"
    "2c4bfb590a1062a43a6976f15376f528024c52cc89df3916e2db2d274f0281801241ec2f7406b47eaad6c6df65febb11"
    "9ebd422c5ef6a4a608b1d6437d961cf7009a50b0b5d642982dde36912e56f8c0efd090f9d2d02d746f7be617df6aec84"
    "aa0c0fe341ea7c1fc0111b39c3d68c7f4f926a0258a98c82d26bbe074caa9607b7b41f6a62e969ac14bcbedb45fb1cb3"
    "cac9f6cc5df15992a29b0086ffd8e4e10281801b4aa2efb7e72a18bd6ca2de74b765580219c8603d0d363d7509ba67d9"
    "d0ddf50d8fcc25f59da256ef086dde617a9aad17dd6064f8157a4d6aec3c285d4719c0ecfde5beef73211d82961c05b9"
    "871bd59b7323b369360c17978f53d25d9869fbb839d6b9e8a1c89a9c3c36d389b0e85cc8f5ba460c4020a4a64d81a0d0"
    "0529a1028181008be50b0daab3b4faa5a3a99e9061ba85d0d4e3ef2306550ab23ce8d4e525d31e2b2cb2a057d87461e0"
    "df34312e40f70942f5a66baa2357f7189543e849eeecfd4313e414fdf969e51f2dcdcb0705ca23f3ac346a8df6874064"
    "14fe294c0e32235e59a224421c4f9b420f68a907a35b07bf45a896c5de253f08807bad6857cbbd";

std::vector<std::uint8_t> unhex(const char* h) {
  std::vector<std::uint8_t> out;
  auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (; h[0] && h[1]; h += 2) out.push_back(static_cast<std::uint8_t>(nib(h[0]) * 16 + nib(h[1])));
  return out;
}

// Deterministic randomness whose output after the first request (the PSS
// salt, which becomes part of the public encoded message) is marked secret:
// that is the blinding factor.
class SecretRandom final : public tern::RandomSource {
 public:
  explicit SecretRandom(bool first_public) : first_public_(first_public) {}
  tern::Status fill(std::span<std::uint8_t> out) noexcept override {
    tern::Status s = inner_.fill(out);
    if (!first_public_ || calls_ > 0) tern::ctcheck::secret(out.data(), out.size());
    ++calls_;
    return s;
  }

 private:
  tern::TestRandom inner_{2048};
  bool first_public_;
  int calls_ = 0;
};

void rsa_sign(bool pss, bool fold = false) {
  static tern::rsa::PrivateKey key;
  static bool loaded = false;
  if (!loaded) {
    auto der = unhex(kKey2048);
    if (key.from_pkcs1_der(der) != tern::Status::ok) __builtin_trap();
    tern::rsa::PrivateKeyTestAccess::mark_secret(key);
    loaded = true;
    std::printf("ct: rsa signing with bignum kernel %s\n", tern::bignum::bignum_kernels().active());
  }
  std::uint8_t digest[32];
  for (int i = 0; i < 32; ++i) digest[i] = static_cast<std::uint8_t>(i * 5 + 3);
  std::uint8_t sig[256];
  SecretRandom rng(pss);
  if (fold) tern::rsa::PrivateKeyTestAccess::hold_blinding(key);
  tern::Status s = pss ? tern::rsa::sign_pss(key, tern::sha2::HashId::sha256, digest, 32, rng, sig)
                       : tern::rsa::sign_pkcs1v15(key, tern::sha2::HashId::sha256, digest, rng, sig);
  tern::ctcheck::declassify(sig, sizeof sig);
  tern::ctcheck::declassify(&s, sizeof s);
  if (fold) tern::rsa::PrivateKeyTestAccess::release_blinding(key);
  if (s != tern::Status::ok) __builtin_trap();
}

TERN_CT_CASE("rsa2048-pss-sign", [] { rsa_sign(true); });
TERN_CT_CASE("rsa2048-pkcs1v15-sign", [] { rsa_sign(false); });
// With the stored blinding pair busy: fresh r, unblinding folded into the
// CRT exponentiations.
TERN_CT_CASE("rsa2048-pss-sign-fresh-blinding", [] { rsa_sign(true, true); });

}  // namespace
