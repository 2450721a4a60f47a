// x86-64 Montgomery multiplication and squaring: SOS rows whose addmul_1 is
// MULX (BMI2) with the two independent carry chains of ADCX (CF, low
// halves) and ADOX (OF, high halves), four limbs per loop turn. The loop
// counter uses LEA/JRCXZ so that neither flag is disturbed.
#include "crypto/bignum/bignum_internal.hpp"

#if TERN_SIMD && defined(__x86_64__)

namespace tern::bignum::detail {
namespace {

// One limb of a fully unrolled row: E(ven) limbs take the incoming high
// half in r8 and leave theirs in r10, O(dd) limbs the other way round.
#define TERN_LIMB_E(off)                                                        \
  "mulx " #off "(%[a]), %%r9, %%r10\n\t" "adcx " #off "(%[r]), %%r9\n\t" \
  "adox %%r8, %%r9\n\t" "mov %%r9, " #off "(%[r])\n\t"
#define TERN_LIMB_O(off)                                                        \
  "mulx " #off "(%[a]), %%r9, %%r8\n\t" "adcx " #off "(%[r]), %%r9\n\t"  \
  "adox %%r10, %%r9\n\t" "mov %%r9, " #off "(%[r])\n\t"

// Fully unrolled rows for the common sizes (1024- and 2048-bit moduli).
#define TERN_ADDMUL_UNROLLED(LIMBS)                                             \
  Limb carry;                                                                   \
  __asm__ volatile("xor %%r8d, %%r8d\n\t" LIMBS                              \
                   "mov $0, %%r10d\n\t"                                       \
                   "adcx %%r10, %%r8\n\t"                                     \
                   "adox %%r10, %%r8\n\t"                                     \
                   "mov %%r8, %[carry]\n\t"                                   \
                   : [carry] "=r"(carry)                                        \
                   : [r] "r"(r), [a] "r"(a), "d"(b)                             \
                   : "r8", "r9", "r10", "cc", "memory");                        \
  return carry;

inline Limb addmul_16(Limb* r, const Limb* a, Limb b) noexcept {
  TERN_ADDMUL_UNROLLED(TERN_LIMB_E(0) TERN_LIMB_O(8) TERN_LIMB_E(16) TERN_LIMB_O(24) TERN_LIMB_E(32) TERN_LIMB_O(40) TERN_LIMB_E(48) TERN_LIMB_O(56) TERN_LIMB_E(64) TERN_LIMB_O(72) TERN_LIMB_E(80) TERN_LIMB_O(88) TERN_LIMB_E(96) TERN_LIMB_O(104) TERN_LIMB_E(112) TERN_LIMB_O(120))
}
inline Limb addmul_32(Limb* r, const Limb* a, Limb b) noexcept {
  TERN_ADDMUL_UNROLLED(TERN_LIMB_E(0) TERN_LIMB_O(8) TERN_LIMB_E(16) TERN_LIMB_O(24) TERN_LIMB_E(32) TERN_LIMB_O(40) TERN_LIMB_E(48) TERN_LIMB_O(56) TERN_LIMB_E(64) TERN_LIMB_O(72) TERN_LIMB_E(80) TERN_LIMB_O(88) TERN_LIMB_E(96) TERN_LIMB_O(104) TERN_LIMB_E(112) TERN_LIMB_O(120) TERN_LIMB_E(128) TERN_LIMB_O(136) TERN_LIMB_E(144) TERN_LIMB_O(152) TERN_LIMB_E(160) TERN_LIMB_O(168) TERN_LIMB_E(176) TERN_LIMB_O(184) TERN_LIMB_E(192) TERN_LIMB_O(200) TERN_LIMB_E(208) TERN_LIMB_O(216) TERN_LIMB_E(224) TERN_LIMB_O(232) TERN_LIMB_E(240) TERN_LIMB_O(248))
}

struct AddMulAdx {
  Limb operator()(Limb* r, const Limb* a, Limb b, std::size_t n) const noexcept {
    if (n == 16) return addmul_16(r, a, b);  // n is public
    if (n == 32) return addmul_32(r, a, b);
  std::size_t singles = n & 3;
  const std::size_t blocks = n >> 2;
  Limb carry;
  __asm__ volatile(
      "xor %%r8d, %%r8d\n\t"  // high-half carry = 0; CF = OF = 0
      "jrcxz 2f\n\t"
      "1:\n\t"
      "mulx (%[a]), %%r9, %%r10\n\t"
      "adcx (%[r]), %%r9\n\t"
      "adox %%r8, %%r9\n\t"
      "mov %%r9, (%[r])\n\t"
      "mov %%r10, %%r8\n\t"
      "lea 8(%[a]), %[a]\n\t"
      "lea 8(%[r]), %[r]\n\t"
      "lea -1(%%rcx), %%rcx\n\t"
      "jrcxz 2f\n\t"
      "jmp 1b\n\t"
      "2:\n\t"
      "mov %[blocks], %%rcx\n\t"
      "jrcxz 4f\n\t"
      "3:\n\t"
      "mulx (%[a]), %%r9, %%r10\n\t"
      "adcx (%[r]), %%r9\n\t"
      "adox %%r8, %%r9\n\t"
      "mov %%r9, (%[r])\n\t"
      "mulx 8(%[a]), %%r9, %%r8\n\t"
      "adcx 8(%[r]), %%r9\n\t"
      "adox %%r10, %%r9\n\t"
      "mov %%r9, 8(%[r])\n\t"
      "mulx 16(%[a]), %%r9, %%r10\n\t"
      "adcx 16(%[r]), %%r9\n\t"
      "adox %%r8, %%r9\n\t"
      "mov %%r9, 16(%[r])\n\t"
      "mulx 24(%[a]), %%r9, %%r8\n\t"
      "adcx 24(%[r]), %%r9\n\t"
      "adox %%r10, %%r9\n\t"
      "mov %%r9, 24(%[r])\n\t"
      "lea 32(%[a]), %[a]\n\t"
      "lea 32(%[r]), %[r]\n\t"
      "lea -1(%%rcx), %%rcx\n\t"
      "jrcxz 4f\n\t"
      "jmp 3b\n\t"
      "4:\n\t"  // rcx is 0 here: fold both pending carries into the high half
      "adcx %%rcx, %%r8\n\t"
      "adox %%rcx, %%r8\n\t"
      "mov %%r8, %[carry]\n\t"
      : [r] "+r"(r), [a] "+r"(a), "+c"(singles), [carry] "=r"(carry)
      : "d"(b), [blocks] "r"(blocks)
      : "r8", "r9", "r10", "cc", "memory");
  return carry;
  }
};

}  // namespace

void mont_mul_adx(Limb* r, const Limb* a, const Limb* b, const Limb* m, Limb m0inv, std::size_t n) noexcept {
  sos_mul(r, a, b, m, m0inv, n, AddMulAdx{});
}

void mont_sqr_adx(Limb* r, const Limb* a, const Limb*, const Limb* m, Limb m0inv, std::size_t n) noexcept {
  sos_sqr(r, a, m, m0inv, n, AddMulAdx{});
}

void redc_adx(Limb* r, Limb* T, const Limb* m, Limb m0inv, std::size_t n) noexcept {
  sos_reduce(r, T, m, m0inv, n, AddMulAdx{});
}

}  // namespace tern::bignum::detail

#endif
