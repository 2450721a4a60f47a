#include "crypto/internal/wipe.hpp"

#include <cstring>

namespace tern {

void wipe(void* p, std::size_t n) noexcept {
  if (n == 0) return;
  std::memset(p, 0, n);
  // The asm takes the pointer and clobbers memory, so the stores above are
  // observable and cannot be removed as dead.
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

}  // namespace tern
