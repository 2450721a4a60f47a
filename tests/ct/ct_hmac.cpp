// Constant-time check for HMAC and HKDF: keys, IKM, PRK and messages are
// secret. Computing a MAC, verifying one (the verdict alone is public), and
// HKDF extract + expand must not branch on or index memory by them. Every
// SHA-2 kernel that can run here is checked (see ct_sha2.cpp).
#include <cstdint>
#include <cstdio>

#include "crypto/hmac/hkdf.hpp"
#include "crypto/hmac/hmac.hpp"
#include "tests/ct/ct.hpp"

namespace {

using tern::HashId;
using tern::ctcheck::declassify;
using tern::ctcheck::secret;

template <class F>
void each_kernel(tern::KernelSet& set, F body) {
  for (std::size_t i = 0; i < set.count(); ++i) {
    if (!set.supported(i) || !set.select(set.name(i))) continue;
    std::printf("  kernel: %s\n", set.active());
    body();
  }
  set.reset();
}

tern::KernelSet& kernels(HashId id) {
  return id == HashId::sha256 ? tern::sha2::sha256_kernels() : tern::sha2::sha512_kernels();
}

void hmac_one(HashId id) {
  static std::uint8_t key[200], msg[400];
  for (std::size_t i = 0; i < sizeof key; ++i) key[i] = static_cast<std::uint8_t>(i * 7 + 1);
  for (std::size_t i = 0; i < sizeof msg; ++i) msg[i] = static_cast<std::uint8_t>(i * 13 + 5);
  // Short, block-size and longer-than-a-block (hashed) keys.
  for (std::size_t klen : {0u, 32u, 64u, 128u, 200u}) {
    std::uint8_t tag[64];
    secret(key, sizeof key);
    secret(msg, sizeof msg);
    const auto k = std::span<const std::uint8_t>(key, klen);
    tern::Status s = tern::hmac(id, std::span<std::uint8_t>(tag, tern::sha2::digest_size(id)), k, msg);
    declassify(&s, sizeof s);
    if (s != tern::Status::ok) __builtin_trap();
    // Keyed-object reuse.
    tern::HmacAny h(id, k);
    h.update(msg);
    h.final(tag);
    tern::HmacAny copy = h;
    copy.update(std::span<const std::uint8_t>(msg, 77));
    copy.final(tag);
    // Verification: the expected tag is secret too until the verdict.
    secret(tag, sizeof tag);
    tern::Status v = tern::hmac_verify(id, std::span<const std::uint8_t>(tag, 16), k, msg);
    declassify(&v, sizeof v);
    declassify(tag, sizeof tag);
  }
  declassify(key, sizeof key);
  declassify(msg, sizeof msg);
}

void hmac_typed() {
  std::uint8_t key[48], msg[300], tag[32];
  for (std::size_t i = 0; i < sizeof key; ++i) key[i] = static_cast<std::uint8_t>(i);
  for (std::size_t i = 0; i < sizeof msg; ++i) msg[i] = static_cast<std::uint8_t>(i * 3);
  secret(key, sizeof key);
  secret(msg, sizeof msg);
  tern::HmacSha256::mac(tag, key, msg);
  tern::HmacSha256 h(key);
  h.update(msg);
  tern::Status v = h.verify(tag);
  declassify(&v, sizeof v);
  declassify(tag, sizeof tag);
}

void hkdf_one(HashId id) {
  std::uint8_t ikm[64], salt[32], info[20], prk[64];
  static std::uint8_t okm[600];
  for (std::size_t i = 0; i < sizeof ikm; ++i) ikm[i] = static_cast<std::uint8_t>(i + 9);
  for (std::size_t i = 0; i < sizeof salt; ++i) salt[i] = static_cast<std::uint8_t>(i * 5);
  for (std::size_t i = 0; i < sizeof info; ++i) info[i] = static_cast<std::uint8_t>(i * 11);
  secret(ikm, sizeof ikm);
  const std::size_t hl = tern::sha2::digest_size(id);
  tern::Status s = tern::hkdf_extract(id, std::span<std::uint8_t>(prk, hl), salt, ikm);
  declassify(&s, sizeof s);
  if (s != tern::Status::ok) __builtin_trap();
  s = tern::hkdf_expand(id, okm, std::span<const std::uint8_t>(prk, hl), info);
  declassify(&s, sizeof s);
  if (s != tern::Status::ok) __builtin_trap();
  s = tern::hkdf(id, std::span<std::uint8_t>(okm, 100), {}, ikm, info);
  declassify(&s, sizeof s);
  declassify(okm, sizeof okm);
  declassify(prk, sizeof prk);
  declassify(ikm, sizeof ikm);
}

void hmac_case() {
  for (HashId id : {HashId::sha256, HashId::sha384, HashId::sha512})
    each_kernel(kernels(id), [id] { hmac_one(id); });
  each_kernel(tern::sha2::sha256_kernels(), [] { hmac_typed(); });
}

void hkdf_case() {
  for (HashId id : {HashId::sha256, HashId::sha384, HashId::sha512})
    each_kernel(kernels(id), [id] { hkdf_one(id); });
}

TERN_CT_CASE("hmac-sha256/384/512 (secret key, message, expected tag)", hmac_case);
TERN_CT_CASE("hkdf-sha256/384/512 extract+expand (secret ikm, prk)", hkdf_case);

}  // namespace
