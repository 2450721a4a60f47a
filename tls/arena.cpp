#include "tls/arena.hpp"

#include <cstring>

namespace tern::tls {

namespace {
// Block layout: [Header][payload], headers kHdr bytes apart from payloads.
// size: bytes of the whole block (header included), a multiple of kAlign;
// bit 0 set while the block is in use. prev: size of the block before it
// (0 for the first), so a freed block merges with both neighbours in O(1).
struct Header {
  std::size_t size;
  std::size_t prev;
};
constexpr std::size_t kAlign = alignof(std::max_align_t);
constexpr std::size_t kHdr = (sizeof(Header) + kAlign - 1) / kAlign * kAlign;
constexpr std::size_t kUsed = 1;

Header* at(std::uintptr_t a) noexcept { return reinterpret_cast<Header*>(a); }
std::uintptr_t addr(const Header* h) noexcept { return reinterpret_cast<std::uintptr_t>(h); }
std::size_t bsize(const Header* h) noexcept { return h->size & ~kUsed; }

thread_local Arena* g_current = nullptr;
}  // namespace

Arena::Arena(std::span<std::uint8_t> buffer) noexcept {
  std::uintptr_t b = reinterpret_cast<std::uintptr_t>(buffer.data());
  std::uintptr_t e = b + buffer.size();
  b = (b + kAlign - 1) / kAlign * kAlign;
  if (e < b) e = b;
  e -= (e - b) % kAlign;
  if (e - b < 2 * kHdr) e = b;  // too small to hold one block
  begin_ = b;
  end_ = e;
  if (e > b) {
    Header* h = at(b);
    h->size = e - b;
    h->prev = 0;
  }
}

void* Arena::allocate(std::size_t n) noexcept {
  if (n == 0) n = 1;
  if (n > capacity()) {
    exhausted_ = true;
    return nullptr;
  }
  const std::size_t need = kHdr + (n + kAlign - 1) / kAlign * kAlign;
  // First fit.
  for (std::uintptr_t a = begin_; a < end_; a += bsize(at(a))) {
    Header* h = at(a);
    if ((h->size & kUsed) || h->size < need) continue;
    const std::size_t have = h->size;
    if (have - need >= 2 * kHdr) {  // split: the rest stays a free block
      Header* rest = at(a + need);
      rest->size = have - need;
      rest->prev = need;
      if (a + have < end_) at(a + have)->prev = have - need;
      h->size = need;
    }
    h->size |= kUsed;
    used_ += bsize(h);
    if (used_ > peak_) peak_ = used_;
    return reinterpret_cast<void*>(a + kHdr);
  }
  exhausted_ = true;
  return nullptr;
}

void Arena::deallocate(void* p) noexcept {
  if (!p) return;
  Header* h = at(reinterpret_cast<std::uintptr_t>(p) - kHdr);
  h->size &= ~kUsed;
  used_ -= h->size;
  // Merge with the next block, then into the previous one; the block after
  // the result learns its new predecessor size once, at the end (setting
  // it when nothing merged rewrites the value it already holds).
  const std::uintptr_t next = addr(h) + h->size;
  if (next < end_ && !(at(next)->size & kUsed)) h->size += at(next)->size;
  if (h->prev) {
    Header* prev = at(addr(h) - h->prev);
    if (!(prev->size & kUsed)) {
      prev->size += h->size;
      h = prev;
    }
  }
  if (addr(h) + h->size < end_) at(addr(h) + h->size)->prev = h->size;
}

Arena* Arena::current() noexcept { return g_current; }

ArenaScope::ArenaScope(Arena* a) noexcept : prev_(g_current) { g_current = a; }
ArenaScope::~ArenaScope() { g_current = prev_; }

namespace detail {
void ArenaHold::enter(Arena* a) noexcept {
  if (active_) leave();
  prev_ = g_current;
  g_current = a;
  active_ = true;
}
void ArenaHold::leave() noexcept {
  if (!active_) return;
  g_current = prev_;
  active_ = false;
}

void* arena_alloc(std::size_t n) {
  if (Arena* a = g_current) {
    if (void* p = a->allocate(n)) return p;
    // Exhausted: marked; this one allocation comes from the heap so the
    // container stays valid until the connection fails cleanly.
  }
  return ::operator new(n);
}
void arena_free(void* p) noexcept {
  if (!p) return;
  if (Arena* a = g_current; a && a->owns(p)) {
    a->deallocate(p);
    return;
  }
  ::operator delete(p);
}
}  // namespace detail

}  // namespace tern::tls
