// AES-GCM: argument checks, J0, tag comparison and kernel dispatch.
#include "crypto/aes/gcm.hpp"

#include <cstring>

#include "crypto/aes/aes.hpp"
#include "crypto/aes/gcm_internal.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/ct.hpp"
#include "crypto/internal/wipe.hpp"

// The verdict of a tag check is public by design (the caller learns it).
// When valgrind's client-request header is available we tell memcheck so,
// which lets the constant-time check (tests/ct) follow secrets through open()
// up to, but not past, that verdict. The request is a few no-op instructions.
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define TERN_GCM_DECLASSIFY(p, n) (void)VALGRIND_MAKE_MEM_DEFINED((p), (n))
#else
#define TERN_GCM_DECLASSIFY(p, n) ((void)0)
#endif

#define TERN_GCM_VAES512 1
#define TERN_GCM_VAES256 1
#define TERN_GCM_AESNI 1

namespace tern::aes {
namespace {

using detail::GcmKernel;

constexpr GcmKernel kKernels[] = {
#if TERN_SIMD && defined(__x86_64__) && TERN_GCM_VAES512
    {"vaes512", cpu::vaes | cpu::vpclmulqdq | cpu::avx512f | cpu::avx512bw | cpu::avx512vl | cpu::avx2 | cpu::avx |
                    cpu::aesni | cpu::pclmul | cpu::sse41 | cpu::ssse3,
     detail::gcm_vaes512_init, GcmKernel::Layout::v512, detail::gcm_vaes512_seal, detail::gcm_vaes512_open},
#endif
#if TERN_SIMD && defined(__x86_64__) && TERN_GCM_VAES256
    {"vaes256", cpu::vaes | cpu::vpclmulqdq | cpu::avx2 | cpu::avx | cpu::aesni | cpu::pclmul | cpu::sse41 | cpu::ssse3,
     detail::gcm_vaes256_init, GcmKernel::Layout::x86, detail::gcm_vaes256_seal, detail::gcm_vaes256_open},
#endif
#if TERN_SIMD && defined(__x86_64__) && TERN_GCM_AESNI
    {"aesni", cpu::aesni | cpu::pclmul | cpu::sse41 | cpu::ssse3, detail::gcm_aesni_init, GcmKernel::Layout::x86,
     detail::gcm_aesni_seal, detail::gcm_aesni_open},
#endif
    {"portable", 0, detail::gcm_portable_init, GcmKernel::Layout::portable, detail::gcm_portable_seal,
     detail::gcm_portable_open},
};

internal::Dispatch<GcmKernel> g_dispatch{kKernels};

constexpr std::uint64_t kMaxPt = (std::uint64_t{1} << 36) - 32;  // 2^39 - 256 bits
constexpr std::uint64_t kMaxAad = (std::uint64_t{1} << 61) - 1;  // 2^64 - 1 bits

bool overlaps(const std::uint8_t* a, std::size_t an, const std::uint8_t* b, std::size_t bn) noexcept {
  if (an == 0 || bn == 0) return false;
  const auto x = reinterpret_cast<std::uintptr_t>(a), y = reinterpret_cast<std::uintptr_t>(b);
  return x < y + bn && y < x + an;
}

}  // namespace

KernelSet& aes_gcm_kernels() noexcept {
  static tern::internal::KernelSetOf<GcmKernel> s{g_dispatch};
  return s;
}

AesGcm::~AesGcm() { wipe_object(key_); }

Status AesGcm::init(std::span<const std::uint8_t> key) noexcept {
  kern_ = nullptr;
  if (key.size() != 16 && key.size() != 32) {
    wipe_object(key_);  // no stale key material stays behind a failed init
    return Status::bad_key;
  }
  // Start from zero: a re-keyed context may switch layouts, and powers of H
  // a kernel does not use must not keep an old key's values.
  wipe_object(key_);
  alignas(16) std::uint8_t rk[240];
  key_.rounds = detail::expand_key(key.data(), key.size(), rk);
  const GcmKernel& k = g_dispatch.get();
  k.init(key_, rk);
  wipe_object(rk);
  kern_ = &k;
  return Status::ok;
}

const char* AesGcm::kernel() const noexcept { return kern_ ? kern_->name : "none"; }

Status AesGcm::crypt(bool decrypt, std::uint8_t* out, std::uint8_t* tag_out, const std::uint8_t* tag_in,
                     std::span<const std::uint8_t> nonce, std::span<const std::uint8_t> aad,
                     std::span<const std::uint8_t> in) const noexcept {
  if (kern_ == nullptr) return Status::bad_key;
  if (nonce.empty()) return Status::bad_nonce;
  if (static_cast<std::uint64_t>(nonce.size()) > kMaxAad) return Status::bad_length;
  if (static_cast<std::uint64_t>(in.size()) > kMaxPt || static_cast<std::uint64_t>(aad.size()) > kMaxAad)
    return Status::bad_length;
  if (out != in.data() && overlaps(out, in.size(), in.data(), in.size())) return Status::bad_length;

  alignas(16) std::uint8_t j0[16];
  if (nonce.size() == 12) {
    std::memcpy(j0, nonce.data(), 12);
    j0[12] = 0;
    j0[13] = 0;
    j0[14] = 0;
    j0[15] = 1;
  } else {
    // J0 = GHASH_H(nonce || 0-pad || 0^64 || [len(nonce) bits]_64).
#if TERN_SIMD
    const detail::Gf h =
        kern_->layout == GcmKernel::Layout::portable ? detail::Gf{key_.portable.h[1], key_.portable.h[0]}
        : kern_->layout == GcmKernel::Layout::v512
            ? detail::Gf{key_.v512.h[1], key_.v512.h[0]}
            : detail::Gf{key_.x86.htab[detail::kHPowers - 1][1], key_.x86.htab[detail::kHPowers - 1][0]};
#else
    const detail::Gf h{key_.portable.h[1], key_.portable.h[0]};  // the only kernel
#endif
    detail::Gf y{0, 0};
    detail::ghash_portable(y, h, nonce.data(), nonce.size());
    y.lo ^= static_cast<std::uint64_t>(nonce.size()) * 8u;
    y = detail::gf_mul(y, h);
    store_be64(j0, y.hi);
    store_be64(j0 + 8, y.lo);
  }
  if (!decrypt) {
    kern_->seal(key_, j0, aad.data(), aad.size(), in.data(), out, in.size(), tag_out);
    return Status::ok;
  }
  alignas(16) std::uint8_t tag[16];
  kern_->open(key_, j0, aad.data(), aad.size(), in.data(), out, in.size(), tag);
  std::uint32_t diff = 0;
  for (int i = 0; i < 16; ++i) diff |= static_cast<std::uint32_t>(tag[i] ^ tag_in[i]);
  std::uint32_t good_mask = ct::mask_zero(diff);
  wipe_object(tag);
  TERN_GCM_DECLASSIFY(&good_mask, sizeof good_mask);
  const bool good = good_mask != 0;
  if (!good) {
    wipe(out, in.size());
    return Status::auth_failed;
  }
  return Status::ok;
}

Status AesGcm::seal(std::span<std::uint8_t> out, std::span<const std::uint8_t> nonce,
                    std::span<const std::uint8_t> aad, std::span<const std::uint8_t> pt) const noexcept {
  if (out.size() < 16 || out.size() - 16 != pt.size()) return Status::bad_length;
  // The tag lands after the ciphertext: it must not overlap a distinct input.
  if (out.data() != pt.data() && overlaps(out.data(), out.size(), pt.data(), pt.size())) return Status::bad_length;
  return crypt(false, out.data(), out.data() + pt.size(), nullptr, nonce, aad, pt);
}

Status AesGcm::open(std::span<std::uint8_t> out, std::span<const std::uint8_t> nonce,
                    std::span<const std::uint8_t> aad, std::span<const std::uint8_t> in) const noexcept {
  if (in.size() < 16 || out.size() != in.size() - 16) return Status::bad_length;
  const std::size_t n = out.size();
  // Keep a copy of the tag: with in-place opening, out may cover it only if
  // it aliases; out has exactly n bytes so the tag bytes are never written.
  alignas(16) std::uint8_t tag[16];
  std::memcpy(tag, in.data() + n, 16);
  return crypt(true, out.data(), nullptr, tag, nonce, aad, in.first(n));
}

Status AesGcm::seal_detached(std::span<std::uint8_t> ct, std::span<std::uint8_t, 16> tag,
                             std::span<const std::uint8_t> nonce, std::span<const std::uint8_t> aad,
                             std::span<const std::uint8_t> pt) const noexcept {
  if (ct.size() != pt.size()) return Status::bad_length;
  alignas(16) std::uint8_t t[16];
  const Status s = crypt(false, ct.data(), t, nullptr, nonce, aad, pt);
  if (s == Status::ok) std::memcpy(tag.data(), t, 16);
  wipe_object(t);
  return s;
}

Status AesGcm::open_detached(std::span<std::uint8_t> pt, std::span<const std::uint8_t, 16> tag,
                             std::span<const std::uint8_t> nonce, std::span<const std::uint8_t> aad,
                             std::span<const std::uint8_t> ct) const noexcept {
  if (pt.size() != ct.size()) return Status::bad_length;
  alignas(16) std::uint8_t t[16];
  std::memcpy(t, tag.data(), 16);
  return crypt(true, pt.data(), nullptr, t, nonce, aad, ct);
}

}  // namespace tern::aes
