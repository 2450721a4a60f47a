// The minimal TLS 1.3 client measured by scripts/size-report.sh: one
// connection over file descriptors 0/1 (a socket or a pipe set up by the
// caller), AES-128-GCM-SHA256, X25519, ECDSA P-256 server signatures,
// X.509 path validation against one trust anchor (DER file, argv[2]) and
// the host name argv[1]. Sends a request and copies the reply to fd 2.
// POSIX I/O only (no iostreams), so the binary holds what a vendored
// client would.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "tls/connection.hpp"
#include "tls/x509_verifier.hpp"
#include "x509/path/verify.hpp"

namespace {

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
  std::vector<std::uint8_t> anchor;
  const int fd = ::open(argv[2], O_RDONLY);
  if (fd < 0) return 2;
  std::uint8_t buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) anchor.insert(anchor.end(), buf, buf + n);
  ::close(fd);
  tern::x509::TrustStore store;
  if (store.add_der(anchor) != tern::Status::ok) return 2;
  tern::tls::X509Verifier verifier(store);

  tern::tls::Config cfg;
  cfg.cipher_suites = {0x1301};
  cfg.groups = {0x001d};
  cfg.signature_schemes = {0x0403};
  cfg.server_name = argv[1];
  cfg.verifier = &verifier;
  tern::tls::Connection conn(tern::tls::Role::client, cfg);

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
  return conn.state() == tern::tls::ConnState::failed ? 1 : 0;
}
