// GF(2^255 - 19) on five 51-bit limbs with 64x64->128 products
// (unsigned __int128). Internal to crypto/curve25519: the "portable" kernel.
//
// Limb bounds: every operation returns limbs below 2^51 + 2^13 (weakly
// reduced: the value may still be >= p); inputs may be anything such an
// operation returns. to_bytes() produces the canonical encoding.
#pragma once

#ifdef __SIZEOF_INT128__

#include <cstdint>

#include "crypto/internal/bytes.hpp"
#include "crypto/internal/ct.hpp"

namespace tern::curve25519_detail {

struct Fe51 {
  struct T {
    std::uint64_t v[5];
  };
  static constexpr const char* name = "portable";
  static constexpr std::uint64_t kMask = (std::uint64_t{1} << 51) - 1;
  using u128 = unsigned __int128;

  static void set_small(T& r, std::uint32_t x) noexcept { r = T{{x, 0, 0, 0, 0}}; }

  static void carry(T& r) noexcept {
    std::uint64_t c;
    c = r.v[0] >> 51; r.v[0] &= kMask; r.v[1] += c;
    c = r.v[1] >> 51; r.v[1] &= kMask; r.v[2] += c;
    c = r.v[2] >> 51; r.v[2] &= kMask; r.v[3] += c;
    c = r.v[3] >> 51; r.v[3] &= kMask; r.v[4] += c;
    c = r.v[4] >> 51; r.v[4] &= kMask; r.v[0] += 19 * c;
  }
  static void add(T& r, const T& a, const T& b) noexcept {
    for (int i = 0; i < 5; ++i) r.v[i] = a.v[i] + b.v[i];
    carry(r);
  }
  // a + 4p - b, then carried: b's limbs must stay below 2^53 - 76.
  static void sub(T& r, const T& a, const T& b) noexcept {
    r.v[0] = a.v[0] + 0x1fffffffffffb4 - b.v[0];
    for (int i = 1; i < 5; ++i) r.v[i] = a.v[i] + 0x1ffffffffffffc - b.v[i];
    carry(r);
  }
  static void neg(T& r, const T& a) noexcept {
    T z{{0, 0, 0, 0, 0}};
    sub(r, z, a);
  }

  static void reduce_wide(T& r, u128 t0, u128 t1, u128 t2, u128 t3, u128 t4) noexcept {
    t1 += static_cast<std::uint64_t>(t0 >> 51);
    t2 += static_cast<std::uint64_t>(t1 >> 51);
    t3 += static_cast<std::uint64_t>(t2 >> 51);
    t4 += static_cast<std::uint64_t>(t3 >> 51);
    std::uint64_t r0 = (static_cast<std::uint64_t>(t0) & kMask) + 19 * static_cast<std::uint64_t>(t4 >> 51);
    std::uint64_t r1 = (static_cast<std::uint64_t>(t1) & kMask) + (r0 >> 51);
    r.v[0] = r0 & kMask;
    r.v[1] = r1;
    r.v[2] = static_cast<std::uint64_t>(t2) & kMask;
    r.v[3] = static_cast<std::uint64_t>(t3) & kMask;
    r.v[4] = static_cast<std::uint64_t>(t4) & kMask;
  }

#ifdef TERN_SMALL
  // TERN_SMALL: the same 25 products and sums as a loop (limb i of the
  // product gathers a_j * b_(i-j), with 19 * b_(5+i-j) for the wrapped
  // terms). r may alias a or b.
  static void mul(T& r, const T& a, const T& b) noexcept {
    u128 t[5];
    for (int i = 0; i < 5; ++i) {
      u128 acc = 0;
      for (int j = 0; j < 5; ++j) acc += u128(a.v[j]) * (j <= i ? b.v[i - j] : 19 * b.v[5 + i - j]);
      t[i] = acc;
    }
    reduce_wide(r, t[0], t[1], t[2], t[3], t[4]);
  }
#else
  static void mul(T& r, const T& a, const T& b) noexcept {
    const std::uint64_t a0 = a.v[0], a1 = a.v[1], a2 = a.v[2], a3 = a.v[3], a4 = a.v[4];
    const std::uint64_t b0 = b.v[0], b1 = b.v[1], b2 = b.v[2], b3 = b.v[3], b4 = b.v[4];
    const std::uint64_t c1 = 19 * b1, c2 = 19 * b2, c3 = 19 * b3, c4 = 19 * b4;
    u128 t0 = u128(a0) * b0 + u128(a1) * c4 + u128(a2) * c3 + u128(a3) * c2 + u128(a4) * c1;
    u128 t1 = u128(a0) * b1 + u128(a1) * b0 + u128(a2) * c4 + u128(a3) * c3 + u128(a4) * c2;
    u128 t2 = u128(a0) * b2 + u128(a1) * b1 + u128(a2) * b0 + u128(a3) * c4 + u128(a4) * c3;
    u128 t3 = u128(a0) * b3 + u128(a1) * b2 + u128(a2) * b1 + u128(a3) * b0 + u128(a4) * c4;
    u128 t4 = u128(a0) * b4 + u128(a1) * b3 + u128(a2) * b2 + u128(a3) * b1 + u128(a4) * b0;
    reduce_wide(r, t0, t1, t2, t3, t4);
  }
#endif
#ifdef TERN_SMALL
  // TERN_SMALL: squaring is the general product (about +15% per X25519).
  static void sqr(T& r, const T& a) noexcept { mul(r, a, a); }
#else
  static void sqr(T& r, const T& a) noexcept {
    const std::uint64_t a0 = a.v[0], a1 = a.v[1], a2 = a.v[2], a3 = a.v[3], a4 = a.v[4];
    const std::uint64_t d0 = 2 * a0, d1 = 2 * a1;
    const std::uint64_t a3_19 = 19 * a3, a4_19 = 19 * a4;
    u128 t0 = u128(a0) * a0 + u128(d1) * a4_19 + u128(2 * a2) * a3_19;
    u128 t1 = u128(d0) * a1 + u128(a3) * a3_19 + u128(2 * a2) * a4_19;
    u128 t2 = u128(d0) * a2 + u128(a1) * a1 + u128(2 * a3) * a4_19;
    u128 t3 = u128(d0) * a3 + u128(d1) * a2 + u128(a4) * a4_19;
    u128 t4 = u128(d0) * a4 + u128(d1) * a3 + u128(a2) * a2;
    reduce_wide(r, t0, t1, t2, t3, t4);
  }
#endif
  // r = a * c for a small constant c (< 2^20).
  static void mul_small(T& r, const T& a, std::uint32_t c) noexcept {
    u128 t0 = u128(a.v[0]) * c, t1 = u128(a.v[1]) * c, t2 = u128(a.v[2]) * c;
    u128 t3 = u128(a.v[3]) * c, t4 = u128(a.v[4]) * c;
    reduce_wide(r, t0, t1, t2, t3, t4);
  }

#ifdef TERN_SMALL
  // TERN_SMALL: the same conversions as loops. Limb i holds bits 51i..51i+50:
  // a 64-bit load at byte min(51i / 8, 24) shifted right by the remainder.
  // Bit 255 of the input is ignored.
  static void from_bytes(T& r, const std::uint8_t s[32]) noexcept {
    for (unsigned i = 0; i < 5; ++i) {
      const unsigned at = i < 4 ? 51 * i / 8 : 24;
      r.v[i] = (load_le64(s + at) >> (51 * i - 8 * at)) & kMask;
    }
  }
  static void to_bytes(std::uint8_t s[32], const T& a) noexcept {
    T h = a;
    carry(h);
    carry(h);  // now h < 2^255 + 2^13*19: below 2p
    // q = 1 exactly when h >= p.
    std::uint64_t q = 19;
    for (int i = 0; i < 5; ++i) q = (h.v[i] + q) >> 51;
    h.v[0] += 19 * q;
    for (int i = 0; i < 4; ++i) {
      h.v[i + 1] += h.v[i] >> 51;
      h.v[i] &= kMask;
    }
    h.v[4] &= kMask;  // drops 2^255 (subtracting p together with the +19)
    // Word i holds bits 64i..64i+63: limb i from bit 13i up, then limb i+1.
    for (unsigned i = 0; i < 4; ++i) store_le64(s + 8 * i, (h.v[i] >> (13 * i)) | (h.v[i + 1] << (51 - 13 * i)));
  }
#else
  // Bit 255 of the input is ignored.
  static void from_bytes(T& r, const std::uint8_t s[32]) noexcept {
    const std::uint64_t w0 = load_le64(s), w1 = load_le64(s + 8), w2 = load_le64(s + 16), w3 = load_le64(s + 24);
    r.v[0] = w0 & kMask;
    r.v[1] = ((w0 >> 51) | (w1 << 13)) & kMask;
    r.v[2] = ((w1 >> 38) | (w2 << 26)) & kMask;
    r.v[3] = ((w2 >> 25) | (w3 << 39)) & kMask;
    r.v[4] = (w3 >> 12) & kMask;
  }
  static void to_bytes(std::uint8_t s[32], const T& a) noexcept {
    T h = a;
    carry(h);
    carry(h);  // now h < 2^255 + 2^13*19: below 2p
    // q = 1 exactly when h >= p.
    std::uint64_t q = (h.v[0] + 19) >> 51;
    q = (h.v[1] + q) >> 51;
    q = (h.v[2] + q) >> 51;
    q = (h.v[3] + q) >> 51;
    q = (h.v[4] + q) >> 51;
    h.v[0] += 19 * q;
    std::uint64_t c;
    c = h.v[0] >> 51; h.v[0] &= kMask; h.v[1] += c;
    c = h.v[1] >> 51; h.v[1] &= kMask; h.v[2] += c;
    c = h.v[2] >> 51; h.v[2] &= kMask; h.v[3] += c;
    c = h.v[3] >> 51; h.v[3] &= kMask; h.v[4] += c;
    h.v[4] &= kMask;  // drops 2^255 (subtracting p together with the +19)
    store_le64(s, h.v[0] | (h.v[1] << 51));
    store_le64(s + 8, (h.v[1] >> 13) | (h.v[2] << 38));
    store_le64(s + 16, (h.v[2] >> 26) | (h.v[3] << 25));
    store_le64(s + 24, (h.v[3] >> 39) | (h.v[4] << 12));
  }
#endif

  // mask: all-ones or zero (secret).
  static void cswap(T& a, T& b, std::uint64_t mask) noexcept {
    mask = ct::value_barrier(mask);
    for (int i = 0; i < 5; ++i) {
      const std::uint64_t t = mask & (a.v[i] ^ b.v[i]);
      a.v[i] ^= t;
      b.v[i] ^= t;
    }
  }
  static void cmov(T& r, const T& a, std::uint64_t mask) noexcept {
    mask = ct::value_barrier(mask);
    for (int i = 0; i < 5; ++i) r.v[i] ^= mask & (r.v[i] ^ a.v[i]);
  }
};

}  // namespace tern::curve25519_detail

#endif  // __SIZEOF_INT128__
