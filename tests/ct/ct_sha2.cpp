// Constant-time check for SHA-2: hashing secret data (the length is public)
// must not branch on or index memory by the data. Every kernel that can run
// here is checked (under valgrind: portable, and the SHA-512 AVX2 kernel;
// valgrind's CPUID hides SHA-NI and AVX-512, so those are not run).
#include <cstdint>
#include <cstdio>
#include <string>

#include "crypto/sha2/sha2.hpp"
#include "tests/ct/ct.hpp"

namespace {

using tern::ctcheck::declassify;
using tern::ctcheck::secret;

template <class F>
void each_kernel(const char* family, tern::KernelSet& set, F body) {
  for (std::size_t i = 0; i < set.count(); ++i) {
    if (!set.supported(i) || !set.select(set.name(i))) continue;
    std::printf("  %s kernel: %s\n", family, set.active());
    body();
  }
  set.reset();
}

template <class H>
void hash_secret() {
  static std::uint8_t msg[600];
  for (std::size_t i = 0; i < sizeof msg; ++i) msg[i] = static_cast<std::uint8_t>(i * 29 + 3);
  for (std::size_t len : {0u, 3u, 55u, 56u, 64u, 111u, 112u, 128u, 200u, 600u}) {
    std::uint8_t out[H::digest_size];
    secret(msg, len);
    H h;
    h.update(std::span<const std::uint8_t>(msg, len / 3));
    H fork = h;  // copies of a state holding secret data
    h.update(std::span<const std::uint8_t>(msg + len / 3, len - len / 3));
    h.final(std::span<std::uint8_t, H::digest_size>(out));
    fork.final(std::span<std::uint8_t, H::digest_size>(out));
    H::hash(std::span<std::uint8_t, H::digest_size>(out), std::span<const std::uint8_t>(msg, len));
    declassify(out, sizeof out);
    declassify(msg, len);
  }
}

void sha256_case() {
  each_kernel("sha256", tern::sha2::sha256_kernels(), [] {
    hash_secret<tern::sha2::Sha256>();
    hash_secret<tern::sha2::Sha224>();
  });
}

void sha512_case() {
  each_kernel("sha512", tern::sha2::sha512_kernels(), [] {
    hash_secret<tern::sha2::Sha512>();
    hash_secret<tern::sha2::Sha384>();
    hash_secret<tern::sha2::Sha512_256>();
  });
}

void anyhash_case() {
  static std::uint8_t msg[300];
  for (std::size_t i = 0; i < sizeof msg; ++i) msg[i] = static_cast<std::uint8_t>(i);
  for (auto id : {tern::sha2::HashId::sha256, tern::sha2::HashId::sha384, tern::sha2::HashId::sha512}) {
    std::uint8_t out[64];
    secret(msg, sizeof msg);
    tern::sha2::AnyHash h(id);
    h.update(msg);
    h.peek(out);
    h.update(msg);
    h.final(out);
    declassify(out, sizeof out);
  }
}

TERN_CT_CASE("sha256/224 (secret message)", sha256_case);
TERN_CT_CASE("sha512/384/512_256 (secret message)", sha512_case);
TERN_CT_CASE("sha2 AnyHash (secret message)", anyhash_case);

}  // namespace
