// SHA-512 compression, portable C++ (FIPS 180-4 §6.4.2).
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/wipe.hpp"
#include "crypto/sha2/sha2_kernels.hpp"

namespace tern::sha2::internal {

alignas(64) const std::uint64_t K512[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
    0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
    0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
    0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
    0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
    0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
    0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
    0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
    0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
    0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
};

namespace {

inline std::uint64_t bsig0(std::uint64_t x) noexcept { return rotr64(x, 28) ^ rotr64(x, 34) ^ rotr64(x, 39); }
inline std::uint64_t bsig1(std::uint64_t x) noexcept { return rotr64(x, 14) ^ rotr64(x, 18) ^ rotr64(x, 41); }
inline std::uint64_t ssig0(std::uint64_t x) noexcept { return rotr64(x, 1) ^ rotr64(x, 8) ^ (x >> 7); }
inline std::uint64_t ssig1(std::uint64_t x) noexcept { return rotr64(x, 19) ^ rotr64(x, 61) ^ (x >> 6); }
inline std::uint64_t ch(std::uint64_t x, std::uint64_t y, std::uint64_t z) noexcept { return z ^ (x & (y ^ z)); }
inline std::uint64_t maj(std::uint64_t x, std::uint64_t y, std::uint64_t z) noexcept {
  return (x & y) | (z & (x | y));
}

}  // namespace

// One round with the working variables renamed instead of shifted: only d
// and h change. k is the round index within a 16-round group, so every
// message-word index is a compile-time constant.
#define TERN_SHA512_ROUND(a, b, c, d, e, f, g, h, k)             \
  do {                                                             \
    const std::uint64_t t1 = h + bsig1(e) + ch(e, f, g) + kp[k] + w[k]; \
    d += t1;                                                       \
    h = t1 + bsig0(a) + maj(a, b, c);                              \
  } while (0)
#define TERN_SHA512_SCHED(k) w[k] += ssig1(w[((k) + 14) & 15]) + w[((k) + 9) & 15] + ssig0(w[((k) + 1) & 15])
#define TERN_SHA512_16(S)                         \
  S(0);                                             \
  TERN_SHA512_ROUND(a, b, c, d, e, f, g, h, 0);   \
  S(1);                                             \
  TERN_SHA512_ROUND(h, a, b, c, d, e, f, g, 1);   \
  S(2);                                             \
  TERN_SHA512_ROUND(g, h, a, b, c, d, e, f, 2);   \
  S(3);                                             \
  TERN_SHA512_ROUND(f, g, h, a, b, c, d, e, 3);   \
  S(4);                                             \
  TERN_SHA512_ROUND(e, f, g, h, a, b, c, d, 4);   \
  S(5);                                             \
  TERN_SHA512_ROUND(d, e, f, g, h, a, b, c, 5);   \
  S(6);                                             \
  TERN_SHA512_ROUND(c, d, e, f, g, h, a, b, 6);   \
  S(7);                                             \
  TERN_SHA512_ROUND(b, c, d, e, f, g, h, a, 7);   \
  S(8);                                             \
  TERN_SHA512_ROUND(a, b, c, d, e, f, g, h, 8);   \
  S(9);                                             \
  TERN_SHA512_ROUND(h, a, b, c, d, e, f, g, 9);   \
  S(10);                                            \
  TERN_SHA512_ROUND(g, h, a, b, c, d, e, f, 10);  \
  S(11);                                            \
  TERN_SHA512_ROUND(f, g, h, a, b, c, d, e, 11);  \
  S(12);                                            \
  TERN_SHA512_ROUND(e, f, g, h, a, b, c, d, 12);  \
  S(13);                                            \
  TERN_SHA512_ROUND(d, e, f, g, h, a, b, c, 13);  \
  S(14);                                            \
  TERN_SHA512_ROUND(c, d, e, f, g, h, a, b, 14);  \
  S(15);                                            \
  TERN_SHA512_ROUND(b, c, d, e, f, g, h, a, 15)
#define TERN_SHA512_NOSCHED(k) (void)0

#if defined(TERN_SMALL)
// -Dprofile=minimal: the same compression as one rolled loop (the variables
// shift each round); about a tenth of the unrolled code's size.
void sha512_portable(std::uint64_t state[8], const std::uint8_t* p, std::size_t nblocks) noexcept {
  std::uint64_t w[16];
  for (; nblocks > 0; --nblocks, p += 128) {
    std::uint64_t v[8];
    for (int i = 0; i < 8; ++i) v[i] = state[i];
    for (int i = 0; i < 16; ++i) w[i] = load_be64(p + 8 * i);
    for (int r = 0; r < 80; ++r) {
      const int k = r & 15;
      if (r >= 16) w[k] += ssig1(w[(k + 14) & 15]) + w[(k + 9) & 15] + ssig0(w[(k + 1) & 15]);
      const std::uint64_t t1 = v[7] + bsig1(v[4]) + ch(v[4], v[5], v[6]) + K512[r] + w[k];
      const std::uint64_t t2 = bsig0(v[0]) + maj(v[0], v[1], v[2]);
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
void sha512_portable(std::uint64_t state[8], const std::uint8_t* p, std::size_t nblocks) noexcept {
  std::uint64_t w[16];
  for (; nblocks > 0; --nblocks, p += 128) {
    std::uint64_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint64_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 16; ++i) w[i] = load_be64(p + 8 * i);
    const std::uint64_t* kp = K512;
    TERN_SHA512_16(TERN_SHA512_NOSCHED);
    for (int r = 16; r < 80; r += 16) {
      kp = K512 + r;
      TERN_SHA512_16(TERN_SHA512_SCHED);
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

#undef TERN_SHA512_ROUND
#undef TERN_SHA512_SCHED
#undef TERN_SHA512_16
#undef TERN_SHA512_NOSCHED

}  // namespace tern::sha2::internal
