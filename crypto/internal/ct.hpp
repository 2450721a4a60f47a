// Constant-time helpers. Masks are all-ones (true) or all-zero (false);
// no function here branches on or indexes memory by its arguments.
//
// value_barrier() hides a value from the optimiser so that mask arithmetic
// is not turned back into a branch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tern::ct {

template <class T>
inline T value_barrier(T x) noexcept {
  __asm__("" : "+r"(x));
  return x;
}

// All-ones when x != 0.
inline std::uint32_t mask_nonzero(std::uint32_t x) noexcept {
  x = value_barrier(x);
  return static_cast<std::uint32_t>(0) - ((x | (0u - x)) >> 31);
}
inline std::uint64_t mask_nonzero(std::uint64_t x) noexcept {
  x = value_barrier(x);
  return static_cast<std::uint64_t>(0) - ((x | (0ull - x)) >> 63);
}
inline std::uint32_t mask_zero(std::uint32_t x) noexcept { return ~mask_nonzero(x); }
inline std::uint64_t mask_zero(std::uint64_t x) noexcept { return ~mask_nonzero(x); }
inline std::uint32_t mask_eq(std::uint32_t a, std::uint32_t b) noexcept { return mask_zero(a ^ b); }
inline std::uint64_t mask_eq(std::uint64_t a, std::uint64_t b) noexcept { return mask_zero(a ^ b); }
// All-ones when a < b (unsigned).
inline std::uint32_t mask_lt(std::uint32_t a, std::uint32_t b) noexcept {
  return static_cast<std::uint32_t>(0) - ((a ^ ((a ^ b) | ((a - b) ^ a))) >> 31);
}
inline std::uint64_t mask_lt(std::uint64_t a, std::uint64_t b) noexcept {
  return static_cast<std::uint64_t>(0) - ((a ^ ((a ^ b) | ((a - b) ^ a))) >> 63);
}
// Mask from a 0/1 bit.
inline std::uint32_t mask_from_bit(std::uint32_t bit) noexcept { return 0u - value_barrier(bit & 1u); }
inline std::uint64_t mask_from_bit(std::uint64_t bit) noexcept { return 0ull - value_barrier(bit & 1ull); }

// mask ? a : b
template <class T>
inline T select(T mask, T a, T b) noexcept {
  return static_cast<T>((value_barrier(mask) & a) | (~mask & b));
}

// dst = mask ? src : dst, byte-wise.
inline void cmov(std::uint8_t* dst, const std::uint8_t* src, std::size_t n, std::uint8_t mask) noexcept {
  mask = value_barrier(mask);
  for (std::size_t i = 0; i < n; ++i) dst[i] = static_cast<std::uint8_t>((src[i] & mask) | (dst[i] & ~mask));
}

// Constant-time equality of two equal-length buffers; true when equal.
// Time depends only on n.
inline bool equal(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) noexcept {
  std::uint32_t acc = 0;
  for (std::size_t i = 0; i < n; ++i) acc |= static_cast<std::uint32_t>(a[i] ^ b[i]);
  return (mask_zero(acc) & 1u) != 0;
}
inline bool equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;  // lengths are public
  return equal(a.data(), b.data(), a.size());
}

}  // namespace tern::ct
