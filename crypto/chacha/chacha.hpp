// ChaCha20 and Poly1305 (RFC 8439), and HChaCha20 (draft-irtf-cfrg-xchacha).
//
// The raw primitives behind ChaCha20-Poly1305 (see aead.hpp). The stream
// cipher and the MAC each have their own kernel set: chacha20_kernels()
// ("avx512", "avx512mulx", "avx2mulx", "avx2", "portable") and poly1305_kernels()
// ("ifma", "mulx", "portable").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/internal/dispatch.hpp"
#include "crypto/status.hpp"

namespace tern::chacha {

KernelSet& chacha20_kernels() noexcept;
KernelSet& poly1305_kernels() noexcept;

// out = in XOR ChaCha20 keystream(key, nonce) starting at block `counter`
// (RFC 8439 §2.4). out and in have the same size and may alias exactly.
// The 32-bit block counter must not wrap: bad_length otherwise.
[[nodiscard]] Status chacha20_xor(std::span<std::uint8_t> out, std::span<const std::uint8_t> key,
                                  std::span<const std::uint8_t> nonce, std::uint32_t counter,
                                  std::span<const std::uint8_t> in) noexcept;

// HChaCha20 (draft-irtf-cfrg-xchacha §2.2): 32-byte key, 16-byte nonce.
[[nodiscard]] Status hchacha20(std::span<std::uint8_t> out, std::span<const std::uint8_t> key,
                               std::span<const std::uint8_t> nonce) noexcept;

namespace detail {
struct PolyKernel;
// Poly1305 accumulator and key, shared by every Poly1305 kernel. The
// accumulator h and r are held in radix 2^44 (limbs of 44, 44, 42 bits).
struct alignas(64) PolyState {
  std::uint64_t pw[3][16];  // IFMA kernel: powers of r in its lane order; valid when powers != 0
  std::uint64_t h[3];
  std::uint64_t r[3];
  std::uint64_t s[2];      // the pad, little-endian halves
  std::uint32_t powers;
};
}  // namespace detail

// One-time authenticator (RFC 8439 §2.5). A key must never be reused.
class Poly1305 {
 public:
  static constexpr std::size_t key_size = 32, tag_size = 16;
  Poly1305() noexcept = default;
  Poly1305(const Poly1305&) = delete;
  Poly1305& operator=(const Poly1305&) = delete;
  ~Poly1305();
  // bad_key unless 32 bytes. Picks the active kernel for this message.
  [[nodiscard]] Status init(std::span<const std::uint8_t> key) noexcept;
  void update(std::span<const std::uint8_t> data) noexcept;
  // Writes the tag and forgets the key (init again before reuse).
  [[nodiscard]] Status final(std::span<std::uint8_t, 16> tag) noexcept;
  const char* kernel() const noexcept;

 private:
  detail::PolyState st_{};
  std::uint8_t buf_[16]{};
  std::size_t buffered_ = 0;
  const detail::PolyKernel* k_ = nullptr;
};

}  // namespace tern::chacha
