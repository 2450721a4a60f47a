// Constant-time check for X25519 and Ed25519, once per kernel this run can
// select (portable and portable32 always; adx when the CPU has BMI2/ADX and
// TERN_CPU_DISABLE does not mask it — valgrind emulates both):
//   x25519 shared secret with a secret scalar (the peer's u is secret too:
//     the ladder must not branch on it either);
//   X25519 key generation (fixed-base comb) with a secret scalar;
//   Ed25519 key expansion and signing with a secret seed (the message is
//     public; the signature is declassified as output).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "crypto/curve25519/curve25519.hpp"
#include "crypto/curve25519/kernel.hpp"
#include "tests/ct/ct.hpp"

namespace {

using tern::ctcheck::declassify;
using tern::ctcheck::secret;

bool use(const char* kernel) {
  tern::KernelSet& set = tern::curve25519_kernels();
  set.reset();
  (void)tern::curve25519_detail::force_kernel_unchecked(nullptr);
  bool ok = set.select(kernel);
  const char* how = "";
  // valgrind's emulated CPUID hides ADX but it executes ADCX/ADOX/MULX:
  // run the adx kernel anyway when under valgrind.
  if (!ok && RUNNING_ON_VALGRIND && std::strcmp(kernel, "adx") == 0 &&
      tern::curve25519_detail::force_kernel_unchecked(kernel)) {
    ok = true;
    how = " (forced: valgrind hides ADX in CPUID)";
  }
  std::printf("  curve25519 kernel: %s%s\n", kernel, ok ? how : " (not available here: skipped)");
  return ok;
}

void done() {
  (void)tern::curve25519_detail::force_kernel_unchecked(nullptr);
  tern::curve25519_kernels().reset();
}

void x25519_shared(const char* kernel) {
  if (!use(kernel)) return;
  std::uint8_t k[32], u[32], out[32];
  for (int i = 0; i < 32; ++i) {
    k[i] = static_cast<std::uint8_t>(i * 29 + 3);
    u[i] = static_cast<std::uint8_t>(i * 13 + 9);
  }
  u[31] &= 0x7f;
  secret(k, sizeof k);
  secret(u, sizeof u);
  tern::Status s = tern::x25519(out, k, u);
  declassify(&s, sizeof s);
  declassify(out, sizeof out);
  if (s != tern::Status::ok) __builtin_trap();
  done();
}

void x25519_keygen(const char* kernel) {
  if (!use(kernel)) return;
  std::uint8_t k[32], pub[32];
  for (int i = 0; i < 32; ++i) k[i] = static_cast<std::uint8_t>(i * 31 + 7);
  secret(k, sizeof k);
  tern::x25519_public_key(pub, k);
  declassify(pub, sizeof pub);
  done();
}

#ifndef TERN_NO_ED25519  // -Ded25519=disabled
void ed25519_sign(const char* kernel) {
  if (!use(kernel)) return;
  std::uint8_t seed[32], msg[100], sig[64], pub[32];
  for (int i = 0; i < 32; ++i) seed[i] = static_cast<std::uint8_t>(i * 17 + 1);
  for (int i = 0; i < 100; ++i) msg[i] = static_cast<std::uint8_t>(i);
  secret(seed, sizeof seed);
  tern::ed25519_public_key(pub, seed);
  declassify(pub, sizeof pub);
  tern::ed25519_sign(sig, seed, msg);
  declassify(sig, sizeof sig);
  tern::Ed25519PrivateKey key(seed);
  key.sign(sig, msg);
  declassify(sig, sizeof sig);
  done();
}
#endif

TERN_CT_CASE("x25519-portable", [] { x25519_shared("portable"); });
TERN_CT_CASE("x25519-portable32", [] { x25519_shared("portable32"); });
TERN_CT_CASE("x25519-adx", [] { x25519_shared("adx"); });
// The ifma kernel (ladder and comb) needs AVX-512, which valgrind neither
// reports in CPUID nor executes: under valgrind its cases log "skipped".
// Its constant-time argument is by construction (curve25519_ifma.cpp:
// straight-line vector code, the ladder swap and the comb's table scan,
// identity and negation are mask operations; inversion and encoding are
// the adx code checked here).
TERN_CT_CASE("x25519-ifma", [] { x25519_shared("ifma"); });
TERN_CT_CASE("x25519-keygen-portable", [] { x25519_keygen("portable"); });
TERN_CT_CASE("x25519-keygen-portable32", [] { x25519_keygen("portable32"); });
TERN_CT_CASE("x25519-keygen-adx", [] { x25519_keygen("adx"); });
TERN_CT_CASE("x25519-keygen-ifma", [] { x25519_keygen("ifma"); });
#ifndef TERN_NO_ED25519
TERN_CT_CASE("ed25519-sign-portable", [] { ed25519_sign("portable"); });
TERN_CT_CASE("ed25519-sign-portable32", [] { ed25519_sign("portable32"); });
TERN_CT_CASE("ed25519-sign-adx", [] { ed25519_sign("adx"); });
TERN_CT_CASE("ed25519-sign-ifma", [] { ed25519_sign("ifma"); });
#endif

}  // namespace
