// Constant-time cases for ChaCha20, Poly1305, HChaCha20 and the two AEADs:
// keys and plaintexts are secret; ciphertexts and tags are declassified
// where they become public (sent on the wire). Each case runs once per
// ChaCha20 x Poly1305 kernel pair this CPU (as valgrind reports it)
// supports, so the ct-check-simd run covers the AVX2 kernel and the
// ct-check-portable run the portable ones.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "crypto/chacha/aead.hpp"
#include "crypto/chacha/chacha.hpp"
#include "tests/ct/ct.hpp"

namespace {

using namespace tern;
using namespace tern::chacha;
using Bytes = std::vector<std::uint8_t>;
using ctcheck::declassify;
using ctcheck::secret;

constexpr std::size_t kLens[] = {0, 1, 15, 16, 63, 64, 65, 191, 192, 193, 600, 1350, 2100, 4500};

Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + 31 * i + (i >> 3));
  return b;
}

template <class F>
void each_pair(F f) {
  KernelSet& cs = chacha20_kernels();
  KernelSet& ps = poly1305_kernels();
  for (std::size_t i = 0; i < cs.count(); ++i) {
    if (!cs.supported(i) || !cs.select(cs.name(i))) continue;
    for (std::size_t j = 0; j < ps.count(); ++j) {
      if (!ps.supported(j) || !ps.select(ps.name(j))) continue;
      f();
    }
  }
  cs.reset();
  ps.reset();
}

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void ct_chacha20() {
  each_pair([] {
    for (std::size_t n : kLens) {
      Bytes key = pattern(32, 1), nonce = pattern(12, 2), in = pattern(n, 3), out(n);
      secret(key.data(), key.size());
      secret(in.data(), in.size());
      check(chacha20_xor(out, key, nonce, 7, in) == Status::ok);
      Bytes h(32), hn = pattern(16, 4);
      check(hchacha20(h, key, hn) == Status::ok);
    }
  });
}

void ct_poly1305() {
  each_pair([] {
    for (std::size_t n : kLens) {
      Bytes key = pattern(32, 5), msg = pattern(n + 300, 6);
      secret(key.data(), key.size());
      secret(msg.data(), msg.size());
      Poly1305 p;
      check(p.init(key) == Status::ok);
      // Uneven split points: partial blocks, whole blocks, long runs.
      const std::span<const std::uint8_t> m(msg);
      p.update(m.first(n / 3));
      p.update(m.subspan(n / 3, 1));
      p.update(m.subspan(n / 3 + 1));
      std::uint8_t tag[16];
      check(p.final(tag) == Status::ok);
      declassify(tag, sizeof tag);
    }
  });
}

template <class A>
void ct_aead_case(std::size_t nonce_len) {
  each_pair([nonce_len] {
    for (std::size_t n : kLens) {
      Bytes key = pattern(32, 7), nonce = pattern(nonce_len, 8), aad = pattern(n % 40, 9), pt = pattern(n, 10);
      secret(key.data(), key.size());
      secret(pt.data(), pt.size());
      A a;
      check(a.init(key) == Status::ok);
      Bytes sealed(n + 16);
      Status s = a.seal(sealed, nonce, aad, pt);
      declassify(&s, sizeof s);
      check(s == Status::ok);
      declassify(sealed.data(), sealed.size());  // the ciphertext and tag are sent
      // Valid open: the plaintext stays secret; only the status is public.
      Bytes out(n);
      s = a.open(out, nonce, aad, sealed);
      declassify(&s, sizeof s);
      check(s == Status::ok);
      // Failing open (flipped tag bit): wipes out without branching on the key.
      sealed[n] ^= 1;
      s = a.open(out, nonce, aad, sealed);
      declassify(&s, sizeof s);
      check(s == Status::auth_failed);
      // In place.
      Bytes buf = pt;
      buf.resize(n + 16);
      secret(buf.data(), n);
      s = a.seal(buf, nonce, aad, std::span<const std::uint8_t>(buf.data(), n));
      declassify(&s, sizeof s);
      check(s == Status::ok);
    }
  });
}

void ct_aead() { ct_aead_case<ChaCha20Poly1305>(12); }
void ct_xaead() { ct_aead_case<XChaCha20Poly1305>(24); }

TERN_CT_CASE("chacha20-xor+hchacha20", ct_chacha20);
TERN_CT_CASE("poly1305", ct_poly1305);
TERN_CT_CASE("chacha20poly1305-seal-open", ct_aead);
TERN_CT_CASE("xchacha20poly1305-seal-open", ct_xaead);

}  // namespace
