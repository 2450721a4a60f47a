// GF(2^255 - 19) on four 64-bit limbs, products with MULX and two carry
// chains (ADCX/ADOX) in inline assembly: the "adx" kernel (x86-64 with BMI2
// and ADX; the dispatcher only selects it when CPUID reports both).
//
// Values are kept below 2^256 (not necessarily below p); to_bytes()
// produces the canonical encoding. Inline assembly needs no target
// attribute, so the generic curve code inlines these operations.
#pragma once

#if TERN_SIMD && defined(__x86_64__)

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "crypto/internal/bytes.hpp"
#include "crypto/internal/cpu.hpp"
#include "crypto/internal/ct.hpp"

namespace tern::curve25519_detail {

// Constant-time table selection with AVX2 (every entry read; the one whose
// index + 1 equals `mag` is OR-ed in under a vector compare mask).
// words must be a multiple of 4.
__attribute__((target("avx2"))) inline void select_words_avx2(std::uint64_t* out, const std::uint64_t* rows,
                                                               std::size_t words, std::size_t entries,
                                                               std::uint32_t mag) noexcept {
  __m256i acc[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
  const __m256i vm = _mm256_set1_epi64x(static_cast<long long>(mag));
  const std::size_t nv = words / 4;
  for (std::size_t j = 0; j < entries; ++j) {
    const __m256i m = _mm256_cmpeq_epi64(vm, _mm256_set1_epi64x(static_cast<long long>(j + 1)));
    for (std::size_t v = 0; v < nv; ++v) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows + j * words + 4 * v));
      acc[v] = _mm256_or_si256(acc[v], _mm256_and_si256(m, x));
    }
  }
  for (std::size_t v = 0; v < nv; ++v) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 4 * v), acc[v]);
}

struct Fe64 {
  struct T {
    std::uint64_t v[4];
  };
  static constexpr const char* name = "adx";
  using u128 = unsigned __int128;

  static void set_small(T& r, std::uint32_t x) noexcept { r = T{{x, 0, 0, 0}}; }

  // Fixed-base table selection (see Curve::select): AVX2 when present.
  static void select_words(std::uint64_t* out, const std::uint64_t* rows, std::size_t words, std::size_t entries,
                           std::uint32_t mag) noexcept {
    static const bool avx2 = cpu::has(cpu::avx2);
    if (avx2 && words % 4 == 0 && words <= 16) {
      select_words_avx2(out, rows, words, entries, mag);
      return;
    }
    for (std::size_t j = 0; j < entries; ++j) {
      const std::uint64_t m = ct::mask_eq(static_cast<std::uint64_t>(mag), static_cast<std::uint64_t>(j + 1));
      for (std::size_t w = 0; w < words; ++w) out[w] |= m & rows[j * words + w];
    }
  }

  [[gnu::always_inline]] static void add(T& r, const T& a, const T& b) noexcept {
    std::uint64_t r0, r1, r2, r3, t;
    // a + b; a carry out is 2^256 = 38 (mod p). Adding 38 can carry once
    // more, and then the low limbs are tiny, so the last add cannot.
    __asm__(
        "movq 0(%[pa]), %[r0]\n\t"
        "movq 8(%[pa]), %[r1]\n\t"
        "movq 16(%[pa]), %[r2]\n\t"
        "movq 24(%[pa]), %[r3]\n\t"
        "addq 0(%[pb]), %[r0]\n\t"
        "adcq 8(%[pb]), %[r1]\n\t"
        "adcq 16(%[pb]), %[r2]\n\t"
        "adcq 24(%[pb]), %[r3]\n\t"
        "sbbq %[t], %[t]\n\t"
        "andq $38, %[t]\n\t"
        "addq %[t], %[r0]\n\t"
        "adcq $0, %[r1]\n\t"
        "adcq $0, %[r2]\n\t"
        "adcq $0, %[r3]\n\t"
        "sbbq %[t], %[t]\n\t"
        "andq $38, %[t]\n\t"
        "addq %[t], %[r0]\n\t"
        : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [t] "=&r"(t)
        : [pa] "r"(a.v), [pb] "r"(b.v), "m"(a), "m"(b)
        : "cc");
    r = T{{r0, r1, r2, r3}};
  }
  [[gnu::always_inline]] static void sub(T& r, const T& a, const T& b) noexcept {
    std::uint64_t r0, r1, r2, r3, t;
    // a - b; a borrow left a - b + 2^256 = a - b + 38: take 38 off, twice
    // at most (the second time cannot borrow).
    __asm__(
        "movq 0(%[pa]), %[r0]\n\t"
        "movq 8(%[pa]), %[r1]\n\t"
        "movq 16(%[pa]), %[r2]\n\t"
        "movq 24(%[pa]), %[r3]\n\t"
        "subq 0(%[pb]), %[r0]\n\t"
        "sbbq 8(%[pb]), %[r1]\n\t"
        "sbbq 16(%[pb]), %[r2]\n\t"
        "sbbq 24(%[pb]), %[r3]\n\t"
        "sbbq %[t], %[t]\n\t"
        "andq $38, %[t]\n\t"
        "subq %[t], %[r0]\n\t"
        "sbbq $0, %[r1]\n\t"
        "sbbq $0, %[r2]\n\t"
        "sbbq $0, %[r3]\n\t"
        "sbbq %[t], %[t]\n\t"
        "andq $38, %[t]\n\t"
        "subq %[t], %[r0]\n\t"
        : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [t] "=&r"(t)
        : [pa] "r"(a.v), [pb] "r"(b.v), "m"(a), "m"(b)
        : "cc");
    r = T{{r0, r1, r2, r3}};
  }
  [[gnu::always_inline]] static void neg(T& r, const T& a) noexcept {
    const T z{{0, 0, 0, 0}};
    sub(r, z, a);
  }

  [[gnu::always_inline]] static void mul(T& r, const T& a, const T& b) noexcept {
    std::uint64_t x0, x1, x2, x3, x4, lo, hi, t0, t1, t2, t3;
    std::uint64_t pa = reinterpret_cast<std::uintptr_t>(a.v), pb = reinterpret_cast<std::uintptr_t>(b.v);
    // Row 0, then rows 1..3 each adding a[i]*b into a five-register window
    // that rotates through x0..x4 (the finished low limb goes to t0..t3).
#define TERN_FE64_ROW(OFF, A, B, C, D, E, TM)  \
    "movq " OFF "(%[pa]), %%rdx\n\t"           \
    "xorq %[" E "], %[" E "]\n\t"              \
    "mulxq 0(%[pb]), %[lo], %[hi]\n\t"         \
    "adcxq %[lo], %[" A "]\n\t"                \
    "adoxq %[hi], %[" B "]\n\t"                \
    "mulxq 8(%[pb]), %[lo], %[hi]\n\t"         \
    "adcxq %[lo], %[" B "]\n\t"                \
    "adoxq %[hi], %[" C "]\n\t"                \
    "mulxq 16(%[pb]), %[lo], %[hi]\n\t"        \
    "adcxq %[lo], %[" C "]\n\t"                \
    "adoxq %[hi], %[" D "]\n\t"                \
    "mulxq 24(%[pb]), %[lo], %[hi]\n\t"        \
    "adcxq %[lo], %[" D "]\n\t"                \
    "adoxq %[hi], %[" E "]\n\t"                \
    "movq $0, %[lo]\n\t"                       \
    "adcxq %[lo], %[" E "]\n\t"                \
    "movq %[" A "], %[" TM "]\n\t"
    __asm__(
        "movq 0(%[pa]), %%rdx\n\t"
        "mulxq 0(%[pb]), %[x0], %[x1]\n\t"
        "mulxq 8(%[pb]), %[lo], %[x2]\n\t"
        "addq %[lo], %[x1]\n\t"
        "mulxq 16(%[pb]), %[lo], %[x3]\n\t"
        "adcq %[lo], %[x2]\n\t"
        "mulxq 24(%[pb]), %[lo], %[x4]\n\t"
        "adcq %[lo], %[x3]\n\t"
        "adcq $0, %[x4]\n\t"
        "movq %[x0], %[t0]\n\t"
        TERN_FE64_ROW("8", "x1", "x2", "x3", "x4", "x0", "t1")
        TERN_FE64_ROW("16", "x2", "x3", "x4", "x0", "x1", "t2")
        TERN_FE64_ROW("24", "x3", "x4", "x0", "x1", "x2", "t3")
        // High half h4..h7 = x4, x0, x1, x2. Fold: low + 38 * high.
        "xorq %[x3], %[x3]\n\t"
        "movq $38, %%rdx\n\t"
        "mulxq %[x4], %[pa], %[pb]\n\t"
        "adcxq %[t0], %[pa]\n\t"
        "adoxq %[t1], %[pb]\n\t"
        "mulxq %[x0], %[lo], %[x0]\n\t"
        "adcxq %[lo], %[pb]\n\t"
        "adoxq %[t2], %[x0]\n\t"
        "mulxq %[x1], %[lo], %[x1]\n\t"
        "adcxq %[lo], %[x0]\n\t"
        "adoxq %[t3], %[x1]\n\t"
        "mulxq %[x2], %[lo], %[x2]\n\t"
        "adcxq %[lo], %[x1]\n\t"
        "adoxq %[x3], %[x2]\n\t"
        "adcxq %[x3], %[x2]\n\t"
        "imulq $38, %[x2], %[x2]\n\t"
        "addq %[x2], %[pa]\n\t"
        "adcq %[x3], %[pb]\n\t"
        "adcq %[x3], %[x0]\n\t"
        "adcq %[x3], %[x1]\n\t"
        "sbbq %[x2], %[x2]\n\t"
        "andq $38, %[x2]\n\t"
        "addq %[x2], %[pa]\n\t"
        : [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3), [x4] "=&r"(x4),
          [lo] "=&r"(lo), [hi] "=&r"(hi), [pa] "+&r"(pa), [pb] "+&r"(pb),
          [t0] "=m"(t0), [t1] "=m"(t1), [t2] "=m"(t2), [t3] "=m"(t3)
        : "m"(a), "m"(b)
        : "rdx", "cc");
#undef TERN_FE64_ROW
    (void)hi;
    r = T{{pa, pb, x0, x1}};
  }
  [[gnu::always_inline]] static void sqr(T& r, const T& a) noexcept {
    std::uint64_t t0, t1, t2, t3, t4, t5, t6, t7, lo, hi;
    std::uint64_t pa = reinterpret_cast<std::uintptr_t>(a.v);
    // Cross products a_i a_j (i < j) into t1..t6, doubled, plus the squares
    // a_i^2 on the second carry chain; then low + 38 * high.
    __asm__(
        "movq 0(%[pa]), %%rdx\n\t"
        "mulxq 8(%[pa]), %[t1], %[t2]\n\t"
        "mulxq 16(%[pa]), %[lo], %[t3]\n\t"
        "addq %[lo], %[t2]\n\t"
        "mulxq 24(%[pa]), %[lo], %[t4]\n\t"
        "adcq %[lo], %[t3]\n\t"
        "adcq $0, %[t4]\n\t"
        "movq 8(%[pa]), %%rdx\n\t"
        "xorq %[t5], %[t5]\n\t"
        "mulxq 16(%[pa]), %[lo], %[hi]\n\t"
        "adcxq %[lo], %[t3]\n\t"
        "adoxq %[hi], %[t4]\n\t"
        "mulxq 24(%[pa]), %[lo], %[hi]\n\t"
        "adcxq %[lo], %[t4]\n\t"
        "adoxq %[hi], %[t5]\n\t"
        "movq $0, %[lo]\n\t"
        "adcxq %[lo], %[t5]\n\t"
        "movq 16(%[pa]), %%rdx\n\t"
        "mulxq 24(%[pa]), %[lo], %[t6]\n\t"
        "addq %[lo], %[t5]\n\t"
        "adcq $0, %[t6]\n\t"
        // double and add the squares
        "movq 0(%[pa]), %%rdx\n\t"
        "xorq %[t7], %[t7]\n\t"
        "mulxq %%rdx, %[t0], %[hi]\n\t"
        "adcxq %[t1], %[t1]\n\t"
        "adoxq %[hi], %[t1]\n\t"
        "movq 8(%[pa]), %%rdx\n\t"
        "mulxq %%rdx, %[lo], %[hi]\n\t"
        "adcxq %[t2], %[t2]\n\t"
        "adoxq %[lo], %[t2]\n\t"
        "adcxq %[t3], %[t3]\n\t"
        "adoxq %[hi], %[t3]\n\t"
        "movq 16(%[pa]), %%rdx\n\t"
        "mulxq %%rdx, %[lo], %[hi]\n\t"
        "adcxq %[t4], %[t4]\n\t"
        "adoxq %[lo], %[t4]\n\t"
        "adcxq %[t5], %[t5]\n\t"
        "adoxq %[hi], %[t5]\n\t"
        "movq 24(%[pa]), %%rdx\n\t"
        "mulxq %%rdx, %[lo], %[hi]\n\t"
        "adcxq %[t6], %[t6]\n\t"
        "adoxq %[lo], %[t6]\n\t"
        "adcxq %[t7], %[t7]\n\t"
        "adoxq %[hi], %[t7]\n\t"
        // fold the high half: low + 38 * high
        "movq $38, %%rdx\n\t"
        "xorq %[pa], %[pa]\n\t"
        "mulxq %[t4], %[lo], %[hi]\n\t"
        "adcxq %[lo], %[t0]\n\t"
        "adoxq %[hi], %[t1]\n\t"
        "mulxq %[t5], %[lo], %[hi]\n\t"
        "adcxq %[lo], %[t1]\n\t"
        "adoxq %[hi], %[t2]\n\t"
        "mulxq %[t6], %[lo], %[hi]\n\t"
        "adcxq %[lo], %[t2]\n\t"
        "adoxq %[hi], %[t3]\n\t"
        "mulxq %[t7], %[lo], %[t4]\n\t"
        "adcxq %[lo], %[t3]\n\t"
        "adoxq %[pa], %[t4]\n\t"
        "adcxq %[pa], %[t4]\n\t"
        "imulq $38, %[t4], %[t4]\n\t"
        "addq %[t4], %[t0]\n\t"
        "adcq %[pa], %[t1]\n\t"
        "adcq %[pa], %[t2]\n\t"
        "adcq %[pa], %[t3]\n\t"
        "sbbq %[t4], %[t4]\n\t"
        "andq $38, %[t4]\n\t"
        "addq %[t4], %[t0]\n\t"
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5),
          [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi), [pa] "+&r"(pa)
        : "m"(a)
        : "rdx", "cc");
    r = T{{t0, t1, t2, t3}};
  }

  [[gnu::always_inline]] static void mul_small(T& r, const T& a, std::uint32_t c) noexcept {
    std::uint64_t r0, r1, r2, r3, h0, h1, h2;
    std::uint64_t cc = c;
    __asm__(
        "movq %[c], %%rdx\n\t"
        "mulxq 0(%[pa]), %[r0], %[h0]\n\t"
        "mulxq 8(%[pa]), %[r1], %[h1]\n\t"
        "mulxq 16(%[pa]), %[r2], %[h2]\n\t"
        "mulxq 24(%[pa]), %[r3], %[c]\n\t"
        "addq %[h0], %[r1]\n\t"
        "adcq %[h1], %[r2]\n\t"
        "adcq %[h2], %[r3]\n\t"
        "adcq $0, %[c]\n\t"
        "imulq $38, %[c], %[c]\n\t"
        "addq %[c], %[r0]\n\t"
        "adcq $0, %[r1]\n\t"
        "adcq $0, %[r2]\n\t"
        "adcq $0, %[r3]\n\t"
        "sbbq %[c], %[c]\n\t"
        "andq $38, %[c]\n\t"
        "addq %[c], %[r0]\n\t"
        : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [h0] "=&r"(h0), [h1] "=&r"(h1),
          [h2] "=&r"(h2), [c] "+&r"(cc)
        : [pa] "r"(a.v), "m"(a)
        : "rdx", "cc");
    r = T{{r0, r1, r2, r3}};
  }

  static void from_bytes(T& r, const std::uint8_t s[32]) noexcept {
    r = T{{load_le64(s), load_le64(s + 8), load_le64(s + 16), load_le64(s + 24) & 0x7fffffffffffffffull}};
  }
  static void to_bytes(std::uint8_t s[32], const T& a) noexcept {
    // Fold bit 255 (2^255 = 19), leaving v < 2^255 + 19 < 2p; then subtract
    // p when v + 19 reaches 2^255.
    std::uint64_t top = a.v[3] >> 63;
    u128 c = u128(a.v[0]) + 19 * top;
    std::uint64_t v0 = static_cast<std::uint64_t>(c);
    c = (c >> 64) + a.v[1];
    std::uint64_t v1 = static_cast<std::uint64_t>(c);
    c = (c >> 64) + a.v[2];
    std::uint64_t v2 = static_cast<std::uint64_t>(c);
    c = (c >> 64) + (a.v[3] & 0x7fffffffffffffffull);
    std::uint64_t v3 = static_cast<std::uint64_t>(c);
    c = u128(v0) + 19;
    std::uint64_t w0 = static_cast<std::uint64_t>(c);
    c = (c >> 64) + v1;
    std::uint64_t w1 = static_cast<std::uint64_t>(c);
    c = (c >> 64) + v2;
    std::uint64_t w2 = static_cast<std::uint64_t>(c);
    c = (c >> 64) + v3;
    std::uint64_t w3 = static_cast<std::uint64_t>(c);
    const std::uint64_t m = 0 - (w3 >> 63);
    w3 &= 0x7fffffffffffffffull;
    store_le64(s, ct::select(m, w0, v0));
    store_le64(s + 8, ct::select(m, w1, v1));
    store_le64(s + 16, ct::select(m, w2, v2));
    store_le64(s + 24, ct::select(m, w3, v3));
  }

  static void cswap(T& a, T& b, std::uint64_t mask) noexcept {
    mask = ct::value_barrier(mask);
    for (int i = 0; i < 4; ++i) {
      const std::uint64_t t = mask & (a.v[i] ^ b.v[i]);
      a.v[i] ^= t;
      b.v[i] ^= t;
    }
  }
  static void cmov(T& r, const T& a, std::uint64_t mask) noexcept {
    mask = ct::value_barrier(mask);
    for (int i = 0; i < 4; ++i) r.v[i] ^= mask & (r.v[i] ^ a.v[i]);
  }
};

}  // namespace tern::curve25519_detail

#endif  // TERN_SIMD && __x86_64__
