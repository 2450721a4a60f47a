#include "tls/net/net.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tern::tls::net {

int tcp_connect(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string p = std::to_string(port);
  if (getaddrinfo(host.c_str(), p.c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = res; a; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

int tcp_listen(std::uint16_t port, std::uint16_t* bound) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 16) != 0) {
    ::close(fd);
    return -1;
  }
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  if (bound) *bound = ntohs(sa.sin_port);
  return fd;
}

int tcp_accept(int listen_fd) {
  for (;;) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd >= 0 || errno != EINTR) return fd;
  }
}

namespace {
bool flush(int fd, Connection& conn) {
  for (;;) {
    Bytes out = conn.pending_output();
    if (out.empty()) return true;
    ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    conn.consume_output(static_cast<std::size_t>(n));
  }
}

// Reads once from the socket and feeds everything; false on EOF/error.
bool pull(int fd, Connection& conn) {
  std::uint8_t buf[16384];
  ssize_t n;
  do {
    n = ::recv(fd, buf, sizeof buf, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  std::size_t off = 0;
  while (off < static_cast<std::size_t>(n)) {
    std::size_t used = conn.feed(Bytes(buf + off, static_cast<std::size_t>(n) - off));
    off += used;
    if (used == 0) break;  // failed/closed, or the caller must read first
  }
  return off == static_cast<std::size_t>(n) || conn.state() != ConnState::failed;
}
}  // namespace

Err handshake(int fd, Connection& conn) {
  for (;;) {
    bool flushed = flush(fd, conn);
    if (conn.state() == ConnState::failed) return Err{conn.alert(), conn.error()};
    if (!flushed) return fail(Alert::internal_error, "socket write failed");
    if (conn.state() != ConnState::handshaking) return kOk;
    if (!pull(fd, conn)) {
      flush(fd, conn);
      if (conn.state() == ConnState::failed) return Err{conn.alert(), conn.error()};
      return fail(Alert::internal_error, "connection closed during the handshake");
    }
  }
}

Err send_all(int fd, Connection& conn, Bytes data) {
  TERN_TLS_TRY(conn.write(data));
  if (!flush(fd, conn)) return fail(Alert::internal_error, "socket write failed");
  return kOk;
}

long receive(int fd, Connection& conn, std::span<std::uint8_t> buf) {
  for (;;) {
    std::size_t n = conn.read(buf);
    if (n) return static_cast<long>(n);
    if (conn.state() == ConnState::failed) return -1;
    if (conn.peer_closed()) return 0;
    if (!pull(fd, conn)) return conn.state() == ConnState::failed ? -1 : 0;
    flush(fd, conn);  // e.g. a KeyUpdate answer
  }
}

void close_notify(int fd, Connection& conn) {
  conn.close();
  flush(fd, conn);
}

}  // namespace tern::tls::net
