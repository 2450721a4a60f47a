// Scalar arithmetic mod L by Barrett reduction (HAC 14.42, base 2^32, k = 8).
#include "crypto/curve25519/scalar.hpp"

#include "crypto/internal/bytes.hpp"
#include "crypto/internal/ct.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::curve25519_detail {
namespace {

constexpr std::uint32_t kL[9] = {0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de, 0, 0, 0, 0x10000000, 0};
// mu = floor(2^512 / L)
constexpr std::uint32_t kMu[9] = {0x0a2c131b, 0xed9ce5a3, 0x086329a7, 0x2106215d, 0xffffffeb,
                                  0xffffffff, 0xffffffff, 0xffffffff, 0xf};

// r[0..na+nb) = a * b
void mul_words(std::uint32_t* r, const std::uint32_t* a, int na, const std::uint32_t* b, int nb) noexcept {
  for (int i = 0; i < na + nb; ++i) r[i] = 0;
  for (int i = 0; i < na; ++i) {
    std::uint64_t c = 0;
    for (int j = 0; j < nb; ++j) {
      c += std::uint64_t{a[i]} * b[j] + r[i + j];
      r[i + j] = static_cast<std::uint32_t>(c);
      c >>= 32;
    }
    r[i + nb] = static_cast<std::uint32_t>(c);
  }
}

// r (9 words, < 3L) -> r mod L, constant time.
void cond_sub_l(std::uint32_t r[9]) noexcept {
  std::uint32_t t[9];
  std::uint64_t borrow = 0;
  for (int i = 0; i < 9; ++i) {
    const std::uint64_t d = std::uint64_t{r[i]} - kL[i] - borrow;
    t[i] = static_cast<std::uint32_t>(d);
    borrow = (d >> 32) & 1;
  }
  // no borrow: r >= L, take t
  const std::uint32_t keep_t = ct::mask_zero(static_cast<std::uint32_t>(borrow));
  for (int i = 0; i < 9; ++i) r[i] = ct::select(keep_t, t[i], r[i]);
  wipe(t, sizeof t);
}

// x: 16 words (< 2^512) -> out (32 bytes) = x mod L.
void barrett(std::uint8_t out[32], const std::uint32_t x[16]) noexcept {
  std::uint32_t q2[18], q3l[18], r[9];
  // q1 = x >> 224 (9 words); q2 = q1 * mu; q3 = q2 >> 288
  mul_words(q2, x + 7, 9, kMu, 9);
  // r2 = (q3 * L) mod 2^288
  mul_words(q3l, q2 + 9, 9, kL, 9);
  // r = (x mod 2^288) - r2 mod 2^288
  std::uint64_t borrow = 0;
  for (int i = 0; i < 9; ++i) {
    const std::uint64_t d = std::uint64_t{x[i]} - q3l[i] - borrow;
    r[i] = static_cast<std::uint32_t>(d);
    borrow = (d >> 32) & 1;
  }
  cond_sub_l(r);
  cond_sub_l(r);
  for (int i = 0; i < 8; ++i) store_le32(out + 4 * i, r[i]);
  wipe(q2, sizeof q2);
  wipe(q3l, sizeof q3l);
  wipe(r, sizeof r);
}

}  // namespace

void sc_reduce64(std::uint8_t out[32], const std::uint8_t x[64]) noexcept {
  std::uint32_t w[16];
  for (int i = 0; i < 16; ++i) w[i] = load_le32(x + 4 * i);
  barrett(out, w);
  wipe(w, sizeof w);
}

void sc_muladd(std::uint8_t out[32], const std::uint8_t a[32], const std::uint8_t b[32],
               const std::uint8_t c[32]) noexcept {
  std::uint32_t wa[8], wb[8], p[16];
  for (int i = 0; i < 8; ++i) {
    wa[i] = load_le32(a + 4 * i);
    wb[i] = load_le32(b + 4 * i);
  }
  mul_words(p, wa, 8, wb, 8);
  std::uint64_t carry = 0;
  for (int i = 0; i < 16; ++i) {
    carry += std::uint64_t{p[i]} + (i < 8 ? load_le32(c + 4 * i) : 0u);
    p[i] = static_cast<std::uint32_t>(carry);
    carry >>= 32;
  }
  barrett(out, p);
  wipe(wa, sizeof wa);
  wipe(wb, sizeof wb);
  wipe(p, sizeof p);
}

bool sc_is_canonical(const std::uint8_t s[32]) noexcept {
  for (int i = 7; i >= 0; --i) {
    const std::uint32_t w = load_le32(s + 4 * i);
    if (w < kL[i]) return true;
    if (w > kL[i]) return false;
  }
  return false;  // equal to L
}

}  // namespace tern::curve25519_detail
