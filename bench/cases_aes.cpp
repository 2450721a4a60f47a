// AES-GCM benchmark rows: aes128gcm / aes256gcm (seal) and the -open rows,
// for every kernel this machine supports and for OpenSSL EVP, 13 bytes of
// AAD (a TLS record header), sizes kSizes. The key context (tern) or the
// keyed EVP_CIPHER_CTX (OpenSSL) is built once in setup; each operation is
// a full record: nonce, AAD, data, tag.
#include <cstring>
#include <memory>
#include <vector>

#include "bench/cases.hpp"
#include "crypto/aes/gcm.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

namespace {

using tern::bench::Case;

struct Buffers {
  std::vector<std::uint8_t> key, nonce, aad, pt, sealed, out;
  explicit Buffers(std::size_t key_len, std::size_t n)
      : key(key_len, 0x42), nonce(12, 0x24), aad(13, 0x17), pt(n, 0xA5), sealed(n + 16), out(n + 16) {
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 13 + 7);
  }
};

struct TernState {
  tern::aes::AesGcm gcm;
  std::unique_ptr<Buffers> b;
};

void add_tern(const char* algo, std::size_t key_len, bool open, const char* kernel, std::size_t n) {
  auto st = std::make_shared<TernState>();
  Case c;
  c.algo = std::string(algo) + (open ? "-open" : "");
  c.impl = kernel;
  c.bytes = n;
  c.setup = [st, key_len, n, k = std::string(kernel)] {
    tern::aes::aes_gcm_kernels().select(k);
    st->b = std::make_unique<Buffers>(key_len, n);
    if (st->gcm.init(st->b->key) != tern::Status::ok) __builtin_trap();
    if (st->gcm.seal(st->b->sealed, st->b->nonce, st->b->aad, st->b->pt) != tern::Status::ok) __builtin_trap();
  };
  if (open) {
    c.run = [st, n](std::uint64_t iters) {
      Buffers& b = *st->b;
      for (std::uint64_t i = 0; i < iters; ++i) {
        const tern::Status s = st->gcm.open(std::span<std::uint8_t>(b.out.data(), n), b.nonce, b.aad, b.sealed);
        tern::bench::keep(s);
        if (s != tern::Status::ok) __builtin_trap();
      }
    };
  } else {
    c.run = [st](std::uint64_t iters) {
      Buffers& b = *st->b;
      for (std::uint64_t i = 0; i < iters; ++i) {
        const tern::Status s = st->gcm.seal(b.out, b.nonce, b.aad, b.pt);
        tern::bench::keep(s);
        tern::bench::keep(b.out[0]);
      }
    };
  }
  tern::bench::add(std::move(c));
}

#if TERN_HAVE_OPENSSL
struct OsslState {
  EVP_CIPHER_CTX* ctx = nullptr;
  std::unique_ptr<Buffers> b;
  ~OsslState() { EVP_CIPHER_CTX_free(ctx); }
};

void add_openssl(const char* algo, std::size_t key_len, bool open, std::size_t n) {
  auto st = std::make_shared<OsslState>();
  Case c;
  c.algo = std::string(algo) + (open ? "-open" : "");
  c.impl = "openssl";
  c.bytes = n;
  c.setup = [st, key_len, n, open] {
    st->b = std::make_unique<Buffers>(key_len, n);
    Buffers& b = *st->b;
    const EVP_CIPHER* cipher = key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    // Produce a valid sealed record for the open rows.
    EVP_CIPHER_CTX* e = EVP_CIPHER_CTX_new();
    int len = 0;
    if (EVP_EncryptInit_ex(e, cipher, nullptr, b.key.data(), b.nonce.data()) != 1 ||
        EVP_EncryptUpdate(e, nullptr, &len, b.aad.data(), 13) != 1 ||
        EVP_EncryptUpdate(e, b.sealed.data(), &len, b.pt.data(), static_cast<int>(n)) != 1 ||
        EVP_EncryptFinal_ex(e, b.sealed.data() + n, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_GCM_GET_TAG, 16, b.sealed.data() + n) != 1)
      __builtin_trap();
    EVP_CIPHER_CTX_free(e);
    if (st->ctx == nullptr) st->ctx = EVP_CIPHER_CTX_new();
    const int ok = open ? EVP_DecryptInit_ex(st->ctx, cipher, nullptr, b.key.data(), nullptr)
                        : EVP_EncryptInit_ex(st->ctx, cipher, nullptr, b.key.data(), nullptr);
    if (ok != 1) __builtin_trap();
  };
  if (open) {
    c.run = [st, n](std::uint64_t iters) {
      Buffers& b = *st->b;
      for (std::uint64_t i = 0; i < iters; ++i) {
        int len = 0;
        if (EVP_DecryptInit_ex(st->ctx, nullptr, nullptr, nullptr, b.nonce.data()) != 1 ||
            EVP_DecryptUpdate(st->ctx, nullptr, &len, b.aad.data(), 13) != 1 ||
            EVP_DecryptUpdate(st->ctx, b.out.data(), &len, b.sealed.data(), static_cast<int>(n)) != 1 ||
            EVP_CIPHER_CTX_ctrl(st->ctx, EVP_CTRL_GCM_SET_TAG, 16, b.sealed.data() + n) != 1 ||
            EVP_DecryptFinal_ex(st->ctx, b.out.data() + len, &len) != 1)
          __builtin_trap();
        tern::bench::keep(b.out[0]);
      }
    };
  } else {
    c.run = [st, n](std::uint64_t iters) {
      Buffers& b = *st->b;
      for (std::uint64_t i = 0; i < iters; ++i) {
        int len = 0;
        if (EVP_EncryptInit_ex(st->ctx, nullptr, nullptr, nullptr, b.nonce.data()) != 1 ||
            EVP_EncryptUpdate(st->ctx, nullptr, &len, b.aad.data(), 13) != 1 ||
            EVP_EncryptUpdate(st->ctx, b.out.data(), &len, b.pt.data(), static_cast<int>(n)) != 1 ||
            EVP_EncryptFinal_ex(st->ctx, b.out.data() + len, &len) != 1 ||
            EVP_CIPHER_CTX_ctrl(st->ctx, EVP_CTRL_GCM_GET_TAG, 16, b.out.data() + n) != 1)
          __builtin_trap();
        tern::bench::keep(b.out[0]);
      }
    };
  }
  tern::bench::add(std::move(c));
}
#endif

tern::bench::Registrar reg([] {
  struct Algo {
    const char* name;
    std::size_t key_len;
  };
  auto& ks = tern::aes::aes_gcm_kernels();
  for (const Algo a : {Algo{"aes128gcm", 16}, Algo{"aes256gcm", 32}})
    for (const bool open : {false, true})
      for (const std::size_t n : tern::bench::kSizes) {
        for (std::size_t i = 0; i < ks.count(); ++i)
          if (ks.supported(i)) add_tern(a.name, a.key_len, open, ks.name(i), n);
#if TERN_HAVE_OPENSSL
        add_openssl(a.name, a.key_len, open, n);
#endif
      }
});

}  // namespace
