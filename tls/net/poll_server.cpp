#include "tls/net/poll_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace tern::tls::net {

using Clock = std::chrono::steady_clock;

struct PollServer::Conn {
  int fd = -1;
  std::uint64_t id = 0;
  std::unique_ptr<Connection> tls;
  Clock::time_point last;
  bool eof = false;        // the peer closed its side of the socket
  bool io_error = false;   // a socket error
  bool was_open = false;   // counted in stats_.handshakes
  bool close_sent = false;
};

PollServer::PollServer(const Config& cfg, int listen_fd, OnData on_data, Options opt)
    : cfg_(cfg), listen_fd_(listen_fd), on_data_(std::move(on_data)), opt_(opt) {
  // accept() must never block: a client may vanish between poll() and accept().
  const int fl = ::fcntl(listen_fd_, F_GETFL, 0);
  if (fl >= 0) ::fcntl(listen_fd_, F_SETFL, fl | O_NONBLOCK);
}

PollServer::~PollServer() {
  for (auto& c : conns_)
    if (c->fd >= 0) ::close(c->fd);
}

void PollServer::accept_new() {
  while (conns_.size() < opt_.max_connections) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN, or a connection that died before we took it
    }
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->id = next_id_++;
    c->tls = std::make_unique<Connection>(Role::server, cfg_);
    c->last = Clock::now();
    conns_.push_back(std::move(c));
    ++stats_.accepted;
  }
}

void PollServer::on_readable(Conn& c) {
  std::uint8_t buf[16384];
  std::vector<std::uint8_t> reply;
  // A few reads per round, so one busy peer cannot starve the others.
  for (int round = 0; round < 4; ++round) {
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) c.io_error = true;
      return;
    }
    if (n == 0) {
      c.eof = true;
      return;
    }
    c.last = Clock::now();
    std::size_t off = 0;
    while (off < static_cast<std::size_t>(n)) {
      const std::size_t used = c.tls->feed(Bytes(buf + off, static_cast<std::size_t>(n) - off));
      off += used;
      // Serve the application data at once (so feed() never stalls on it).
      while (c.tls->readable()) {
        std::uint8_t app[4096];
        const std::size_t got = c.tls->read(app);
        stats_.bytes_in += got;
        if (on_data_) on_data_(c.id, Bytes(app, got), reply);
      }
      if (!reply.empty()) {
        if (c.tls->state() == ConnState::open && !c.tls->write(reply)) stats_.bytes_out += reply.size();
        reply.clear();
      }
      if (used == 0) break;  // failed or closed: the rest is dropped
    }
    if (c.tls->state() == ConnState::failed || c.tls->peer_closed()) return;
    if (static_cast<std::size_t>(n) < sizeof buf) return;  // drained
  }
}

bool PollServer::flush(Conn& c) {
  for (;;) {
    Bytes out = c.tls->pending_output();
    if (out.empty()) return true;
    const ssize_t n = ::send(c.fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;  // POLLOUT later
      c.io_error = true;
      return false;
    }
    c.tls->consume_output(static_cast<std::size_t>(n));
  }
}

bool PollServer::should_close(const Conn& c) const {
  if (c.io_error) return true;
  const bool drained = c.tls->pending_output().empty();
  const ConnState st = c.tls->state();
  if (st == ConnState::failed) return drained || c.eof;  // the alert went out (or cannot)
  if (c.eof) return true;
  if (c.close_sent && drained) return true;
  if (opt_.idle_timeout_ms > 0 && Clock::now() - c.last > std::chrono::milliseconds(opt_.idle_timeout_ms)) return true;
  return false;
}

void PollServer::finish(Conn& c) {
  const bool clean = c.close_sent || (c.tls->peer_closed() && c.tls->state() != ConnState::failed);
  if (!clean) ++stats_.failed;
  ++stats_.closed;
  ::close(c.fd);
  c.fd = -1;
}

bool PollServer::poll_once(int timeout_ms) {
  std::vector<pollfd> fds;
  fds.reserve(conns_.size() + 1);
  const bool accepting = conns_.size() < opt_.max_connections;
  fds.push_back(pollfd{listen_fd_, static_cast<short>(accepting ? POLLIN : 0), 0});
  for (const auto& c : conns_) {
    short ev = c->eof ? 0 : POLLIN;
    if (!c->tls->pending_output().empty()) ev |= POLLOUT;
    fds.push_back(pollfd{c->fd, ev, 0});
  }
  const int r = ::poll(fds.data(), fds.size(), timeout_ms);
  if (r < 0) return errno == EINTR;
  if (fds[0].revents & POLLIN) accept_new();
  // conns_ may have grown: only the first fds.size()-1 were polled.
  for (std::size_t i = 1; i < fds.size(); ++i) {
    Conn& c = *conns_[i - 1];
    const short re = fds[i].revents;
    if (re & (POLLIN | POLLHUP | POLLERR)) on_readable(c);
  }
  for (auto& cp : conns_) {
    Conn& c = *cp;
    if (!c.was_open && c.tls->state() == ConnState::open) {
      c.was_open = true;
      ++stats_.handshakes;
    }
    if (c.tls->peer_closed() && !c.close_sent && c.tls->state() != ConnState::failed) {
      c.tls->close();  // answer close_notify
      c.close_sent = true;
    }
    if (!c.io_error) flush(c);
    if (should_close(c)) finish(c);
  }
  // Drop the finished ones (order is not significant).
  for (std::size_t i = 0; i < conns_.size();) {
    if (conns_[i]->fd < 0) {
      conns_[i] = std::move(conns_.back());
      conns_.pop_back();
    } else {
      ++i;
    }
  }
  return true;
}

}  // namespace tern::tls::net
