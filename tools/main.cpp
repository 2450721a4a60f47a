// tern: the command-line tool.
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/commands.hpp"

namespace tern::tool {

int fail(int code, const std::string& msg) {
  std::fprintf(stderr, "tern: %s\n", msg.c_str());
  return code;
}

namespace {
struct Command {
  const char* name;
  int (*fn)(const Args&);
  const char* summary;
};
const Command kCommands[] = {
    {"speed", cmd_speed, "measure the throughput of every primitive and kernel"},
    {"keygen", cmd_keygen, "generate a private key (Ed25519, ECDSA P-256/P-384)"},
    {"cert", cmd_cert, "issue, show, verify and check certificates (tern cert --help)"},
    {"client", cmd_client, "connect to a TLS 1.3 server and relay stdin/stdout"},
    {"server", cmd_server, "serve TLS 1.3 (echo or a simple HTTP response)"},
};

void usage(std::FILE* out) {
  std::fprintf(out, "usage: tern COMMAND [ARGS]\n\ncommands:\n");
  for (const auto& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\n'tern COMMAND --help' describes each command.\n");
}
}  // namespace
}  // namespace tern::tool

int main(int argc, char** argv) {
  using namespace tern::tool;
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(stdout);
    return 0;
  }
  for (const auto& c : kCommands)
    if (cmd == c.name) return c.fn(Args(argv + 2, argv + argc));
  std::fprintf(stderr, "tern: unknown command '%s'\n", cmd.c_str());
  usage(stderr);
  return 2;
}
