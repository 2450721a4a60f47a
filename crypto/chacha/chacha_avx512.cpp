#include "crypto/chacha/internal.hpp"
#if TERN_SIMD && defined(__x86_64__)
namespace tern::chacha::detail {
void xor_stream_avx512(std::uint8_t* out, const std::uint8_t* in, std::size_t len, const std::uint32_t st[16]) noexcept { xor_stream_portable(out, in, len, st); }
}
#endif
