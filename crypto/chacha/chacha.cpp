// ChaCha20 / Poly1305 kernel dispatch and the raw primitives.
#include "crypto/chacha/chacha.hpp"

#include "crypto/chacha/internal.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/cpu.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::chacha {

namespace detail {
namespace {

const ChaChaKernel kChaChaKernels[] = {
#if TERN_SIMD && defined(__x86_64__)
    {"avx512", cpu::avx512f | cpu::avx512vl | cpu::avx512bw, &xor_stream_avx512, &mask_avx512, &xor_masked_avx512,
     &key_first_avx512, nullptr, 0},
    // avx512mulx: the avx512 keystream; in the AEAD, long messages are MACed
    // partly by scalar Poly1305 stitched into the vector rounds (xor_mac).
    // Not the default: on Zen 4 it measured no faster than avx512 + ifma
    // in two passes (see chacha_avx512mulx.cpp).
    {"avx512mulx", cpu::avx512f | cpu::avx512vl | cpu::avx512bw | cpu::bmi2, &xor_stream_avx512,
     &mask_avx512, &xor_masked_avx512, &key_first_avx512, &xor_mac_avx512mulx, kStitchMacAvx512},
    // avx2mulx: the avx2 keystream; in the AEAD, the MAC partly stitched
    // into the keystream passes as scalar Poly1305 (xor_mac). Measured on
    // Zen 4 with AVX-512 masked off, 16 KiB: seal 1.50 / open 1.56 cycles/B
    // against 2.07 / 2.11 for avx2 + mulx in two passes.
    {"avx2mulx", cpu::avx2 | cpu::bmi2, &xor_stream_avx2, &mask_avx2, nullptr, &key_first_avx2, &xor_mac_avx2mulx,
     kStitchMacAvx2},
    {"avx2", cpu::avx2, &xor_stream_avx2, &mask_avx2, nullptr, nullptr, nullptr, 0},
#endif
    {"portable", 0, &xor_stream_portable, &mask_portable, nullptr, nullptr, nullptr, 0},
};

const PolyKernel kPolyKernels[] = {
#if TERN_SIMD && defined(__x86_64__)
    {"ifma", cpu::avx512f | cpu::avx512vl | cpu::avx512ifma, &poly_blocks_ifma},
    {"mulx", cpu::bmi2, &poly_blocks_mulx},
#endif
    {"portable", 0, &poly_blocks_portable},
};

internal::Dispatch<ChaChaKernel> g_chacha{kChaChaKernels};
internal::Dispatch<PolyKernel> g_poly{kPolyKernels};

}  // namespace

const ChaChaKernel& chacha_kernel() noexcept { return g_chacha.get(); }
const PolyKernel& poly_kernel() noexcept { return g_poly.get(); }
std::size_t chacha_kernel_index(const ChaChaKernel& k) noexcept {
  return static_cast<std::size_t>(&k - kChaChaKernels);
}
std::size_t poly_kernel_index(const PolyKernel& k) noexcept {
  return static_cast<std::size_t>(&k - kPolyKernels);
}

}  // namespace detail

KernelSet& chacha20_kernels() noexcept {
  static tern::internal::KernelSetOf<detail::ChaChaKernel> s{detail::g_chacha};
  return s;
}
KernelSet& poly1305_kernels() noexcept {
  static tern::internal::KernelSetOf<detail::PolyKernel> s{detail::g_poly};
  return s;
}

Status chacha20_xor(std::span<std::uint8_t> out, std::span<const std::uint8_t> key,
                    std::span<const std::uint8_t> nonce, std::uint32_t counter,
                    std::span<const std::uint8_t> in) noexcept {
  if (key.size() != 32) return Status::bad_key;
  if (nonce.size() != 12) return Status::bad_nonce;
  if (out.size() != in.size()) return Status::bad_length;
  const std::uint64_t blocks = (static_cast<std::uint64_t>(in.size()) + 63) / 64;
  if (blocks > (std::uint64_t{1} << 32) - counter) return Status::bad_length;
  if (in.empty()) return Status::ok;
  std::uint32_t k[8], st[16];
  for (int i = 0; i < 8; ++i) k[i] = load_le32(key.data() + 4 * i);
  detail::chacha_init_state(st, k, nonce.data(), counter);
  detail::chacha_kernel().xor_stream(out.data(), in.data(), in.size(), st);
  wipe(k, sizeof(k));
  wipe(st, sizeof(st));
  return Status::ok;
}

Status hchacha20(std::span<std::uint8_t> out, std::span<const std::uint8_t> key,
                 std::span<const std::uint8_t> nonce) noexcept {
  if (key.size() != 32) return Status::bad_key;
  if (nonce.size() != 16) return Status::bad_nonce;
  if (out.size() != 32) return Status::bad_length;
  std::uint32_t k[8], o[8];
  for (int i = 0; i < 8; ++i) k[i] = load_le32(key.data() + 4 * i);
  detail::hchacha20_core(o, k, nonce.data());
  for (int i = 0; i < 8; ++i) store_le32(out.data() + 4 * i, o[i]);
  wipe(k, sizeof(k));
  wipe(o, sizeof(o));
  return Status::ok;
}

// ---- Poly1305 -----------------------------------------------------------------

Poly1305::~Poly1305() {
  wipe(&st_, sizeof(st_));
  wipe(buf_, sizeof(buf_));
}

Status Poly1305::init(std::span<const std::uint8_t> key) noexcept {
  if (key.size() != key_size) {
    k_ = nullptr;
    return Status::bad_key;
  }
  detail::poly_setup(st_, key.data());
  buffered_ = 0;
  k_ = &detail::poly_kernel();
  return Status::ok;
}

void Poly1305::update(std::span<const std::uint8_t> data) noexcept {
  if (k_ == nullptr || data.empty()) return;
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  if (buffered_ > 0) {
    const std::size_t take = n < 16 - buffered_ ? n : 16 - buffered_;
    for (std::size_t i = 0; i < take; ++i) buf_[buffered_ + i] = p[i];
    buffered_ += take;
    p += take;
    n -= take;
    if (buffered_ < 16) return;
    k_->blocks(st_, buf_, 1);
    buffered_ = 0;
  }
  if (n >= 16) {
    k_->blocks(st_, p, n / 16);
    p += n & ~std::size_t{15};
    n &= 15;
  }
  for (std::size_t i = 0; i < n; ++i) buf_[i] = p[i];
  buffered_ = n;
}

Status Poly1305::final(std::span<std::uint8_t, 16> tag) noexcept {
  if (k_ == nullptr) return Status::bad_key;
  if (buffered_ > 0) {
    // Last partial block: append 0x01 and zero-pad. The block function
    // adds 2^128 to every block, so first add p - 2^128 = 2^130 - 2^128 - 5
    // to h (limb by limb, no borrows), which cancels it modulo p.
    std::uint8_t last[16] = {};
    for (std::size_t i = 0; i < buffered_; ++i) last[i] = buf_[i];
    last[buffered_] = 1;
    st_.h[0] += (std::uint64_t{1} << 44) - 5;
    st_.h[1] += (std::uint64_t{1} << 44) - 1;
    st_.h[2] += (std::uint64_t{1} << 42) - (std::uint64_t{1} << 40) - 1;
    k_->blocks(st_, last, 1);
    wipe(last, sizeof(last));
  }
  detail::poly_finish(st_, tag.data());
  wipe(buf_, sizeof(buf_));
  buffered_ = 0;
  k_ = nullptr;
  return Status::ok;
}

const char* Poly1305::kernel() const noexcept {
  return k_ != nullptr ? k_->name : detail::poly_kernel().name;
}

}  // namespace tern::chacha
