#include "crypto/internal/random.hpp"

#include <atomic>
#include <cerrno>

#if defined(__linux__)
#include <sys/random.h>
#endif

#include "crypto/internal/bytes.hpp"

namespace tern {

Status OsRandom::fill(std::span<std::uint8_t> out) noexcept {
#if defined(__linux__)
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t r = getrandom(out.data() + done, out.size() - done, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::rng_failure;  // ENOSYS (very old kernel) or EFAULT
    }
    done += static_cast<std::size_t>(r);
  }
  return Status::ok;
#else
  (void)out;
  return Status::rng_failure;  // no OS source known for this platform
#endif
}

Status TestRandom::fill(std::span<std::uint8_t> out) noexcept {
  std::size_t i = 0;
  while (i < out.size()) {
    std::uint64_t z = seed_ + 0x9e3779b97f4a7c15ull * ++counter_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    std::uint8_t block[8];
    store_le64(block, z);
    for (int j = 0; j < 8 && i < out.size(); ++j) out[i++] = block[j];
  }
  return Status::ok;
}

namespace {
OsRandom g_os_random;
std::atomic<RandomSource*> g_source{nullptr};
}  // namespace

RandomSource& default_random() noexcept {
  RandomSource* s = g_source.load(std::memory_order_acquire);
  return s ? *s : g_os_random;
}

void set_random_source(RandomSource* src) noexcept { g_source.store(src, std::memory_order_release); }

Status random_bytes(std::span<std::uint8_t> out) noexcept { return default_random().fill(out); }

}  // namespace tern
