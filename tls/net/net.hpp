// Blocking POSIX sockets around the sans-I/O Connection (nothing in the
// core depends on this). One thread, one socket, blocking calls.
#pragma once

#include <cstdint>
#include <string>

#include "tls/connection.hpp"

namespace tern::tls::net {

// TCP helpers: -1 on failure.
int tcp_connect(const std::string& host, std::uint16_t port);
// Listens on 127.0.0.1:port (0 picks a free port; *bound receives it).
int tcp_listen(std::uint16_t port, std::uint16_t* bound);
int tcp_accept(int listen_fd);

// Drives `conn` over `fd` until the handshake completes or fails.
// Returns kOk or the connection's error (internal_error for I/O errors).
Err handshake(int fd, Connection& conn);
// Sends all of `data` (writes records and flushes them).
Err send_all(int fd, Connection& conn, Bytes data);
// Receives application data into `buf`: blocks until at least one byte is
// available; 0 when the peer closed (close_notify or EOF); -1 on error.
long receive(int fd, Connection& conn, std::span<std::uint8_t> buf);
// Sends close_notify and flushes.
void close_notify(int fd, Connection& conn);

}  // namespace tern::tls::net
