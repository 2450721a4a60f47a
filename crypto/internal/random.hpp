// Randomness. The default source is the operating system (getrandom(2),
// retried on EINTR and short reads). Tests and TLS trace replays install a
// deterministic source with set_random_source() or pass a RandomSource to
// the APIs that take one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/status.hpp"

namespace tern {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` entirely or returns an error (never a partial fill).
  virtual Status fill(std::span<std::uint8_t> out) noexcept = 0;
};

// The operating system's source.
class OsRandom final : public RandomSource {
 public:
  Status fill(std::span<std::uint8_t> out) noexcept override;
};

// A deterministic source for tests (SplitMix64 stream of the seed). It is
// predictable by design: never use it for keys outside tests.
class TestRandom final : public RandomSource {
 public:
  explicit TestRandom(std::uint64_t seed) noexcept : seed_(seed) {}
  Status fill(std::span<std::uint8_t> out) noexcept override;

 private:
  std::uint64_t seed_;
  std::uint64_t counter_ = 0;
};

// The process-wide default source (OsRandom unless replaced). Passing
// nullptr restores the OS source.
RandomSource& default_random() noexcept;
void set_random_source(RandomSource* src) noexcept;

// Fills `out` from the default source.
Status random_bytes(std::span<std::uint8_t> out) noexcept;

}  // namespace tern
