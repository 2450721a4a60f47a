// HKDF (RFC 5869) over HMAC-SHA-2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/hmac/hmac.hpp"
#include "crypto/status.hpp"

namespace tern {

// PRK = HMAC-Hash(salt, IKM). prk_out.size() must be digest_size(id)
// (otherwise Status::bad_length). An empty salt means HashLen zero bytes.
[[nodiscard]] Status hkdf_extract(HashId id, std::span<std::uint8_t> prk_out, std::span<const std::uint8_t> salt,
                                  std::span<const std::uint8_t> ikm) noexcept;

// OKM = T(1) | T(2) | ... truncated to out.size() bytes.
//   Status::output_too_long  out.size() > 255 * HashLen (out is left untouched)
//   Status::bad_length       prk shorter than HashLen (RFC 5869 §2.3)
[[nodiscard]] Status hkdf_expand(HashId id, std::span<std::uint8_t> out, std::span<const std::uint8_t> prk,
                                 std::span<const std::uint8_t> info) noexcept;

// Extract then expand (the intermediate PRK is wiped).
[[nodiscard]] Status hkdf(HashId id, std::span<std::uint8_t> out, std::span<const std::uint8_t> salt,
                          std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> info) noexcept;

inline constexpr std::size_t hkdf_max_output(HashId id) noexcept { return 255 * sha2::digest_size(id); }

}  // namespace tern
