// ChaCha20-Poly1305 benchmark rows: chacha20poly1305/IMPL/BYTES (seal) and
// chacha20poly1305-open/IMPL/BYTES (open), 13 bytes of AAD as in TLS, for
// every supported ChaCha20 x Poly1305 kernel pair (IMPL "avx512-ifma",
// "avx2-portable", ...; "portable" is the all-portable pair), plus
// xchacha20poly1305 for the best pair, plus OpenSSL EVP.
// tern: the key object is set up once; each operation is one seal()/open().
// OpenSSL: the EVP_CIPHER_CTX is created and keyed once in setup; each
// operation sets the IV, feeds the AAD, updates, finalises and gets (or
// sets) the tag.
#include <memory>
#include <string>
#include <vector>

#include "bench/cases.hpp"
#include "crypto/chacha/aead.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

namespace {

using tern::bench::Case;
constexpr std::size_t kAad = 13;

template <class A>
struct TernState {
  A aead;
  std::vector<std::uint8_t> nonce, aad, pt, sealed, out;
};

template <class A>
void add_tern(const char* algo, const std::string& ck, const std::string& pk, const std::string& impl,
              std::size_t n, bool open) {
  auto st = std::make_shared<TernState<A>>();
  Case c;
  c.algo = std::string(algo) + (open ? "-open" : "");
  c.impl = impl;
  c.bytes = n;
  c.setup = [st, ck, pk, n] {
    if (!tern::chacha::chacha20_kernels().select(ck) || !tern::chacha::poly1305_kernels().select(pk))
      __builtin_trap();
    std::vector<std::uint8_t> key(32, 0x42);
    if (st->aead.init(key) != tern::Status::ok) __builtin_trap();
    st->nonce.assign(A::nonce_size, 0x24);
    st->aad.assign(kAad, 0x17);
    st->pt.assign(n, 0xa5);
    st->sealed.assign(n + 16, 0);
    st->out.assign(n, 0);
    if (st->aead.seal(st->sealed, st->nonce, st->aad, st->pt) != tern::Status::ok) __builtin_trap();
  };
  if (open) {
    c.run = [st](std::uint64_t iters) {
      for (std::uint64_t i = 0; i < iters; ++i) {
        if (st->aead.open(st->out, st->nonce, st->aad, st->sealed) != tern::Status::ok) __builtin_trap();
        tern::bench::keep(st->out[0]);
      }
    };
  } else {
    c.run = [st](std::uint64_t iters) {
      for (std::uint64_t i = 0; i < iters; ++i) {
        if (st->aead.seal(st->sealed, st->nonce, st->aad, st->pt) != tern::Status::ok) __builtin_trap();
        tern::bench::keep(st->sealed[0]);
      }
    };
  }
  tern::bench::add(std::move(c));
}

#if TERN_HAVE_OPENSSL
struct OsslState {
  EVP_CIPHER_CTX* ctx = nullptr;
  std::vector<std::uint8_t> nonce, aad, pt, ct, tag, out;
  ~OsslState() { EVP_CIPHER_CTX_free(ctx); }
};

void add_openssl(std::size_t n, bool open) {
  auto st = std::make_shared<OsslState>();
  Case c;
  c.algo = open ? "chacha20poly1305-open" : "chacha20poly1305";
  c.impl = "openssl";
  c.bytes = n;
  c.setup = [st, n, open] {
    if (st->ctx != nullptr) return;
    st->ctx = EVP_CIPHER_CTX_new();
    std::vector<std::uint8_t> key(32, 0x42);
    st->nonce.assign(12, 0x24);
    st->aad.assign(kAad, 0x17);
    st->pt.assign(n, 0xa5);
    st->ct.assign(n, 0);
    st->tag.assign(16, 0);
    st->out.assign(n + 16, 0);
    int len = 0;
    // Make a valid ciphertext and tag for the open rows.
    if (EVP_EncryptInit_ex(st->ctx, EVP_chacha20_poly1305(), nullptr, key.data(), st->nonce.data()) != 1 ||
        EVP_EncryptUpdate(st->ctx, nullptr, &len, st->aad.data(), static_cast<int>(kAad)) != 1 ||
        EVP_EncryptUpdate(st->ctx, st->ct.data(), &len, st->pt.data(), static_cast<int>(n)) != 1 ||
        EVP_EncryptFinal_ex(st->ctx, st->out.data(), &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(st->ctx, EVP_CTRL_AEAD_GET_TAG, 16, st->tag.data()) != 1)
      __builtin_trap();
    EVP_CIPHER_CTX_free(st->ctx);
    st->ctx = EVP_CIPHER_CTX_new();
    const int ok = open ? EVP_DecryptInit_ex(st->ctx, EVP_chacha20_poly1305(), nullptr, key.data(), nullptr)
                        : EVP_EncryptInit_ex(st->ctx, EVP_chacha20_poly1305(), nullptr, key.data(), nullptr);
    if (ok != 1) __builtin_trap();
  };
  if (open) {
    c.run = [st, n](std::uint64_t iters) {
      int len = 0;
      for (std::uint64_t i = 0; i < iters; ++i) {
        if (EVP_DecryptInit_ex(st->ctx, nullptr, nullptr, nullptr, st->nonce.data()) != 1 ||
            EVP_DecryptUpdate(st->ctx, nullptr, &len, st->aad.data(), static_cast<int>(kAad)) != 1 ||
            EVP_DecryptUpdate(st->ctx, st->out.data(), &len, st->ct.data(), static_cast<int>(n)) != 1 ||
            EVP_CIPHER_CTX_ctrl(st->ctx, EVP_CTRL_AEAD_SET_TAG, 16, st->tag.data()) != 1 ||
            EVP_DecryptFinal_ex(st->ctx, st->out.data() + n, &len) != 1)
          __builtin_trap();
        tern::bench::keep(st->out[0]);
      }
    };
  } else {
    c.run = [st, n](std::uint64_t iters) {
      int len = 0;
      for (std::uint64_t i = 0; i < iters; ++i) {
        if (EVP_EncryptInit_ex(st->ctx, nullptr, nullptr, nullptr, st->nonce.data()) != 1 ||
            EVP_EncryptUpdate(st->ctx, nullptr, &len, st->aad.data(), static_cast<int>(kAad)) != 1 ||
            EVP_EncryptUpdate(st->ctx, st->out.data(), &len, st->pt.data(), static_cast<int>(n)) != 1 ||
            EVP_EncryptFinal_ex(st->ctx, st->out.data() + n, &len) != 1 ||
            EVP_CIPHER_CTX_ctrl(st->ctx, EVP_CTRL_AEAD_GET_TAG, 16, st->out.data() + n) != 1)
          __builtin_trap();
        tern::bench::keep(st->out[0]);
      }
    };
  }
  tern::bench::add(std::move(c));
}
#endif

tern::bench::Registrar reg([] {
  tern::KernelSet& cs = tern::chacha::chacha20_kernels();
  tern::KernelSet& ps = tern::chacha::poly1305_kernels();
  for (bool open : {false, true}) {
    for (std::size_t n : tern::bench::kSizes) {
      for (std::size_t i = 0; i < cs.count(); ++i) {
        if (!cs.supported(i)) continue;
        for (std::size_t j = 0; j < ps.count(); ++j) {
          if (!ps.supported(j)) continue;
          const std::string ck = cs.name(i), pk = ps.name(j);
          const std::string impl = ck == "portable" && pk == "portable" ? "portable" : ck + "-" + pk;
          add_tern<tern::chacha::ChaCha20Poly1305>("chacha20poly1305", ck, pk, impl, n, open);
        }
      }
#if TERN_HAVE_OPENSSL
      add_openssl(n, open);
#endif
    }
  }
  // XChaCha20-Poly1305, best kernels and all-portable (no OpenSSL EVP equivalent).
  std::string bc, bp;
  for (std::size_t i = 0; i < cs.count() && bc.empty(); ++i)
    if (cs.supported(i)) bc = cs.name(i);
  for (std::size_t j = 0; j < ps.count() && bp.empty(); ++j)
    if (ps.supported(j)) bp = ps.name(j);
  for (std::size_t n : tern::bench::kSizes) {
    if (bc != "portable" || bp != "portable")
      add_tern<tern::chacha::XChaCha20Poly1305>("xchacha20poly1305", bc, bp, bc + "-" + bp, n, false);
    add_tern<tern::chacha::XChaCha20Poly1305>("xchacha20poly1305", "portable", "portable", "portable", n, false);
  }
});

}  // namespace
