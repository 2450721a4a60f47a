// RSA key generation and the primality helpers behind it: known primes and
// composites, trial division and Miller-Rabin against OpenSSL's BN, and
// generated keys checked for their FIPS 186-5 properties, used for PSS and
// PKCS#1 v1.5 signatures with crypto/rsa, and (when libcrypto is
// available) accepted by OpenSSL's key check and signature verification.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "crypto/bignum/bignum.hpp"
#include "crypto/bignum/prime.hpp"
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

#ifndef TERN_TEST_CROSS
#define TERN_TEST_CROSS 0
#endif

using namespace tern;
using tern::test::Bytes;
namespace bn = tern::bignum;

namespace {

// 2^k - 1 in `limbs` limbs.
std::vector<bn::Limb> mersenne(unsigned k) {
  std::vector<bn::Limb> v((k + 63) / 64, ~bn::Limb{0});
  if (k % 64) v.back() = (bn::Limb{1} << (k % 64)) - 1;
  return v;
}

std::vector<bn::Limb> product(const std::vector<bn::Limb>& a, const std::vector<bn::Limb>& b) {
  std::vector<bn::Limb> r(a.size() + b.size());
  bn::mul(r.data(), a.data(), a.size(), b.data(), b.size());
  while (!r.empty() && r.back() == 0) r.pop_back();
  return r;
}

bool mr(const std::vector<bn::Limb>& w, RandomSource& rng, unsigned rounds = 5) {
  bool probable = false;
  REQUIRE(bn::miller_rabin(w.data(), w.size(), rounds, rng, probable) == Status::ok);
  return probable;
}

std::vector<bn::Limb> limbs_of(std::span<const std::uint8_t> be) {
  std::vector<bn::Limb> v((be.size() + 7) / 8);
  REQUIRE(bn::from_be(v.data(), v.size(), be));
  return v;
}

Bytes digest_of(sha2::HashId h, const Bytes& msg) {
  Bytes d(sha2::digest_size(h));
  sha2::AnyHash::hash(h, d, msg);
  return d;
}

// The properties FIPS 186-5 A.1.1/A.1.3 ask of a generated key, checked
// with our own arithmetic.
void check_key_properties(const rsa::GeneratedKey& g, RandomSource& rng) {
  const std::size_t bits = g.bits(), half = bits / 2;
  auto n = limbs_of(g.n()), p = limbs_of(g.p()), q = limbs_of(g.q()), d = limbs_of(g.d());
  REQUIRE(bn::bit_length_vartime(n.data(), n.size()) == bits);
  for (auto* f : {&p, &q}) {
    REQUIRE(bn::bit_length_vartime(f->data(), f->size()) == half);
    REQUIRE((f->back() >> 62) == 3);  // top two bits
    REQUIRE(((*f)[0] & 1) == 1);
    REQUIRE(bn::small_factor_mask(f->data(), f->size()) == 0);
    REQUIRE(bn::mod_small(f->data(), f->size(), 65537) != 1);
    REQUIRE(mr(*f, rng, 8));
  }
  REQUIRE(product(p, q) == n);
  // |p - q| > 2^(half - 100)
  std::vector<bn::Limb> diff(p.size());
  if (bn::sub(diff.data(), p.data(), q.data(), p.size())) bn::sub(diff.data(), q.data(), p.data(), p.size());
  REQUIRE(bn::bit_length_vartime(diff.data(), diff.size()) > half - 100);
  // 2^half < d
  REQUIRE(bn::bit_length_vartime(d.data(), d.size()) > half);
  // m^(e d) == m mod n for a few m, through the Montgomery helpers.
  bn::Modulus N;
  REQUIRE(N.init(n.data(), n.size()) == Status::ok);
  test::Rng trng(bits);
  for (int i = 0; i < 3; ++i) {
    Bytes mb = trng.bytes(bits / 8);
    mb[0] &= 0x3f;
    auto m = limbs_of(mb);
    std::vector<bn::Limb> c(n.size()), mm(n.size()), r(n.size());
    bn::modexp_public(c.data(), m.data(), g.e(), N);
    bn::to_mont(mm.data(), c.data(), N);
    bn::pow_secret(r.data(), mm.data(), d.data(), N);
    bn::from_mont(r.data(), r.data(), N);
    REQUIRE(r == m);
  }
  // Private key loads; PSS and PKCS#1 v1.5 signatures verify.
  rsa::PrivateKey key;
  REQUIRE(g.to_private_key(key) == Status::ok);
  REQUIRE(key.bits() == bits);
  for (auto h : {sha2::HashId::sha256, sha2::HashId::sha384, sha2::HashId::sha512}) {
    const Bytes dg = digest_of(h, trng.bytes(100));
    Bytes sig(key.size_bytes());
    REQUIRE(rsa::sign_pss(key, h, dg, sha2::digest_size(h), rng, sig) == Status::ok);
    REQUIRE(rsa::verify_pss(key.public_key(), h, h, static_cast<std::ptrdiff_t>(sha2::digest_size(h)), dg, sig) ==
            Status::ok);
    sig[5] ^= 1;
    REQUIRE(rsa::verify_pss(key.public_key(), h, h, -1, dg, sig) == Status::bad_signature);
    REQUIRE(rsa::sign_pkcs1v15(key, h, dg, rng, sig) == Status::ok);
    REQUIRE(rsa::verify_pkcs1v15(key.public_key(), h, dg, sig) == Status::ok);
  }
  // The PKCS#1 encodings load back.
  Bytes der(rsa::GeneratedKey::kMaxPkcs1Der);
  std::size_t len = 0;
  REQUIRE(g.to_pkcs1_der(der, len) == Status::ok);
  der.resize(len);
  rsa::PrivateKey again;
  REQUIRE(again.from_pkcs1_der(der) == Status::ok);
  Bytes pub(rsa::GeneratedKey::kMaxPublicDer);
  REQUIRE(g.to_public_der(pub, len) == Status::ok);
  pub.resize(len);
  rsa::PublicKey pk;
  REQUIRE(pk.from_pkcs1_der(pub) == Status::ok);
  REQUIRE(pk.bits() == bits);
}

#if TERN_HAVE_OPENSSL
BIGNUM* bn_of(std::span<const std::uint8_t> be) {
  return BN_bin2bn(be.data(), static_cast<int>(be.size()), nullptr);
}

// OpenSSL's view: RSA key check, d == e^-1 mod lcm(p-1, q-1), and
// signatures verified both ways.
void check_with_openssl(const rsa::GeneratedKey& g, RandomSource& rng) {
  Bytes der(rsa::GeneratedKey::kMaxPkcs1Der);
  std::size_t len = 0;
  REQUIRE(g.to_pkcs1_der(der, len) == Status::ok);
  der.resize(len);
  const unsigned char* pp = der.data();
  EVP_PKEY* pkey = d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &pp, static_cast<long>(der.size()));
  REQUIRE(pkey);
  EVP_PKEY_CTX* chk = EVP_PKEY_CTX_new(pkey, nullptr);
  REQUIRE(EVP_PKEY_check(chk) == 1);
  EVP_PKEY_CTX_free(chk);

  BN_CTX* ctx = BN_CTX_new();
  BIGNUM *p = bn_of(g.p()), *q = bn_of(g.q()), *d = bn_of(g.d()), *e = bn_of(g.e());
  BIGNUM *p1 = BN_new(), *q1 = BN_new(), *gcd = BN_new(), *lcm = BN_new(), *t = BN_new();
  BN_sub(p1, p, BN_value_one());
  BN_sub(q1, q, BN_value_one());
  BN_gcd(gcd, p1, q1, ctx);
  BN_mul(t, p1, q1, ctx);
  BN_div(lcm, nullptr, t, gcd, ctx);
  BIGNUM* dexp = BN_mod_inverse(nullptr, e, lcm, ctx);
  REQUIRE(dexp);
  REQUIRE(BN_cmp(dexp, d) == 0);  // d is e^-1 mod lambda (so d < lambda)
  BN_free(dexp);
  for (BIGNUM* b : {p, q, d, e, p1, q1, gcd, lcm, t}) BN_free(b);
  BN_CTX_free(ctx);

  rsa::PrivateKey key;
  REQUIRE(g.to_private_key(key) == Status::ok);
  test::Rng trng(7);
  const Bytes dg = digest_of(sha2::HashId::sha256, trng.bytes(64));
  for (int pad : {RSA_PKCS1_PSS_PADDING, RSA_PKCS1_PADDING}) {
    Bytes sig(key.size_bytes());
    if (pad == RSA_PKCS1_PSS_PADDING)
      REQUIRE(rsa::sign_pss(key, sha2::HashId::sha256, dg, 32, rng, sig) == Status::ok);
    else
      REQUIRE(rsa::sign_pkcs1v15(key, sha2::HashId::sha256, dg, rng, sig) == Status::ok);
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new(pkey, nullptr);
    REQUIRE(EVP_PKEY_verify_init(c) == 1);
    EVP_PKEY_CTX_set_rsa_padding(c, pad);
    EVP_PKEY_CTX_set_signature_md(c, EVP_sha256());
    if (pad == RSA_PKCS1_PSS_PADDING) EVP_PKEY_CTX_set_rsa_pss_saltlen(c, 32);
    REQUIRE(EVP_PKEY_verify(c, sig.data(), sig.size(), dg.data(), dg.size()) == 1);
    EVP_PKEY_CTX_free(c);
    // OpenSSL signs with our key; we verify.
    c = EVP_PKEY_CTX_new(pkey, nullptr);
    REQUIRE(EVP_PKEY_sign_init(c) == 1);
    EVP_PKEY_CTX_set_rsa_padding(c, pad);
    EVP_PKEY_CTX_set_signature_md(c, EVP_sha256());
    std::size_t siglen = sig.size();
    REQUIRE(EVP_PKEY_sign(c, sig.data(), &siglen, dg.data(), dg.size()) == 1);
    EVP_PKEY_CTX_free(c);
    if (pad == RSA_PKCS1_PSS_PADDING)
      REQUIRE(rsa::verify_pss(key.public_key(), sha2::HashId::sha256, sha2::HashId::sha256, -1, dg, sig) ==
              Status::ok);
    else
      REQUIRE(rsa::verify_pkcs1v15(key.public_key(), sha2::HashId::sha256, dg, sig) == Status::ok);
  }
  EVP_PKEY_free(pkey);
}
#endif

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("prime: residues and trial division", "[bignum][prime]") {
  // 2^127 - 1 is prime (no small factor); 2047 * 2039 has the factors
  // 23, 89 and 2039.
  auto m127 = mersenne(127);
  REQUIRE(bn::mod_small(m127.data(), m127.size(), 3) == 1);       // 2^127 = 2 mod 3
  REQUIRE(bn::mod_small(m127.data(), m127.size(), 65537) == 32768);  // 2^32 = 1, 2^16 = -1 (mod 65537)
  REQUIRE(bn::small_factor_mask(m127.data(), m127.size()) == 0);
  std::vector<bn::Limb> v = {2047 * 2039ull, 0};
  REQUIRE(bn::small_factor_mask(v.data(), 2) != 0);
  std::size_t n = 0;
  test::Rng trng(3);
  for (int i = 0; i < 500; ++i) {
    std::vector<bn::Limb> a(1 + trng.below(8));
    for (auto& l : a) l = trng.next();
    for (std::uint32_t s : {2u, 3u, 5u, 7u, 251u, 2039u, 65521u, 65537u}) {
      // reference: Horner with % on 32-bit halves
      std::uint64_t r = 0;
      for (std::size_t k = a.size(); k-- > 0;) {
        r = ((r << 32) | (a[k] >> 32)) % s;
        r = ((r << 32) | (a[k] & 0xffffffffu)) % s;
      }
      REQUIRE(bn::mod_small(a.data(), a.size(), s) == r);
      ++n;
    }
  }
  test::report("prime mod_small vs %", "default", n);
}

TEST_CASE("prime: Miller-Rabin on known primes and composites", "[bignum][prime]") {
  TestRandom rng(11);
  const unsigned primes[] = {127, 521, 607, 1279, 2203};
  std::size_t n = 0;
  for (unsigned k : primes) {
    REQUIRE(mr(mersenne(k), rng));
    ++n;
  }
  // Composites: products of the primes, 2^k - 1 for composite k, and a
  // strong pseudoprime to base 2 scaled up (2047 * 2^k - 1 style values
  // aren't needed: random bases catch everything here).
  REQUIRE_FALSE(mr(product(mersenne(127), mersenne(521)), rng));
  REQUIRE_FALSE(mr(product(mersenne(607), mersenne(607)), rng));
  for (unsigned k : {129u, 511u, 1023u, 2047u}) REQUIRE_FALSE(mr(mersenne(k), rng));
  // w - 1 divisible by 2^64: reported composite by design.
  std::vector<bn::Limb> w = {1, 0, 1};
  REQUIRE_FALSE(mr(w, rng));
  n += 7;
  test::report("prime Miller-Rabin known values", "default", n);
  bool probable = true;
  std::vector<bn::Limb> even = {4, 1};
  REQUIRE(bn::miller_rabin(even.data(), 2, 5, rng, probable) == Status::bad_length);
  REQUIRE_FALSE(probable);
  REQUIRE(bn::miller_rabin_rounds(1024) == 5);
  REQUIRE(bn::miller_rabin_rounds(1536) == 4);
  REQUIRE(bn::miller_rabin_rounds(2048) == 4);
}

#if TERN_HAVE_OPENSSL
TEST_CASE("prime: trial division and Miller-Rabin vs OpenSSL BN_check_prime", "[bignum][prime][openssl]") {
  TestRandom rng(12);
  test::Rng trng(13);
  BN_CTX* ctx = BN_CTX_new();
  std::size_t n = 0, primes = 0;
  const int count = TERN_TEST_CROSS ? 300 : 3000;
  for (int i = 0; i < count; ++i) {
    Bytes be = trng.bytes(32);
    be[0] |= 0x80;
    be[31] |= 1;
    auto w = limbs_of(be);
    BIGNUM* b = BN_bin2bn(be.data(), 32, nullptr);
    bool small = false;
    for (BN_ULONG s = 3; s < bn::kTrialDivisionBound; s += 2)
      if (BN_mod_word(b, s) == 0) small = true;  // composite s divides only if a prime factor does
    REQUIRE((bn::small_factor_mask(w.data(), w.size()) != 0) == small);
    const bool ref = BN_check_prime(b, ctx, nullptr) == 1;
    REQUIRE(mr(w, rng) == ref);
    primes += ref;
    ++n;
    BN_free(b);
  }
  BN_CTX_free(ctx);
  REQUIRE(primes > 0);
  test::report("prime verdicts vs OpenSSL (" + std::to_string(primes) + " primes)", "default", n);
}
#endif

TEST_CASE("rsa keygen: 2048-bit keys on every bignum kernel", "[rsa][keygen]") {
  std::uint64_t seed = 100;
  test::for_each_kernel("rsa-keygen", bn::bignum_kernels(), [&](const std::string& kernel) {
    TestRandom rng(seed++);
    rsa::GeneratedKey g;
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(rsa::generate_key(2048, g, rng) == Status::ok);
    std::printf("rsa keygen 2048 [%s]: %.2f s\n", kernel.c_str(), seconds_since(t0));
    check_key_properties(g, rng);
#if TERN_HAVE_OPENSSL
    check_with_openssl(g, rng);
#endif
    test::report("rsa keygen 2048", kernel, 1);
  });
}

TEST_CASE("rsa keygen: deterministic for a given random stream; sizes", "[rsa][keygen]") {
  rsa::GeneratedKey a, b;
  TestRandom r1(7), r2(7);
  REQUIRE(rsa::generate_key(2048, a, r1) == Status::ok);
  REQUIRE(rsa::generate_key(2048, b, r2) == Status::ok);
  REQUIRE(std::memcmp(a.n().data(), b.n().data(), 256) == 0);
  // A different stream gives a different key.
  TestRandom r3(8);
  REQUIRE(rsa::generate_key(2048, b, r3) == Status::ok);
  REQUIRE(std::memcmp(a.n().data(), b.n().data(), 256) != 0);
  for (std::size_t bad : {0u, 1024u, 2047u, 2049u, 8192u}) REQUIRE(rsa::generate_key(bad, b, r3) == Status::unsupported);
  REQUIRE(b.bits() == 0);
  // The OS source works too.
  rsa::GeneratedKey os;
  REQUIRE(rsa::generate_key(2048, os) == Status::ok);
  REQUIRE(os.bits() == 2048);
}

#if !TERN_TEST_CROSS
TEST_CASE("rsa keygen: 3072 and 4096 bits", "[rsa][keygen]") {
  for (std::size_t bits : {3072u, 4096u}) {
    TestRandom rng(bits);
    rsa::GeneratedKey g;
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(rsa::generate_key(bits, g, rng) == Status::ok);
    std::printf("rsa keygen %zu: %.2f s\n", bits, seconds_since(t0));
    check_key_properties(g, rng);
#if TERN_HAVE_OPENSSL
    check_with_openssl(g, rng);
#endif
    test::report("rsa keygen " + std::to_string(bits), "default", 1);
  }
}
#endif

namespace {
// A source that fails after `left` bytes.
class FailingRandom final : public RandomSource {
 public:
  explicit FailingRandom(std::size_t left) : left_(left) {}
  Status fill(std::span<std::uint8_t> out) noexcept override {
    if (out.size() > left_) return Status::rng_failure;
    left_ -= out.size();
    return inner_.fill(out);
  }

 private:
  std::size_t left_;
  TestRandom inner_{5};
};
}  // namespace

TEST_CASE("rsa keygen: random source failure is reported", "[rsa][keygen]") {
  for (std::size_t left : {0u, 100u, 5000u}) {
    FailingRandom rng(left);
    rsa::GeneratedKey g;
    REQUIRE(rsa::generate_key(2048, g, rng) == Status::rng_failure);
    REQUIRE(g.bits() == 0);
  }
}
