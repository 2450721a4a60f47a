#include "crypto/internal/cpu.hpp"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define TERN_X86 1
#else
#define TERN_X86 0
#endif

namespace tern::cpu {
namespace {

constexpr const char* kNames[feature_count] = {
    "sse41", "aesni", "pclmul", "avx", "avx2", "bmi2", "adx", "shani",
    "avx512f", "avx512bw", "avx512vl", "avx512ifma", "vaes", "vpclmulqdq", "ssse3", "bmi1"};

std::uint32_t detect() noexcept {
  std::uint32_t f = 0;
#if TERN_X86
  unsigned a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return 0;
  const unsigned max_leaf = a;
  __cpuid(1, a, b, c, d);
  if (c & (1u << 9)) f |= ssse3;
  if (c & (1u << 19)) f |= sse41;
  if (c & (1u << 25)) f |= aesni;
  if (c & (1u << 1)) f |= pclmul;
  const bool osxsave = (c & (1u << 27)) != 0;
  const bool cpu_avx = (c & (1u << 28)) != 0;
  std::uint64_t xcr0 = 0;
  if (osxsave) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (std::uint64_t{hi} << 32) | lo;
  }
  const bool os_ymm = (xcr0 & 0x6) == 0x6;           // XMM and YMM state
  const bool os_zmm = os_ymm && (xcr0 & 0xe0) == 0xe0;  // opmask, ZMM_Hi256, Hi16_ZMM
  if (cpu_avx && os_ymm) f |= avx;
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    if (b & (1u << 3)) f |= bmi1;
    if (b & (1u << 8)) f |= bmi2;
    if (b & (1u << 19)) f |= adx;
    if (b & (1u << 29)) f |= shani;
    if (os_ymm) {
      if (b & (1u << 5)) f |= avx2;
      if (c & (1u << 9)) f |= vaes;
      if (c & (1u << 10)) f |= vpclmulqdq;
    }
    if (os_zmm) {
      if (b & (1u << 16)) f |= avx512f;
      if (b & (1u << 30)) f |= avx512bw;
      if (b & (1u << 31)) f |= avx512vl;
      if (b & (1u << 21)) f |= avx512ifma;
    }
  }
  // A feature that builds on AVX state is unusable without it.
  if (!(f & avx)) f &= ~(avx2 | vaes | vpclmulqdq | avx512f | avx512bw | avx512vl | avx512ifma);
  if (!(f & avx512f)) f &= ~(avx512bw | avx512vl | avx512ifma);
#endif
  return f;
}

std::uint32_t compute_masked() noexcept {
  std::uint32_t f = detected();
  if (const char* env = std::getenv("TERN_CPU_DISABLE")) f &= ~parse_disable_list(env);
  return f;
}

}  // namespace

std::uint32_t detected() noexcept {
  static const std::uint32_t d = detect();
  return d;
}

std::uint32_t features() noexcept {
  static const std::uint32_t f = compute_masked();
  return f;
}

const char* feature_name(std::uint32_t bit) noexcept {
  for (int i = 0; i < feature_count; ++i)
    if (bit == (1u << i)) return kNames[i];
  return "?";
}

std::uint32_t parse_disable_list(const char* list) noexcept {
  std::uint32_t mask = 0;
  const char* p = list;
  while (*p) {
    const char* end = p;
    while (*end && *end != ',' && *end != ' ') ++end;
    const std::size_t n = static_cast<std::size_t>(end - p);
    auto is = [&](const char* s) { return std::strlen(s) == n && std::strncmp(p, s, n) == 0; };
    if (is("all")) mask = ~0u;
    else if (is("avx512")) mask |= avx512f | avx512bw | avx512vl | avx512ifma;
    else if (is("sha")) mask |= shani;
    else if (is("aes")) mask |= aesni;
    else if (is("ifma")) mask |= avx512ifma;
    else
      for (int i = 0; i < feature_count; ++i)
        if (is(kNames[i])) mask |= 1u << i;
    p = *end ? end + 1 : end;
  }
  return mask;
}

}  // namespace tern::cpu
