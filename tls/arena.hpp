// No-heap mode: a caller-provided memory arena for TLS connections.
//
//   std::uint8_t mem[48 * 1024];
//   tls::Arena arena(mem);                       // owns nothing, never allocates
//   tls::Connection conn(tls::Role::client, cfg, &arena);
//
// While a connection with an arena runs one of its member functions
// (constructor and destructor included), that arena is the thread's
// "current" arena (ArenaScope), and every allocation the TLS stack makes
// through tls::Alloc -- the containers of tls/ (connection buffers,
// handshake messages, transcript, key shares, peer certificates) and of
// the X.509 path validation it calls -- is served from the arena instead
// of the global heap. Without an arena, Alloc is std::allocator-like and
// uses global operator new: nothing changes for other users.
//
// The arena is a first-fit free list with boundary tags over the caller's
// buffer: freed blocks are coalesced and reused, so a long-lived
// connection (KeyUpdate, tickets) does not wear it out. Overhead: a header
// of 2 words (rounded to alignof(max_align_t)) per block.
//
// Exhaustion: Arena::allocate returns nullptr. Alloc cannot hand nullptr to
// a standard container (the library is built without exceptions), so it
// then takes that one allocation from the global heap and marks the arena
// exhausted(); the connection checks the mark at the end of every call and
// fails with internal_error ("memory arena exhausted"), sends the alert,
// and does nothing more. So a too-small arena is a clean, named error --
// but the allocation that did not fit did touch the heap. Size the arena
// with some margin: peak() reports the high-water mark.
//
// Rules: one arena per connection (or several connections used by one
// thread at a time); an arena must outlive its connection, and memory from
// it is only freed while it is current (the connection guarantees that for
// everything it owns). Not thread-safe: like the Connection itself.
// Deallocation is decided by address: a block inside the current arena's
// buffer goes back to it; anything else goes to the heap.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace tern::tls {

class Arena {
 public:
  explicit Arena(std::span<std::uint8_t> buffer) noexcept;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // A block of at least n bytes aligned to alignof(std::max_align_t), or
  // nullptr (and exhausted() becomes true) when no free block is large enough.
  void* allocate(std::size_t n) noexcept;
  // p from allocate() of this arena (nullptr ignored).
  void deallocate(void* p) noexcept;
  bool owns(const void* p) const noexcept {
    auto a = reinterpret_cast<std::uintptr_t>(p);
    return a >= begin_ && a < end_;
  }

  std::size_t capacity() const noexcept { return end_ - begin_; }
  std::size_t used() const noexcept { return used_; }  // bytes in live blocks, headers included
  std::size_t peak() const noexcept { return peak_; }
  bool exhausted() const noexcept { return exhausted_; }
  void reset_peak() noexcept { peak_ = used_; }

  // The thread's current arena (nullptr: the global heap).
  static Arena* current() noexcept;

 private:
  friend class ArenaScope;
  std::uintptr_t begin_ = 0, end_ = 0;  // aligned usable range
  std::size_t used_ = 0, peak_ = 0;
  bool exhausted_ = false;
};

// Makes `a` (may be nullptr: the heap) current for the scope's lifetime.
class ArenaScope {
 public:
  explicit ArenaScope(Arena* a) noexcept;
  ~ArenaScope();
  ArenaScope(const ArenaScope&) = delete;
  ArenaScope& operator=(const ArenaScope&) = delete;

 private:
  Arena* prev_;
};

namespace detail {
// ArenaScope for an object's construction and destruction (Connection's
// first member): enter() makes an arena current, leave() (or the
// destructor, which runs after every later member's) restores the previous.
class ArenaHold {
 public:
  explicit ArenaHold(Arena* a) noexcept { enter(a); }
  ~ArenaHold() { leave(); }
  ArenaHold(const ArenaHold&) = delete;
  ArenaHold& operator=(const ArenaHold&) = delete;
  void enter(Arena* a) noexcept;
  void leave() noexcept;

 private:
  Arena* prev_ = nullptr;
  bool active_ = false;
};
// From the current arena, else (no arena, or it is exhausted) the heap.
void* arena_alloc(std::size_t n);
void arena_free(void* p) noexcept;
}  // namespace detail

// A stateless allocator over the current arena (the heap without one).
// All instances compare equal: containers may be moved and swapped freely.
template <class T>
struct Alloc {
  using value_type = T;
  Alloc() noexcept = default;
  template <class U>
  Alloc(const Alloc<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(detail::arena_alloc(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) noexcept { detail::arena_free(p); }
  template <class U>
  bool operator==(const Alloc<U>&) const noexcept {
    return true;
  }
};

// The containers of tls/ and of the X.509 code the handshake runs.
template <class T>
using ArenaVector = std::vector<T, Alloc<T>>;
using ByteVector = ArenaVector<std::uint8_t>;
using ArenaString = std::basic_string<char, std::char_traits<char>, Alloc<char>>;

// An arena vector equals a vector of the same elements with any other
// allocator (e.g. a std::vector); found by argument-dependent lookup.
template <class T, class A>
  requires(!std::is_same_v<A, Alloc<T>>)
bool operator==(const std::vector<T, Alloc<T>>& a, const std::vector<T, A>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Construct/destroy one object through the current arena.
template <class T, class... A>
T* arena_new(A&&... a) {
  return ::new (detail::arena_alloc(sizeof(T))) T(static_cast<A&&>(a)...);
}
template <class T>
void arena_delete(T* p) noexcept {
  if (!p) return;
  p->~T();
  detail::arena_free(p);
}
// A unique_ptr-like owner for arena_new objects.
template <class T>
class ArenaPtr {
 public:
  ArenaPtr() noexcept = default;
  explicit ArenaPtr(T* p) noexcept : p_(p) {}
  ArenaPtr(ArenaPtr&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  ArenaPtr& operator=(ArenaPtr&& o) noexcept {
    if (this != &o) {
      reset();
      p_ = o.p_;
      o.p_ = nullptr;
    }
    return *this;
  }
  ~ArenaPtr() { reset(); }
  void reset() noexcept {
    arena_delete(p_);
    p_ = nullptr;
  }
  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};
template <class T, class... A>
ArenaPtr<T> make_arena(A&&... a) {
  return ArenaPtr<T>(arena_new<T>(static_cast<A&&>(a)...));
}

}  // namespace tern::tls
