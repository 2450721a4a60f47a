// Internal to crypto/aes: kernel entry points and portable GHASH helpers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/aes/gcm.hpp"

namespace tern::aes::detail {

// GF(2^128) element as the big-endian integer of its 16 bytes.
struct Gf {
  std::uint64_t hi, lo;
};

// Constant-time GCM multiplication (portable).
Gf gf_mul(Gf a, Gf b) noexcept;
// y = GHASH_H continued over data (a partial last block is zero padded).
void ghash_portable(Gf& y, Gf h, const std::uint8_t* data, std::size_t len) noexcept;
// The length block [aad bits]_64 || [ct bits]_64 as a GF element.
inline Gf gcm_len_block(std::size_t aad_len, std::size_t ct_len) noexcept {
  return Gf{static_cast<std::uint64_t>(aad_len) * 8u, static_cast<std::uint64_t>(ct_len) * 8u};
}

void gcm_portable_init(GcmKey& k, const std::uint8_t* rk) noexcept;
void gcm_portable_seal(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                       const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept;
void gcm_portable_open(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                       const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept;

#if TERN_SIMD && defined(__x86_64__)
#define TERN_GCM_DECLARE_KERNEL(kname)                                                                          \
  void gcm_##kname##_init(GcmKey& k, const std::uint8_t* rk) noexcept;                                       \
  void gcm_##kname##_seal(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad,                  \
                          std::size_t aad_len, const std::uint8_t* in, std::uint8_t* out, std::size_t len,      \
                          std::uint8_t tag[16]) noexcept;                                                       \
  void gcm_##kname##_open(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad,                  \
                          std::size_t aad_len, const std::uint8_t* in, std::uint8_t* out, std::size_t len,      \
                          std::uint8_t tag[16]) noexcept;
TERN_GCM_DECLARE_KERNEL(aesni)
TERN_GCM_DECLARE_KERNEL(vaes256)
TERN_GCM_DECLARE_KERNEL(vaes512)
#undef TERN_GCM_DECLARE_KERNEL
#endif

}  // namespace tern::aes::detail
