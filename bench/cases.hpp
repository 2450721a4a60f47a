// The benchmark case registry shared by the Google Benchmark binary
// (tern-bench) and `tern speed`. Each cases_<family>.cpp registers cases for
// tern's kernels and, when libcrypto is available, for OpenSSL, so both sit
// in the same run.
//
// Names: ALGO/IMPL/BYTES for throughput, ALGO/IMPL for operations; IMPL is
// tern's kernel name or "openssl".
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tern::bench {

inline constexpr std::size_t kSizes[] = {16, 64, 256, 1350, 8192, 16384};

struct Case {
  std::string algo;   // "sha256", "aes128gcm-open", "x25519"
  std::string impl;   // "shani", "portable", "openssl"
  std::size_t bytes;  // bytes per operation (0: an operation count)
  // Called once before timing (selects the kernel, builds keys, buffers).
  std::function<void()> setup;
  // Runs `n` operations.
  std::function<void(std::uint64_t n)> run;
  // Optional extra figure reported beside the timing (tern-bench shows it
  // as a user counter named counter_name), e.g. heap bytes per connection.
  std::function<double()> counter = {};
  std::string counter_name = {};
  std::string name() const {
    return bytes ? algo + "/" + impl + "/" + std::to_string(bytes) : algo + "/" + impl;
  }
};

std::vector<Case>& registry();

struct Registrar {
  explicit Registrar(std::function<void()> add_cases) { add_cases(); }
};

// Adds `setup` that selects the kernel `impl` of `set` (no-op for openssl).
void add(Case c);
// Hooks run before every case's setup (tern-bench and `tern speed`): they put
// every kernel set back to its default, so a row that does not select kernels
// itself (TLS, X.509) never inherits the kernel a previous row selected.
void on_reset(std::function<void()> hook);

// Keeps the compiler from discarding a computed value.
template <class T>
inline void keep(T const& v) {
  __asm__ __volatile__("" : : "g"(&v) : "memory");
}

}  // namespace tern::bench
