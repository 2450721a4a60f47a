// Private to crypto/sha2: the compression kernels and their round constants.
// Every kernel takes any number of whole blocks in one call.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::sha2::internal {

using Sha256Fn = void (*)(std::uint32_t state[8], const std::uint8_t* blocks, std::size_t nblocks) noexcept;
using Sha512Fn = void (*)(std::uint64_t state[8], const std::uint8_t* blocks, std::size_t nblocks) noexcept;

struct Sha256Kernel {
  const char* name;
  std::uint32_t needs;
  Sha256Fn compress;
};
struct Sha512Kernel {
  const char* name;
  std::uint32_t needs;
  Sha512Fn compress;
};

// FIPS 180-4 §4.2.2 and §4.2.3.
alignas(64) extern const std::uint32_t K256[64];
alignas(64) extern const std::uint64_t K512[80];

void sha256_portable(std::uint32_t state[8], const std::uint8_t* blocks, std::size_t nblocks) noexcept;
void sha512_portable(std::uint64_t state[8], const std::uint8_t* blocks, std::size_t nblocks) noexcept;

#if TERN_SIMD && defined(__x86_64__)
void sha256_shani(std::uint32_t state[8], const std::uint8_t* blocks, std::size_t nblocks) noexcept;
void sha512_avx2(std::uint64_t state[8], const std::uint8_t* blocks, std::size_t nblocks) noexcept;
void sha512_avx512(std::uint64_t state[8], const std::uint8_t* blocks, std::size_t nblocks) noexcept;
#endif

}  // namespace tern::sha2::internal
