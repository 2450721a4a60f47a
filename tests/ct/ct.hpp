// The constant-time check: operations run under valgrind memcheck with their
// secret inputs marked undefined. Memcheck then reports every conditional
// branch and every memory index that depends on a secret as a use of
// uninitialised memory, and the run fails (--error-exitcode).
//
// Each ct_<family>.cpp registers its cases with TERN_CT_CASE. Outputs that
// are public by design (a MAC that is then sent) must be declassify()d
// before the harness looks at them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <valgrind/memcheck.h>

namespace tern::ctcheck {

inline void secret(const void* p, std::size_t n) { (void)VALGRIND_MAKE_MEM_UNDEFINED(p, n); }
inline void declassify(const void* p, std::size_t n) { (void)VALGRIND_MAKE_MEM_DEFINED(p, n); }

struct Case {
  std::string name;
  std::function<void()> run;
  bool leaky;  // the deliberately leaky self-test: must be caught
};
std::vector<Case>& registry();
struct Registrar {
  Registrar(const char* name, std::function<void()> fn, bool leaky = false) {
    registry().push_back({name, std::move(fn), leaky});
  }
};

}  // namespace tern::ctcheck

#define TERN_CT_CONCAT2(a, b) a##b
#define TERN_CT_CONCAT(a, b) TERN_CT_CONCAT2(a, b)
#define TERN_CT_CASE(name, fn) \
  static ::tern::ctcheck::Registrar TERN_CT_CONCAT(tern_ct_reg_, __LINE__)(name, fn)
