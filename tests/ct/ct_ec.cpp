// Constant-time check for P-256 / P-384: ECDSA signing (the private key and
// everything derived from it, including the RFC 6979 nonce), ECDH (the
// private scalar) and public-key derivation (key generation's scalar
// multiplication). Each case runs on every kernel valgrind can execute
// (portable, and adx when BMI2/ADX are present). Signatures, public keys
// and shared secrets are declassified once released.
//
// valgrind 3.19 executes MULX/ADCX/ADOX but hides ADX in its emulated
// CPUID, so dispatch never picks the adx kernel under it. When the real
// CPU has BMI2 and ADX (from /proc/cpuinfo), the adx kernel's entry points
// (fixed-base and variable-base scalar multiplication, scalar inversion and
// multiplication mod n) are also called directly with secret inputs; the
// ECDSA/ECDH glue around them is the same code the dispatched runs check.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <fstream>
#include <string>

#include "crypto/ec/ec.hpp"
#include "crypto/ec/ec_kernel.hpp"
#include "tests/ct/ct.hpp"

namespace {

using tern::ec::Curve;
using tern::ctcheck::declassify;
using tern::ctcheck::secret;

const std::uint8_t kPriv[48] = {0x6b, 0x9d, 0x3d, 0xad, 0x2e, 0x1b, 0x8c, 0x1c, 0x05, 0xb1, 0x98, 0x75,
                                0xb6, 0x65, 0x9f, 0x4d, 0xe2, 0x3c, 0x3b, 0x66, 0x7b, 0xf2, 0x97, 0xba,
                                0x9a, 0xa4, 0x77, 0x40, 0x78, 0x71, 0x37, 0xd8, 0x96, 0xd5, 0x72, 0x4e,
                                0x4c, 0x70, 0xa8, 0x25, 0xf8, 0x72, 0xc9, 0xea, 0x60, 0xd2, 0xed, 0xf5};

template <class F>
void each_kernel(Curve c, F&& body) {
  tern::KernelSet& set = c == Curve::p256 ? tern::ec::p256_kernels() : tern::ec::p384_kernels();
  for (std::size_t i = 0; i < set.count(); ++i) {
    if (!set.supported(i) || !set.select(set.name(i))) continue;
    std::printf("ct:   kernel %s\n", set.name(i));
    body();
  }
  set.reset();
}

void sign(Curve c) {
  each_kernel(c, [c] {
    const std::size_t fs = tern::ec::scalar_size(c);
    std::uint8_t d[48], digest[48], sig[96];
    std::memcpy(d, kPriv, fs);
    for (std::size_t i = 0; i < sizeof digest; ++i) digest[i] = static_cast<std::uint8_t>(i * 13 + 5);
    secret(d, fs);
    tern::Status s = tern::ec::ecdsa_sign(c, {sig, 2 * fs}, {d, fs}, {digest, fs});
    declassify(&s, sizeof s);
    declassify(sig, sizeof sig);
    if (s != tern::Status::ok) __builtin_trap();
    // With fresh randomness mixed in (the random bytes are secret too).
    tern::TestRandom rng(3);
    s = tern::ec::ecdsa_sign(c, {sig, 2 * fs}, {d, fs}, {digest, 32}, &rng);
    declassify(&s, sizeof s);
    declassify(sig, sizeof sig);
    if (s != tern::Status::ok) __builtin_trap();
  });
}

void ecdh(Curve c) {
  each_kernel(c, [c] {
    const std::size_t fs = tern::ec::scalar_size(c);
    std::uint8_t d[48], peer_priv[48], peer[97], out[48];
    std::memcpy(d, kPriv, fs);
    std::memcpy(peer_priv, kPriv, fs);
    peer_priv[fs - 1] ^= 0x5a;
    if (tern::ec::public_key_from_private(c, {peer, 1 + 2 * fs}, {peer_priv, fs}) != tern::Status::ok)
      __builtin_trap();
    secret(d, fs);
    tern::Status s = tern::ec::ecdh(c, {out, fs}, {d, fs}, {peer, 1 + 2 * fs});
    declassify(&s, sizeof s);
    declassify(out, sizeof out);
    if (s != tern::Status::ok) __builtin_trap();
  });
}

void keygen(Curve c) {
  each_kernel(c, [c] {
    const std::size_t fs = tern::ec::scalar_size(c);
    std::uint8_t d[48], pub[97];
    std::memcpy(d, kPriv, fs);
    secret(d, fs);
    tern::Status s = tern::ec::public_key_from_private(c, {pub, 1 + 2 * fs}, {d, fs});
    declassify(&s, sizeof s);
    declassify(pub, sizeof pub);
    if (s != tern::Status::ok) __builtin_trap();
  });
}

#if TERN_SIMD && defined(__x86_64__)
bool host_has_adx() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("flags", 0) == 0)
      return line.find(" adx") != std::string::npos && line.find(" bmi2") != std::string::npos;
  return false;
}

template <std::size_t N>
void adx_direct(const tern::ec::internal::EcKernel<N>& k, Curve c) {
  if (!host_has_adx()) {
    std::printf("ct:   adx kernel skipped (no BMI2/ADX on this host)\n");
    return;
  }
  std::printf("ct:   kernel %s (direct)\n", k.name);
  const std::size_t fs = tern::ec::scalar_size(c);
  std::uint8_t d[48], pub[97];
  std::memcpy(d, kPriv, fs);
  if (tern::ec::public_key_from_private(c, {pub, 1 + 2 * fs}, {d, fs}) != tern::Status::ok) __builtin_trap();
  std::uint64_t s[N], px[N], py[N], x[N], y[N], t[N];
  for (std::size_t i = 0; i < N; ++i) {
    s[i] = 0;
    px[i] = py[i] = 0;
    for (std::size_t b = 0; b < 8; ++b) {
      s[i] |= static_cast<std::uint64_t>(d[fs - 1 - 8 * i - b]) << (8 * b);
      px[i] |= static_cast<std::uint64_t>(pub[fs - 8 * i - b]) << (8 * b);
      py[i] |= static_cast<std::uint64_t>(pub[2 * fs - 8 * i - b]) << (8 * b);
    }
  }
  secret(s, sizeof s);
  k.base_mult(x, y, s);
  declassify(x, sizeof x);
  declassify(y, sizeof y);
  bool ok = k.point_mult(x, y, px, py, s);
  declassify(&ok, sizeof ok);
  declassify(x, sizeof x);
  declassify(y, sizeof y);
  if (!ok) __builtin_trap();
  k.n_inv(t, s);
  k.n_mul(t, t, s);
  declassify(t, sizeof t);
  if (t[0] != 1) __builtin_trap();  // s^-1 * s == 1
}
#endif

void direct(Curve c) {
#if TERN_SIMD && defined(__x86_64__)
  if (c == Curve::p256)
    adx_direct(tern::ec::internal::kP256Adx, c);
  else
    adx_direct(tern::ec::internal::kP384Adx, c);
#else
  (void)c;
#endif
}

}  // namespace

TERN_CT_CASE("p256-ecdsa-sign", [] { sign(Curve::p256); });
TERN_CT_CASE("p384-ecdsa-sign", [] { sign(Curve::p384); });
TERN_CT_CASE("p256-ecdh", [] { ecdh(Curve::p256); });
TERN_CT_CASE("p384-ecdh", [] { ecdh(Curve::p384); });
TERN_CT_CASE("p256-keygen", [] { keygen(Curve::p256); });
TERN_CT_CASE("p384-keygen", [] { keygen(Curve::p384); });
TERN_CT_CASE("p256-adx-kernel-direct", [] { direct(Curve::p256); });
TERN_CT_CASE("p384-adx-kernel-direct", [] { direct(Curve::p384); });
