// Kernel dispatch: each family describes its kernels with a const table of
// descriptors (best first), picks the first whose CPU features are present
// once, and caches it. Tests and benchmarks can select a kernel by name.
//
// A descriptor type K must have `const char* name` and `std::uint32_t needs`
// (cpu::Feature bits) members, plus the family's function pointers.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/internal/cpu.hpp"

namespace tern {

// The kernel-control surface every family exposes (for tests, benchmarks
// and `tern speed`): list the kernels compiled in, see which run here,
// select one by name, and ask which is active.
class KernelSet {
 public:
  virtual std::size_t count() const noexcept = 0;
  virtual const char* name(std::size_t i) const noexcept = 0;
  // True when kernel i can run on this CPU (after TERN_CPU_DISABLE).
  virtual bool supported(std::size_t i) const noexcept = 0;
  // Name of the kernel in use.
  virtual const char* active() noexcept = 0;
  virtual bool select(std::string_view name) noexcept = 0;
  // Back to the best supported kernel.
  virtual void reset() noexcept = 0;

 protected:
  ~KernelSet() = default;
};

namespace internal {

// The state of one family's dispatch: not polymorphic, so a build that
// never asks for the family's KernelSet (e.g. a small static client) does
// not keep the KernelSet vtable and its functions (KernelSetOf below).
template <class K>
class Dispatch {
 public:
  explicit constexpr Dispatch(std::span<const K> kernels) noexcept : kernels_(kernels) {}

  std::size_t count() const noexcept { return kernels_.size(); }
  const char* name(std::size_t i) const noexcept { return kernels_[i].name; }
  bool supported(std::size_t i) const noexcept { return cpu::has(kernels_[i].needs); }
  const char* active() noexcept { return get().name; }

  // The kernel in use (the best supported one unless select() chose another).
  const K& get() noexcept {
    const K* k = active_.load(std::memory_order_acquire);
    if (k == nullptr) {
      k = best();
      active_.store(k, std::memory_order_release);
    }
    return *k;
  }
  const K* best() const noexcept {
    for (const K& k : kernels_)
      if (cpu::has(k.needs)) return &k;
    return &kernels_.back();  // the portable kernel needs nothing
  }
  // Selects a supported kernel by name; false if unknown or unsupported here.
  bool select(std::string_view name) noexcept {
    for (const K& k : kernels_)
      if (name == k.name && cpu::has(k.needs)) {
        active_.store(&k, std::memory_order_release);
        return true;
      }
    return false;
  }
  void reset() noexcept { active_.store(best(), std::memory_order_release); }
  std::span<const K> all() const noexcept { return kernels_; }

 private:
  std::span<const K> kernels_;
  std::atomic<const K*> active_{nullptr};
};

// The KernelSet view of a Dispatch, for the family's xxx_kernels():
//   KernelSet& aes_gcm_kernels() noexcept { static internal::KernelSetOf<GcmKernel> s{g_dispatch}; return s; }
// (constant-initialised: no guard).
template <class K>
class KernelSetOf final : public KernelSet {
 public:
  explicit constexpr KernelSetOf(Dispatch<K>& d) noexcept : d_(d) {}
  std::size_t count() const noexcept override { return d_.count(); }
  const char* name(std::size_t i) const noexcept override { return d_.name(i); }
  bool supported(std::size_t i) const noexcept override { return d_.supported(i); }
  const char* active() noexcept override { return d_.active(); }
  bool select(std::string_view name) noexcept override { return d_.select(name); }
  void reset() noexcept override { d_.reset(); }

 private:
  Dispatch<K>& d_;
};

}  // namespace internal
}  // namespace tern
