// Curve25519 arithmetic written once over a field type F (field_51.hpp,
// field_32.hpp, field_adx.hpp): the X25519 Montgomery ladder, Edwards
// point operations, the constant-time fixed-base comb and the
// variable-time double-scalar multiplication used by verification.
//
// Each kernel file instantiates Curve<F> and exports its entry points in a
// Kernel descriptor (kernel.hpp), so a whole scalar multiplication runs on
// one field implementation chosen once per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "crypto/curve25519/kernel.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/ct.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::curve25519_detail {

template <class F>
struct Curve {
  using Fe = typename F::T;

  // ---- field helpers --------------------------------------------------------
  static void sqr_n(Fe& r, const Fe& a, int n) noexcept {
    F::sqr(r, a);
    for (int i = 1; i < n; ++i) F::sqr(r, r);
  }
  // z^(2^250 - 1) and z^11.
  static void pow_250(Fe& z250, Fe& z11, const Fe& z) noexcept {
    Fe t0, t1, z9, z5, z10, z20, z40, z50, z100;
    F::sqr(t0, z);               // 2
    sqr_n(t1, t0, 2);            // 8
    F::mul(z9, t1, z);           // 9
    F::mul(z11, z9, t0);         // 11
    F::sqr(t1, z11);             // 22
    F::mul(z5, t1, z9);          // 31 = 2^5 - 1
    sqr_n(t1, z5, 5);
    F::mul(z10, t1, z5);         // 2^10 - 1
    sqr_n(t1, z10, 10);
    F::mul(z20, t1, z10);        // 2^20 - 1
    sqr_n(t1, z20, 20);
    F::mul(z40, t1, z20);        // 2^40 - 1
    sqr_n(t1, z40, 10);
    F::mul(z50, t1, z10);        // 2^50 - 1
    sqr_n(t1, z50, 50);
    F::mul(z100, t1, z50);       // 2^100 - 1
    sqr_n(t1, z100, 100);
    F::mul(t0, t1, z100);        // 2^200 - 1
    sqr_n(t1, t0, 50);
    F::mul(z250, t1, z50);       // 2^250 - 1
    Fe* temps[] = {&t0, &t1, &z9, &z5, &z10, &z20, &z40, &z50, &z100};
    for (Fe* p : temps) wipe_object(*p);
  }
  // r = z^(p-2) = z^(2^255 - 21); 0 maps to 0.
#ifdef TERN_SMALL
  // TERN_SMALL: left-to-right square-and-multiply over the public exponent
  // (bits 254..0 all set but 4 and 2): 254 squarings and 252 products
  // instead of the chain's 11, in a fraction of the code. r may alias z.
  static void invert(Fe& r, const Fe& z) noexcept {
    Fe t = z;
    for (int i = 253; i >= 0; --i) {
      F::sqr(t, t);
      if (i != 4 && i != 2) F::mul(t, t, z);
    }
    r = t;
    wipe_object(t);
  }
#else
  static void invert(Fe& r, const Fe& z) noexcept {
    Fe z250, z11, t;
    pow_250(z250, z11, z);
    sqr_n(t, z250, 5);
    F::mul(r, t, z11);
    wipe_object(z250);
    wipe_object(z11);
    wipe_object(t);
  }
#endif
  // r = z^((p-5)/8) = z^(2^252 - 3).
  static void pow22523(Fe& r, const Fe& z) noexcept {
    Fe z250, z11, t;
    pow_250(z250, z11, z);
    sqr_n(t, z250, 2);
    F::mul(r, t, z);
  }
  static bool is_zero_vartime(const Fe& a) noexcept {
    std::uint8_t s[32];
    F::to_bytes(s, a);
    std::uint8_t acc = 0;
    for (auto b : s) acc |= b;
    return acc == 0;
  }
  static bool equal_vartime(const Fe& a, const Fe& b) noexcept {
    Fe d;
    F::sub(d, a, b);
    return is_zero_vartime(d);
  }
  static std::uint8_t is_negative(const Fe& a) noexcept {
    std::uint8_t s[32];
    F::to_bytes(s, a);
    return s[0] & 1;
  }

  // ---- X25519 (RFC 7748 §5) -------------------------------------------------
  // k: the clamped scalar. Constant time in k and u.
#ifdef TERN_SMALL
  // TERN_SMALL: the ladder step runs as a fixed table of its 18 field
  // operations (operation, destination, two sources) over an array of field
  // elements, so add, sub and mul each have one call site. a24 * e is a
  // general product by the element 121665. The steps and their order are
  // public and fixed; only the conditional swaps depend on k.
  static void ladder(std::uint8_t out[32], const std::uint8_t k[32], const std::uint8_t u[32]) noexcept {
    enum : std::uint8_t { X1, X2, Z2, X3, Z3, A, AA, B, BB, E, C, D, DA, CB, A24, kCount };
    enum : std::uint8_t { Add, Sub, Mul };
    static constexpr std::uint8_t kStep[][4] = {
        {Add, A, X2, Z2},   {Sub, B, X2, Z2},   {Add, C, X3, Z3},   {Sub, D, X3, Z3},  {Mul, DA, D, A},
        {Mul, CB, C, B},    {Mul, AA, A, A},    {Mul, BB, B, B},    {Add, X3, DA, CB}, {Mul, X3, X3, X3},
        {Sub, Z3, DA, CB},  {Mul, Z3, Z3, Z3},  {Mul, Z3, Z3, X1},  {Mul, X2, AA, BB}, {Sub, E, AA, BB},
        {Mul, A, E, A24},   {Add, A, A, AA},    {Mul, Z2, E, A},
    };
    struct State {
      Fe f[kCount];
    } st;
    Fe* f = st.f;
    F::from_bytes(f[X1], u);
    F::set_small(f[X2], 1);
    F::set_small(f[Z2], 0);
    f[X3] = f[X1];
    F::set_small(f[Z3], 1);
    F::set_small(f[A24], 121665);
    std::uint64_t swap = 0;
    for (int t = 254; t >= -1; --t) {
      // t = -1: no step, only the final swap back by the last bit.
      const std::uint64_t bit = t < 0 ? 0 : (k[t >> 3] >> (t & 7)) & 1;
      const std::uint64_t mask = ct::mask_from_bit(swap ^ bit);
      F::cswap(f[X2], f[X3], mask);
      F::cswap(f[Z2], f[Z3], mask);
      swap = bit;
      if (t < 0) break;
      for (const auto& s : kStep) {
        Fe& r = f[s[1]];
        const Fe& a = f[s[2]];
        const Fe& b = f[s[3]];
        if (s[0] == Add)
          F::add(r, a, b);
        else if (s[0] == Sub)
          F::sub(r, a, b);
        else
          F::mul(r, a, b);
      }
    }
    invert(f[Z2], f[Z2]);
    F::mul(f[X2], f[X2], f[Z2]);
    F::to_bytes(out, f[X2]);
    wipe_object(st);
    swap = 0;
  }
#else
  static void ladder(std::uint8_t out[32], const std::uint8_t k[32], const std::uint8_t u[32]) noexcept {
    struct State {
      Fe x1, x2, z2, x3, z3, a, aa, b, bb, e, c, d, da, cb;
    } st;
    auto& [x1, x2, z2, x3, z3, a, aa, b, bb, e, c, d, da, cb] = st;
    F::from_bytes(x1, u);
    F::set_small(x2, 1);
    F::set_small(z2, 0);
    x3 = x1;
    F::set_small(z3, 1);
    std::uint64_t swap = 0;
    for (int t = 254; t >= 0; --t) {
      const std::uint64_t bit = (k[t >> 3] >> (t & 7)) & 1;
      const std::uint64_t mask = ct::mask_from_bit(swap ^ bit);
      F::cswap(x2, x3, mask);
      F::cswap(z2, z3, mask);
      swap = bit;
      F::add(a, x2, z2);
      F::sub(b, x2, z2);
      F::add(c, x3, z3);
      F::sub(d, x3, z3);
      F::mul(da, d, a);
      F::mul(cb, c, b);
      F::sqr(aa, a);
      F::sqr(bb, b);
      F::add(x3, da, cb);
      F::sqr(x3, x3);
      F::sub(z3, da, cb);
      F::sqr(z3, z3);
      F::mul(z3, z3, x1);
      F::mul(x2, aa, bb);
      F::sub(e, aa, bb);
      F::mul_small(a, e, 121665);
      F::add(a, a, aa);
      F::mul(z2, e, a);
    }
    const std::uint64_t mask = ct::mask_from_bit(swap);
    F::cswap(x2, x3, mask);
    F::cswap(z2, z3, mask);
    invert(z2, z2);
    F::mul(x2, x2, z2);
    F::to_bytes(out, x2);
    wipe_object(st);
    swap = 0;
  }
#endif

  // ---- Edwards points (RFC 8032 §5.1.4 formulas, a = -1) --------------------
  struct P2 { Fe X, Y, Z; };          // projective
  struct P3 { Fe X, Y, Z, T; };       // extended: x = X/Z, y = Y/Z, xy = T/Z
  struct P1 { Fe E, F_, G, H; };      // completed: X = EF, Y = GH, Z = FG, T = EH
  struct Niels { Fe ypx, ymx, xy2d; };          // affine (Z = 1)
  struct Cached { Fe ypx, ymx, z2, t2d; };      // projective

  struct Consts {
    Fe d, d2, sqrtm1;
    Consts() noexcept {
      // d = -121665/121666, sqrt(-1) = 2^((p-1)/4) (RFC 8032 §5.1), little-endian.
      static const std::uint8_t kD[32] = {
          0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
          0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52};
      static const std::uint8_t kSqrtM1[32] = {
          0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
          0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b};
      F::from_bytes(d, kD);
      F::add(d2, d, d);
      F::from_bytes(sqrtm1, kSqrtM1);
    }
  };
  static const Consts& consts() noexcept {
    static const Consts c;
    return c;
  }

  static void identity(P3& p) noexcept {
    F::set_small(p.X, 0);
    F::set_small(p.Y, 1);
    F::set_small(p.Z, 1);
    F::set_small(p.T, 0);
  }
  static void to_p3(P3& r, const P1& p) noexcept {
    F::mul(r.X, p.E, p.F_);
    F::mul(r.Y, p.G, p.H);
    F::mul(r.Z, p.F_, p.G);
    F::mul(r.T, p.E, p.H);
  }
  static void to_p2(P2& r, const P1& p) noexcept {
    F::mul(r.X, p.E, p.F_);
    F::mul(r.Y, p.G, p.H);
    F::mul(r.Z, p.F_, p.G);
  }
  static void dbl(P1& r, const Fe& X, const Fe& Y, const Fe& Z) noexcept {
    Fe a, b, c, s;
    F::sqr(a, X);
    F::sqr(b, Y);
    F::sqr(c, Z);
    F::add(c, c, c);
    F::add(r.H, a, b);
    F::add(s, X, Y);
    F::sqr(s, s);
    F::sub(r.E, r.H, s);
    F::sub(r.G, a, b);
    F::add(r.F_, c, r.G);
  }
  static void dbl(P1& r, const P2& p) noexcept { dbl(r, p.X, p.Y, p.Z); }
  static void dbl(P1& r, const P3& p) noexcept { dbl(r, p.X, p.Y, p.Z); }

  // r = p + q (q affine). With neg, r = p - q.
  static void madd(P1& r, const P3& p, const Niels& q, bool neg = false) noexcept {
    Fe a, b, c, d;
    F::sub(a, p.Y, p.X);
    F::add(b, p.Y, p.X);
    F::mul(a, a, neg ? q.ypx : q.ymx);
    F::mul(b, b, neg ? q.ymx : q.ypx);
    F::mul(c, p.T, q.xy2d);
    F::add(d, p.Z, p.Z);
    F::sub(r.E, b, a);
    F::add(r.H, b, a);
    if (neg) {
      F::add(r.F_, d, c);
      F::sub(r.G, d, c);
    } else {
      F::sub(r.F_, d, c);
      F::add(r.G, d, c);
    }
  }
  static void add(P1& r, const P3& p, const Cached& q, bool neg = false) noexcept {
    Fe a, b, c, d;
    F::sub(a, p.Y, p.X);
    F::add(b, p.Y, p.X);
    F::mul(a, a, neg ? q.ypx : q.ymx);
    F::mul(b, b, neg ? q.ymx : q.ypx);
    F::mul(c, p.T, q.t2d);
    F::mul(d, p.Z, q.z2);
    F::sub(r.E, b, a);
    F::add(r.H, b, a);
    if (neg) {
      F::add(r.F_, d, c);
      F::sub(r.G, d, c);
    } else {
      F::sub(r.F_, d, c);
      F::add(r.G, d, c);
    }
  }
  static void to_cached(Cached& r, const P3& p) noexcept {
    F::add(r.ypx, p.Y, p.X);
    F::sub(r.ymx, p.Y, p.X);
    F::add(r.z2, p.Z, p.Z);
    F::mul(r.t2d, p.T, consts().d2);
  }
  static void to_niels(Niels& r, const P3& p) noexcept {
    Fe zi, x, y;
    invert(zi, p.Z);
    F::mul(x, p.X, zi);
    F::mul(y, p.Y, zi);
    F::add(r.ypx, y, x);
    F::sub(r.ymx, y, x);
    F::mul(r.xy2d, x, y);
    F::mul(r.xy2d, r.xy2d, consts().d2);
  }
  static void encode(std::uint8_t out[32], const Fe& X, const Fe& Y, const Fe& Z) noexcept {
    Fe zi, x, y;
    invert(zi, Z);
    F::mul(x, X, zi);
    F::mul(y, Y, zi);
    F::to_bytes(out, y);
    out[31] ^= static_cast<std::uint8_t>(is_negative(x) << 7);
    wipe_object(zi);
    wipe_object(x);
    wipe_object(y);
  }

  // RFC 8032 §5.1.3 decoding; rejects y >= p and the encoding of x = 0 with
  // the sign bit set. Variable time (public keys only).
  static bool decode(P3& r, const std::uint8_t s[32]) noexcept {
    // Canonical y: the 255-bit value must be below p = 2^255 - 19.
    {
      bool all_ones = (s[31] & 0x7f) == 0x7f;
      for (int i = 30; i >= 1 && all_ones; --i) all_ones = s[i] == 0xff;
      if (all_ones && s[0] >= 0xed) return false;
    }
    const Consts& k = consts();
    Fe u, v, v3, x, vx2, t;
    F::from_bytes(r.Y, s);
    F::set_small(r.Z, 1);
    F::sqr(u, r.Y);
    F::mul(v, u, k.d);
    F::set_small(t, 1);
    F::sub(u, u, t);  // y^2 - 1
    F::add(v, v, t);  // d y^2 + 1
    F::sqr(v3, v);
    F::mul(v3, v3, v);     // v^3
    F::sqr(x, v3);
    F::mul(x, x, v);       // v^7
    F::mul(x, x, u);       // u v^7
    pow22523(x, x);
    F::mul(x, x, v3);
    F::mul(x, x, u);       // u v^3 (u v^7)^((p-5)/8)
    F::sqr(vx2, x);
    F::mul(vx2, vx2, v);
    if (!equal_vartime(vx2, u)) {
      F::neg(t, u);
      if (!equal_vartime(vx2, t)) return false;
      F::mul(x, x, k.sqrtm1);
    }
    const std::uint8_t sign = s[31] >> 7;
    if (is_zero_vartime(x) && sign) return false;
    if (is_negative(x) != sign) F::neg(x, x);
    r.X = x;
    F::mul(r.T, x, r.Y);
    return true;
  }

  // ---- fixed base: [k]B ------------------------------------------------------
  // table[i][j] = (j+1) * 256^i * B, affine; the scalar is read as 64 signed
  // radix-16 digits in [-8, 8].
  // Table rows are stored as plain 64-bit words so the constant-time
  // selection is one OR-accumulate loop over contiguous memory (vectorised).
  static constexpr std::size_t kNielsWords = sizeof(Niels) / 8;
  static_assert(sizeof(Niels) % 8 == 0);
  using NielsWords = std::uint64_t[kNielsWords];
  static void to_words(NielsWords& w, const Niels& n) noexcept { std::memcpy(w, &n, sizeof n); }

  struct BaseTable {
    NielsWords t[32][8];
    Niels odd[64];  // (2j+1) B, for the verifier's wNAF (width 8)
    BaseTable() noexcept {
      static const std::uint8_t kB[32] = {
          0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
          0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};
      P3 base, p, q;
      P1 s;
      Cached c;
      (void)decode(base, kB);
      p = base;
      for (int i = 0; i < 32; ++i) {
        // p = 256^i B
        to_cached(c, p);
        q = p;
        Niels n;
        to_niels(n, q);
        to_words(t[i][0], n);
        for (int j = 1; j < 8; ++j) {
          add(s, q, c);
          to_p3(q, s);
          to_niels(n, q);
          to_words(t[i][j], n);
        }
        for (int j = 0; j < 8; ++j) {
          dbl(s, p);
          to_p3(p, s);
        }
      }
      P3 b2;
      dbl(s, base);
      to_p3(b2, s);
      to_cached(c, b2);
      q = base;
      to_niels(odd[0], q);
      for (int j = 1; j < 64; ++j) {
        add(s, q, c);
        to_p3(q, s);
        to_niels(odd[j], q);
      }
    }
  };
  static const BaseTable& base_table() noexcept {
    static const BaseTable t;
    return t;
  }

  // r = digit * row-base, digit in [-8, 8], constant time: every entry is
  // read, the match is OR-ed in under a mask.
  static void select(Niels& r, const NielsWords row[8], std::int8_t digit) noexcept {
    const std::uint32_t neg = static_cast<std::uint32_t>(static_cast<std::uint8_t>(digit)) >> 7;
    const std::uint32_t mag = static_cast<std::uint32_t>((digit ^ -static_cast<std::int32_t>(neg)) + static_cast<std::int32_t>(neg)) & 0xff;
    std::uint64_t acc[kNielsWords] = {};
    if constexpr (requires { F::select_words(acc, &row[0][0], kNielsWords, 8, mag); }) {
      F::select_words(acc, &row[0][0], kNielsWords, 8, mag);
    } else {
      for (std::uint32_t j = 0; j < 8; ++j) {
        const std::uint64_t m = ct::mask_eq(static_cast<std::uint64_t>(mag), static_cast<std::uint64_t>(j + 1));
        for (std::size_t w = 0; w < kNielsWords; ++w) acc[w] |= m & row[j][w];
      }
    }
    std::memcpy(&r, acc, sizeof r);
    // digit 0: the identity (1, 1, 0)
    Niels id;
    F::set_small(id.ypx, 1);
    F::set_small(id.ymx, 1);
    F::set_small(id.xy2d, 0);
    const std::uint64_t zm = ct::mask_eq(static_cast<std::uint64_t>(mag), std::uint64_t{0});
    F::cmov(r.ypx, id.ypx, zm);
    F::cmov(r.ymx, id.ymx, zm);
    const std::uint64_t nm = ct::mask_from_bit(static_cast<std::uint64_t>(neg));
    F::cswap(r.ypx, r.ymx, nm);
    Fe t;
    F::neg(t, r.xy2d);
    F::cmov(r.xy2d, t, nm);
    wipe(acc, sizeof acc);
  }

  // [k]B for a 256-bit scalar with bit 255 clear; constant time in k.
  static void base_mult(P3& h, const std::uint8_t k[32]) noexcept {
    std::int8_t e[64];
    for (int i = 0; i < 32; ++i) {
      e[2 * i] = static_cast<std::int8_t>(k[i] & 15);
      e[2 * i + 1] = static_cast<std::int8_t>(k[i] >> 4);
    }
    std::int8_t carry = 0;
    for (int i = 0; i < 63; ++i) {
      e[i] = static_cast<std::int8_t>(e[i] + carry);
      carry = static_cast<std::int8_t>((e[i] + 8) >> 4);
      e[i] = static_cast<std::int8_t>(e[i] - (carry * 16));
    }
    e[63] = static_cast<std::int8_t>(e[63] + carry);
    const BaseTable& tab = base_table();
    Niels n;
    P1 s;
    P2 p2;
    identity(h);
    for (int i = 1; i < 64; i += 2) {
      select(n, tab.t[i / 2], e[i]);
      madd(s, h, n);
      to_p3(h, s);
    }
    dbl(s, h); to_p2(p2, s);
    dbl(s, p2); to_p2(p2, s);
    dbl(s, p2); to_p2(p2, s);
    dbl(s, p2); to_p3(h, s);
    for (int i = 0; i < 64; i += 2) {
      select(n, tab.t[i / 2], e[i]);
      madd(s, h, n);
      to_p3(h, s);
    }
    wipe(e, sizeof e);
    wipe_object(n);
    wipe_object(s);
    wipe_object(p2);
    carry = 0;
  }

  // X25519 public key: u of [k]B = (1 + y) / (1 - y) = (Z + Y) / (Z - Y).
  // A small build without Ed25519 (TERN_SMALL and TERN_NO_ED25519) runs the
  // ladder on u = 9 instead: the fixed-base table (~38 KB of .bss built on
  // first use, ~1.7 KB of code) serves nothing else there, and a key share
  // costs one ladder (about 3 times the comb's time).
  static void base_mont(std::uint8_t out[32], const std::uint8_t k[32]) noexcept {
#if defined(TERN_SMALL) && defined(TERN_NO_ED25519)
    static const std::uint8_t kNine[32] = {9};
    ladder(out, k, kNine);
#else
    P3 h;
    base_mult(h, k);
    Fe n, d;
    F::add(n, h.Z, h.Y);
    F::sub(d, h.Z, h.Y);
    invert(d, d);
    F::mul(n, n, d);
    F::to_bytes(out, n);
    wipe_object(h);
    wipe_object(n);
    wipe_object(d);
#endif
  }
  static void base_ed(std::uint8_t out[32], const std::uint8_t k[32]) noexcept {
    P3 h;
    base_mult(h, k);
    encode(out, h.X, h.Y, h.Z);
    wipe_object(h);
  }

  // ---- verification: [s]B - [h]A == R (variable time, public inputs) --------
  static void wnaf(std::int8_t naf[257], const std::uint8_t s[32], int w) noexcept {
    std::uint32_t k[9];
    for (int i = 0; i < 8; ++i) k[i] = load_le32(s + 4 * i);
    k[8] = 0;
    const std::int32_t full = 1 << w, half = 1 << (w - 1);
    for (int i = 0; i < 257; ++i) {
      naf[i] = 0;
      if (k[0] & 1) {
        std::int32_t d = static_cast<std::int32_t>(k[0] & static_cast<std::uint32_t>(full - 1));
        if (d >= half) d -= full;
        naf[i] = static_cast<std::int8_t>(d);
        // k -= d
        std::int64_t c = -static_cast<std::int64_t>(d);
        for (int j = 0; j < 9 && c != 0; ++j) {
          const std::int64_t v = static_cast<std::int64_t>(k[j]) + c;
          k[j] = static_cast<std::uint32_t>(v);
          c = v >> 32;  // arithmetic: -1, 0 or 1
        }
      }
      for (int j = 0; j < 8; ++j) k[j] = (k[j] >> 1) | (k[j + 1] << 31);
      k[8] >>= 1;
    }
  }
  // Returns 1 when the equation holds, 0 when it does not, -1 when A does
  // not decode.
  static int verify(const std::uint8_t R[32], const std::uint8_t A[32], const std::uint8_t S[32],
                    const std::uint8_t h[32]) noexcept {
    P3 a;
    if (!decode(a, A)) return -1;
    // -A
    F::neg(a.X, a.X);
    F::neg(a.T, a.T);
    Cached ai[8];  // (2j+1)(-A)
    {
      P1 s;
      P3 a2, q = a;
      dbl(s, a);
      to_p3(a2, s);
      Cached c2;
      to_cached(c2, a2);
      to_cached(ai[0], a);
      for (int j = 1; j < 8; ++j) {
        add(s, q, c2);
        to_p3(q, s);
        to_cached(ai[j], q);
      }
    }
    std::int8_t nh[257], ns[257];
    wnaf(nh, h, 5);
    wnaf(ns, S, 8);
    int i = 256;
    while (i >= 0 && nh[i] == 0 && ns[i] == 0) --i;
    const BaseTable& tab = base_table();
    P2 r;
    F::set_small(r.X, 0);
    F::set_small(r.Y, 1);
    F::set_small(r.Z, 1);
    P1 s;
    P3 t;
    for (; i >= 0; --i) {
      dbl(s, r);
      if (nh[i] != 0) {
        to_p3(t, s);
        if (nh[i] > 0) add(s, t, ai[nh[i] / 2]);
        else add(s, t, ai[(-nh[i]) / 2], true);
      }
      if (ns[i] != 0) {
        to_p3(t, s);
        if (ns[i] > 0) madd(s, t, tab.odd[ns[i] / 2]);
        else madd(s, t, tab.odd[(-ns[i]) / 2], true);
      }
      to_p2(r, s);
    }
    std::uint8_t enc[32];
    encode(enc, r.X, r.Y, r.Z);
    return std::memcmp(enc, R, 32) == 0 ? 1 : 0;
  }

  // TERN_NO_ED25519 (-Ded25519=disabled): only the X25519 entry points are
  // referenced, so the Edwards code is not linked.
  static constexpr Kernel kernel(std::uint32_t needs) noexcept {
#ifdef TERN_NO_ED25519
    return Kernel{F::name, needs, &ladder, &base_mont, nullptr, nullptr};
#else
    return Kernel{F::name, needs, &ladder, &base_mont, &base_ed, &verify};
#endif
  }
};

}  // namespace tern::curve25519_detail
