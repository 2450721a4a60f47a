// X25519 and Ed25519 through every kernel: RFC 7748 §5.2/§6.1 (and the
// iterated test: 1 and 1,000 rounds here, 1,000,000 in the [slow] case that
// meson registers as the separate "curve25519-slow" test), the
// python-cryptography rfc7748.txt and sign.input files (all 1024 lines),
// RFC 8032 §7.1, Wycheproof x25519_test.json / ed25519_test.json, random
// differential tests (every kernel against the portable one and against
// OpenSSL when available) and edge cases of the verification policy.
//
// Wycheproof X25519 policy: "acceptable" cases (twist points, non-canonical
// u >= p, low-order points) are computed like valid ones and must give the
// listed shared secret; an all-zero result must come with
// Status::zero_shared_secret (TLS rejects it), any other with Status::ok.
#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>

#include "crypto/curve25519/curve25519.hpp"
#include "tests/support/testutil.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

using namespace tern;
using tern::test::Bytes;

namespace {

using Key = std::array<std::uint8_t, 32>;
using Sig = std::array<std::uint8_t, 64>;

Key key(const Bytes& b) {
  REQUIRE(b.size() == 32);
  Key k;
  std::memcpy(k.data(), b.data(), 32);
  return k;
}
[[maybe_unused]] Key key(const std::uint8_t* p) {
  Key k;
  std::memcpy(k.data(), p, 32);
  return k;
}
[[maybe_unused]] std::string hx(const std::uint8_t* p, std::size_t n) { return test::to_hex(p, n); }
template <std::size_t N>
std::string hx(const std::array<std::uint8_t, N>& a) { return test::to_hex(a.data(), N); }

Key x25519_raw(const Key& k, const Key& u, Status* st = nullptr) {
  Key out;
  const Status s = x25519(out, k, u);
  if (st) *st = s;
  return out;
}

KernelSet& kernels() { return curve25519_kernels(); }

// k = u = 9; (k, u) = (X25519(k, u), k), n times.
Key iterate(std::size_t n) {
  Key k{}, u{};
  k[0] = 9;
  u[0] = 9;
  for (std::size_t i = 0; i < n; ++i) {
    const Key r = x25519_raw(k, u);
    u = k;
    k = r;
  }
  return k;
}

[[maybe_unused]] Sig sig_of(const Bytes& b) {
  Sig s;
  std::memcpy(s.data(), b.data(), 64);
  return s;
}

}  // namespace

TEST_CASE("curve25519 dispatch", "[dispatch]") { test::check_dispatch("curve25519", kernels()); }

TEST_CASE("curve25519 kernels: portable32 is compiled and runs here", "[curve25519]") {
  bool has32 = false;
  for (std::size_t i = 0; i < kernels().count(); ++i)
    if (std::string(kernels().name(i)) == "portable32") has32 = kernels().supported(i);
#if defined(__SIZEOF_INT128__) && !defined(TERN_SMALL)
  CHECK(has32);
#elif defined(TERN_SMALL)
  CHECK_FALSE(has32);  // -Dprofile=minimal keeps one portable kernel
#else
  CHECK_FALSE(has32);  // without int128 the 32-bit kernel is the one named "portable"
#endif
  CHECK(std::string(kernels().name(kernels().count() - 1)) != "adx");
}

TEST_CASE("x25519 RFC 7748 vectors", "[curve25519][x25519]") {
  auto path = test::locate(test::Source::vectors, "curve25519/rfc7748.txt");
  REQUIRE(path);
  const auto recs = test::parse_records(test::read_file(*path));
  REQUIRE(recs.size() >= 9);
  test::for_each_kernel("curve25519", kernels(), [&](const std::string& kn) {
    std::size_t n = 0;
    for (const auto& r : recs) {
      if (r.has("Iterations")) {
        const auto it = std::stoull(r.get("Iterations"));
        if (it > 1000) continue;  // the [slow] case
        INFO("iterations " << it);
        CHECK(hx(iterate(it)) == r.get("Out"));
        ++n;
        continue;
      }
      const Key k = key(r.bytes("Scalar")), u = key(r.bytes("U"));
      Status st;
      INFO("line " << r.line);
      CHECK(hx(x25519_raw(k, u, &st)) == r.get("Out"));
      CHECK(st == Status::ok);
      if (u == Key{9}) {
        Key pub;
        x25519_public_key(pub, k);
        CHECK(hx(pub) == r.get("Out"));
      }
      ++n;
    }
    test::report("x25519 rfc7748 (vectors/)", kn, n);
  });
}

TEST_CASE("x25519 RFC 7748 iterated 1,000,000 times", "[.slow][slow]") {
  auto path = test::locate(test::Source::vectors, "curve25519/rfc7748.txt");
  REQUIRE(path);
  std::string want;
  for (const auto& r : test::parse_records(test::read_file(*path)))
    if (r.has("Iterations") && r.get("Iterations") == "1000000") want = r.get("Out");
  REQUIRE(!want.empty());
  test::for_each_kernel("curve25519", kernels(), [&](const std::string& kn) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string got = hx(iterate(1000000));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(got == want);
    std::printf("x25519 iterated 1000000 [%s]: %.1f s\n", kn.c_str(), secs);
    test::report("x25519 iterated 1000000", kn, got == want ? 1 : 0);
  });
}

TEST_CASE("x25519 python-cryptography rfc7748.txt", "[curve25519][x25519]") {
  auto path = test::locate(test::Source::cavp, "asymmetric/X25519/rfc7748.txt");
  if (!path) return;
  const auto recs = test::parse_records(test::read_file(*path));
  REQUIRE(recs.size() >= 3);
  test::for_each_kernel("curve25519", kernels(), [&](const std::string& kn) {
    std::size_t n = 0;
    for (const auto& r : recs) {
      INFO("line " << r.line);
      CHECK(hx(x25519_raw(key(r.bytes("INPUT_SCALAR")), key(r.bytes("INPUT_U")))) == r.get("OUTPUT_U"));
      ++n;
    }
    test::report("x25519 cryptography_vectors rfc7748.txt", kn, n);
  });
}

TEST_CASE("x25519 Wycheproof", "[curve25519][x25519][wycheproof]") {
  auto j = test::load_wycheproof("x25519_test.json");
  if (!j) return;
  test::for_each_kernel("curve25519", kernels(), [&](const std::string& kn) {
    std::size_t n = 0;
    for (const auto& g : (*j)["testGroups"].items) {
      for (const auto& t : g["tests"].items) {
        INFO("tcId " << t["tcId"].as_int() << " " << t["comment"].s);
        const Bytes pub = t["public"].as_hex(), priv = t["private"].as_hex(), shared = t["shared"].as_hex();
        const std::string result = t["result"].s;
        if (pub.size() != 32 || priv.size() != 32) {
          CHECK(result == "invalid");
          ++n;
          continue;
        }
        REQUIRE(result != "invalid");  // none in this file; the API has no way to reject
        Status st;
        const Key out = x25519_raw(key(priv), key(pub), &st);
        CHECK(test::to_hex(shared) == hx(out));
        const bool zero = out == Key{};
        CHECK(st == (zero ? Status::zero_shared_secret : Status::ok));
        if (t.has_flag("ZeroSharedSecret")) CHECK(zero);
        ++n;
      }
    }
    test::report("x25519 wycheproof", kn, n);
  });
}

TEST_CASE("x25519 zero shared secret", "[curve25519][x25519]") {
  const Key k = key(test::hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"));
  test::for_each_kernel("curve25519", kernels(), [&](const std::string&) {
    for (std::uint8_t small : {0, 1}) {
      Key u{};
      u[0] = small;
      Key out;
      out.fill(0xaa);
      CHECK(x25519(out, k, u) == Status::zero_shared_secret);
      CHECK(out == Key{});
    }
    // p itself (non-canonical 0) and p + 1 (non-canonical 1)
    Key p = key(test::hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
    Key out;
    CHECK(x25519(out, k, p) == Status::zero_shared_secret);
    p[0] = 0xee;
    CHECK(x25519(out, k, p) == Status::zero_shared_secret);
  });
}

TEST_CASE("x25519 differential: kernels, fixed base, aliasing", "[curve25519][x25519]") {
  test::Rng rng(25519);
  std::vector<Key> ks, us, want, want_pub;
  for (int i = 0; i < 64; ++i) {
    ks.push_back(key(rng.bytes(32)));
    us.push_back(key(rng.bytes(32)));  // random u: about half are on the twist
  }
  kernels().select("portable");
  for (int i = 0; i < 64; ++i) {
    want.push_back(x25519_raw(ks[i], us[i]));
    Key nine{};
    nine[0] = 9;
    want_pub.push_back(x25519_raw(ks[i], nine));
  }
  kernels().reset();
  test::for_each_kernel("curve25519", kernels(), [&](const std::string& kn) {
    std::size_t n = 0;
    for (int i = 0; i < 64; ++i) {
      CHECK(x25519_raw(ks[i], us[i]) == want[i]);
      Key pub;
      x25519_public_key(pub, ks[i]);
      CHECK(pub == want_pub[i]);
      Key alias = us[i];
      (void)x25519(alias, ks[i], alias);
      CHECK(alias == want[i]);
      n += 2;
    }
    test::report("x25519 random vs portable (ladder + fixed base)", kn, n);
  });
}

#if TERN_HAVE_OPENSSL
namespace {
EVP_PKEY* ossl_key(int type, const Key& k, bool priv) {
  return priv ? EVP_PKEY_new_raw_private_key(type, nullptr, k.data(), 32)
              : EVP_PKEY_new_raw_public_key(type, nullptr, k.data(), 32);
}
Key ossl_x25519(const Key& k, const Key& u) {
  EVP_PKEY* a = ossl_key(EVP_PKEY_X25519, k, true);
  EVP_PKEY* b = ossl_key(EVP_PKEY_X25519, u, false);
  EVP_PKEY_CTX* c = EVP_PKEY_CTX_new(a, nullptr);
  Key out{};
  std::size_t len = 32;
  REQUIRE(EVP_PKEY_derive_init(c) == 1);
  REQUIRE(EVP_PKEY_derive_set_peer(c, b) == 1);
  REQUIRE(EVP_PKEY_derive(c, out.data(), &len) == 1);
  EVP_PKEY_CTX_free(c);
  EVP_PKEY_free(a);
  EVP_PKEY_free(b);
  return out;
}
#ifndef TERN_NO_ED25519
Sig ossl_ed25519_sign(const Key& seed, const Bytes& msg, Key* pub) {
  EVP_PKEY* k = ossl_key(EVP_PKEY_ED25519, seed, true);
  std::size_t pl = 32;
  REQUIRE(EVP_PKEY_get_raw_public_key(k, pub->data(), &pl) == 1);
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  REQUIRE(EVP_DigestSignInit(c, nullptr, nullptr, nullptr, k) == 1);
  Sig s{};
  std::size_t sl = 64;
  REQUIRE(EVP_DigestSign(c, s.data(), &sl, msg.data(), msg.size()) == 1);
  EVP_MD_CTX_free(c);
  EVP_PKEY_free(k);
  return s;
}
#endif
}  // namespace

TEST_CASE("x25519 and ed25519 differential vs OpenSSL", "[curve25519][openssl]") {
  test::Rng rng(8032);
  test::for_each_kernel("curve25519", kernels(), [&](const std::string& kn) {
    std::size_t n = 0;
    for (int i = 0; i < 64; ++i) {
      const Key k = key(rng.bytes(32));
      Key u = key(rng.bytes(32));
      u[31] &= 0x7f;
      CHECK(x25519_raw(k, u) == ossl_x25519(k, u));
#ifdef TERN_NO_ED25519
      n += 1;
#else
      const Key seed = key(rng.bytes(32));
      const Bytes msg = rng.bytes(rng.below(300));
      Key opub;
      const Sig osig = ossl_ed25519_sign(seed, msg, &opub);
      Key pub;
      ed25519_public_key(pub, seed);
      CHECK(pub == opub);
      Sig sig;
      ed25519_sign(sig, seed, msg);
      CHECK(sig == osig);
      CHECK(ed25519_verify(osig, opub, msg) == Status::ok);
      n += 3;
#endif
    }
    test::report("x25519/ed25519 random vs OpenSSL", kn, n);
  });
}
#endif

// ---- Ed25519 -------------------------------------------------------------------
#ifdef TERN_NO_ED25519
// -Ded25519=disabled: what stays declared reports Status::unsupported.
TEST_CASE("ed25519 left out of the build", "[curve25519][ed25519]") {
  Key seed{}, pub{};
  Sig sig{};
  CHECK(ed25519_verify(sig, pub, {}) == Status::unsupported);
  test::Rng rng(1);
  CHECK(ed25519_keypair(seed, pub) == Status::unsupported);
  Key priv, xpub, nine{};
  nine[0] = 9;
  REQUIRE(x25519_keypair(priv, xpub) == Status::ok);
  CHECK(x25519_raw(priv, nine) == xpub);
}
#else

TEST_CASE("ed25519 RFC 8032 §7.1", "[curve25519][ed25519]") {
  auto path = test::locate(test::Source::vectors, "curve25519/rfc8032.txt");
  REQUIRE(path);
  const auto recs = test::parse_records(test::read_file(*path));
  REQUIRE(recs.size() == 5);
  test::for_each_kernel("curve25519", kernels(), [&](const std::string& kn) {
    std::size_t n = 0;
    for (const auto& r : recs) {
      INFO("line " << r.line);
      const Key seed = key(r.bytes("Seed"));
      const Bytes msg = r.bytes("Message");
      Key pub;
      ed25519_public_key(pub, seed);
      CHECK(hx(pub) == r.get("Public"));
      Sig sig;
      ed25519_sign(sig, seed, msg);
      CHECK(hx(sig) == r.get("Signature"));
      const Ed25519PrivateKey expanded(seed);
      Sig sig2;
      ed25519_sign(sig2, expanded, msg);
      CHECK(sig2 == sig);
      CHECK(ed25519_verify(sig, pub, msg) == Status::ok);
      ++n;
    }
    test::report("ed25519 rfc8032", kn, n);
  });
}

TEST_CASE("ed25519 sign.input (all 1024 lines)", "[curve25519][ed25519]") {
  auto path = test::locate(test::Source::cavp, "asymmetric/Ed25519/sign.input");
  if (!path) return;
  struct Line { Key seed, pub; Bytes msg; Sig sig; };
  std::vector<Line> lines;
  std::istringstream in(test::read_file(*path));
  std::string l;
  while (std::getline(in, l)) {
    if (l.empty()) continue;
    std::vector<std::string> f;
    std::size_t pos = 0, c;
    while ((c = l.find(':', pos)) != std::string::npos) {
      f.push_back(l.substr(pos, c - pos));
      pos = c + 1;
    }
    REQUIRE(f.size() == 4);
    const Bytes sk = test::hex(f[0]), sm = test::hex(f[3]);
    Line x{key(sk.data()), key(test::hex(f[1])), test::hex(f[2]), {}};
    std::memcpy(x.sig.data(), sm.data(), 64);
    REQUIRE(std::memcmp(sk.data() + 32, x.pub.data(), 32) == 0);
    REQUIRE(Bytes(sm.begin() + 64, sm.end()) == x.msg);
    lines.push_back(std::move(x));
  }
  REQUIRE(lines.size() == 1024);
  test::for_each_kernel("curve25519", kernels(), [&](const std::string& kn) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const Line& x = lines[i];
      INFO("line " << i + 1);
      const Ed25519PrivateKey k(x.seed);
      CHECK(hx(k.public_key().data(), 32) == hx(x.pub));
      Sig s;
      k.sign(s, x.msg);
      CHECK(s == x.sig);
      CHECK(ed25519_verify(x.sig, x.pub, x.msg) == Status::ok);
      Sig bad = x.sig;
      bad[i % 64] ^= static_cast<std::uint8_t>(1u << (i % 8));
      CHECK(ed25519_verify(bad, x.pub, x.msg) != Status::ok);
      ++n;
    }
    test::report("ed25519 sign.input", kn, n);
  });
}

TEST_CASE("ed25519 Wycheproof", "[curve25519][ed25519][wycheproof]") {
  auto j = test::load_wycheproof("ed25519_test.json");
  if (!j) return;
  test::for_each_kernel("curve25519", kernels(), [&](const std::string& kn) {
    std::size_t n = 0;
    for (const auto& g : (*j)["testGroups"].items) {
      const Bytes pk = g["publicKey"]["pk"].as_hex();
      REQUIRE(pk.size() == 32);
      for (const auto& t : g["tests"].items) {
        INFO("tcId " << t["tcId"].as_int() << " " << t["comment"].s);
        const Bytes sig = t["sig"].as_hex(), msg = t["msg"].as_hex();
        const bool valid = t["result"].s == "valid";
        bool ok = false;
        if (sig.size() == 64) ok = ed25519_verify(sig_of(sig), key(pk), msg) == Status::ok;
        CHECK(ok == valid);
        ++n;
      }
    }
    test::report("ed25519 wycheproof", kn, n);
  });
}

TEST_CASE("ed25519 verification policy edges", "[curve25519][ed25519]") {
  const Key seed = key(test::hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  const Bytes msg = test::hex("616263");
  test::for_each_kernel("curve25519", kernels(), [&](const std::string& kn) {
    Key pub;
    ed25519_public_key(pub, seed);
    Sig sig;
    ed25519_sign(sig, seed, msg);
    REQUIRE(ed25519_verify(sig, pub, msg) == Status::ok);
    // S + L: same value mod L, must be rejected (S >= L).
    {
      static const std::uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                          0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 0, 0, 0, 0, 0, 0, 0x10};
      Sig s2 = sig;
      unsigned c = 0;
      for (int i = 0; i < 32; ++i) {
        c += s2[32 + i] + kL[i];
        s2[32 + i] = static_cast<std::uint8_t>(c);
        c >>= 8;
      }
      CHECK(ed25519_verify(s2, pub, msg) == Status::bad_signature);
      Sig s3 = sig;
      std::memcpy(s3.data() + 32, kL, 32);  // S = L exactly
      CHECK(ed25519_verify(s3, pub, msg) == Status::bad_signature);
    }
    // Public key with y >= p (non-canonical): rejected as a bad key.
    {
      Key a = key(test::hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
      CHECK(ed25519_verify(sig, a, msg) == Status::bad_key);
      // y = 1 with the sign bit set: x = 0 cannot be "negative".
      Key one{};
      one[0] = 1;
      one[31] = 0x80;
      CHECK(ed25519_verify(sig, one, msg) == Status::bad_key);
      // y = 2 is not on the curve (no square root).
      Key two{};
      two[0] = 2;
      CHECK(ed25519_verify(sig, two, msg) == Status::bad_key);
    }
    // Wrong message / wrong key.
    CHECK(ed25519_verify(sig, pub, test::hex("616264")) == Status::bad_signature);
    Key pub2 = pub;
    pub2[0] ^= 1;
    CHECK(ed25519_verify(sig, pub2, msg) != Status::ok);
    test::report("ed25519 policy edges", kn, 8);
  });
}

TEST_CASE("ed25519 differential: kernels agree, keypair from rng", "[curve25519][ed25519]") {
  test::Rng rng(448);
  std::vector<Key> seeds;
  std::vector<Bytes> msgs;
  std::vector<Sig> want;
  for (int i = 0; i < 48; ++i) {
    seeds.push_back(key(rng.bytes(32)));
    msgs.push_back(rng.bytes(rng.below(200)));
  }
  kernels().select("portable");
  for (int i = 0; i < 48; ++i) {
    Sig s;
    ed25519_sign(s, seeds[i], msgs[i]);
    want.push_back(s);
  }
  kernels().reset();
  test::for_each_kernel("curve25519", kernels(), [&](const std::string& kn) {
    std::size_t n = 0;
    for (int i = 0; i < 48; ++i) {
      Sig s;
      ed25519_sign(s, seeds[i], msgs[i]);
      CHECK(s == want[i]);
      Key pub;
      ed25519_public_key(pub, seeds[i]);
      CHECK(ed25519_verify(s, pub, msgs[i]) == Status::ok);
      ++n;
    }
    test::report("ed25519 random vs portable", kn, n);
  });
  TestRandom tr(7);
  Key seed, pub, priv, xpub;
  REQUIRE(ed25519_keypair(seed, pub, tr) == Status::ok);
  Key pub2;
  ed25519_public_key(pub2, seed);
  CHECK(pub == pub2);
  REQUIRE(x25519_keypair(priv, xpub, tr) == Status::ok);
  Key nine{};
  nine[0] = 9;
  CHECK(x25519_raw(priv, nine) == xpub);
  REQUIRE(x25519_keypair(priv, xpub) == Status::ok);
  CHECK(x25519_raw(priv, nine) == xpub);
}
#endif  // TERN_NO_ED25519
