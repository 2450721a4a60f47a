// Fused ChaCha20-Poly1305 pass for long messages: AVX-512 ChaCha20 (sixteen
// blocks per pass) with IFMA Poly1305 groups interleaved into its double
// rounds: eight lanes (half a group) at a time between double rounds (four
// groups of sixteen blocks = the 1024 bytes of one pass). The ChaCha20 rounds are bound by the
// vector ALU pipes and Poly1305 by the 52-bit multipliers, so interleaving
// lets the two overlap. Sealing MACs the previous pass's ciphertext (and
// the last pass's after the loop). Opening does not use it: it MACs the
// whole ciphertext first and then decrypts with the verdict applied
// (aead.cpp).
#include "crypto/chacha/internal.hpp"
#include "crypto/chacha/simd_avx512.hpp"
#include "crypto/internal/wipe.hpp"

#if TERN_SIMD && defined(__x86_64__)

namespace tern::chacha::detail {

using namespace avx512;

namespace {

#define TERN_FUSED __attribute__((target("avx512f,avx512vl,avx512bw,avx512ifma"), always_inline)) inline

// One group with the multiplier r^16 broadcast from memory (keeps register
// pressure down next to the sixteen ChaCha20 state registers).
TERN_FUSED void group_mid(V3& ha, V3& hb, const std::uint8_t* m, const std::uint64_t* r16) {
  const V3 r{_mm512_set1_epi64(static_cast<long long>(r16[0])), _mm512_set1_epi64(static_cast<long long>(r16[1])),
             _mm512_set1_epi64(static_cast<long long>(r16[2]))};
  const __m512i s1 = _mm512_set1_epi64(static_cast<long long>(r16[3]));
  const __m512i s2 = _mm512_set1_epi64(static_cast<long long>(r16[4]));
  ha = vmul(add(ha, load8(m)), r, s1, s2);
  hb = vmul(add(hb, load8(m + 128)), r, s1, s2);
}

// Half a group: one set of eight lanes (blocks m[0..8)).
TERN_FUSED void half_mid(V3& h, const std::uint8_t* m, const std::uint64_t* r16) {
  const V3 r{_mm512_set1_epi64(static_cast<long long>(r16[0])), _mm512_set1_epi64(static_cast<long long>(r16[1])),
             _mm512_set1_epi64(static_cast<long long>(r16[2]))};
  h = vmul(add(h, load8(m)), r, _mm512_set1_epi64(static_cast<long long>(r16[3])),
           _mm512_set1_epi64(static_cast<long long>(r16[4])));
}

TERN_FUSED void group_last(V3& ha, V3& hb, const std::uint8_t* m, const PolyState& ps) {
  const Powers p = load_powers(ps.pw);
  group16(ha, hb, m, p, true);
}

}  // namespace

__attribute__((target("avx512f,avx512vl,avx512bw,avx512ifma"))) void chacha_poly_fused_avx512(
    std::uint8_t* out, const std::uint8_t* in, std::size_t n1024, const std::uint32_t st[16], PolyState& ps,
    bool mac_prev) noexcept {
  if (ps.powers == 0) poly_ifma_powers(ps);
  alignas(64) std::uint64_t r16[8] = {ps.pw[0][0], ps.pw[1][0], ps.pw[2][0], ps.pw[1][0] * 20, ps.pw[2][0] * 20};
  V3 ha = lane0(ps.h);
  const __m512i zero = _mm512_setzero_si512();
  V3 hb{zero, zero, zero};
  std::uint32_t ctr = st[12];
  FirstRound f;
  pre_first(f, st);
  for (std::size_t c = 0; c < n1024; ++c, ctr += 16) {
    const std::uint8_t* m = c > 0 || mac_prev ? out + 1024 * c - 1024 : nullptr;
    __m512i x[16], s[16];
    first_double_round(x, f, ctr);
    if (m != nullptr) {
#pragma GCC unroll 9
      for (int r = 1; r < 10; ++r) {
        column_round(x);
        // Half group h = r - 1 (eight lanes: group h / 2, lane set h % 2)
        // after the column rounds of double rounds 1..8.
        if (r >= 1 && r <= 8) {
          const int h = r - 1;
          half_mid((h & 1) == 0 ? ha : hb, m + 128 * h, r16);
        }
        diagonal_round(x);
      }
    } else {
      for (int r = 1; r < 10; ++r) {
        column_round(x);
        diagonal_round(x);
      }
    }
    init16(s, st, ctr);
    finish16(out + 1024 * c, in + 1024 * c, x, s, _mm512_set1_epi32(-1));
  }
  const std::uint8_t* m = out + 1024 * (n1024 - 1);
  for (int g = 0; g < 3; ++g) group_mid(ha, hb, m + 256 * g, r16);
  group_last(ha, hb, m + 768, ps);
  fold_lanes(ps.h, ha, hb);
  wipe(&f, sizeof(f));
  wipe(r16, sizeof(r16));
}

}  // namespace tern::chacha::detail

#endif
