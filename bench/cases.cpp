#include "bench/cases.hpp"

namespace tern::bench {

std::vector<Case>& registry() {
  static std::vector<Case> r;
  return r;
}

namespace {
std::vector<std::function<void()>>& reset_hooks() {
  static std::vector<std::function<void()>> hooks;
  return hooks;
}
}  // namespace

void on_reset(std::function<void()> hook) { reset_hooks().push_back(std::move(hook)); }

void add(Case c) {
  c.setup = [setup = std::move(c.setup)] {
    for (auto& h : reset_hooks()) h();
    if (setup) setup();
  };
  registry().push_back(std::move(c));
}

}  // namespace tern::bench
