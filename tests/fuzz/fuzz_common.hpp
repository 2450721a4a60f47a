// Helpers shared by the libFuzzer targets in this folder: a cursor over the
// fuzzer's input (reads past the end return zeros/empty, never fail), and
// a crash-on-mismatch check that survives -DNDEBUG.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

namespace tern::fuzz {

// Aborts (libFuzzer records the input) when a property does not hold.
#define TERN_FUZZ_CHECK(cond)                                                  \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, \
                   __LINE__);                                                  \
      std::abort();                                                            \
    }                                                                          \
  } while (0)

class Input {
 public:
  Input(const std::uint8_t* p, std::size_t n) noexcept : p_(p), n_(n) {}
  std::size_t remaining() const noexcept { return n_ - pos_; }
  bool empty() const noexcept { return pos_ >= n_; }
  std::uint8_t u8() noexcept { return pos_ < n_ ? p_[pos_++] : 0; }
  std::uint16_t u16() noexcept {
    const std::uint16_t hi = u8();
    return static_cast<std::uint16_t>((hi << 8) | u8());
  }
  // Up to n bytes (fewer at the end of the input).
  std::span<const std::uint8_t> take(std::size_t n) noexcept {
    if (n > remaining()) n = remaining();
    std::span<const std::uint8_t> out(p_ + pos_, n);
    pos_ += n;
    return out;
  }
  std::span<const std::uint8_t> rest() noexcept { return take(remaining()); }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
  std::size_t pos_ = 0;
};

inline bool same(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace tern::fuzz
