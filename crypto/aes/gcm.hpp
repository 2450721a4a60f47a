// AES-GCM (NIST SP 800-38D) with AES-128 and AES-256.
//
// An AesGcm is a plain value (no heap, about 1 KB): init() expands the key
// once into the layout of the kernel it picks (round keys and the powers of
// the hash key H the kernel uses, or bitsliced round keys and H for the
// portable kernel), then seal()/open() run any number of messages. The kernel is chosen at init() from aes_gcm_kernels() (names
// "vaes512", "vaes256", "aesni", "portable") and cached in the context.
//
// Nonces: 12 bytes is the fast path (J0 = nonce || 1); any other non-empty
// length is accepted and hashed into J0 as the standard says. Lengths above
// the GCM limits (plaintext > 2^36 - 32 bytes, AAD or nonce > 2^61 - 1
// bytes) return Status::bad_length.
//
// Buffers: the output may alias the input exactly (in place); any other
// overlap is rejected with Status::bad_length.
//
// open(): the kernel decrypts into `out` while it hashes the ciphertext (one
// pass), then the tag is compared in constant time. On a mismatch `out` is
// wiped and Status::auth_failed is returned; no plaintext is released unless
// Status::ok is returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/internal/dispatch.hpp"
#include "crypto/status.hpp"

namespace tern::aes {

namespace detail {

// The x86 kernels keep powers of H as the 128-bit big-endian integer of
// their 16 bytes ([0] = low 64 bits, [1] = high), descending:
// htab[k] = H^(kHPowers - k). A kernel computes only the powers it uses
// (aesni H^1..H^8, vaes256 H^1..H^21, vaes512 H^1..H^32); the rest stay
// zero. kHPad zero entries follow H^1 so that 64-byte loads of a partial
// batch stay in bounds (those lanes multiply zero data).
inline constexpr std::size_t kHPowers = 32;
inline constexpr std::size_t kHPad = 3;

// Per-kernel key layouts; a context holds exactly one (chosen by the kernel
// at init), so the union costs the largest of them, not their sum.
struct GcmKeyX86 {
  alignas(16) std::uint8_t rk[240];                        // FIPS 197 round keys, bytes
  alignas(16) std::uint64_t htab[kHPowers + kHPad][2];    // see above
};
// The vaes512 kernel's layout: the powers H^32..H^1 pre-multiplied by x^-1
// (with kHPad zero entries after H^1 * x^-1) and, before them, the main
// loop's Karatsuba keys packed by pairs (kV512Pk bytes), both at a 64-byte
// aligned offset GcmKey::v512_off in tab (the context is only 16-byte
// aligned, and split loads in the main loop cost twice; a copy of the
// context keeps the offset, so only its alignment, not its result, can
// differ). h: H itself (J0 of a non-96-bit nonce).
inline constexpr std::size_t kV512Pk = 256;
inline constexpr std::size_t kV512Tab = 48 + kV512Pk + 16 * (kHPowers + kHPad);
struct GcmKeyVaes512 {
  alignas(16) std::uint8_t rk[240];  // FIPS 197 round keys, bytes
  std::uint64_t h[2];                // H ([0] low, [1] high)
  alignas(16) std::uint8_t tab[kV512Tab];  // at v512_off: Karatsuba keys, then the powers
};
struct GcmKeyPortable {
  std::uint64_t h[2];        // H as above ([0] low, [1] high)
  std::uint64_t bs_rk[15][8];  // bitsliced round keys
};

struct GcmKey {
  union {
    GcmKeyX86 x86;
    GcmKeyVaes512 v512;
    GcmKeyPortable portable;
  };
  std::uint32_t rounds;    // 10 or 14
  std::uint32_t v512_off;  // see GcmKeyVaes512 (in what was padding)
};

// j0: the pre-counter block. Encrypts/decrypts len bytes from in to out
// (out == in allowed) and writes the tag computed over aad and the
// ciphertext (the output for seal, the input for open).
using GcmCryptFn = void (*)(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad,
                            std::size_t aad_len, const std::uint8_t* in, std::uint8_t* out, std::size_t len,
                            std::uint8_t tag[16]) noexcept;

struct GcmKernel {
  const char* name;
  std::uint32_t needs;
  // Fills the kernel's layout of k from the FIPS 197 round keys rk
  // ((rounds + 1) * 16 bytes); k is all zero and k.rounds is set.
  void (*init)(GcmKey& k, const std::uint8_t* rk) noexcept;
  enum class Layout : std::uint8_t { x86, v512, portable } layout;  // the member of k it fills
  GcmCryptFn seal;
  GcmCryptFn open;
};

}  // namespace detail

// Kernel control ("vaes512", "vaes256", "aesni", "portable").
KernelSet& aes_gcm_kernels() noexcept;

class AesGcm {
 public:
  static constexpr std::size_t tag_size = 16, nonce_size = 12;

  AesGcm() noexcept = default;
  AesGcm(const AesGcm&) = default;
  AesGcm& operator=(const AesGcm&) = default;
  ~AesGcm();

  // 16 or 32 bytes; anything else: Status::bad_key.
  [[nodiscard]] Status init(std::span<const std::uint8_t> key) noexcept;

  // out = ciphertext || tag; out.size() must be pt.size() + 16. out may alias pt exactly.
  [[nodiscard]] Status seal(std::span<std::uint8_t> out, std::span<const std::uint8_t> nonce,
                            std::span<const std::uint8_t> aad, std::span<const std::uint8_t> pt) const noexcept;
  // in = ciphertext || tag; out.size() must be in.size() - 16. The tag is
  // checked in constant time; on failure out is wiped and
  // Status::auth_failed is returned.
  [[nodiscard]] Status open(std::span<std::uint8_t> out, std::span<const std::uint8_t> nonce,
                            std::span<const std::uint8_t> aad, std::span<const std::uint8_t> in) const noexcept;
  [[nodiscard]] Status seal_detached(std::span<std::uint8_t> ct, std::span<std::uint8_t, 16> tag,
                                     std::span<const std::uint8_t> nonce, std::span<const std::uint8_t> aad,
                                     std::span<const std::uint8_t> pt) const noexcept;
  [[nodiscard]] Status open_detached(std::span<std::uint8_t> pt, std::span<const std::uint8_t, 16> tag,
                                     std::span<const std::uint8_t> nonce, std::span<const std::uint8_t> aad,
                                     std::span<const std::uint8_t> ct) const noexcept;

  // Name of the kernel this context uses ("none" before init).
  const char* kernel() const noexcept;

 private:
  Status crypt(bool decrypt, std::uint8_t* out, std::uint8_t* tag_out, const std::uint8_t* tag_in,
               std::span<const std::uint8_t> nonce, std::span<const std::uint8_t> aad,
               std::span<const std::uint8_t> in) const noexcept;

  detail::GcmKey key_{};
  const detail::GcmKernel* kern_ = nullptr;
};

}  // namespace tern::aes
