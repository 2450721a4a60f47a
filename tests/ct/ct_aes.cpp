// Constant-time check for AES and AES-GCM: key, plaintext and (for open)
// ciphertext/tag are secret; seal, a successful open and a failing open
// must not branch on or index memory by them. Runs with whichever kernel is
// active (portable under TERN_CPU_DISABLE=all; AES-NI under valgrind
// otherwise, which has no AVX-512/VAES).
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "crypto/aes/aes.hpp"
#include "crypto/aes/gcm.hpp"
#include "tests/ct/ct.hpp"

namespace {

using tern::ctcheck::declassify;
using tern::ctcheck::secret;

void aes_block() {
  std::uint8_t key[32], blk[16];
  for (int i = 0; i < 32; ++i) key[i] = static_cast<std::uint8_t>(i * 7 + 1);
  for (int i = 0; i < 16; ++i) blk[i] = static_cast<std::uint8_t>(i);
  for (std::size_t kl : {16u, 24u, 32u}) {
    secret(key, sizeof key);
    secret(blk, sizeof blk);
    tern::aes::Aes a;
    (void)a.init(std::span<const std::uint8_t>(key, kl));
    a.encrypt_block(blk, blk);
    declassify(blk, sizeof blk);
  }
}

void gcm_case(std::size_t key_len, std::size_t len, std::size_t nonce_len) {
  std::uint8_t key[32], nonce[20] = {1, 2, 3}, aad[13] = {23, 3, 3};
  static std::uint8_t pt[1500], buf[1500 + 16], back[1500];
  for (int i = 0; i < 32; ++i) key[i] = static_cast<std::uint8_t>(i * 3 + 5);
  for (std::size_t i = 0; i < len; ++i) pt[i] = static_cast<std::uint8_t>(i * 11);
  secret(key, sizeof key);
  secret(pt, len);
  tern::aes::AesGcm g;
  (void)g.init(std::span<const std::uint8_t>(key, key_len));
  static bool printed = false;
  if (!printed) {
    std::printf("ct: aes-gcm kernel %s\n", g.kernel());
    printed = true;
  }
  const auto n = std::span<const std::uint8_t>(nonce, nonce_len);
  const tern::Status s = g.seal(std::span<std::uint8_t>(buf, len + 16), n, aad, std::span<const std::uint8_t>(pt, len));
  declassify(&s, sizeof s);
  if (s != tern::Status::ok) __builtin_trap();
  // The ciphertext and tag are public once sent; the opener treats them as
  // untrusted but the key stays secret. Mark them secret too: the opener
  // must not branch on them before the final verdict.
  secret(buf, len + 16);
  tern::Status o = g.open(std::span<std::uint8_t>(back, len), n, aad, std::span<const std::uint8_t>(buf, len + 16));
  declassify(&o, sizeof o);
  if (o != tern::Status::ok) __builtin_trap();
  declassify(buf, len + 16);
  buf[len / 2] ^= 1;  // failing open (tag or ciphertext byte)
  secret(buf, len + 16);
  o = g.open(std::span<std::uint8_t>(back, len), n, aad, std::span<const std::uint8_t>(buf, len + 16));
  declassify(&o, sizeof o);
  if (o != tern::Status::auth_failed) __builtin_trap();
}

void gcm128() {
  for (std::size_t len : {0u, 16u, 64u, 100u, 1350u}) gcm_case(16, len, 12);
  gcm_case(16, 40, 17);  // hashed J0
}
void gcm256() {
  for (std::size_t len : {0u, 13u, 64u, 1350u}) gcm_case(32, len, 12);
}

}  // namespace

TERN_CT_CASE("aes-block", aes_block);
TERN_CT_CASE("aes128gcm-seal-open", gcm128);
TERN_CT_CASE("aes256gcm-seal-open", gcm256);
