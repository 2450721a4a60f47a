// Runs the constant-time cases. Usage:
//   tern-ct-check            every non-leaky case (run under valgrind)
//   tern-ct-check --leaky    only the deliberately leaky self-test, which
//                            valgrind must flag (the meson test expects failure)
//   tern-ct-check --list
#include <cstdio>
#include <cstring>

#include "crypto/internal/dispatch.hpp"
#include "tests/ct/ct.hpp"

namespace tern::ctcheck {
std::vector<Case>& registry() {
  static std::vector<Case> r;
  return r;
}
}  // namespace tern::ctcheck

namespace {
// The self-test: a table lookup and a branch on a secret byte. If valgrind
// does not report this, the check is not working.
volatile unsigned char g_sink;
void leaky() {
  static const unsigned char table[256] = {1, 2, 3};
  unsigned char key[16] = {0x42};
  tern::ctcheck::secret(key, sizeof key);
  g_sink = table[key[0]];      // secret index
  if (key[1] == 7) g_sink = 1; // secret branch
}
static tern::ctcheck::Registrar g_leaky_reg("selftest-leaky", leaky, true);
}  // namespace

int main(int argc, char** argv) {
  using namespace tern::ctcheck;
  const bool want_leaky = argc > 1 && std::strcmp(argv[1], "--leaky") == 0;
  const bool list = argc > 1 && std::strcmp(argv[1], "--list") == 0;
  int n = 0;
  for (const auto& c : registry()) {
    if (list) { std::printf("%s%s\n", c.name.c_str(), c.leaky ? " (self-test, must fail)" : ""); continue; }
    if (c.leaky != want_leaky) continue;
    std::printf("ct: %s\n", c.name.c_str());
    std::fflush(stdout);
    c.run();
    ++n;
  }
  if (!list) std::printf("ct: %d case(s) run%s\n", n, RUNNING_ON_VALGRIND ? " under valgrind" : " (NOT under valgrind: nothing checked)");
  return 0;
}
