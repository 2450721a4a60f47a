// libFuzzer differential target for one AEAD (chosen at compile time by
// TERN_FUZZ_AEAD: 0 AES-128-GCM, 1 AES-256-GCM, 2 ChaCha20-Poly1305,
// 3 XChaCha20-Poly1305). Every kernel this CPU supports is run against the
// portable kernel: seal must give the same bytes, open of the result must
// give the plaintext back, a tampered ciphertext/tag/AAD must be rejected
// with the output wiped, and arbitrary ciphertext must get the same verdict
// from every kernel.
//   input: key | nonce | aad_len (1 byte) | aad | tamper (2 bytes) | plaintext
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "crypto/aes/gcm.hpp"
#include "crypto/chacha/aead.hpp"
#include "crypto/chacha/chacha.hpp"
#include "tests/fuzz/fuzz_common.hpp"

#ifndef TERN_FUZZ_AEAD
#define TERN_FUZZ_AEAD 0
#endif

namespace {

using tern::Status;
using Span = std::span<const std::uint8_t>;

#if TERN_FUZZ_AEAD <= 1
constexpr std::size_t kKeyLen = TERN_FUZZ_AEAD == 0 ? 16 : 32, kNonceLen = 12;
using Ctx = tern::aes::AesGcm;
#elif TERN_FUZZ_AEAD == 2
constexpr std::size_t kKeyLen = 32, kNonceLen = 12;
using Ctx = tern::chacha::ChaCha20Poly1305;
#else
constexpr std::size_t kKeyLen = 32, kNonceLen = 24;
using Ctx = tern::chacha::XChaCha20Poly1305;
#endif

// A kernel configuration: names to select in each kernel set.
struct Config {
  std::string a, b;
};

std::vector<Config> configs() {
  std::vector<Config> out;
#if TERN_FUZZ_AEAD <= 1
  auto& ks = tern::aes::aes_gcm_kernels();
  for (std::size_t i = 0; i < ks.count(); ++i)
    if (ks.supported(i)) out.push_back({ks.name(i), ""});
#else
  auto& c = tern::chacha::chacha20_kernels();
  auto& p = tern::chacha::poly1305_kernels();
  for (std::size_t i = 0; i < c.count(); ++i)
    for (std::size_t j = 0; j < p.count(); ++j)
      if (c.supported(i) && p.supported(j)) out.push_back({c.name(i), p.name(j)});
#endif
  return out;
}

void select(const Config& cfg) {
#if TERN_FUZZ_AEAD <= 1
  TERN_FUZZ_CHECK(tern::aes::aes_gcm_kernels().select(cfg.a));
#else
  TERN_FUZZ_CHECK(tern::chacha::chacha20_kernels().select(cfg.a));
  TERN_FUZZ_CHECK(tern::chacha::poly1305_kernels().select(cfg.b));
#endif
}

bool all_zero(const std::vector<std::uint8_t>& v) {
  for (auto b : v)
    if (b) return false;
  return true;
}

struct Result {
  std::vector<std::uint8_t> sealed;
  Status arbitrary_open;
  std::vector<std::uint8_t> arbitrary_pt;
};

Result run(const Config& cfg, Span key, Span nonce, Span aad, Span pt, std::uint16_t tamper) {
  select(cfg);
  Result r;
  Ctx ctx;
  TERN_FUZZ_CHECK(ctx.init(key) == Status::ok);
  r.sealed.assign(pt.size() + 16, 0);
  TERN_FUZZ_CHECK(ctx.seal(r.sealed, nonce, aad, pt) == Status::ok);
  // Open the sealed message.
  std::vector<std::uint8_t> back(pt.size());
  TERN_FUZZ_CHECK(ctx.open(back, nonce, aad, r.sealed) == Status::ok);
  TERN_FUZZ_CHECK(tern::fuzz::same(back, pt));
  // In place.
  std::vector<std::uint8_t> inplace(pt.begin(), pt.end());
  inplace.resize(pt.size() + 16);
  TERN_FUZZ_CHECK(ctx.seal(inplace, nonce, aad, Span(inplace.data(), pt.size())) == Status::ok);
  TERN_FUZZ_CHECK(inplace == r.sealed);
  // Tampered ciphertext or tag: one bit anywhere.
  std::vector<std::uint8_t> bad(r.sealed);
  const std::size_t at = tamper % bad.size();
  bad[at] ^= static_cast<std::uint8_t>(1u << ((tamper >> 12) & 7));
  std::vector<std::uint8_t> junk(pt.size(), 0xee);
  TERN_FUZZ_CHECK(ctx.open(junk, nonce, aad, bad) == Status::auth_failed);
  TERN_FUZZ_CHECK(all_zero(junk));
  // Tampered AAD (a byte appended).
  std::vector<std::uint8_t> aad2(aad.begin(), aad.end());
  aad2.push_back(static_cast<std::uint8_t>(tamper));
  TERN_FUZZ_CHECK(ctx.open(junk, nonce, aad2, r.sealed) == Status::auth_failed);
  // The plaintext bytes read as a ciphertext (arbitrary input).
  if (pt.size() >= 16) {
    r.arbitrary_pt.assign(pt.size() - 16, 0x55);
    r.arbitrary_open = ctx.open(r.arbitrary_pt, nonce, aad, pt);
  } else {
    std::vector<std::uint8_t> none;
    r.arbitrary_open = ctx.open(none, nonce, aad, pt);
    TERN_FUZZ_CHECK(r.arbitrary_open != Status::ok);
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<Config> cfgs = configs();
  tern::fuzz::Input in(data, size);
  std::uint8_t key[kKeyLen] = {}, nonce[kNonceLen] = {};
  auto k = in.take(kKeyLen);
  std::copy(k.begin(), k.end(), key);
  auto n = in.take(kNonceLen);
  std::copy(n.begin(), n.end(), nonce);
  const std::size_t aad_len = in.u8();
  auto aad = in.take(aad_len);
  const std::uint16_t tamper = in.u16();
  auto pt = in.rest();

  // The portable kernel is the reference (last in every table).
  Config ref = cfgs.back();
#if TERN_FUZZ_AEAD > 1
  ref = {"portable", "portable"};
#else
  ref = {"portable", ""};
#endif
  const Result want = run(ref, Span(key, kKeyLen), Span(nonce, kNonceLen), aad, pt, tamper);
  for (const auto& cfg : cfgs) {
    const Result got = run(cfg, Span(key, kKeyLen), Span(nonce, kNonceLen), aad, pt, tamper);
    TERN_FUZZ_CHECK(got.sealed == want.sealed);
    TERN_FUZZ_CHECK(got.arbitrary_open == want.arbitrary_open);
    TERN_FUZZ_CHECK(got.arbitrary_pt == want.arbitrary_pt);
  }
#if TERN_FUZZ_AEAD <= 1
  tern::aes::aes_gcm_kernels().reset();
#else
  tern::chacha::chacha20_kernels().reset();
  tern::chacha::poly1305_kernels().reset();
#endif
  return 0;
}
