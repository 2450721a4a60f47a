// Portable Poly1305 (RFC 8439 §2.5). The accumulator is kept in radix 2^44
// (44/44/42-bit limbs) between calls, shared with the IFMA kernel. With
// unsigned __int128 the block loop runs in radix 2^64; without it (32-bit
// targets) in five 26-bit limbs with 32x32->64 products. Either converts
// on entry and exit.
// Constant time: no branches or indices on secret data.
#include "crypto/chacha/internal.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::chacha::detail {

namespace {
constexpr std::uint64_t kM44 = (std::uint64_t{1} << 44) - 1;
constexpr std::uint64_t kM42 = (std::uint64_t{1} << 42) - 1;
constexpr std::uint32_t kM26 = (1u << 26) - 1;
}  // namespace

void poly_setup(PolyState& st, const std::uint8_t key[32]) noexcept {
  const std::uint64_t lo = load_le64(key) & 0x0ffffffc0fffffffull;
  const std::uint64_t hi = load_le64(key + 8) & 0x0ffffffc0ffffffcull;
  st.r[0] = lo & kM44;
  st.r[1] = ((lo >> 44) | (hi << 20)) & kM44;
  st.r[2] = hi >> 24;
  st.h[0] = st.h[1] = st.h[2] = 0;
  st.s[0] = load_le64(key + 16);
  st.s[1] = load_le64(key + 24);
  st.powers = 0;
}

void poly_finish(PolyState& st, std::uint8_t tag[16]) noexcept {
  std::uint64_t h0 = st.h[0], h1 = st.h[1], h2 = st.h[2], c;
  // Two full carry passes leave h < 2^130 + small.
  for (int pass = 0; pass < 2; ++pass) {
    c = h0 >> 44; h0 &= kM44; h1 += c;
    c = h1 >> 44; h1 &= kM44; h2 += c;
    c = h2 >> 42; h2 &= kM42; h0 += c * 5;
  }
  c = h0 >> 44; h0 &= kM44; h1 += c;
  c = h1 >> 44; h1 &= kM44; h2 += c;
  // g = h + 5 - 2^130; use g when it did not borrow (h >= p).
  std::uint64_t g0 = h0 + 5;
  c = g0 >> 44; g0 &= kM44;
  std::uint64_t g1 = h1 + c;
  c = g1 >> 44; g1 &= kM44;
  const std::uint64_t g2 = h2 + c - (std::uint64_t{1} << 42);
  const std::uint64_t use_g = (g2 >> 63) - 1;  // all-ones when no borrow
  h0 = (h0 & ~use_g) | (g0 & use_g);
  h1 = (h1 & ~use_g) | (g1 & use_g);
  h2 = (h2 & ~use_g) | (g2 & use_g & kM42);
  // tag = (h + s) mod 2^128
  const std::uint64_t lo = h0 | (h1 << 44);
  const std::uint64_t hi = (h1 >> 20) | (h2 << 24);
  const std::uint64_t t0 = lo + st.s[0];
  const std::uint64_t carry = static_cast<std::uint64_t>(t0 < lo);
  const std::uint64_t t1 = hi + st.s[1] + carry;
  store_le64(tag, t0);
  store_le64(tag + 8, t1);
  wipe(&st, sizeof(st));
}

#ifdef __SIZEOF_INT128__
// Radix 2^64 for the block loop (h = h0 + h1 2^64 + h2 2^128, h2 small;
// four 64x64 products per block thanks to the clamped r: r1 is a multiple
// of 4, so r1 2^128 == (r1 / 4) 5 (mod p) and s1 = r1 + r1/4 is exact);
// the accumulator is converted from and to radix 2^44 around the loop.
void poly_blocks_portable(PolyState& st, const std::uint8_t* m, std::size_t n) noexcept {
  using u128 = unsigned __int128;
  using u64 = std::uint64_t;
  u64 l0 = st.h[0], l1 = st.h[1], l2 = st.h[2];
  l1 += l0 >> 44;
  l0 &= kM44;
  l2 += l1 >> 44;
  l1 &= kM44;
  u64 h0 = l0 | (l1 << 44), h1 = (l1 >> 20) | (l2 << 24), h2 = l2 >> 40;
  const u64 r0 = st.r[0] | (st.r[1] << 44), r1 = (st.r[1] >> 20) | (st.r[2] << 24);
  const u64 s1 = r1 + (r1 >> 2);
  for (; n > 0; --n, m += 16) {
    const u128 t0 = u128{h0} + load_le64(m);
    const u128 t1 = u128{h1} + load_le64(m + 8) + static_cast<u64>(t0 >> 64);
    const u64 a0 = static_cast<u64>(t0), a1 = static_cast<u64>(t1);
    const u64 a2 = h2 + static_cast<u64>(t1 >> 64) + 1;
    const u128 d0 = u128{a0} * r0 + u128{a1} * s1;
    const u128 d1 = u128{a0} * r1 + u128{a1} * r0 + u128{a2} * s1 + static_cast<u64>(d0 >> 64);
    const u64 d2 = a2 * r0 + static_cast<u64>(d1 >> 64);
    // 2^130 == 5: fold the bits of d2 above 2 back in as (d2 >> 2) * 5.
    const u64 fold = (d2 & ~u64{3}) + (d2 >> 2);
    const u128 e0 = u128{static_cast<u64>(d0)} + fold;
    const u128 e1 = u128{static_cast<u64>(d1)} + static_cast<u64>(e0 >> 64);
    h0 = static_cast<u64>(e0);
    h1 = static_cast<u64>(e1);
    h2 = (d2 & 3) + static_cast<u64>(e1 >> 64);
  }
  st.h[0] = h0 & kM44;
  st.h[1] = ((h0 >> 44) | (h1 << 20)) & kM44;
  st.h[2] = (h1 >> 24) | (h2 << 40);
}

// The last block (the two lengths) and the tag in radix 2^64 directly:
// one conversion, no second carry chain in radix 2^44.
void poly_finish_lengths(PolyState& st, std::uint64_t aadlen, std::uint64_t len, std::uint8_t tag[16]) noexcept {
  using u128 = unsigned __int128;
  using u64 = std::uint64_t;
  u64 l0 = st.h[0], l1 = st.h[1], l2 = st.h[2];
  l1 += l0 >> 44;
  l0 &= kM44;
  l2 += l1 >> 44;
  l1 &= kM44;
  const u64 h0 = l0 | (l1 << 44), h1 = (l1 >> 20) | (l2 << 24), h2 = l2 >> 40;
  const u64 r0 = st.r[0] | (st.r[1] << 44), r1 = (st.r[1] >> 20) | (st.r[2] << 24);
  const u64 s1 = r1 + (r1 >> 2);
  // h += lengths block + 2^128, h *= r, partly reduced (as in the loop above).
  const u128 t0 = u128{h0} + aadlen;
  const u128 t1 = u128{h1} + len + static_cast<u64>(t0 >> 64);
  const u64 a0 = static_cast<u64>(t0), a1 = static_cast<u64>(t1);
  const u64 a2 = h2 + static_cast<u64>(t1 >> 64) + 1;
  const u128 d0 = u128{a0} * r0 + u128{a1} * s1;
  const u128 d1 = u128{a0} * r1 + u128{a1} * r0 + u128{a2} * s1 + static_cast<u64>(d0 >> 64);
  const u64 d2 = a2 * r0 + static_cast<u64>(d1 >> 64);
  const u64 fold = (d2 & ~u64{3}) + (d2 >> 2);
  const u128 e0 = u128{static_cast<u64>(d0)} + fold;
  const u128 e1 = u128{static_cast<u64>(d1)} + static_cast<u64>(e0 >> 64);
  // h = e < 2^130 + 2^66 here; fold the bits above 2^130 once more, then
  // h < 2^130 + 5, and h mod p = h + 5 - 2^130 exactly when that does
  // not borrow.
  u64 e2 = (d2 & 3) + static_cast<u64>(e1 >> 64);
  const u128 f0 = u128{static_cast<u64>(e0)} + (e2 >> 2) * 5;
  const u128 f1 = u128{static_cast<u64>(e1)} + static_cast<u64>(f0 >> 64);
  e2 = (e2 & 3) + static_cast<u64>(f1 >> 64);
  const u128 g0 = u128{static_cast<u64>(f0)} + 5;
  const u128 g1 = u128{static_cast<u64>(f1)} + static_cast<u64>(g0 >> 64);
  const u64 g2 = e2 + static_cast<u64>(g1 >> 64);
  const u64 use_g = u64{0} - (g2 >> 2);  // all-ones when h + 5 >= 2^130
  const u64 m0 = (static_cast<u64>(f0) & ~use_g) | (static_cast<u64>(g0) & use_g);
  const u64 m1 = (static_cast<u64>(f1) & ~use_g) | (static_cast<u64>(g1) & use_g);
  // tag = (h + s) mod 2^128
  const u128 o0 = u128{m0} + st.s[0];
  const u64 o1 = m1 + st.s[1] + static_cast<u64>(o0 >> 64);
  store_le64(tag, static_cast<u64>(o0));
  store_le64(tag + 8, o1);
  wipe(&st, sizeof(st));
}
#else
void poly_blocks_portable(PolyState& st, const std::uint8_t* m, std::size_t n) noexcept {
  poly_blocks_32(st, m, n);
}

void poly_finish_lengths(PolyState& st, std::uint64_t aadlen, std::uint64_t len, std::uint8_t tag[16]) noexcept {
  std::uint8_t b[16];
  store_le64(b, aadlen);
  store_le64(b + 8, len);
  poly_blocks_32(st, b, 1);
  poly_finish(st, tag);
}
#endif

void poly_blocks_32(PolyState& st, const std::uint8_t* m, std::size_t n) noexcept {
  // r and h to 26-bit limbs.
  const std::uint64_t R0 = st.r[0], R1 = st.r[1], R2 = st.r[2];
  const std::uint32_t r0 = static_cast<std::uint32_t>(R0) & kM26;
  const std::uint32_t r1 = static_cast<std::uint32_t>((R0 >> 26) | (R1 << 18)) & kM26;
  const std::uint32_t r2 = static_cast<std::uint32_t>(R1 >> 8) & kM26;
  const std::uint32_t r3 = static_cast<std::uint32_t>((R1 >> 34) | (R2 << 10)) & kM26;
  const std::uint32_t r4 = static_cast<std::uint32_t>(R2 >> 16);
  const std::uint32_t s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
  std::uint64_t H0 = st.h[0], H1 = st.h[1], H2 = st.h[2], C;
  C = H0 >> 44; H0 &= kM44; H1 += C;
  C = H1 >> 44; H1 &= kM44; H2 += C;
  std::uint32_t h0 = static_cast<std::uint32_t>(H0) & kM26;
  std::uint32_t h1 = static_cast<std::uint32_t>((H0 >> 26) | (H1 << 18)) & kM26;
  std::uint32_t h2 = static_cast<std::uint32_t>(H1 >> 8) & kM26;
  std::uint32_t h3 = static_cast<std::uint32_t>((H1 >> 34) | (H2 << 10)) & kM26;
  std::uint32_t h4 = static_cast<std::uint32_t>(H2 >> 16);
  using u64 = std::uint64_t;
  for (; n > 0; --n, m += 16) {
    const std::uint32_t w0 = load_le32(m), w1 = load_le32(m + 4), w2 = load_le32(m + 8), w3 = load_le32(m + 12);
    h0 += w0 & kM26;
    h1 += ((w0 >> 26) | (w1 << 6)) & kM26;
    h2 += ((w1 >> 20) | (w2 << 12)) & kM26;
    h3 += ((w2 >> 14) | (w3 << 18)) & kM26;
    h4 += (w3 >> 8) | (1u << 24);
    u64 d0 = u64{h0} * r0 + u64{h1} * s4 + u64{h2} * s3 + u64{h3} * s2 + u64{h4} * s1;
    u64 d1 = u64{h0} * r1 + u64{h1} * r0 + u64{h2} * s4 + u64{h3} * s3 + u64{h4} * s2;
    u64 d2 = u64{h0} * r2 + u64{h1} * r1 + u64{h2} * r0 + u64{h3} * s4 + u64{h4} * s3;
    u64 d3 = u64{h0} * r3 + u64{h1} * r2 + u64{h2} * r1 + u64{h3} * r0 + u64{h4} * s4;
    u64 d4 = u64{h0} * r4 + u64{h1} * r3 + u64{h2} * r2 + u64{h3} * r1 + u64{h4} * r0;
    h0 = static_cast<std::uint32_t>(d0) & kM26; d1 += d0 >> 26;
    h1 = static_cast<std::uint32_t>(d1) & kM26; d2 += d1 >> 26;
    h2 = static_cast<std::uint32_t>(d2) & kM26; d3 += d2 >> 26;
    h3 = static_cast<std::uint32_t>(d3) & kM26; d4 += d3 >> 26;
    h4 = static_cast<std::uint32_t>(d4) & kM26;
    h0 += static_cast<std::uint32_t>(d4 >> 26) * 5;
    h1 += h0 >> 26;
    h0 &= kM26;
  }
  // Normalise and back to radix 2^44.
  std::uint32_t c;
  c = h1 >> 26; h1 &= kM26; h2 += c;
  c = h2 >> 26; h2 &= kM26; h3 += c;
  c = h3 >> 26; h3 &= kM26; h4 += c;
  st.h[0] = (u64{h0} | (u64{h1} << 26)) & kM44;
  st.h[1] = ((u64{h1} >> 18) | (u64{h2} << 8) | (u64{h3} << 34)) & kM44;
  st.h[2] = (u64{h3} >> 10) | (u64{h4} << 16);
}

}  // namespace tern::chacha::detail
