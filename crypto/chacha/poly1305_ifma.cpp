#include "crypto/chacha/internal.hpp"
#if TERN_SIMD && defined(__x86_64__)
namespace tern::chacha::detail {
void poly_blocks_ifma(PolyState& st, const std::uint8_t* m, std::size_t n) noexcept { poly_blocks_portable(st, m, n); }
}
#endif
