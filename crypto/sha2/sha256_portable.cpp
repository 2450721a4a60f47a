// SHA-256 compression, portable C++ (FIPS 180-4 §6.2.2).
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/wipe.hpp"
#include "crypto/sha2/sha2_kernels.hpp"

namespace tern::sha2::internal {

alignas(64) const std::uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

namespace {

inline std::uint32_t bsig0(std::uint32_t x) noexcept { return rotr32(x, 2) ^ rotr32(x, 13) ^ rotr32(x, 22); }
inline std::uint32_t bsig1(std::uint32_t x) noexcept { return rotr32(x, 6) ^ rotr32(x, 11) ^ rotr32(x, 25); }
inline std::uint32_t ssig0(std::uint32_t x) noexcept { return rotr32(x, 7) ^ rotr32(x, 18) ^ (x >> 3); }
inline std::uint32_t ssig1(std::uint32_t x) noexcept { return rotr32(x, 17) ^ rotr32(x, 19) ^ (x >> 10); }
inline std::uint32_t ch(std::uint32_t x, std::uint32_t y, std::uint32_t z) noexcept { return z ^ (x & (y ^ z)); }
inline std::uint32_t maj(std::uint32_t x, std::uint32_t y, std::uint32_t z) noexcept {
  return (x & y) | (z & (x | y));
}

}  // namespace

// One round with the working variables renamed instead of shifted: only d
// and h change. k is the round index within a 16-round group, so every
// message-word index is a compile-time constant.
#define TERN_SHA256_ROUND(a, b, c, d, e, f, g, h, k)             \
  do {                                                             \
    const std::uint32_t t1 = h + bsig1(e) + ch(e, f, g) + kp[k] + w[k]; \
    d += t1;                                                       \
    h = t1 + bsig0(a) + maj(a, b, c);                              \
  } while (0)
#define TERN_SHA256_SCHED(k) w[k] += ssig1(w[((k) + 14) & 15]) + w[((k) + 9) & 15] + ssig0(w[((k) + 1) & 15])
#define TERN_SHA256_16(S)                         \
  S(0);                                             \
  TERN_SHA256_ROUND(a, b, c, d, e, f, g, h, 0);   \
  S(1);                                             \
  TERN_SHA256_ROUND(h, a, b, c, d, e, f, g, 1);   \
  S(2);                                             \
  TERN_SHA256_ROUND(g, h, a, b, c, d, e, f, 2);   \
  S(3);                                             \
  TERN_SHA256_ROUND(f, g, h, a, b, c, d, e, 3);   \
  S(4);                                             \
  TERN_SHA256_ROUND(e, f, g, h, a, b, c, d, 4);   \
  S(5);                                             \
  TERN_SHA256_ROUND(d, e, f, g, h, a, b, c, 5);   \
  S(6);                                             \
  TERN_SHA256_ROUND(c, d, e, f, g, h, a, b, 6);   \
  S(7);                                             \
  TERN_SHA256_ROUND(b, c, d, e, f, g, h, a, 7);   \
  S(8);                                             \
  TERN_SHA256_ROUND(a, b, c, d, e, f, g, h, 8);   \
  S(9);                                             \
  TERN_SHA256_ROUND(h, a, b, c, d, e, f, g, 9);   \
  S(10);                                            \
  TERN_SHA256_ROUND(g, h, a, b, c, d, e, f, 10);  \
  S(11);                                            \
  TERN_SHA256_ROUND(f, g, h, a, b, c, d, e, 11);  \
  S(12);                                            \
  TERN_SHA256_ROUND(e, f, g, h, a, b, c, d, 12);  \
  S(13);                                            \
  TERN_SHA256_ROUND(d, e, f, g, h, a, b, c, 13);  \
  S(14);                                            \
  TERN_SHA256_ROUND(c, d, e, f, g, h, a, b, 14);  \
  S(15);                                            \
  TERN_SHA256_ROUND(b, c, d, e, f, g, h, a, 15)
#define TERN_SHA256_NOSCHED(k) (void)0

#if defined(TERN_SMALL)
// -Dprofile=minimal: the same compression as one rolled loop (the variables
// shift each round); about a tenth of the unrolled code's size.
void sha256_portable(std::uint32_t state[8], const std::uint8_t* p, std::size_t nblocks) noexcept {
  std::uint32_t w[16];
  for (; nblocks > 0; --nblocks, p += 64) {
    std::uint32_t v[8];
    for (int i = 0; i < 8; ++i) v[i] = state[i];
    for (int i = 0; i < 16; ++i) w[i] = load_be32(p + 4 * i);
    for (int r = 0; r < 64; ++r) {
      const int k = r & 15;
      if (r >= 16) w[k] += ssig1(w[(k + 14) & 15]) + w[(k + 9) & 15] + ssig0(w[(k + 1) & 15]);
      const std::uint32_t t1 = v[7] + bsig1(v[4]) + ch(v[4], v[5], v[6]) + K256[r] + w[k];
      const std::uint32_t t2 = bsig0(v[0]) + maj(v[0], v[1], v[2]);
      for (int i = 7; i > 0; --i) v[i] = v[i - 1];
      v[4] += t1;
      v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; ++i) state[i] += v[i];
    wipe(v, sizeof v);
  }
  wipe(w, sizeof w);
}
#else
void sha256_portable(std::uint32_t state[8], const std::uint8_t* p, std::size_t nblocks) noexcept {
  std::uint32_t w[16];
  for (; nblocks > 0; --nblocks, p += 64) {
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 16; ++i) w[i] = load_be32(p + 4 * i);
    const std::uint32_t* kp = K256;
    TERN_SHA256_16(TERN_SHA256_NOSCHED);
    for (int r = 16; r < 64; r += 16) {
      kp = K256 + r;
      TERN_SHA256_16(TERN_SHA256_SCHED);
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
  wipe(w, sizeof w);
}

#endif  // TERN_SMALL

#undef TERN_SHA256_ROUND
#undef TERN_SHA256_SCHED
#undef TERN_SHA256_16
#undef TERN_SHA256_NOSCHED

}  // namespace tern::sha2::internal
