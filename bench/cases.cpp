#include "bench/cases.hpp"

namespace tern::bench {

std::vector<Case>& registry() {
  static std::vector<Case> r;
  return r;
}

void add(Case c) { registry().push_back(std::move(c)); }

}  // namespace tern::bench
