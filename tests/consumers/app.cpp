// A tiny program that uses tern from outside the tree: as a Meson
// subproject (meson.build here) and through the installed pkg-config file
// (scripts/consumer-test.sh builds it both ways).
#include <cstdio>

#include "crypto/internal/cpu.hpp"
#include "crypto/internal/random.hpp"
#include "crypto/status.hpp"

int main() {
  std::uint8_t buf[16];
  const tern::Status s = tern::random_bytes(buf);
  std::printf("tern consumer: random_bytes -> %s, cpu features 0x%x\n", tern::to_string(s),
              tern::cpu::features());
  return s == tern::Status::ok ? 0 : 1;
}
