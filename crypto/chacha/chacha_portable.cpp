// Portable ChaCha20 block function and keystream XOR (RFC 8439 §2.3-2.4),
// HChaCha20 core. Endian-clean; constant time (only adds, xors, rotates).
#include <cstring>

#include "crypto/chacha/internal.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::chacha::detail {

namespace {

inline void quarter(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c, std::uint32_t& d) noexcept {
  a += b; d ^= a; d = rotl32(d, 16);
  c += d; b ^= c; b = rotl32(b, 12);
  a += b; d ^= a; d = rotl32(d, 8);
  c += d; b ^= c; b = rotl32(b, 7);
}

inline void twenty_rounds(std::uint32_t x[16]) noexcept {
  for (int i = 0; i < 10; ++i) {
    quarter(x[0], x[4], x[8], x[12]);
    quarter(x[1], x[5], x[9], x[13]);
    quarter(x[2], x[6], x[10], x[14]);
    quarter(x[3], x[7], x[11], x[15]);
    quarter(x[0], x[5], x[10], x[15]);
    quarter(x[1], x[6], x[11], x[12]);
    quarter(x[2], x[7], x[8], x[13]);
    quarter(x[3], x[4], x[9], x[14]);
  }
}

constexpr std::uint32_t kSigma[4] = {0x61707865u, 0x3320646eu, 0x79622d32u, 0x6b206574u};

}  // namespace

void chacha_init_state(std::uint32_t st[16], const std::uint32_t key[8], const std::uint8_t nonce[12],
                       std::uint32_t counter) noexcept {
  for (int i = 0; i < 4; ++i) st[i] = kSigma[i];
  for (int i = 0; i < 8; ++i) st[4 + i] = key[i];
  st[12] = counter;
  for (int i = 0; i < 3; ++i) st[13 + i] = load_le32(nonce + 4 * i);
}

void chacha_block_portable(std::uint32_t out[16], const std::uint32_t in[16]) noexcept {
  std::uint32_t x[16];
  for (int i = 0; i < 16; ++i) x[i] = in[i];
  twenty_rounds(x);
  for (int i = 0; i < 16; ++i) out[i] = x[i] + in[i];
  wipe(x, sizeof(x));
}

void hchacha20_core(std::uint32_t out[8], const std::uint32_t key[8], const std::uint8_t nonce[16]) noexcept {
  std::uint32_t x[16];
  for (int i = 0; i < 4; ++i) x[i] = kSigma[i];
  for (int i = 0; i < 8; ++i) x[4 + i] = key[i];
  for (int i = 0; i < 4; ++i) x[12 + i] = load_le32(nonce + 4 * i);
  twenty_rounds(x);
  for (int i = 0; i < 4; ++i) {
    out[i] = x[i];
    out[4 + i] = x[12 + i];
  }
  wipe(x, sizeof(x));
}

void xor_stream_portable(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                         const std::uint32_t st[16]) noexcept {
  std::uint32_t s[16], ks[16];
  std::uint8_t kb[64];
  for (int i = 0; i < 16; ++i) s[i] = st[i];
  while (len > 0) {
    chacha_block_portable(ks, s);
    s[12] += 1;
    const std::size_t n = len < 64 ? len : 64;
    if (n == 64) {
      for (int i = 0; i < 16; ++i) store_le32(out + 4 * i, load_le32(in + 4 * i) ^ ks[i]);
    } else {
      for (int i = 0; i < 16; ++i) store_le32(kb + 4 * i, ks[i]);
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(in[i] ^ kb[i]);
    }
    out += n;
    in += n;
    len -= n;
  }
  wipe(s, sizeof(s));
  wipe(ks, sizeof(ks));
  wipe(kb, sizeof(kb));
}

void mask_portable(std::uint8_t* p, std::size_t n, std::uint64_t mask) noexcept {
  const std::uint8_t m8 = static_cast<std::uint8_t>(mask);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(p[i] & m8);
}

}  // namespace tern::chacha::detail
