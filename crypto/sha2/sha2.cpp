// SHA-2 streaming front ends, kernel dispatch and the runtime hash.
#include "crypto/sha2/sha2.hpp"

#include <cstring>

#include "crypto/internal/bytes.hpp"
#include "crypto/internal/cpu.hpp"
#include "crypto/internal/wipe.hpp"
#include "crypto/sha2/sha2_kernels.hpp"

namespace tern::sha2 {

namespace {

using internal::Sha256Kernel;
using internal::Sha512Kernel;

const Sha256Kernel kSha256Kernels[] = {
#if TERN_SIMD && defined(__x86_64__)
    {"shani", cpu::shani | cpu::sse41 | cpu::ssse3, internal::sha256_shani},
#endif
    {"portable", 0, internal::sha256_portable},
};
const Sha512Kernel kSha512Kernels[] = {
#if TERN_SIMD && defined(__x86_64__)
    {"avx512", cpu::avx | cpu::avx2 | cpu::bmi1 | cpu::bmi2 | cpu::avx512f | cpu::avx512vl, internal::sha512_avx512},
    {"avx2", cpu::avx | cpu::avx2 | cpu::bmi1 | cpu::bmi2, internal::sha512_avx2},
#endif
    {"portable", 0, internal::sha512_portable},
};

tern::internal::Dispatch<Sha256Kernel> g_sha256{kSha256Kernels};
tern::internal::Dispatch<Sha512Kernel> g_sha512{kSha512Kernels};

// FIPS 180-4 §5.3.
constexpr std::uint32_t kIv224[8] = {0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939,
                                     0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4};
constexpr std::uint32_t kIv256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
constexpr std::uint64_t kIv384[8] = {0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17,
                                     0x152fecd8f70e5939, 0x67332667ffc00b31, 0x8eb44a8768581511,
                                     0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4};
constexpr std::uint64_t kIv512[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                                     0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                                     0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
constexpr std::uint64_t kIv512_256[8] = {0x22312194fc2bf72c, 0x9f555fa3c84c64c2, 0x2393b86b6f53b151,
                                         0x963877195940eabd, 0x96283ee2a88effe3, 0xbe5e1e2553863992,
                                         0x2b0199fc2c85b8aa, 0x0eb72ddc81c52ca2};

// The streaming logic shared by every variant (and AnyHash). Whole blocks
// of the input go to the kernel in one call.
template <std::size_t BlockSize, class Word, class Fn>
void stream_update(Word* state, std::uint64_t& length, std::uint8_t* buffer, std::size_t& buffered,
                   std::span<const std::uint8_t> data, Fn compress) noexcept {
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  if (n == 0) return;
  length += n;
  if (buffered != 0) {
    std::size_t take = BlockSize - buffered;
    if (take > n) take = n;
    std::memcpy(buffer + buffered, p, take);
    buffered += take;
    p += take;
    n -= take;
    if (buffered < BlockSize) return;
    compress(state, buffer, 1);
    buffered = 0;
  }
  if (n >= BlockSize) {
    std::size_t blocks = n / BlockSize;
    compress(state, p, blocks);
    p += blocks * BlockSize;
    n -= blocks * BlockSize;
  }
  if (n != 0) {
    std::memcpy(buffer, p, n);
    buffered = n;
  }
}

// Pads and compresses the last block(s); the length field is 8 bytes for
// the SHA-256 family and 16 for the SHA-512 family.
template <std::size_t BlockSize, class Word, class Fn>
void stream_pad(Word* state, std::uint64_t length, std::uint8_t* buffer, std::size_t buffered,
                Fn compress) noexcept {
  constexpr std::size_t len_field = BlockSize / 8;
  buffer[buffered++] = 0x80;
  if (buffered > BlockSize - len_field) {
    std::memset(buffer + buffered, 0, BlockSize - buffered);
    compress(state, buffer, 1);
    buffered = 0;
  }
  std::memset(buffer + buffered, 0, BlockSize - 8 - buffered);
  if (len_field == 16) store_be64(buffer + BlockSize - 16, length >> 61);
  store_be64(buffer + BlockSize - 8, length << 3);
  compress(state, buffer, 1);
}

void sha256_compress_any(std::uint32_t* state, const std::uint8_t* blocks, std::size_t n) noexcept {
  g_sha256.get().compress(state, blocks, n);
}
void sha512_compress_any(std::uint64_t* state, const std::uint8_t* blocks, std::size_t n) noexcept {
  g_sha512.get().compress(state, blocks, n);
}

template <std::size_t DigestLen, class Word>
void write_digest(std::uint8_t* out, const Word* state) noexcept {
  std::uint8_t full[sizeof(Word) * 8];
  for (int i = 0; i < 8; ++i) {
    if constexpr (sizeof(Word) == 4)
      store_be32(full + 4 * i, state[i]);
    else
      store_be64(full + 8 * i, state[i]);
  }
  std::memcpy(out, full, DigestLen);
  wipe(full, sizeof full);
}

}  // namespace

KernelSet& sha256_kernels() noexcept {
  static tern::internal::KernelSetOf<Sha256Kernel> s{g_sha256};
  return s;
}
KernelSet& sha512_kernels() noexcept {
  static tern::internal::KernelSetOf<Sha512Kernel> s{g_sha512};
  return s;
}

namespace detail {

void sha256_compress(std::uint32_t state[8], const std::uint8_t* blocks, std::size_t nblocks) noexcept {
  sha256_compress_any(state, blocks, nblocks);
}
void sha512_compress(std::uint64_t state[8], const std::uint8_t* blocks, std::size_t nblocks) noexcept {
  sha512_compress_any(state, blocks, nblocks);
}

template <std::size_t D, int V>
Sha256Family<D, V>::~Sha256Family() {
  wipe(this, sizeof *this);
}
template <std::size_t D, int V>
void Sha256Family<D, V>::reset() noexcept {
  std::memcpy(state_, V == 224 ? kIv224 : kIv256, sizeof state_);
  length_ = 0;
  buffered_ = 0;
}
template <std::size_t D, int V>
void Sha256Family<D, V>::update(std::span<const std::uint8_t> data) noexcept {
  stream_update<64>(state_, length_, buffer_, buffered_, data, g_sha256.get().compress);
}
template <std::size_t D, int V>
void Sha256Family<D, V>::final(std::span<std::uint8_t, D> out) noexcept {
  stream_pad<64>(state_, length_, buffer_, buffered_, g_sha256.get().compress);
  write_digest<D>(out.data(), state_);
  wipe(buffer_, sizeof buffer_);
  reset();
}

template <std::size_t D, int V>
Sha512Family<D, V>::~Sha512Family() {
  wipe(this, sizeof *this);
}
template <std::size_t D, int V>
void Sha512Family<D, V>::reset() noexcept {
  std::memcpy(state_, V == 384 ? kIv384 : V == 512 ? kIv512 : kIv512_256, sizeof state_);
  length_ = 0;
  buffered_ = 0;
}
template <std::size_t D, int V>
void Sha512Family<D, V>::update(std::span<const std::uint8_t> data) noexcept {
  stream_update<128>(state_, length_, buffer_, buffered_, data, g_sha512.get().compress);
}
template <std::size_t D, int V>
void Sha512Family<D, V>::final(std::span<std::uint8_t, D> out) noexcept {
  stream_pad<128>(state_, length_, buffer_, buffered_, g_sha512.get().compress);
  write_digest<D>(out.data(), state_);
  wipe(buffer_, sizeof buffer_);
  reset();
}

template class Sha256Family<28, 224>;
template class Sha256Family<32, 256>;
template class Sha512Family<48, 384>;
template class Sha512Family<64, 512>;
template class Sha512Family<32, 5256>;

}  // namespace detail

// ---- AnyHash ------------------------------------------------------------------

AnyHash::AnyHash(HashId id) noexcept : id_(id) { reset(); }

AnyHash::~AnyHash() { wipe(this, sizeof *this); }

void AnyHash::reset() noexcept {
  switch (id_) {
    case HashId::sha256:
      std::memcpy(state_.s32, kIv256, sizeof kIv256);
      break;
    case HashId::sha384:
      std::memcpy(state_.s64, kIv384, sizeof kIv384);
      break;
    case HashId::sha512:
      std::memcpy(state_.s64, kIv512, sizeof kIv512);
      break;
  }
  length_ = 0;
  buffered_ = 0;
}

// One copy of the streaming code for both block sizes (the size is read
// from id_; the SHA-256 family's length field is 8 bytes, the SHA-512
// family's 16). Whole blocks of the input go to the kernel in one call.
void AnyHash::compress(const std::uint8_t* blocks, std::size_t n) noexcept {
  if (id_ == HashId::sha256)
    g_sha256.get().compress(state_.s32, blocks, n);
  else
    g_sha512.get().compress(state_.s64, blocks, n);
}

void AnyHash::update(std::span<const std::uint8_t> data) noexcept {
  const std::size_t bs = block_size(id_);
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  if (n == 0) return;
  length_ += n;
  if (buffered_ != 0) {
    std::size_t take = bs - buffered_;
    if (take > n) take = n;
    std::memcpy(buffer_ + buffered_, p, take);
    buffered_ += take;
    p += take;
    n -= take;
    if (buffered_ < bs) return;
    compress(buffer_, 1);
    buffered_ = 0;
  }
  const std::size_t whole = n & ~(bs - 1);  // bs is a power of two
  if (whole != 0) {
    compress(p, whole / bs);
    p += whole;
    n -= whole;
  }
  if (n != 0) {
    std::memcpy(buffer_, p, n);
    buffered_ = n;
  }
}

void AnyHash::peek(std::span<std::uint8_t> out) const noexcept {
  AnyHash copy(*this);
  copy.final(out);
}

void AnyHash::final(std::span<std::uint8_t> out) noexcept {
  if (out.size() < size()) {  // caller error: write nothing rather than overflow
    reset();
    return;
  }
  const std::size_t bs = block_size(id_);
  buffer_[buffered_++] = 0x80;
  if (buffered_ > bs - bs / 8) {
    std::memset(buffer_ + buffered_, 0, bs - buffered_);
    compress(buffer_, 1);
    buffered_ = 0;
  }
  std::memset(buffer_ + buffered_, 0, bs - 8 - buffered_);
  if (bs == 128) store_be64(buffer_ + 128 - 16, length_ >> 61);
  store_be64(buffer_ + bs - 8, length_ << 3);
  compress(buffer_, 1);
  std::uint8_t full[64];
  for (int i = 0; i < 8; ++i) {
    if (id_ == HashId::sha256)
      store_be32(full + 4 * i, state_.s32[i]);
    else
      store_be64(full + 8 * i, state_.s64[i]);
  }
  std::memcpy(out.data(), full, size());
  wipe(full, sizeof full);
  wipe(buffer_, sizeof buffer_);
  reset();
}

void AnyHash::hash(HashId id, std::span<std::uint8_t> out, std::span<const std::uint8_t> data) noexcept {
  AnyHash h(id);
  h.update(data);
  h.final(out);
}

}  // namespace tern::sha2
