// Poly1305 in 64-bit integer code with BMI2 mulx (the "mulx" kernel, for
// x86-64 machines without AVX-512 IFMA).
//
// Radix 2^64 with the clamped r (poly64_x86.hpp's step: four 64x64
// products and two small ones per block). One accumulator is a ~15-cycle
// chain per block, so groups of 128 blocks run as two independent chains,
// A over the first 64 blocks (from h) and B over the next 64 (from 0),
// combined as h = A r^64 + B; the rest runs on one chain. The accumulator
// is converted from and to PolyState's radix 2^44 around the call.
// Constant time: no branches or memory indices depend on the key or data.
#include "crypto/chacha/internal.hpp"
#include "crypto/chacha/poly64_x86.hpp"
#include "crypto/internal/wipe.hpp"

#if TERN_SIMD && defined(__x86_64__)

namespace tern::chacha::detail {

using namespace poly64;

__attribute__((target("bmi2"))) void poly_blocks_mulx(PolyState& st, const std::uint8_t* m,
                                                          std::size_t n) noexcept {
  Acc h = from44(st.h);
  const Key64 k = key64(st);
  if (n >= 128) {
    u64 r64[3];
    power44(r64, st, 64);
    for (; n >= 128; n -= 128, m += 2048) {
      Acc a = h, b{0, 0, 0};
      for (int i = 0; i < 64; ++i) {
        step(a, blk(m + 16 * i), k);
        step(b, blk(m + 1024 + 16 * i), k);
      }
      h = combine(a, b, r64);
    }
    wipe(r64, sizeof(r64));
  }
  for (; n > 0; --n, m += 16) step(h, blk(m), k);
  to44(st.h, h);
  wipe(&h, sizeof(h));
}

}  // namespace tern::chacha::detail

#endif
