// GF(2^255 - 19) on ten limbs of 26 and 25 bits (radix 2^25.5) using only
// 32x32->64 products: the "portable32" kernel, for targets without a
// 64x64->128 multiply (it is compiled everywhere so it can be tested).
//
// Limb i sits at bit ceil(25.5 i); even limbs hold 26 bits, odd limbs 25.
// Every operation returns carried limbs (below 2^26 + 2^14, resp. 2^25);
// the value may still be >= p. to_bytes() produces the canonical encoding.
#pragma once

#include <cstdint>

#include "crypto/internal/bytes.hpp"
#include "crypto/internal/ct.hpp"

namespace tern::curve25519_detail {

struct Fe32 {
  struct T {
    std::uint32_t v[10];
  };
  static constexpr const char* name = "portable32";
  static constexpr int width(int i) { return (i & 1) ? 25 : 26; }
  static constexpr int position(int i) { return 26 * ((i + 1) / 2) + 25 * (i / 2); }

  static void set_small(T& r, std::uint32_t x) noexcept {
    for (auto& l : r.v) l = 0;
    r.v[0] = x;
  }

  // Carries a wide accumulator into limbs.
  static void carry_wide(T& r, std::uint64_t h[10]) noexcept {
    for (int pass = 0; pass < 2; ++pass) {
      for (int i = 0; i < 9; ++i) {
        h[i + 1] += h[i] >> width(i);
        h[i] &= (std::uint64_t{1} << width(i)) - 1;
      }
      h[0] += 19 * (h[9] >> 25);
      h[9] &= (std::uint64_t{1} << 25) - 1;
    }
    for (int i = 0; i < 10; ++i) r.v[i] = static_cast<std::uint32_t>(h[i]);
  }
  static void carry(T& r) noexcept {
    std::uint64_t h[10];
    for (int i = 0; i < 10; ++i) h[i] = r.v[i];
    for (int i = 0; i < 9; ++i) {
      h[i + 1] += h[i] >> width(i);
      h[i] &= (std::uint64_t{1} << width(i)) - 1;
    }
    h[0] += 19 * (h[9] >> 25);
    h[9] &= (std::uint64_t{1} << 25) - 1;
    h[1] += h[0] >> 26;
    h[0] &= (std::uint64_t{1} << 26) - 1;
    for (int i = 0; i < 10; ++i) r.v[i] = static_cast<std::uint32_t>(h[i]);
  }

  static void add(T& r, const T& a, const T& b) noexcept {
    for (int i = 0; i < 10; ++i) r.v[i] = a.v[i] + b.v[i];
    carry(r);
  }
  // a + 4p - b, carried.
  static void sub(T& r, const T& a, const T& b) noexcept {
    for (int i = 0; i < 10; ++i) {
      const std::uint32_t four_p = i == 0 ? (std::uint32_t{1} << 28) - 76 : (std::uint32_t{1} << (width(i) + 2)) - 4;
      r.v[i] = a.v[i] + four_p - b.v[i];
    }
    carry(r);
  }
  static void neg(T& r, const T& a) noexcept {
    T z;
    set_small(z, 0);
    sub(r, z, a);
  }

  static void mul(T& r, const T& a, const T& b) noexcept {
    // Products f_i g_j land at limb i+j, doubled when both i and j are odd
    // (two half bits), times 19 when i+j >= 10 (2^255 = 19).
    std::uint32_t b19[10], a2[10];
    for (int i = 0; i < 10; ++i) {
      b19[i] = 19 * b.v[i];
      a2[i] = (i & 1) ? 2 * a.v[i] : a.v[i];
    }
    std::uint64_t h[10] = {};
#pragma GCC unroll 10
    for (int i = 0; i < 10; ++i) {
#pragma GCC unroll 10
      for (int j = 0; j < 10; ++j) {
        const std::uint32_t x = (j & 1) ? a2[i] : a.v[i];
        const std::uint32_t y = (i + j >= 10) ? b19[j] : b.v[j];
        h[(i + j) % 10] += std::uint64_t{x} * y;
      }
    }
    carry_wide(r, h);
  }
  static void sqr(T& r, const T& a) noexcept { mul(r, a, a); }
  static void mul_small(T& r, const T& a, std::uint32_t c) noexcept {
    std::uint64_t h[10];
    for (int i = 0; i < 10; ++i) h[i] = std::uint64_t{a.v[i]} * c;
    carry_wide(r, h);
  }

  static void from_bytes(T& r, const std::uint8_t s[32]) noexcept {
    std::uint64_t w[5] = {load_le64(s), load_le64(s + 8), load_le64(s + 16), load_le64(s + 24), 0};
    for (int i = 0; i < 10; ++i) {
      const int pos = position(i), word = pos / 64, sh = pos % 64;
      std::uint64_t bits = w[word] >> sh;
      if (sh != 0) bits |= w[word + 1] << (64 - sh);
      r.v[i] = static_cast<std::uint32_t>(bits & ((std::uint64_t{1} << width(i)) - 1));
    }
    // Limb 9 covers bits 230..254: bit 255 is dropped by the mask.
  }
  static void to_bytes(std::uint8_t s[32], const T& a) noexcept {
    T h = a;
    carry(h);
    carry(h);
    std::uint32_t q = (h.v[0] + 19) >> 26;
    for (int i = 1; i < 10; ++i) q = (h.v[i] + q) >> width(i);
    std::uint64_t c = std::uint64_t{h.v[0]} + 19 * q;
    std::uint64_t w[4] = {0, 0, 0, 0};
    for (int i = 0; i < 10; ++i) {
      if (i > 0) c += h.v[i];
      const std::uint64_t limb = c & ((std::uint64_t{1} << width(i)) - 1);
      c >>= width(i);
      const int pos = position(i), word = pos / 64, sh = pos % 64;
      w[word] |= limb << sh;
      if (sh + width(i) > 64) w[word + 1] |= limb >> (64 - sh);
    }
    // The carry out of limb 9 (2^255) is dropped: with the +19 that subtracts p.
    for (int i = 0; i < 4; ++i) store_le64(s + 8 * i, w[i]);
  }

  static void cswap(T& a, T& b, std::uint64_t mask64) noexcept {
    const std::uint32_t mask = ct::value_barrier(static_cast<std::uint32_t>(mask64));
    for (int i = 0; i < 10; ++i) {
      const std::uint32_t t = mask & (a.v[i] ^ b.v[i]);
      a.v[i] ^= t;
      b.v[i] ^= t;
    }
  }
  static void cmov(T& r, const T& a, std::uint64_t mask64) noexcept {
    const std::uint32_t mask = ct::value_barrier(static_cast<std::uint32_t>(mask64));
    for (int i = 0; i < 10; ++i) r.v[i] ^= mask & (r.v[i] ^ a.v[i]);
  }
};

}  // namespace tern::curve25519_detail
