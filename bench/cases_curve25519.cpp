// Curve25519 benchmark rows (operation counts), one row per supported
// kernel plus OpenSSL:
//   x25519/IMPL          shared secret: tern::x25519 / EVP_PKEY_derive with
//                        the context, key and peer prepared in setup
//   x25519-keygen/IMPL   fresh key pair: tern::x25519_keypair (OS random +
//                        fixed-base comb) / EVP_PKEY_keygen on a context
//                        initialised in setup (DRBG + its fixed-base code)
//   ed25519-sign/IMPL    64-byte message: tern::ed25519_sign with an
//                        expanded Ed25519PrivateKey built in setup /
//                        EVP_DigestSign one-shot on an EVP_MD_CTX initialised
//                        in setup (re-initialised per call only if OpenSSL
//                        refuses a second one-shot on the same context)
//   ed25519-verify/IMPL  64-byte message: tern::ed25519_verify /
//                        EVP_DigestVerify one-shot, same context handling
#include <array>
#include <cstring>
#include <memory>
#include <string>

#include "bench/cases.hpp"
#include "crypto/curve25519/curve25519.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

namespace {

using tern::bench::Case;
using Key = std::array<std::uint8_t, 32>;
using Sig = std::array<std::uint8_t, 64>;

struct Fixture {
  Key priv{}, peer_pub{}, seed{}, ed_pub{};
  std::array<std::uint8_t, 64> msg{};
  Sig sig{};
  tern::Ed25519PrivateKey ed;
  Fixture() {
    tern::TestRandom rng(25519);
    Key peer_priv;
    (void)rng.fill(priv);
    (void)rng.fill(peer_priv);
    (void)rng.fill(seed);
    (void)rng.fill(msg);
    tern::x25519_public_key(peer_pub, peer_priv);
    ed.set_seed(seed);
    ed_pub = Key{};
    std::memcpy(ed_pub.data(), ed.public_key().data(), 32);
    ed.sign(sig, msg);
  }
};
std::shared_ptr<Fixture> fixture() {
  static auto f = std::make_shared<Fixture>();
  return f;
}

void add_tern(const std::string& kernel) {
  auto f = fixture();
  tern::KernelSet& set = tern::curve25519_kernels();
  auto select = [&set, kernel] {
    if (!set.select(kernel)) __builtin_trap();
  };
  tern::bench::add({"x25519", kernel, 0, select, [f](std::uint64_t n) {
                      Key out;
                      for (std::uint64_t i = 0; i < n; ++i) {
                        if (tern::x25519(out, f->priv, f->peer_pub) != tern::Status::ok) __builtin_trap();
                        tern::bench::keep(out);
                      }
                    }});
  tern::bench::add({"x25519-keygen", kernel, 0, select, [](std::uint64_t n) {
                      Key priv, pub;
                      for (std::uint64_t i = 0; i < n; ++i) {
                        if (tern::x25519_keypair(priv, pub) != tern::Status::ok) __builtin_trap();
                        tern::bench::keep(pub);
                      }
                    }});
  tern::bench::add({"ed25519-sign", kernel, 0, select, [f](std::uint64_t n) {
                      Sig s;
                      for (std::uint64_t i = 0; i < n; ++i) {
                        tern::ed25519_sign(s, f->ed, f->msg);
                        tern::bench::keep(s);
                      }
                    }});
  tern::bench::add({"ed25519-verify", kernel, 0, select, [f](std::uint64_t n) {
                      for (std::uint64_t i = 0; i < n; ++i)
                        if (tern::ed25519_verify(f->sig, f->ed_pub, f->msg) != tern::Status::ok) __builtin_trap();
                    }});
}

#if TERN_HAVE_OPENSSL
struct Ossl {
  EVP_PKEY *x = nullptr, *peer = nullptr, *ed = nullptr, *ed_pub = nullptr;
  EVP_PKEY_CTX *derive = nullptr, *keygen = nullptr;
  EVP_MD_CTX *sign = nullptr, *verify = nullptr;
  bool sign_reinit = false, verify_reinit = false;
  ~Ossl() {
    EVP_PKEY_CTX_free(derive);
    EVP_PKEY_CTX_free(keygen);
    EVP_MD_CTX_free(sign);
    EVP_MD_CTX_free(verify);
    EVP_PKEY_free(x);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(ed);
    EVP_PKEY_free(ed_pub);
  }
  void init(const Fixture& f) {
    if (x) return;
    x = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, f.priv.data(), 32);
    peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, f.peer_pub.data(), 32);
    ed = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, f.seed.data(), 32);
    ed_pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, f.ed_pub.data(), 32);
    derive = EVP_PKEY_CTX_new(x, nullptr);
    keygen = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr);
    sign = EVP_MD_CTX_new();
    verify = EVP_MD_CTX_new();
    if (!x || !peer || !ed || !ed_pub || !derive || !keygen || !sign || !verify ||
        EVP_PKEY_derive_init(derive) != 1 || EVP_PKEY_derive_set_peer(derive, peer) != 1 ||
        EVP_PKEY_keygen_init(keygen) != 1 || EVP_DigestSignInit(sign, nullptr, nullptr, nullptr, ed) != 1 ||
        EVP_DigestVerifyInit(verify, nullptr, nullptr, nullptr, ed_pub) != 1)
      __builtin_trap();
    // Probe whether a context takes a second one-shot call.
    unsigned char s[64];
    std::size_t sl = 64;
    for (int i = 0; i < 2 && !sign_reinit; ++i)
      if (EVP_DigestSign(sign, s, &sl, f.msg.data(), f.msg.size()) != 1) sign_reinit = true;
    for (int i = 0; i < 2 && !verify_reinit; ++i)
      if (EVP_DigestVerify(verify, f.sig.data(), 64, f.msg.data(), f.msg.size()) != 1) verify_reinit = true;
    if (sign_reinit) (void)EVP_DigestSignInit(sign, nullptr, nullptr, nullptr, ed);
    if (verify_reinit) (void)EVP_DigestVerifyInit(verify, nullptr, nullptr, nullptr, ed_pub);
  }
};

void add_openssl() {
  auto f = fixture();
  auto o = std::make_shared<Ossl>();
  auto setup = [f, o] { o->init(*f); };
  tern::bench::add({"x25519", "openssl", 0, setup, [o](std::uint64_t n) {
                      unsigned char out[32];
                      for (std::uint64_t i = 0; i < n; ++i) {
                        std::size_t len = 32;
                        if (EVP_PKEY_derive(o->derive, out, &len) != 1) __builtin_trap();
                        tern::bench::keep(out);
                      }
                    }});
  tern::bench::add({"x25519-keygen", "openssl", 0, setup, [o](std::uint64_t n) {
                      for (std::uint64_t i = 0; i < n; ++i) {
                        EVP_PKEY* k = nullptr;
                        if (EVP_PKEY_keygen(o->keygen, &k) != 1) __builtin_trap();
                        EVP_PKEY_free(k);
                      }
                    }});
  tern::bench::add({"ed25519-sign", "openssl", 0, setup, [f, o](std::uint64_t n) {
                      unsigned char s[64];
                      for (std::uint64_t i = 0; i < n; ++i) {
                        std::size_t sl = 64;
                        if (o->sign_reinit) (void)EVP_DigestSignInit(o->sign, nullptr, nullptr, nullptr, o->ed);
                        if (EVP_DigestSign(o->sign, s, &sl, f->msg.data(), f->msg.size()) != 1) __builtin_trap();
                        tern::bench::keep(s);
                      }
                    }});
  tern::bench::add({"ed25519-verify", "openssl", 0, setup, [f, o](std::uint64_t n) {
                      for (std::uint64_t i = 0; i < n; ++i) {
                        if (o->verify_reinit) (void)EVP_DigestVerifyInit(o->verify, nullptr, nullptr, nullptr, o->ed_pub);
                        if (EVP_DigestVerify(o->verify, f->sig.data(), 64, f->msg.data(), f->msg.size()) != 1)
                          __builtin_trap();
                      }
                    }});
}
#endif

tern::bench::Registrar reg([] {
  tern::KernelSet& set = tern::curve25519_kernels();
  for (std::size_t i = 0; i < set.count(); ++i)
    if (set.supported(i)) add_tern(set.name(i));
#if TERN_HAVE_OPENSSL
  add_openssl();
#endif
});

}  // namespace
