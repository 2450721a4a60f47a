// X25519 and Ed25519 entry points and the kernel dispatch.
#include "crypto/curve25519/curve25519.hpp"

#include <cstring>

#include "crypto/curve25519/kernel.hpp"
#include "crypto/internal/ct.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern {
namespace {

using curve25519_detail::Kernel;

// Built on first use (the kernel descriptors live in other translation
// units, so a namespace-scope copy would depend on initialisation order).
internal::Dispatch<Kernel>& dispatch() noexcept {
  static const Kernel kernels[] = {
#if TERN_SIMD && defined(__x86_64__)
      curve25519_detail::kernel_ifma,
      curve25519_detail::kernel_adx,
#endif
#ifdef __SIZEOF_INT128__
      curve25519_detail::kernel_portable,
#endif
#if !(defined(TERN_SMALL) && defined(__SIZEOF_INT128__))
      curve25519_detail::kernel_portable32,  // 32-bit targets; tested on 64-bit too
#endif
  };
  static internal::Dispatch<Kernel> d{kernels};
  return d;
}

}  // namespace

void curve25519_clamp(std::uint8_t k[32]) noexcept {
  k[0] &= 248;
  k[31] &= 127;
  k[31] |= 64;
}
namespace {
const Kernel* g_forced = nullptr;  // tests only (see kernel.hpp)
}  // namespace
const curve25519_detail::Kernel& curve25519_kernel() noexcept {
  const Kernel* forced = g_forced;
  return forced != nullptr ? *forced : dispatch().get();
}
bool curve25519_detail::force_kernel_unchecked(const char* name) noexcept {
  g_forced = nullptr;
  if (name == nullptr) return true;
  for (const Kernel& k : dispatch().all())
    if (std::strcmp(k.name, name) == 0) {
      g_forced = &k;
      return true;
    }
  return false;
}

KernelSet& curve25519_kernels() noexcept {
  static tern::internal::KernelSetOf<Kernel> s{dispatch()};
  return s;
}

// ---- X25519 ------------------------------------------------------------------
Status x25519(std::span<std::uint8_t, 32> shared, std::span<const std::uint8_t, 32> scalar,
              std::span<const std::uint8_t, 32> peer) noexcept {
  std::uint8_t k[32], u[32], out[32];
  std::memcpy(k, scalar.data(), 32);
  std::memcpy(u, peer.data(), 32);  // copies: shared may alias an input
  curve25519_clamp(k);
  curve25519_kernel().ladder(out, k, u);
  std::uint8_t acc = 0;
  for (auto b : out) acc |= b;
  std::memcpy(shared.data(), out, 32);
  wipe(k, sizeof k);
  wipe(out, sizeof out);
  // Only whether the result is zero is revealed, and without a branch
  // (Status::ok is 0).
  const std::uint32_t zero = ct::mask_zero(static_cast<std::uint32_t>(acc));
  return static_cast<Status>(zero & static_cast<std::uint32_t>(Status::zero_shared_secret));
}

void x25519_public_key(std::span<std::uint8_t, 32> pub, std::span<const std::uint8_t, 32> scalar) noexcept {
  std::uint8_t k[32];
  std::memcpy(k, scalar.data(), 32);
  curve25519_clamp(k);
  curve25519_kernel().base_mont(pub.data(), k);
  wipe(k, sizeof k);
}

Status x25519_keypair(std::span<std::uint8_t, 32> priv, std::span<std::uint8_t, 32> pub, RandomSource& rng) noexcept {
  const Status s = rng.fill(priv);
  if (s != Status::ok) {
    wipe(priv);
    return s;
  }
  x25519_public_key(pub, priv);
  return Status::ok;
}
Status x25519_keypair(std::span<std::uint8_t, 32> priv, std::span<std::uint8_t, 32> pub) noexcept {
  return x25519_keypair(priv, pub, default_random());
}

}  // namespace tern
