// HMAC benchmark rows: hmac-sha256 and hmac-sha512 tags over kSizes bytes,
// one row per SHA-2 kernel this machine supports, plus OpenSSL.
//
// Fairness: both sides key once in setup and then compute one complete MAC
// per operation from the keyed state, with no per-call key processing.
// tern: HmacSha256 keyed in setup; update + final (final leaves it keyed).
// OpenSSL: EVP_MAC "HMAC" context keyed in setup; each operation is
// EVP_MAC_init(ctx, NULL, 0, NULL) (restarts from the stored keyed state,
// no key processing) + EVP_MAC_update + EVP_MAC_final.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "bench/cases.hpp"
#include "crypto/hmac/hmac.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#endif

namespace {

using tern::bench::Case;

template <class H>
struct TernState {
  tern::Hmac<H> mac;
  std::vector<std::uint8_t> buf;
};

template <class H>
void add_tern(const char* algo, tern::KernelSet& set, const std::string& kernel, std::size_t n) {
  auto st = std::make_shared<TernState<H>>();
  Case c;
  c.algo = algo;
  c.impl = kernel;
  c.bytes = n;
  c.setup = [st, &set, kernel, n] {
    if (!set.select(kernel)) __builtin_trap();
    std::vector<std::uint8_t> key(32, 0x0b);
    st->mac.key(key);
    st->buf.assign(n, 0xa5);
  };
  c.run = [st](std::uint64_t iters) {
    std::array<std::uint8_t, H::digest_size> tag{};
    for (std::uint64_t i = 0; i < iters; ++i) {
      st->mac.update(st->buf);
      st->mac.final(tag);
      tern::bench::keep(tag);
    }
  };
  tern::bench::add(std::move(c));
}

#if TERN_HAVE_OPENSSL
struct OsslMac {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;
  std::vector<std::uint8_t> buf;
  ~OsslMac() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
};

void add_openssl(const char* algo, const char* digest, std::size_t n) {
  auto st = std::make_shared<OsslMac>();
  Case c;
  c.algo = algo;
  c.impl = "openssl";
  c.bytes = n;
  c.setup = [st, digest, n] {
    if (st->ctx != nullptr) return;
    st->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    st->ctx = st->mac ? EVP_MAC_CTX_new(st->mac) : nullptr;
    if (st->ctx == nullptr) __builtin_trap();
    std::vector<std::uint8_t> key(32, 0x0b);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(st->ctx, key.data(), key.size(), params) != 1) __builtin_trap();
    st->buf.assign(n, 0xa5);
  };
  c.run = [st](std::uint64_t iters) {
    unsigned char tag[EVP_MAX_MD_SIZE];
    std::size_t len = 0;
    for (std::uint64_t i = 0; i < iters; ++i) {
      if (EVP_MAC_init(st->ctx, nullptr, 0, nullptr) != 1 ||
          EVP_MAC_update(st->ctx, st->buf.data(), st->buf.size()) != 1 ||
          EVP_MAC_final(st->ctx, tag, &len, sizeof tag) != 1)
        __builtin_trap();
      tern::bench::keep(tag);
    }
  };
  tern::bench::add(std::move(c));
}
#endif

template <class H>
void add_all(const char* algo, const char* digest, tern::KernelSet& set) {
  for (std::size_t n : tern::bench::kSizes) {
    for (std::size_t i = 0; i < set.count(); ++i)
      if (set.supported(i)) add_tern<H>(algo, set, set.name(i), n);
#if TERN_HAVE_OPENSSL
    add_openssl(algo, digest, n);
#else
    (void)digest;
#endif
  }
}

tern::bench::Registrar reg([] {
  add_all<tern::sha2::Sha256>("hmac-sha256", "SHA256", tern::sha2::sha256_kernels());
  add_all<tern::sha2::Sha512>("hmac-sha512", "SHA512", tern::sha2::sha512_kernels());
});

}  // namespace
