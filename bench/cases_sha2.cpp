// SHA-2 benchmark rows: sha256, sha384, sha512 one-shot hashes of kSizes
// bytes, one row per kernel this machine supports, plus OpenSSL EVP.
// OpenSSL: the EVP_MD is fetched and the EVP_MD_CTX allocated once in setup;
// each operation is DigestInit_ex2 + DigestUpdate + DigestFinal_ex (the
// equivalent of tern's one-shot hash: init, absorb, pad, output).
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "bench/cases.hpp"
#include "crypto/sha2/sha2.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

namespace {

using tern::bench::Case;

template <class H>
void add_tern(const char* algo, tern::KernelSet& set, const std::string& kernel, std::size_t n) {
  auto buf = std::make_shared<std::vector<std::uint8_t>>(n, 0xa5);
  Case c;
  c.algo = algo;
  c.impl = kernel;
  c.bytes = n;
  c.setup = [&set, kernel] {
    if (!set.select(kernel)) __builtin_trap();
  };
  c.run = [buf](std::uint64_t iters) {
    std::array<std::uint8_t, H::digest_size> out{};
    for (std::uint64_t i = 0; i < iters; ++i) {
      H::hash(out, *buf);
      tern::bench::keep(out);
    }
  };
  tern::bench::add(std::move(c));
}

#if TERN_HAVE_OPENSSL
struct OsslDigest {
  EVP_MD* md = nullptr;
  EVP_MD_CTX* ctx = nullptr;
  std::vector<std::uint8_t> buf;
  ~OsslDigest() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};

void add_openssl(const char* algo, const char* evp_name, std::size_t n) {
  auto st = std::make_shared<OsslDigest>();
  Case c;
  c.algo = algo;
  c.impl = "openssl";
  c.bytes = n;
  c.setup = [st, evp_name, n] {
    if (st->ctx == nullptr) {
      st->md = EVP_MD_fetch(nullptr, evp_name, nullptr);
      st->ctx = EVP_MD_CTX_new();
      if (st->md == nullptr || st->ctx == nullptr) __builtin_trap();
      st->buf.assign(n, 0xa5);
    }
  };
  c.run = [st](std::uint64_t iters) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    for (std::uint64_t i = 0; i < iters; ++i) {
      if (EVP_DigestInit_ex2(st->ctx, st->md, nullptr) != 1 ||
          EVP_DigestUpdate(st->ctx, st->buf.data(), st->buf.size()) != 1 ||
          EVP_DigestFinal_ex(st->ctx, out, &len) != 1)
        __builtin_trap();
      tern::bench::keep(out);
    }
  };
  tern::bench::add(std::move(c));
}
#endif

template <class H>
void add_all(const char* algo, const char* evp_name, tern::KernelSet& set) {
  for (std::size_t n : tern::bench::kSizes) {
    for (std::size_t i = 0; i < set.count(); ++i)
      if (set.supported(i)) add_tern<H>(algo, set, set.name(i), n);
#if TERN_HAVE_OPENSSL
    add_openssl(algo, evp_name, n);
#else
    (void)evp_name;
#endif
  }
}

tern::bench::Registrar reg([] {
  add_all<tern::sha2::Sha256>("sha256", "SHA256", tern::sha2::sha256_kernels());
  add_all<tern::sha2::Sha512>("sha512", "SHA512", tern::sha2::sha512_kernels());
  add_all<tern::sha2::Sha384>("sha384", "SHA384", tern::sha2::sha512_kernels());
});

}  // namespace
