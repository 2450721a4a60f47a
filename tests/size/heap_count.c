/* Heap-call counter for the size client (scripts/size-report.sh --run).
 * Linked into a second copy of min-client with -Wl,--wrap for every C
 * allocation entry point; libstdc++'s operator new reaches malloc, so C++
 * allocations are counted too. min_client.cpp, compiled with
 * TERN_SIZE_HEAP_PHASES, calls tern_heap_phase() when it has finished its
 * setup (phase 1: from the Connection's construction on) and when the
 * connection is over (phase 2). At exit the counts go to stderr as
 *   heap: startup+setup N, connection M, after K
 * Not part of the measured binary. */
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

void* __real_malloc(size_t n);
void* __real_calloc(size_t n, size_t m);
void* __real_realloc(void* p, size_t n);
void* __real_aligned_alloc(size_t a, size_t n);
int __real_posix_memalign(void** p, size_t a, size_t n);

static unsigned long calls[3];
static int phase;

void tern_heap_phase(int p) {
  if (p >= 0 && p < 3) phase = p;
}

void* __wrap_malloc(size_t n) {
  calls[phase]++;
  return __real_malloc(n);
}
void* __wrap_calloc(size_t n, size_t m) {
  calls[phase]++;
  return __real_calloc(n, m);
}
void* __wrap_realloc(void* p, size_t n) {
  calls[phase]++;
  return __real_realloc(p, n);
}
void* __wrap_aligned_alloc(size_t a, size_t n) {
  calls[phase]++;
  return __real_aligned_alloc(a, n);
}
int __wrap_posix_memalign(void** p, size_t a, size_t n) {
  calls[phase]++;
  return __real_posix_memalign(p, a, n);
}

__attribute__((destructor)) static void report(void) {
  char buf[128];
  const int k = snprintf(buf, sizeof buf, "heap: startup+setup %lu, connection %lu, after %lu\n", calls[0], calls[1],
                         calls[2]);
  if (k > 0) (void)!write(2, buf, (size_t)k);
}
