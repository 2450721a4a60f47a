// Scalars modulo L = 2^252 + 27742317777372353535851937790883648493 (the
// order of the Ed25519 base point), little-endian 32-byte encodings.
// Constant time; 32x32->64 products only (portable to 32-bit targets).
#pragma once

#include <cstdint>

namespace tern::curve25519_detail {

// out = x mod L for a 64-byte x (a SHA-512 output).
void sc_reduce64(std::uint8_t out[32], const std::uint8_t x[64]) noexcept;
// out = (a * b + c) mod L for any 32-byte a, b, c.
void sc_muladd(std::uint8_t out[32], const std::uint8_t a[32], const std::uint8_t b[32],
               const std::uint8_t c[32]) noexcept;
// True when s < L (public data: variable time).
bool sc_is_canonical(const std::uint8_t s[32]) noexcept;

}  // namespace tern::curve25519_detail
