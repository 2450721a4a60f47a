// ChaCha20-Poly1305 and XChaCha20-Poly1305 (RFC 8439 §2.8,
// draft-irtf-cfrg-xchacha §2.3).
//
// Sealing processes the message in chunks that are encrypted and then MACed
// while still in L1/L2 (16 KiB chunks with key_first kernels, one Poly1305
// call per chunk: each call ends with a lane fold, so fewer calls are
// cheaper; a fused AVX-512 + IFMA pass interleaving the two was measured
// slower on Zen 4 than the two passes, since vprold and vpmadd52 share the
// same two 256-bit pipes there). Opening with a kernel that
// has xor_masked MACs the whole ciphertext first, then decrypts with the
// verdict as a mask in the same pass (no plaintext is written before the
// tag is checked, and no separate wipe pass); other kernels MAC and
// decrypt chunk by chunk and mask the output afterwards.
// Short messages (<= 192 bytes) get the Poly1305 key block and their
// keystream from a single kernel call; from 1024 bytes, a kernel with
// key_first makes the key block together with the first 1024 bytes, which
// hides the single block's latency (sealing: those bytes are MACed with
// the first chunk; opening: they are decrypted into a stack buffer that is
// masked with the verdict and copied out).
// A ChaCha20 kernel with xor_mac (avx2mulx, the default with AVX2 and
// BMI2 but no AVX-512; avx512mulx, selectable) runs the bulk with part of
// the MAC stitched into the keystream passes as scalar Poly1305: sealing MACs bytes already written; opening MACs a
// prefix first and then, during the passes, bytes not yet overwritten, and
// masks the output with the verdict afterwards.
#include "crypto/chacha/aead.hpp"

#include <cstdint>
#include <cstring>

#include "crypto/chacha/internal.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/ct.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::chacha {

namespace {

using detail::ChaChaKernel;
using detail::PolyKernel;
using detail::PolyState;

// Counter 0 makes the Poly1305 key; the message uses blocks 1 .. 2^32-1.
constexpr std::uint64_t kMaxMessage = ((std::uint64_t{1} << 32) - 1) * 64;
constexpr std::size_t kSmall = 192;   // one kernel call: key block + message
constexpr std::size_t kChunk = 4096;       // stitching granularity of the plain path (multiple of 64)
constexpr std::size_t kChunkWide = 16384;  // the same with key_first (AVX-512) kernels
// From these lengths, kernels with xor_mac (ChaCha20 stitched with a scalar
// Poly1305) take the bulk: at least one 2048-byte pass.
constexpr std::size_t kStitchSeal = 4096;
constexpr std::size_t kStitchOpen = 3072;

void mac_padded(const PolyKernel& pk, PolyState& ps, const std::uint8_t* p, std::size_t n) noexcept {
  if (n >= 16) pk.blocks(ps, p, n / 16);
  const std::size_t r = n & 15;
  if (r != 0) {
    std::uint8_t b[16] = {};
    for (std::size_t i = 0; i < r; ++i) b[i] = p[(n & ~std::size_t{15}) + i];
    pk.blocks(ps, b, 1);
    wipe(b, sizeof(b));
  }
}

// Exact aliasing is allowed, any other overlap is not.
bool bad_overlap(const std::uint8_t* a, std::size_t an, const std::uint8_t* b, std::size_t bn) noexcept {
  if (an == 0 || bn == 0 || a == b) return false;
  const auto x = reinterpret_cast<std::uintptr_t>(a), y = reinterpret_cast<std::uintptr_t>(b);
  return x < y + bn && y < x + an;
}

void seal_core(const std::uint32_t key[8], const std::uint8_t nonce[12], std::uint8_t* ct,
               std::uint8_t tag[16], const std::uint8_t* aad, std::size_t aadlen,
               const std::uint8_t* pt, std::size_t len) noexcept {
  const ChaChaKernel& ck = detail::chacha_kernel();
  const PolyKernel& pk = detail::poly_kernel();
  std::uint32_t st[16];
  detail::chacha_init_state(st, key, nonce, 0);
  PolyState ps;
  if (len <= kSmall) {
    alignas(64) std::uint8_t buf[64 + kSmall];
    for (std::size_t i = 0; i < 64; ++i) buf[i] = 0;
    for (std::size_t i = 0; i < len; ++i) buf[64 + i] = pt[i];
    ck.xor_stream(buf, buf, 64 + len, st);
    detail::poly_setup(ps, buf);
    for (std::size_t i = 0; i < len; ++i) ct[i] = buf[64 + i];
    wipe(buf, sizeof(buf));
    mac_padded(pk, ps, aad, aadlen);
    mac_padded(pk, ps, ct, len);
  } else {
    alignas(64) std::uint8_t k0[64] = {};
    if (ck.xor_mac != nullptr && ck.key_first != nullptr && len >= kStitchSeal) {
      // Key block + bytes [0, 1024), then [1024, 2048); then 2048-byte
      // passes that each MAC ck.stitch_mac bytes of the ciphertext already
      // written while making the next 2048; the rest of the MAC afterwards.
      st[12] = 1;
      ck.key_first(k0, ct, pt, st);
      detail::poly_setup(ps, k0);
      wipe(k0, sizeof(k0));
      mac_padded(pk, ps, aad, aadlen);
      st[12] = 17;
      ck.xor_stream(ct + 1024, pt + 1024, 1024, st);
      const std::size_t passes = (len - 2048) / 2048;
      st[12] = 33;
      ck.xor_mac(ct + 2048, pt + 2048, passes, st, ps, ct);
      const std::size_t done = 2048 + 2048 * passes, maced = ck.stitch_mac * passes;
      st[12] = static_cast<std::uint32_t>(1 + done / 64);
      ck.xor_stream(ct + done, pt + done, len - done, st);
      mac_padded(pk, ps, ct + maced, len - maced);
    } else if (ck.key_first != nullptr && len >= 1024) {
      // Key block and the first 1024 bytes in one pass; those are MACed
      // together with the rest of the first chunk.
      st[12] = 1;
      ck.key_first(k0, ct, pt, st);
      detail::poly_setup(ps, k0);
      wipe(k0, sizeof(k0));
      mac_padded(pk, ps, aad, aadlen);
      st[12] = 17;
      std::size_t mac_from = 0;
      for (std::size_t off = 1024; off < len;) {
        const std::size_t n = len - off < kChunkWide ? len - off : kChunkWide;
        ck.xor_stream(ct + off, pt + off, n, st);
        st[12] += static_cast<std::uint32_t>(kChunkWide / 64);
        off += n;
        mac_padded(pk, ps, ct + mac_from, off - mac_from);
        mac_from = off;
      }
      if (len == 1024) mac_padded(pk, ps, ct, 1024);
    } else {
      ck.xor_stream(k0, k0, 64, st);
      detail::poly_setup(ps, k0);
      wipe(k0, sizeof(k0));
      mac_padded(pk, ps, aad, aadlen);
      st[12] = 1;
      for (std::size_t off = 0; off < len; off += kChunk) {
        const std::size_t n = len - off < kChunk ? len - off : kChunk;
        ck.xor_stream(ct + off, pt + off, n, st);
        st[12] += static_cast<std::uint32_t>(kChunk / 64);
        mac_padded(pk, ps, ct + off, n);
      }
    }
  }
  detail::poly_finish_lengths(ps, aadlen, len, tag);
  wipe(st, sizeof(st));
}

// Status::ok when the tag verified, else auth_failed with `pt` zeroed. The
// tag check and the wipe do not branch on the (secret-derived) result.
Status open_core(const std::uint32_t key[8], const std::uint8_t nonce[12], std::uint8_t* pt,
               const std::uint8_t tag[16], const std::uint8_t* aad, std::size_t aadlen,
               const std::uint8_t* ct, std::size_t len) noexcept {
  const ChaChaKernel& ck = detail::chacha_kernel();
  const PolyKernel& pk = detail::poly_kernel();
  std::uint32_t st[16];
  detail::chacha_init_state(st, key, nonce, 0);
  PolyState ps;
  std::uint8_t expect[16];
  std::uint64_t ok;
  if (len <= kSmall) {
    // Plaintext stays in buf until the tag has been checked.
    alignas(64) std::uint8_t buf[64 + kSmall];
    for (std::size_t i = 0; i < 64; ++i) buf[i] = 0;
    for (std::size_t i = 0; i < len; ++i) buf[64 + i] = ct[i];
    ck.xor_stream(buf, buf, 64 + len, st);
    detail::poly_setup(ps, buf);
    mac_padded(pk, ps, aad, aadlen);
    mac_padded(pk, ps, ct, len);
    detail::poly_finish_lengths(ps, aadlen, len, expect);
    ok = ct::mask_from_bit(static_cast<std::uint64_t>(ct::equal(expect, tag, 16)));
    // Release the plaintext, or zeros.
    ck.mask(buf + 64, len, ok);
    for (std::size_t i = 0; i < len; ++i) pt[i] = buf[64 + i];
    wipe(buf, sizeof(buf));
  } else if (ck.xor_mac != nullptr && ck.key_first != nullptr && len >= kStitchOpen) {
    // Key block and the first 1024 bytes of plaintext (kept in first until
    // the verdict); the ciphertext up to x MACed; then 2048-byte passes
    // decrypting [1024, ...) that each MAC the next ck.stitch_mac bytes from x
    // on (x is chosen so that those are never behind the bytes already
    // decrypted: the MAC reads a pass's bytes before they are written, so
    // in-place works); the rest; then the output is released or zeroed
    // with the verdict as a mask.
    alignas(64) std::uint8_t k0[64];
    alignas(64) std::uint8_t first[1024];
    st[12] = 1;
    ck.key_first(k0, first, ct, st);
    detail::poly_setup(ps, k0);
    wipe(k0, sizeof(k0));
    mac_padded(pk, ps, aad, aadlen);
    const std::size_t passes = (len - 1024) / 2048;
    const std::size_t x = (len - ck.stitch_mac * passes) & ~std::size_t{15};
    mac_padded(pk, ps, ct, x);
    st[12] = 17;
    ck.xor_mac(pt + 1024, ct + 1024, passes, st, ps, ct + x);
    const std::size_t done = 1024 + 2048 * passes, maced = x + ck.stitch_mac * passes;
    mac_padded(pk, ps, ct + maced, len - maced);
    st[12] = static_cast<std::uint32_t>(1 + done / 64);
    ck.xor_stream(pt + done, ct + done, len - done, st);
    detail::poly_finish_lengths(ps, aadlen, len, expect);
    ok = ct::mask_from_bit(static_cast<std::uint64_t>(ct::equal(expect, tag, 16)));
    ck.mask(pt + 1024, len - 1024, ok);
    ck.mask(first, sizeof(first), ok);
    std::memcpy(pt, first, sizeof(first));
    wipe(first, sizeof(first));
  } else if (ck.key_first != nullptr && ck.xor_masked != nullptr && len >= 1024) {
    // Key block and the first 1024 bytes of plaintext (into first, kept
    // until the verdict) in one pass, then the MAC over all of the
    // ciphertext, then the rest decrypted with the verdict as a mask.
    alignas(64) std::uint8_t k0[64];
    alignas(64) std::uint8_t first[1024];
    st[12] = 1;
    ck.key_first(k0, first, ct, st);
    detail::poly_setup(ps, k0);
    wipe(k0, sizeof(k0));
    mac_padded(pk, ps, aad, aadlen);
    mac_padded(pk, ps, ct, len);
    detail::poly_finish_lengths(ps, aadlen, len, expect);
    ok = ct::mask_from_bit(static_cast<std::uint64_t>(ct::equal(expect, tag, 16)));
    st[12] = 17;
    ck.xor_masked(pt + 1024, ct + 1024, len - 1024, st, ok);
    ck.mask(first, sizeof(first), ok);
    std::memcpy(pt, first, sizeof(first));
    wipe(first, sizeof(first));
  } else {
    alignas(64) std::uint8_t k0[64] = {};
    ck.xor_stream(k0, k0, 64, st);
    detail::poly_setup(ps, k0);
    wipe(k0, sizeof(k0));
    mac_padded(pk, ps, aad, aadlen);
    st[12] = 1;
    if (ck.xor_masked != nullptr) {
      mac_padded(pk, ps, ct, len);
      detail::poly_finish_lengths(ps, aadlen, len, expect);
      ok = ct::mask_from_bit(static_cast<std::uint64_t>(ct::equal(expect, tag, 16)));
      ck.xor_masked(pt, ct, len, st, ok);
    } else {
      for (std::size_t off = 0; off < len; off += kChunk) {
        const std::size_t n = len - off < kChunk ? len - off : kChunk;
        mac_padded(pk, ps, ct + off, n);
        ck.xor_stream(pt + off, ct + off, n, st);
        st[12] += static_cast<std::uint32_t>(kChunk / 64);
      }
      detail::poly_finish_lengths(ps, aadlen, len, expect);
      ok = ct::mask_from_bit(static_cast<std::uint64_t>(ct::equal(expect, tag, 16)));
      ck.mask(pt, len, ok);
    }
  }
  wipe(st, sizeof(st));
  wipe(expect, sizeof(expect));
  return static_cast<Status>(static_cast<std::uint8_t>(Status::auth_failed) & ~static_cast<std::uint8_t>(ok));
}

Status check_seal(bool keyed, std::size_t nonce_len, std::size_t want_nonce, const std::uint8_t* ct,
                  std::size_t ctlen, const std::uint8_t* pt, std::size_t ptlen) noexcept {
  if (!keyed) return Status::bad_key;
  if (nonce_len != want_nonce) return Status::bad_nonce;
  if (ctlen != ptlen) return Status::bad_length;
  if (static_cast<std::uint64_t>(ptlen) > kMaxMessage) return Status::bad_length;
  if (bad_overlap(ct, ctlen, pt, ptlen)) return Status::bad_length;
  return Status::ok;
}

const char* pair_name(const ChaChaKernel& c, const PolyKernel& p) noexcept {
  struct Names {
    char n[8][4][32];
    Names() noexcept {
      for (auto& a : n)
        for (auto& b : a) b[0] = 0;
    }
  };
  static Names names;
  const std::size_t ci = detail::chacha_kernel_index(c), pi = detail::poly_kernel_index(p);
  if (ci >= 8 || pi >= 4) return c.name;
  char* out = names.n[ci][pi];
  if (out[0] == 0) {
    char tmp[32];
    std::size_t k = 0;
    for (const char* s = c.name; *s && k < 15; ++s) tmp[k++] = *s;
    tmp[k++] = '-';
    for (const char* s = p.name; *s && k < 31; ++s) tmp[k++] = *s;
    tmp[k] = 0;
    // Benign race: every writer writes the same bytes; publish the first
    // byte last.
    for (std::size_t i = 1; i <= k; ++i) out[i] = tmp[i];
    __atomic_store_n(&out[0], tmp[0], __ATOMIC_RELEASE);
  }
  return out;
}

void load_key(std::uint32_t k[8], const std::uint8_t* key) noexcept {
  for (int i = 0; i < 8; ++i) k[i] = load_le32(key + 4 * i);
}

// XChaCha20: subkey = HChaCha20(key, nonce[0..16]), nonce' = 0^4 || nonce[16..24].
void xchacha_derive(std::uint32_t sub[8], std::uint8_t n12[12], const std::uint32_t key[8],
                    const std::uint8_t* nonce24) noexcept {
  detail::hchacha20_core(sub, key, nonce24);
  for (int i = 0; i < 4; ++i) n12[i] = 0;
  for (int i = 0; i < 8; ++i) n12[4 + i] = nonce24[16 + i];
}

}  // namespace

// ---- ChaCha20-Poly1305 ----------------------------------------------------------

ChaCha20Poly1305::~ChaCha20Poly1305() { wipe(key_, sizeof(key_)); }

Status ChaCha20Poly1305::init(std::span<const std::uint8_t> key) noexcept {
  if (key.size() != key_size) return Status::bad_key;
  load_key(key_, key.data());
  keyed_ = true;
  return Status::ok;
}

Status ChaCha20Poly1305::seal_detached(std::span<std::uint8_t> ct, std::span<std::uint8_t, 16> tag,
                                       std::span<const std::uint8_t> nonce,
                                       std::span<const std::uint8_t> aad,
                                       std::span<const std::uint8_t> pt) const noexcept {
  if (Status s = check_seal(keyed_, nonce.size(), nonce_size, ct.data(), ct.size(), pt.data(), pt.size());
      s != Status::ok)
    return s;
  seal_core(key_, nonce.data(), ct.data(), tag.data(), aad.data(), aad.size(), pt.data(), pt.size());
  return Status::ok;
}

Status ChaCha20Poly1305::seal(std::span<std::uint8_t> out, std::span<const std::uint8_t> nonce,
                              std::span<const std::uint8_t> aad,
                              std::span<const std::uint8_t> pt) const noexcept {
  if (!keyed_) return Status::bad_key;
  if (nonce.size() != nonce_size) return Status::bad_nonce;
  if (out.size() < tag_size || out.size() - tag_size != pt.size()) return Status::bad_length;
  std::uint8_t tag[16];
  const Status s = seal_detached(out.first(pt.size()), std::span<std::uint8_t, 16>(tag), nonce, aad, pt);
  if (s == Status::ok)
    for (std::size_t i = 0; i < 16; ++i) out[pt.size() + i] = tag[i];
  return s;
}

Status ChaCha20Poly1305::open_detached(std::span<std::uint8_t> pt, std::span<const std::uint8_t, 16> tag,
                                       std::span<const std::uint8_t> nonce,
                                       std::span<const std::uint8_t> aad,
                                       std::span<const std::uint8_t> ct) const noexcept {
  if (Status s = check_seal(keyed_, nonce.size(), nonce_size, pt.data(), pt.size(), ct.data(), ct.size());
      s != Status::ok)
    return s;
  return open_core(key_, nonce.data(), pt.data(), tag.data(), aad.data(), aad.size(), ct.data(), ct.size());
}

Status ChaCha20Poly1305::open(std::span<std::uint8_t> out, std::span<const std::uint8_t> nonce,
                              std::span<const std::uint8_t> aad,
                              std::span<const std::uint8_t> in) const noexcept {
  if (!keyed_) return Status::bad_key;
  if (nonce.size() != nonce_size) return Status::bad_nonce;
  if (in.size() < tag_size || out.size() != in.size() - tag_size) return Status::bad_length;
  const std::size_t n = out.size();
  if (bad_overlap(out.data(), n, in.data() + n, tag_size)) return Status::bad_length;
  return open_detached(out, in.subspan(n).first<16>(), nonce, aad, in.first(n));
}

const char* ChaCha20Poly1305::kernel() const noexcept {
  return pair_name(detail::chacha_kernel(), detail::poly_kernel());
}

// ---- XChaCha20-Poly1305 ---------------------------------------------------------

XChaCha20Poly1305::~XChaCha20Poly1305() { wipe(key_, sizeof(key_)); }

Status XChaCha20Poly1305::init(std::span<const std::uint8_t> key) noexcept {
  if (key.size() != key_size) return Status::bad_key;
  load_key(key_, key.data());
  keyed_ = true;
  return Status::ok;
}

Status XChaCha20Poly1305::seal_detached(std::span<std::uint8_t> ct, std::span<std::uint8_t, 16> tag,
                                        std::span<const std::uint8_t> nonce,
                                        std::span<const std::uint8_t> aad,
                                        std::span<const std::uint8_t> pt) const noexcept {
  if (Status s = check_seal(keyed_, nonce.size(), nonce_size, ct.data(), ct.size(), pt.data(), pt.size());
      s != Status::ok)
    return s;
  std::uint32_t sub[8];
  std::uint8_t n12[12];
  xchacha_derive(sub, n12, key_, nonce.data());
  seal_core(sub, n12, ct.data(), tag.data(), aad.data(), aad.size(), pt.data(), pt.size());
  wipe(sub, sizeof(sub));
  return Status::ok;
}

Status XChaCha20Poly1305::seal(std::span<std::uint8_t> out, std::span<const std::uint8_t> nonce,
                               std::span<const std::uint8_t> aad,
                               std::span<const std::uint8_t> pt) const noexcept {
  if (!keyed_) return Status::bad_key;
  if (nonce.size() != nonce_size) return Status::bad_nonce;
  if (out.size() < tag_size || out.size() - tag_size != pt.size()) return Status::bad_length;
  std::uint8_t tag[16];
  const Status s = seal_detached(out.first(pt.size()), std::span<std::uint8_t, 16>(tag), nonce, aad, pt);
  if (s == Status::ok)
    for (std::size_t i = 0; i < 16; ++i) out[pt.size() + i] = tag[i];
  return s;
}

Status XChaCha20Poly1305::open_detached(std::span<std::uint8_t> pt, std::span<const std::uint8_t, 16> tag,
                                        std::span<const std::uint8_t> nonce,
                                        std::span<const std::uint8_t> aad,
                                        std::span<const std::uint8_t> ct) const noexcept {
  if (Status s = check_seal(keyed_, nonce.size(), nonce_size, pt.data(), pt.size(), ct.data(), ct.size());
      s != Status::ok)
    return s;
  std::uint32_t sub[8];
  std::uint8_t n12[12];
  xchacha_derive(sub, n12, key_, nonce.data());
  const Status s = open_core(sub, n12, pt.data(), tag.data(), aad.data(), aad.size(), ct.data(), ct.size());
  wipe(sub, sizeof(sub));
  return s;
}

Status XChaCha20Poly1305::open(std::span<std::uint8_t> out, std::span<const std::uint8_t> nonce,
                               std::span<const std::uint8_t> aad,
                               std::span<const std::uint8_t> in) const noexcept {
  if (!keyed_) return Status::bad_key;
  if (nonce.size() != nonce_size) return Status::bad_nonce;
  if (in.size() < tag_size || out.size() != in.size() - tag_size) return Status::bad_length;
  const std::size_t n = out.size();
  if (bad_overlap(out.data(), n, in.data() + n, tag_size)) return Status::bad_length;
  return open_detached(out, in.subspan(n).first<16>(), nonce, aad, in.first(n));
}

const char* XChaCha20Poly1305::kernel() const noexcept {
  return pair_name(detail::chacha_kernel(), detail::poly_kernel());
}

}  // namespace tern::chacha
