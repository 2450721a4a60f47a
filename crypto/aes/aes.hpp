// AES (FIPS 197) block cipher: key schedule and single-block encryption.
//
// This is the constant-time portable implementation (bitsliced, no
// secret-indexed tables). It exists for tests and for building blocks; bulk
// encryption goes through an AEAD (see gcm.hpp), whose kernels use AES-NI /
// VAES where available.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/status.hpp"

namespace tern::aes {

class Aes {
 public:
  static constexpr std::size_t block_size = 16;
  Aes() noexcept = default;
  Aes(const Aes&) = default;
  Aes& operator=(const Aes&) = default;
  ~Aes();

  // 16, 24 or 32 bytes (AES-128/192/256); anything else: Status::bad_key.
  [[nodiscard]] Status init(std::span<const std::uint8_t> key) noexcept;
  // Encrypts one block; out may alias in. A no-op (zero output) before init.
  void encrypt_block(std::span<std::uint8_t, 16> out, std::span<const std::uint8_t, 16> in) const noexcept;
  unsigned rounds() const noexcept { return rounds_; }

 private:
  std::uint64_t bs_rk_[15][8] = {};
  unsigned rounds_ = 0;
};

namespace detail {

// FIPS 197 key expansion (constant time). key_len 16/24/32; writes
// (rounds+1)*16 bytes of round keys to rk (room for 240) and returns the
// number of rounds, or 0 for a bad length.
unsigned expand_key(const std::uint8_t* key, std::size_t key_len, std::uint8_t rk[240]) noexcept;

// Bitsliced round keys for encrypt4_bitsliced (rounds+1 entries).
void bitslice_round_keys(const std::uint8_t* rk, unsigned rounds, std::uint64_t bs[15][8]) noexcept;

// Encrypts four blocks (64 bytes; out may alias in) with bitsliced round keys.
void encrypt4_bitsliced(const std::uint64_t bs[15][8], unsigned rounds, const std::uint8_t in[64],
                        std::uint8_t out[64]) noexcept;

}  // namespace detail
}  // namespace tern::aes
