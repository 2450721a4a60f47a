// ChaCha20-Poly1305 (RFC 8439 §2.8) and XChaCha20-Poly1305
// (draft-irtf-cfrg-xchacha §2.3, nonce 24 bytes via HChaCha20).
//
// A key object is set up once with init() and reused for any number of
// messages (each with a fresh nonce). seal/open never allocate. Kernels:
// chacha20_kernels() x poly1305_kernels(), fetched per call; kernel() names
// the pair in use ("avx512-ifma").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/chacha/chacha.hpp"
#include "crypto/status.hpp"

namespace tern::chacha {

class ChaCha20Poly1305 {
 public:
  static constexpr std::size_t key_size = 32, tag_size = 16, nonce_size = 12;
  ChaCha20Poly1305() noexcept = default;
  ChaCha20Poly1305(const ChaCha20Poly1305&) = delete;
  ChaCha20Poly1305& operator=(const ChaCha20Poly1305&) = delete;
  ~ChaCha20Poly1305();

  // 32 bytes, else bad_key.
  [[nodiscard]] Status init(std::span<const std::uint8_t> key) noexcept;
  // out = ciphertext || tag; out.size() == pt.size() + 16; out may alias pt
  // exactly (in place).
  [[nodiscard]] Status seal(std::span<std::uint8_t> out, std::span<const std::uint8_t> nonce,
                            std::span<const std::uint8_t> aad,
                            std::span<const std::uint8_t> pt) const noexcept;
  // in = ciphertext || tag; out.size() == in.size() - 16. The tag is checked
  // in constant time before plaintext is released; on failure out is wiped
  // and auth_failed returned.
  [[nodiscard]] Status open(std::span<std::uint8_t> out, std::span<const std::uint8_t> nonce,
                            std::span<const std::uint8_t> aad,
                            std::span<const std::uint8_t> in) const noexcept;
  [[nodiscard]] Status seal_detached(std::span<std::uint8_t> ct, std::span<std::uint8_t, 16> tag,
                                     std::span<const std::uint8_t> nonce,
                                     std::span<const std::uint8_t> aad,
                                     std::span<const std::uint8_t> pt) const noexcept;
  [[nodiscard]] Status open_detached(std::span<std::uint8_t> pt, std::span<const std::uint8_t, 16> tag,
                                     std::span<const std::uint8_t> nonce,
                                     std::span<const std::uint8_t> aad,
                                     std::span<const std::uint8_t> ct) const noexcept;
  // "chacha-poly" kernel pair the next call would use, e.g. "avx512-ifma".
  const char* kernel() const noexcept;

 private:
  std::uint32_t key_[8]{};
  bool keyed_ = false;
};

class XChaCha20Poly1305 {
 public:
  static constexpr std::size_t key_size = 32, tag_size = 16, nonce_size = 24;
  XChaCha20Poly1305() noexcept = default;
  XChaCha20Poly1305(const XChaCha20Poly1305&) = delete;
  XChaCha20Poly1305& operator=(const XChaCha20Poly1305&) = delete;
  ~XChaCha20Poly1305();

  [[nodiscard]] Status init(std::span<const std::uint8_t> key) noexcept;
  [[nodiscard]] Status seal(std::span<std::uint8_t> out, std::span<const std::uint8_t> nonce,
                            std::span<const std::uint8_t> aad,
                            std::span<const std::uint8_t> pt) const noexcept;
  [[nodiscard]] Status open(std::span<std::uint8_t> out, std::span<const std::uint8_t> nonce,
                            std::span<const std::uint8_t> aad,
                            std::span<const std::uint8_t> in) const noexcept;
  [[nodiscard]] Status seal_detached(std::span<std::uint8_t> ct, std::span<std::uint8_t, 16> tag,
                                     std::span<const std::uint8_t> nonce,
                                     std::span<const std::uint8_t> aad,
                                     std::span<const std::uint8_t> pt) const noexcept;
  [[nodiscard]] Status open_detached(std::span<std::uint8_t> pt, std::span<const std::uint8_t, 16> tag,
                                     std::span<const std::uint8_t> nonce,
                                     std::span<const std::uint8_t> aad,
                                     std::span<const std::uint8_t> ct) const noexcept;
  const char* kernel() const noexcept;

 private:
  std::uint32_t key_[8]{};
  bool keyed_ = false;
};

}  // namespace tern::chacha
