// A single-threaded, non-blocking TLS server over poll(): one thread serves
// many connections. It accepts on a listening socket, drives each sans-I/O
// Connection (handshake, records, close_notify) on non-blocking sockets,
// and hands received application data to a callback whose reply is sent
// back on the same connection.
//
//   int lfd = net::tcp_listen(0, &port);
//   net::PollServer srv(cfg, lfd, [](std::uint64_t id, Bytes in, std::vector<std::uint8_t>& reply) {
//     reply.assign(in.begin(), in.end());   // echo
//   });
//   while (running) srv.poll_once(100);
//
// Each connection has an idle timeout (no bytes received for
// Options::idle_timeout_ms closes it), so a silent peer cannot hold a slot
// forever; at most Options::max_connections are served at once (further
// connections wait in the listen backlog). Nothing here throws; the
// listening socket stays the caller's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "tls/config.hpp"
#include "tls/connection.hpp"

namespace tern::tls::net {

class PollServer {
 public:
  // Called with the application data received on connection `id`; bytes
  // appended to `reply` are written back on that connection.
  using OnData = std::function<void(std::uint64_t id, Bytes data, std::vector<std::uint8_t>& reply)>;

  struct Options {
    std::size_t max_connections = 1024;
    int idle_timeout_ms = 30000;
  };
  struct Stats {
    std::uint64_t accepted = 0;
    std::uint64_t handshakes = 0;        // connections that reached "open"
    std::uint64_t failed = 0;            // TLS errors, I/O errors and timeouts
    std::uint64_t closed = 0;            // connections ended (any reason)
    std::uint64_t bytes_in = 0, bytes_out = 0;  // application data
  };

  PollServer(const Config& cfg, int listen_fd, OnData on_data) : PollServer(cfg, listen_fd, std::move(on_data), Options{}) {}
  PollServer(const Config& cfg, int listen_fd, OnData on_data, Options opt);
  ~PollServer();  // closes the connections' sockets (not the listener)
  PollServer(const PollServer&) = delete;
  PollServer& operator=(const PollServer&) = delete;

  // One poll() round: waits up to timeout_ms for activity, then accepts,
  // reads, writes and closes as needed. False if poll() itself failed.
  bool poll_once(int timeout_ms);

  std::size_t active() const noexcept { return conns_.size(); }
  const Stats& stats() const noexcept { return stats_; }

 private:
  struct Conn;
  void accept_new();
  // Reads what the socket has, feeds it, serves the application data.
  void on_readable(Conn& c);
  // Sends pending output; false on a socket error.
  bool flush(Conn& c);
  bool should_close(const Conn& c) const;
  void finish(Conn& c);

  const Config& cfg_;
  int listen_fd_;
  OnData on_data_;
  Options opt_;
  Stats stats_;
  std::uint64_t next_id_ = 1;
  std::vector<std::unique_ptr<Conn>> conns_;
};

}  // namespace tern::tls::net
