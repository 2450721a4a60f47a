// Portable constant-time AES-GCM: bitsliced AES (aes_portable.cpp) in
// counter mode, and GHASH by carry-less multiplication built from ordinary
// integer multiplications with "holes": operands are split into four masks
// of every fourth bit, so the carries of each 32x32->64 product land in bit
// positions that are masked away. Integer multiplication is constant time on
// the targets we care about; no secret-dependent branch or index is used.
// Only 32x32->64 multiplies are needed (32-bit targets are fine).
#include <cstring>

#include "crypto/aes/aes.hpp"
#include "crypto/aes/gcm_internal.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::aes::detail {
namespace {

using u64 = std::uint64_t;
using u32 = std::uint32_t;

#ifndef TERN_SMALL
// Carry-less 32x32 -> 64.
inline u64 bmul32(u32 x, u32 y) noexcept {
  const u64 x0 = x & 0x11111111u, x1 = x & 0x22222222u, x2 = x & 0x44444444u, x3 = x & 0x88888888u;
  const u64 y0 = y & 0x11111111u, y1 = y & 0x22222222u, y2 = y & 0x44444444u, y3 = y & 0x88888888u;
  u64 z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
  u64 z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
  u64 z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
  u64 z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
  z0 &= 0x1111111111111111ull;
  z1 &= 0x2222222222222222ull;
  z2 &= 0x4444444444444444ull;
  z3 &= 0x8888888888888888ull;
  return z0 | z1 | z2 | z3;
}

// Carry-less 64x64 -> 128 (Karatsuba over bmul32).
inline void bmul64(u64 a, u64 b, u64& hi, u64& lo) noexcept {
  const u32 a0 = static_cast<u32>(a), a1 = static_cast<u32>(a >> 32);
  const u32 b0 = static_cast<u32>(b), b1 = static_cast<u32>(b >> 32);
  const u64 l = bmul32(a0, b0), h = bmul32(a1, b1);
  const u64 m = bmul32(a0 ^ a1, b0 ^ b1) ^ l ^ h;
  lo = l ^ (m << 32);
  hi = h ^ (m >> 32);
}
#endif

}  // namespace

#ifdef TERN_SMALL
// TERN_SMALL: the bit-serial product of NIST SP 800-38D §6.3 (Algorithm 1):
// for each bit of a, most significant first, z ^= v under an all-ones or
// zero mask, then v = v * x (a right shift in GCM's reflected order, with
// R = 0xe1 || 0^120 folded in under the mask of the bit shifted out).
// Masks only: no branch or index depends on a or b. Several times slower
// than the Karatsuba product below, in a fraction of the code.
Gf gf_mul(Gf a, Gf b) noexcept {
  u64 zh = 0, zl = 0, vh = b.hi, vl = b.lo;
  const u64 words[2] = {a.hi, a.lo};
  for (u64 w : words) {
    for (int i = 0; i < 64; ++i) {
      const u64 m = 0 - (w >> 63);
      w <<= 1;
      zh ^= vh & m;
      zl ^= vl & m;
      const u64 r = 0 - (vl & 1);
      vl = (vl >> 1) | (vh << 63);
      vh = (vh >> 1) ^ (r & 0xe100000000000000ull);
    }
  }
  return Gf{zh, zl};
}
#else
Gf gf_mul(Gf a, Gf b) noexcept {
  // 256-bit carry-less product w3:w2:w1:w0 (Karatsuba).
  u64 lh, ll, hh, hl, mh, ml;
  bmul64(a.lo, b.lo, lh, ll);
  bmul64(a.hi, b.hi, hh, hl);
  bmul64(a.lo ^ a.hi, b.lo ^ b.hi, mh, ml);
  mh ^= lh ^ hh;
  ml ^= ll ^ hl;
  u64 w0 = ll, w1 = lh ^ ml, w2 = hl ^ mh, w3 = hh;
  // GCM's bit order is reflected: the product of the big-endian integers is
  // the field product divided by x, so shift left by one.
  w3 = (w3 << 1) | (w2 >> 63);
  w2 = (w2 << 1) | (w1 >> 63);
  w1 = (w1 << 1) | (w0 >> 63);
  w0 <<= 1;
  // Reduce the low half (degrees 128..255) by x^128 = x^7 + x^2 + x + 1:
  // in reflected order that is L ^ L>>1 ^ L>>2 ^ L>>7, plus the bits those
  // shifts push past degree 127 folded back once more.
  const u64 x1 = w1 ^ (w0 << 63) ^ (w0 << 62) ^ (w0 << 57);
  const u64 x0 = w0;
  Gf r;
  r.hi = w3 ^ x1 ^ (x1 >> 1) ^ (x1 >> 2) ^ (x1 >> 7);
  r.lo = w2 ^ x0 ^ ((x0 >> 1) | (x1 << 63)) ^ ((x0 >> 2) | (x1 << 62)) ^ ((x0 >> 7) | (x1 << 57));
  return r;
}
#endif

void ghash_portable(Gf& y, Gf h, const std::uint8_t* data, std::size_t len) noexcept {
#ifdef TERN_SMALL
  // TERN_SMALL: every block, the last one zero-padded, through one buffer
  // (one load and multiply site).
  std::uint8_t buf[16];
  while (len > 0) {
    const std::size_t n = len < 16 ? len : 16;
    std::memset(buf, 0, sizeof buf);
    std::memcpy(buf, data, n);
    y.hi ^= load_be64(buf);
    y.lo ^= load_be64(buf + 8);
    y = gf_mul(y, h);
    data += n;
    len -= n;
  }
  wipe_object(buf);
#else
  while (len >= 16) {
    y.hi ^= load_be64(data);
    y.lo ^= load_be64(data + 8);
    y = gf_mul(y, h);
    data += 16;
    len -= 16;
  }
  if (len > 0) {
    std::uint8_t buf[16] = {};
    std::memcpy(buf, data, len);
    y.hi ^= load_be64(buf);
    y.lo ^= load_be64(buf + 8);
    y = gf_mul(y, h);
    wipe_object(buf);
  }
#endif
}

namespace {

inline Gf h_of(const GcmKey& k) noexcept { return Gf{k.portable.h[1], k.portable.h[0]}; }

// Counter mode over the "virtual stream" that starts at J0: its first
// block is E(K, J0) (the tag mask, to ekj0), then len bytes of keystream.
void ctr_portable(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* in, std::uint8_t* out,
                  std::size_t len, std::uint8_t ekj0[16]) noexcept {
  std::uint8_t ks[64];
  const u32 c0 = load_be32(j0 + 12);
  const std::size_t total = len + 16;
  u32 n = 0;
  for (std::size_t pos = 0; pos < total; pos += 64, n += 4) {
    for (u32 j = 0; j < 4; ++j) {
      std::memcpy(ks + 16 * j, j0, 12);
      store_be32(ks + 16 * j + 12, c0 + n + j);
    }
    encrypt4_bitsliced(k.portable.bs_rk, k.rounds, ks, ks);
    const std::size_t end = total - pos < 64 ? total - pos : 64;
    std::size_t v = 0;
    if (pos == 0) {
      std::memcpy(ekj0, ks, 16);
      v = 16;
    }
    for (; v < end; ++v) out[pos + v - 16] = static_cast<std::uint8_t>(in[pos + v - 16] ^ ks[v]);
  }
  wipe_object(ks);
}

void finish_tag(Gf y, Gf h, std::size_t aad_len, std::size_t len, const std::uint8_t ekj0[16],
                std::uint8_t tag[16]) noexcept {
  const Gf l = gcm_len_block(aad_len, len);
  y.hi ^= l.hi;
  y.lo ^= l.lo;
  y = gf_mul(y, h);
  store_be64(tag, y.hi);
  store_be64(tag + 8, y.lo);
  for (int i = 0; i < 16; ++i) tag[i] = static_cast<std::uint8_t>(tag[i] ^ ekj0[i]);
}

}  // namespace

void gcm_portable_init(GcmKey& k, const std::uint8_t* rk) noexcept {
  bitslice_round_keys(rk, k.rounds, k.portable.bs_rk);
  std::uint8_t blk[64] = {};
  encrypt4_bitsliced(k.portable.bs_rk, k.rounds, blk, blk);
  k.portable.h[0] = load_be64(blk + 8);
  k.portable.h[1] = load_be64(blk);
  wipe_object(blk);
}

namespace {

// Both directions in one body: GHASH runs over the ciphertext, which is
// the output when sealing and the input when opening (hashed before the
// counter mode pass, since out may be the same buffer as in).
void gcm_portable_crypt(bool open, const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad,
                        std::size_t aad_len, const std::uint8_t* in, std::uint8_t* out, std::size_t len,
                        std::uint8_t tag[16]) noexcept {
  const Gf h = h_of(k);
  Gf y{0, 0};
  ghash_portable(y, h, aad, aad_len);
  if (open) ghash_portable(y, h, in, len);
  std::uint8_t ekj0[16];
  ctr_portable(k, j0, in, out, len, ekj0);
  if (!open) ghash_portable(y, h, out, len);
  finish_tag(y, h, aad_len, len, ekj0, tag);
  wipe_object(ekj0);
}

}  // namespace

void gcm_portable_seal(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                       const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept {
  gcm_portable_crypt(false, k, j0, aad, aad_len, in, out, len, tag);
}

void gcm_portable_open(const GcmKey& k, const std::uint8_t j0[16], const std::uint8_t* aad, std::size_t aad_len,
                       const std::uint8_t* in, std::uint8_t* out, std::size_t len, std::uint8_t tag[16]) noexcept {
  gcm_portable_crypt(true, k, j0, aad, aad_len, in, out, len, tag);
}

}  // namespace tern::aes::detail
