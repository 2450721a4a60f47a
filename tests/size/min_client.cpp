// The minimal TLS 1.3 client measured by scripts/size-report.sh: one
// connection over file descriptors 0/1 (a socket or a pipe set up by the
// caller), AES-128-GCM-SHA256, X25519, ECDSA P-256 server signatures,
// X.509 path validation against one trust anchor (DER file, argv[2]) and
// the host name argv[1]. Sends a request and copies the reply to fd 2.
// POSIX I/O only (no iostreams), so the binary holds what a vendored
// client would. The connection runs in no-heap mode: everything it
// allocates (handshake, peer chain, record buffers) comes from a static
// tls::Arena (issue #8 measured a peak of ~34 KB with 16 KiB records);
// only the setup (Config, TrustStore) uses the heap. scripts/size-report.sh
// --run links a second copy with tests/size/heap_count.c and
// TERN_SIZE_HEAP_PHASES to count the heap calls of each phase.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "tls/arena.hpp"
#include "tls/connection.hpp"
#include "tls/x509_verifier.hpp"
#include "x509/path/verify.hpp"

#if defined(TERN_SIZE_HEAP_PHASES)
extern "C" void tern_heap_phase(int phase);
#define HEAP_PHASE(p) tern_heap_phase(p)
#else
#define HEAP_PHASE(p) ((void)0)
#endif

namespace {

std::uint8_t g_arena[48 * 1024];
std::uint8_t g_anchor[8 * 1024];

bool write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n) {
    const ssize_t w = ::write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool flush(tern::tls::Connection& c) {
  auto out = c.pending_output();
  if (out.empty()) return true;
  if (!write_all(1, out.data(), out.size())) return false;
  c.consume_output(out.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  std::size_t anchor_len = 0;
  const int fd = ::open(argv[2], O_RDONLY);
  if (fd < 0) return 2;
  for (ssize_t n; (n = ::read(fd, g_anchor + anchor_len, sizeof g_anchor - anchor_len)) > 0;)
    anchor_len += static_cast<std::size_t>(n);
  ::close(fd);
  tern::x509::TrustStore store;
  if (store.add_der(tern::x509::Bytes(g_anchor, anchor_len)) != tern::Status::ok) return 2;
  tern::tls::X509Verifier verifier(store);

  tern::tls::Config cfg;
  cfg.cipher_suites = {0x1301};
  cfg.groups = {0x001d};
  cfg.signature_schemes = {0x0403};
  cfg.server_name = argv[1];
  cfg.verifier = &verifier;
  tern::tls::Arena arena{std::span<std::uint8_t>(g_arena)};
  HEAP_PHASE(1);  // from here on: the connection
  tern::tls::Connection conn(tern::tls::Role::client, cfg, &arena);

  std::uint8_t buf[4096];
  bool sent = false;
  static const char kRequest[] = "GET / HTTP/1.0\r\n\r\n";
  while (conn.state() == tern::tls::ConnState::handshaking || conn.state() == tern::tls::ConnState::open) {
    if (!flush(conn)) return 1;
    if (conn.state() == tern::tls::ConnState::open && !sent) {
      if (conn.write(tern::tls::Bytes(reinterpret_cast<const std::uint8_t*>(kRequest), sizeof kRequest - 1))) return 1;
      sent = true;
      continue;
    }
    const ssize_t n = ::read(0, buf, sizeof buf);
    if (n <= 0) break;
    conn.feed(tern::tls::Bytes(buf, static_cast<std::size_t>(n)));
    for (std::size_t got; (got = conn.read(buf)) > 0;) write_all(2, buf, got);
  }
  flush(conn);
  HEAP_PHASE(2);
  return conn.state() == tern::tls::ConnState::failed ? 1 : 0;
}
