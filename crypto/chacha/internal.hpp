// Kernel descriptors shared by the ChaCha20 / Poly1305 kernels (not installed).
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/chacha/chacha.hpp"
#include "crypto/internal/dispatch.hpp"

namespace tern::chacha::detail {

// out[0..len) = in[0..len) XOR keystream of the 16-word input state st
// (st[12] is the first block counter; it advances modulo 2^32 per block).
// in and out may alias exactly. len may be any size.
using XorStreamFn = void (*)(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                             const std::uint32_t st[16]) noexcept;

// p[0..n) &= mask (mask all-ones or zero; both branch-free): releases or
// wipes a decrypted message after the tag check.
using MaskFn = void (*)(std::uint8_t* p, std::size_t n, std::uint64_t mask) noexcept;

// out = (in XOR keystream) AND mask in one pass (mask all-ones or zero):
// releases the plaintext of a verified message or zeros, without a second
// pass over it. nullptr when a kernel has none (xor_stream, then mask).
using XorMaskFn = void (*)(std::uint8_t* out, const std::uint8_t* in, std::size_t len, const std::uint32_t st[16],
                           std::uint64_t mask) noexcept;

// key[0..64) = keystream block st[12] - 1 (the Poly1305 key block) and
// out[0..1024) = in ^ keystream of blocks st[12] .. st[12] + 15, in one
// pass that hides the single block's latency; in and out may alias
// exactly. nullptr when a kernel has none.
using KeyFirstFn = void (*)(std::uint8_t key[64], std::uint8_t* out, const std::uint8_t* in,
                            const std::uint32_t st[16]) noexcept;

// out[0..2048 passes) = in ^ keystream (first block counter st[12]), and
// the stitch_mac / 16 * passes Poly1305 blocks at mac (each with the 2^128
// bit) absorbed into ps, the MAC interleaved with the keystream rounds
// (stitch_mac: the kernel's MAC bytes per pass, at most 2048). Pass k
// reads mac[stitch_mac k, stitch_mac (k + 1)) before it writes
// out[2048 k, 2048 (k + 1)): those bytes may be ones written by earlier
// passes or calls, or not yet overwritten input (in == out allowed).
// nullptr when a kernel has none.
inline constexpr std::size_t kStitchMacAvx512 = 1536;  // best of 1024/1536/2048 measured on Zen 4
inline constexpr std::size_t kStitchMacAvx2 = 2048;    // 1536 -> 2048: avx2mulx seal 1.69 -> 1.50 cycles/B
using XorMacFn = void (*)(std::uint8_t* out, const std::uint8_t* in, std::size_t passes,
                          const std::uint32_t st[16], PolyState& ps, const std::uint8_t* mac) noexcept;

struct ChaChaKernel {
  const char* name;
  std::uint32_t needs;
  XorStreamFn xor_stream;
  MaskFn mask;
  XorMaskFn xor_masked;
  KeyFirstFn key_first;
  XorMacFn xor_mac;
  std::size_t stitch_mac;
};

// Absorbs n full 16-byte blocks, each with the 2^128 bit set.
using PolyBlocksFn = void (*)(PolyState& st, const std::uint8_t* m, std::size_t n) noexcept;

struct PolyKernel {
  const char* name;
  std::uint32_t needs;
  PolyBlocksFn blocks;
};

const ChaChaKernel& chacha_kernel() noexcept;
const PolyKernel& poly_kernel() noexcept;
std::size_t chacha_kernel_index(const ChaChaKernel& k) noexcept;
std::size_t poly_kernel_index(const PolyKernel& k) noexcept;

// Portable building blocks (also used by the SIMD kernels for tails).
void chacha_init_state(std::uint32_t st[16], const std::uint32_t key[8], const std::uint8_t nonce[12],
                       std::uint32_t counter) noexcept;
void chacha_block_portable(std::uint32_t out[16], const std::uint32_t in[16]) noexcept;
void hchacha20_core(std::uint32_t out[8], const std::uint32_t key[8], const std::uint8_t nonce[16]) noexcept;
void xor_stream_portable(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                         const std::uint32_t st[16]) noexcept;
void mask_portable(std::uint8_t* p, std::size_t n, std::uint64_t mask) noexcept;

// Poly1305 pieces: key setup (clamps r), one padded final tag.
void poly_setup(PolyState& st, const std::uint8_t key[32]) noexcept;
void poly_finish(PolyState& st, std::uint8_t tag[16]) noexcept;
// The AEAD's last block (aadlen, len little-endian) absorbed, then the tag
// (same result as blocks() over that block followed by poly_finish).
void poly_finish_lengths(PolyState& st, std::uint64_t aadlen, std::uint64_t len, std::uint8_t tag[16]) noexcept;
void poly_blocks_portable(PolyState& st, const std::uint8_t* m, std::size_t n) noexcept;
// The 32-bit-limb path (used as "portable" without unsigned __int128;
// always compiled so the tests can compare it).
void poly_blocks_32(PolyState& st, const std::uint8_t* m, std::size_t n) noexcept;

#if TERN_SIMD && defined(__x86_64__)
void xor_stream_avx2(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                     const std::uint32_t st[16]) noexcept;
void xor_stream_avx512(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                       const std::uint32_t st[16]) noexcept;
void xor_masked_avx512(std::uint8_t* out, const std::uint8_t* in, std::size_t len, const std::uint32_t st[16],
                       std::uint64_t mask) noexcept;
void key_first_avx512(std::uint8_t key[64], std::uint8_t* out, const std::uint8_t* in,
                      const std::uint32_t st[16]) noexcept;
void mask_avx2(std::uint8_t* p, std::size_t n, std::uint64_t mask) noexcept;
void mask_avx512(std::uint8_t* p, std::size_t n, std::uint64_t mask) noexcept;
void xor_mac_avx512mulx(std::uint8_t* out, const std::uint8_t* in, std::size_t passes, const std::uint32_t st[16],
                       PolyState& ps, const std::uint8_t* mac) noexcept;
void xor_mac_avx2mulx(std::uint8_t* out, const std::uint8_t* in, std::size_t passes, const std::uint32_t st[16],
                      PolyState& ps, const std::uint8_t* mac) noexcept;
void key_first_avx2(std::uint8_t key[64], std::uint8_t* out, const std::uint8_t* in,
                    const std::uint32_t st[16]) noexcept;
void poly_blocks_mulx(PolyState& st, const std::uint8_t* m, std::size_t n) noexcept;
void poly_blocks_ifma(PolyState& st, const std::uint8_t* m, std::size_t n) noexcept;
// Fills st.pw with r^16..r^1 (IFMA kernel).
void poly_ifma_powers(PolyState& st) noexcept;
#endif

}  // namespace tern::chacha::detail
