// Wiping secrets: one function the compiler cannot remove, and an RAII
// holder that wipes an object when it goes out of scope.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tern {

// Overwrites n bytes at p with zeros; never optimised away.
void wipe(void* p, std::size_t n) noexcept;

template <class T>
inline void wipe_object(T& obj) noexcept { wipe(&obj, sizeof(obj)); }

inline void wipe(std::span<std::uint8_t> s) noexcept { wipe(s.data(), s.size()); }

// Wipes *obj when the scope ends: `WipeOnExit guard(key_schedule);`.
template <class T>
class WipeOnExit {
 public:
  explicit WipeOnExit(T& obj) noexcept : obj_(obj) {}
  ~WipeOnExit() { wipe(&obj_, sizeof(T)); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  T& obj_;
};

}  // namespace tern
