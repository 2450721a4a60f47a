// x86-64 Montgomery multiplication and squaring: SOS rows whose addmul_1 is
// MULX (BMI2) with the two independent carry chains of ADCX (CF, low
// halves) and ADOX (OF, high halves), four limbs per loop turn. The loop
// counter uses LEA/JRCXZ so that neither flag is disturbed.
#include "crypto/bignum/bignum_internal.hpp"

#if TERN_SIMD && defined(__x86_64__)

namespace tern::bignum::detail {
namespace {

struct AddMulAdx {
  Limb operator()(Limb* r, const Limb* a, Limb b, std::size_t n) const noexcept {
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
