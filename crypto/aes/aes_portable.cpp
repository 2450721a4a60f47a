// Portable constant-time AES: a bitsliced implementation on 64-bit words.
//
// Layout: four blocks are held in eight 64-bit "planes" q[0..7]; bit
// (4*i + j) of plane b is bit b of byte i of block j. Byte i of a block is
// AES state row i%4, column i/4, so each column is one 16-bit lane and each
// row is one nibble within it. SubBytes is the Boyar-Peralta S-box circuit
// (32 AND, 81 XOR/XNOR: no tables), ShiftRows rotates the row nibbles
// across lanes, MixColumns rotates nibbles within lanes. Everything is
// shifts and boolean operations on public positions: no secret-dependent
// branch or memory index. Uses only 64-bit integer operations (fine on 32-bit
// targets) and explicit byte loads/stores (endian-clean).
#include <cstring>

#include "crypto/aes/aes.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::aes {
namespace detail {
namespace {

using u64 = std::uint64_t;

// In-place S-box on eight planes (q[0] = least significant bit).
inline void sub_bytes(u64 q[8]) noexcept {
  const u64 U0 = q[7], U1 = q[6], U2 = q[5], U3 = q[4], U4 = q[3], U5 = q[2], U6 = q[1], U7 = q[0];
  // Top linear layer.
  const u64 T1 = U0 ^ U3, T2 = U0 ^ U5, T3 = U0 ^ U6, T4 = U3 ^ U5, T5 = U4 ^ U6;
  const u64 T6 = T1 ^ T5, T7 = U1 ^ U2, T8 = U7 ^ T6, T9 = U7 ^ T7, T10 = T6 ^ T7;
  const u64 T11 = U1 ^ U5, T12 = U2 ^ U5, T13 = T3 ^ T4, T14 = T6 ^ T11, T15 = T5 ^ T11;
  const u64 T16 = T5 ^ T12, T17 = T9 ^ T16, T18 = U3 ^ U7, T19 = T7 ^ T18, T20 = T1 ^ T19;
  const u64 T21 = U6 ^ U7, T22 = T7 ^ T21, T23 = T2 ^ T22, T24 = T2 ^ T10, T25 = T20 ^ T17;
  const u64 T26 = T3 ^ T16, T27 = T1 ^ T12;
  // Nonlinear middle (inversion in GF(2^8) through GF(2^4)).
  const u64 M1 = T13 & T6, M2 = T23 & T8, M3 = T14 ^ M1, M4 = T19 & U7, M5 = M4 ^ M1;
  const u64 M6 = T3 & T16, M7 = T22 & T9, M8 = T26 ^ M6, M9 = T20 & T17, M10 = M9 ^ M6;
  const u64 M11 = T1 & T15, M12 = T4 & T27, M13 = M12 ^ M11, M14 = T2 & T10, M15 = M14 ^ M11;
  const u64 M16 = M3 ^ M2, M17 = M5 ^ T24, M18 = M8 ^ M7, M19 = M10 ^ M15, M20 = M16 ^ M13;
  const u64 M21 = M17 ^ M15, M22 = M18 ^ M13, M23 = M19 ^ T25, M24 = M22 ^ M23, M25 = M22 & M20;
  const u64 M26 = M21 ^ M25, M27 = M20 ^ M21, M28 = M23 ^ M25, M29 = M28 & M27, M30 = M26 & M24;
  const u64 M31 = M20 & M23, M32 = M27 & M31, M33 = M27 ^ M25, M34 = M21 & M22, M35 = M24 & M34;
  const u64 M36 = M24 ^ M25, M37 = M21 ^ M29, M38 = M32 ^ M33, M39 = M23 ^ M30, M40 = M35 ^ M36;
  const u64 M41 = M38 ^ M40, M42 = M37 ^ M39, M43 = M37 ^ M38, M44 = M39 ^ M40, M45 = M42 ^ M41;
  const u64 M46 = M44 & T6, M47 = M40 & T8, M48 = M39 & U7, M49 = M43 & T16, M50 = M38 & T9;
  const u64 M51 = M37 & T17, M52 = M42 & T15, M53 = M45 & T27, M54 = M41 & T10, M55 = M44 & T13;
  const u64 M56 = M40 & T23, M57 = M39 & T19, M58 = M43 & T3, M59 = M38 & T22, M60 = M37 & T20;
  const u64 M61 = M42 & T1, M62 = M45 & T4, M63 = M41 & T2;
  // Bottom linear layer (with the affine constant folded into XNORs).
  const u64 L0 = M61 ^ M62, L1 = M50 ^ M56, L2 = M46 ^ M48, L3 = M47 ^ M55, L4 = M54 ^ M58;
  const u64 L5 = M49 ^ M61, L6 = M62 ^ L5, L7 = M46 ^ L3, L8 = M51 ^ M59, L9 = M52 ^ M53;
  const u64 L10 = M53 ^ L4, L11 = M60 ^ L2, L12 = M48 ^ M51, L13 = M50 ^ L0, L14 = M52 ^ M61;
  const u64 L15 = M55 ^ L1, L16 = M56 ^ L0, L17 = M57 ^ L1, L18 = M58 ^ L8, L19 = M63 ^ L4;
  const u64 L20 = L0 ^ L1, L21 = L1 ^ L7, L22 = L3 ^ L12, L23 = L18 ^ L2, L24 = L15 ^ L9;
  const u64 L25 = L6 ^ L10, L26 = L7 ^ L9, L27 = L8 ^ L10, L28 = L11 ^ L14, L29 = L11 ^ L17;
  q[7] = L6 ^ L24;
  q[6] = ~(L16 ^ L26);
  q[5] = ~(L19 ^ L28);
  q[4] = L6 ^ L21;
  q[3] = L20 ^ L22;
  q[2] = L25 ^ L29;
  q[1] = ~(L13 ^ L27);
  q[0] = ~(L6 ^ L23);
}

inline u64 rotr(u64 x, int n) noexcept { return (x >> n) | (x << (64 - n)); }

inline void shift_rows(u64 q[8]) noexcept {
  constexpr u64 m0 = 0x000F000F000F000Full;
  for (int b = 0; b < 8; ++b) {
    const u64 x = q[b];
    q[b] = (x & m0) | rotr(x & (m0 << 4), 16) | rotr(x & (m0 << 8), 32) | rotr(x & (m0 << 12), 48);
  }
}

// Row r of each column takes row r+k (k nibbles, within each 16-bit lane).
inline u64 rot_rows1(u64 x) noexcept { return ((x >> 4) & 0x0FFF0FFF0FFF0FFFull) | ((x << 12) & 0xF000F000F000F000ull); }
inline u64 rot_rows2(u64 x) noexcept { return ((x >> 8) & 0x00FF00FF00FF00FFull) | ((x << 8) & 0xFF00FF00FF00FF00ull); }

inline void mix_columns(u64 q[8]) noexcept {
  u64 r1[8], t[8];
  for (int b = 0; b < 8; ++b) {
    r1[b] = rot_rows1(q[b]);
    t[b] = q[b] ^ r1[b];  // a[r] ^ a[r+1]
  }
  // out = 2*(a[r]^a[r+1]) ^ a[r+1] ^ a[r+2] ^ a[r+3]; a[r+2]^a[r+3] = rot2(t).
  const u64 x[8] = {t[7], t[0] ^ t[7], t[1], t[2] ^ t[7], t[3] ^ t[7], t[4], t[5], t[6]};
  for (int b = 0; b < 8; ++b) q[b] = x[b] ^ r1[b] ^ rot_rows2(t[b]);
}

// 8x8 bit-matrix transpose: bit (8r + c) <-> bit (8c + r).
inline u64 transpose8(u64 x) noexcept {
  u64 t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAull;
  x ^= t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCull;
  x ^= t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ull;
  x ^= t ^ (t << 28);
  return x;
}

// Four blocks (in[16*j + i]) to planes.
inline void pack(u64 q[8], const std::uint8_t* in) noexcept {
  for (int b = 0; b < 8; ++b) q[b] = 0;
  for (int k = 0; k < 8; ++k) {
    // Slots 8k..8k+7: bytes 2k and 2k+1 of blocks 0..3.
    u64 w = 0;
    for (int m = 0; m < 8; ++m) {
      const int i = 2 * k + (m >> 2), j = m & 3;
      w |= static_cast<u64>(in[16 * j + i]) << (8 * m);
    }
    w = transpose8(w);
    for (int b = 0; b < 8; ++b) q[b] |= ((w >> (8 * b)) & 0xFF) << (8 * k);
  }
}

inline void unpack(std::uint8_t* out, const u64 q[8]) noexcept {
  for (int k = 0; k < 8; ++k) {
    u64 w = 0;
    for (int b = 0; b < 8; ++b) w |= ((q[b] >> (8 * k)) & 0xFF) << (8 * b);
    w = transpose8(w);
    for (int m = 0; m < 8; ++m) {
      const int i = 2 * k + (m >> 2), j = m & 3;
      out[16 * j + i] = static_cast<std::uint8_t>(w >> (8 * m));
    }
  }
}

// SubWord on a 32-bit word (byte n = bits 8n..8n+7), through the circuit.
std::uint32_t sub_word(std::uint32_t w) noexcept {
  u64 q[8];
  for (int b = 0; b < 8; ++b) {
    u64 p = 0;
    for (int n = 0; n < 4; ++n) p |= static_cast<u64>((w >> (8 * n + b)) & 1u) << n;
    q[b] = p;
  }
  sub_bytes(q);
  std::uint32_t r = 0;
  for (int b = 0; b < 8; ++b)
    for (int n = 0; n < 4; ++n) r |= static_cast<std::uint32_t>((q[b] >> n) & 1u) << (8 * n + b);
  wipe_object(q);
  return r;
}

}  // namespace

unsigned expand_key(const std::uint8_t* key, std::size_t key_len, std::uint8_t rk[240]) noexcept {
  if (key_len != 16 && key_len != 24 && key_len != 32) return 0;
  const unsigned nk = static_cast<unsigned>(key_len / 4);
  const unsigned rounds = nk + 6;
  const unsigned total = 4 * (rounds + 1);
  // Words as big-endian-ish byte order: w = b0 | b1<<8 | b2<<16 | b3<<24.
  std::uint32_t w[60];
  for (unsigned i = 0; i < nk; ++i)
    w[i] = static_cast<std::uint32_t>(key[4 * i]) | (static_cast<std::uint32_t>(key[4 * i + 1]) << 8) |
           (static_cast<std::uint32_t>(key[4 * i + 2]) << 16) | (static_cast<std::uint32_t>(key[4 * i + 3]) << 24);
  std::uint32_t rcon = 1;
  for (unsigned i = nk; i < total; ++i) {
    std::uint32_t t = w[i - 1];
    if (i % nk == 0) {
      t = sub_word((t >> 8) | (t << 24)) ^ rcon;  // RotWord then SubWord
      rcon = (rcon << 1) ^ (0x11Bu & (0u - (rcon >> 7)));
    } else if (nk > 6 && i % nk == 4) {
      t = sub_word(t);
    }
    w[i] = w[i - nk] ^ t;
  }
  for (unsigned i = 0; i < total; ++i)
    for (int n = 0; n < 4; ++n) rk[4 * i + static_cast<unsigned>(n)] = static_cast<std::uint8_t>(w[i] >> (8 * n));
  wipe_object(w);
  return rounds;
}

void bitslice_round_keys(const std::uint8_t* rk, unsigned rounds, std::uint64_t bs[15][8]) noexcept {
  std::uint8_t four[64];
  for (unsigned r = 0; r <= rounds; ++r) {
    for (int j = 0; j < 4; ++j) std::memcpy(four + 16 * j, rk + 16 * r, 16);
    pack(bs[r], four);
  }
  wipe_object(four);
}

void encrypt4_bitsliced(const std::uint64_t bs[15][8], unsigned rounds, const std::uint8_t in[64],
                        std::uint8_t out[64]) noexcept {
  u64 q[8];
  pack(q, in);
  for (int b = 0; b < 8; ++b) q[b] ^= bs[0][b];
  for (unsigned r = 1; r <= rounds; ++r) {
    sub_bytes(q);
    shift_rows(q);
    if (r != rounds) mix_columns(q);  // the last round has none
    for (int b = 0; b < 8; ++b) q[b] ^= bs[r][b];
  }
  unpack(out, q);
  wipe_object(q);
}

}  // namespace detail

Aes::~Aes() { wipe_object(bs_rk_); }

Status Aes::init(std::span<const std::uint8_t> key) noexcept {
  std::uint8_t rk[240];
  const unsigned rounds = detail::expand_key(key.data(), key.size(), rk);
  if (rounds == 0) return Status::bad_key;
  detail::bitslice_round_keys(rk, rounds, bs_rk_);
  rounds_ = rounds;
  wipe_object(rk);
  return Status::ok;
}

void Aes::encrypt_block(std::span<std::uint8_t, 16> out, std::span<const std::uint8_t, 16> in) const noexcept {
  std::uint8_t buf[64] = {};
  if (rounds_ == 0) {
    std::memset(out.data(), 0, 16);
    return;
  }
  std::memcpy(buf, in.data(), 16);
  detail::encrypt4_bitsliced(bs_rk_, rounds_, buf, buf);
  std::memcpy(out.data(), buf, 16);
  wipe_object(buf);
}

}  // namespace tern::aes
