// SHA-2 (FIPS 180-4): SHA-224, SHA-256, SHA-384, SHA-512, SHA-512/256.
//
// Streaming objects are plain copyable values (copy one to fork a
// transcript hash); they wipe their state when destroyed. The compression
// function is chosen at run time (see sha256_kernels()/sha512_kernels()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/internal/dispatch.hpp"

namespace tern::sha2 {

// Kernel control for the two compression functions (names: "shani",
// "avx2", "portable", ...). SHA-224 shares SHA-256's; SHA-384 and
// SHA-512/256 share SHA-512's.
KernelSet& sha256_kernels() noexcept;
KernelSet& sha512_kernels() noexcept;

namespace detail {
// state: 8 words; blocks: nblocks * 64 bytes.
void sha256_compress(std::uint32_t state[8], const std::uint8_t* blocks, std::size_t nblocks) noexcept;
// state: 8 words; blocks: nblocks * 128 bytes.
void sha512_compress(std::uint64_t state[8], const std::uint8_t* blocks, std::size_t nblocks) noexcept;

template <std::size_t DigestLen, int Variant>
class Sha256Family {
 public:
  static constexpr std::size_t digest_size = DigestLen;
  static constexpr std::size_t block_size = 64;
  Sha256Family() noexcept { reset(); }
  Sha256Family(const Sha256Family&) = default;
  Sha256Family& operator=(const Sha256Family&) = default;
  ~Sha256Family();
  void reset() noexcept;
  void update(std::span<const std::uint8_t> data) noexcept;
  // Writes the digest and resets the object for reuse.
  void final(std::span<std::uint8_t, DigestLen> out) noexcept;
  static void hash(std::span<std::uint8_t, DigestLen> out, std::span<const std::uint8_t> data) noexcept {
    Sha256Family h;
    h.update(data);
    h.final(out);
  }

 private:
  std::uint32_t state_[8];
  std::uint64_t length_;  // bytes hashed so far
  std::uint8_t buffer_[64];
  std::size_t buffered_;
};

template <std::size_t DigestLen, int Variant>
class Sha512Family {
 public:
  static constexpr std::size_t digest_size = DigestLen;
  static constexpr std::size_t block_size = 128;
  Sha512Family() noexcept { reset(); }
  Sha512Family(const Sha512Family&) = default;
  Sha512Family& operator=(const Sha512Family&) = default;
  ~Sha512Family();
  void reset() noexcept;
  void update(std::span<const std::uint8_t> data) noexcept;
  void final(std::span<std::uint8_t, DigestLen> out) noexcept;
  static void hash(std::span<std::uint8_t, DigestLen> out, std::span<const std::uint8_t> data) noexcept {
    Sha512Family h;
    h.update(data);
    h.final(out);
  }

 private:
  std::uint64_t state_[8];
  std::uint64_t length_;  // bytes hashed so far (< 2^64 bytes supported)
  std::uint8_t buffer_[128];
  std::size_t buffered_;
};
}  // namespace detail

using Sha224 = detail::Sha256Family<28, 224>;
using Sha256 = detail::Sha256Family<32, 256>;
using Sha384 = detail::Sha512Family<48, 384>;
using Sha512 = detail::Sha512Family<64, 512>;
using Sha512_256 = detail::Sha512Family<32, 5256>;

// Runtime choice of hash (for TLS cipher suites, HKDF, signatures).
enum class HashId : std::uint8_t { sha256, sha384, sha512 };
constexpr std::size_t digest_size(HashId h) noexcept {
  return h == HashId::sha256 ? 32 : h == HashId::sha384 ? 48 : 64;
}
constexpr std::size_t block_size(HashId h) noexcept { return h == HashId::sha256 ? 64 : 128; }
inline constexpr std::size_t max_digest_size = 64;
inline constexpr std::size_t max_block_size = 128;

// A hash chosen at run time; copyable (transcript hashes fork by copy).
class AnyHash {
 public:
  explicit AnyHash(HashId id = HashId::sha256) noexcept;
  HashId id() const noexcept { return id_; }
  std::size_t size() const noexcept { return digest_size(id_); }
  void reset() noexcept;
  void update(std::span<const std::uint8_t> data) noexcept;
  // out.size() must be >= size(); writes size() bytes and resets.
  void final(std::span<std::uint8_t> out) noexcept;
  // The digest so far, without disturbing the running state.
  void peek(std::span<std::uint8_t> out) const noexcept;
  static void hash(HashId id, std::span<std::uint8_t> out, std::span<const std::uint8_t> data) noexcept;

 private:
  // Raw state shared by both word sizes (the SHA-256 family uses the low
  // 32 bits of each word); the streaming logic is the same as Sha256/Sha512.
  HashId id_;
  union {
    std::uint32_t s32[8];
    std::uint64_t s64[8];
  } state_;
  std::uint64_t length_;
  std::uint8_t buffer_[max_block_size];
  std::size_t buffered_;
  // n blocks through the kernel of id_'s family.
  void compress(const std::uint8_t* blocks, std::size_t n) noexcept;

 public:
  AnyHash(const AnyHash&) = default;
  AnyHash& operator=(const AnyHash&) = default;
  ~AnyHash();
};

}  // namespace tern::sha2
