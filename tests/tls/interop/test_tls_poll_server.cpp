// tls/net/poll_server: one thread serves many TLS connections. 50 client
// threads (blocking tls/net clients) connect at once, each handshakes,
// sends several messages and checks the echoes, then closes; plus a client
// that connects and stays silent (idle timeout), one that sends garbage
// (TLS failure) and one that vanishes mid-handshake, none of which may
// disturb the others.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "tests/tls/interop/child.hpp"
#include "tests/tls/tls_fixtures.hpp"
#include "tls/net/net.hpp"
#include "tls/net/poll_server.hpp"

using namespace tern;
using namespace tern::tls;
using namespace tern::tlstest;

namespace {
// Cross builds run under qemu-user: fewer clients there.
#ifdef TERN_POLL_CLIENTS
constexpr int kClients = TERN_POLL_CLIENTS;
#else
constexpr int kClients = 50;
#endif
constexpr int kMessages = 5;
}  // namespace

TEST_CASE("poll server: 50 concurrent clients in one thread (10 under qemu), echo", "[tls][net][poll]") {
  Config scfg;
  scfg.credentials.push_back(make_credential(0x0403));
  std::uint16_t port = 0;
  int lfd = net::tcp_listen(0, &port);
  REQUIRE(lfd >= 0);
  ::listen(lfd, 128);
  net::PollServer::Options opt;
  opt.idle_timeout_ms = 3000;
  net::PollServer srv(scfg, lfd,
                      [](std::uint64_t, tls::Bytes in, std::vector<std::uint8_t>& reply) {
                        reply.insert(reply.end(), in.begin(), in.end());
                      },
                      opt);

  std::atomic<int> ok{0}, done{0};
  std::vector<std::thread> clients;
  StubVerifier verifier;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      Config cfg;
      cfg.verifier = &verifier;
      cfg.server_name = "localhost";
      int fd = net::tcp_connect("127.0.0.1", port);
      bool good = fd >= 0;
      if (good) {
        interop::set_socket_timeouts(fd, 20);
        Connection c(Role::client, cfg);
        good = !net::handshake(fd, c);
        for (int m = 0; good && m < kMessages; ++m) {
          // Different sizes, some larger than one record.
          std::vector<std::uint8_t> msg(static_cast<std::size_t>(1 + (i * 997 + m * 4099) % 40000));
          for (std::size_t k = 0; k < msg.size(); ++k) msg[k] = static_cast<std::uint8_t>(k * 7 + i + m);
          good = !net::send_all(fd, c, msg);
          std::vector<std::uint8_t> got;
          std::uint8_t buf[16384];
          while (good && got.size() < msg.size()) {
            long n = net::receive(fd, c, buf);
            if (n <= 0) good = false;
            else got.insert(got.end(), buf, buf + n);
          }
          good = good && got == msg;
        }
        if (good) net::close_notify(fd, c);
        // The server answers close_notify with its own.
        std::uint8_t buf[64];
        if (good) good = net::receive(fd, c, buf) == 0 && c.peer_closed();
        ::close(fd);
      }
      if (good) ++ok;
      ++done;
    });
  }
  // Misbehaving peers beside them.
  int idle = net::tcp_connect("127.0.0.1", port);  // never says anything
  int garbage = net::tcp_connect("127.0.0.1", port);
  REQUIRE(idle >= 0);
  REQUIRE(garbage >= 0);
  const char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  REQUIRE(::send(garbage, junk, sizeof junk - 1, MSG_NOSIGNAL) > 0);
  int vanish = net::tcp_connect("127.0.0.1", port);
  REQUIRE(vanish >= 0);
  {
    StubVerifier v;
    Config cfg;
    cfg.verifier = &v;
    Connection c(Role::client, cfg);
    auto hello = c.pending_output();
    REQUIRE(::send(vanish, hello.data(), hello.size() / 2, MSG_NOSIGNAL) > 0);  // half a ClientHello, then gone
    ::close(vanish);
  }

  std::size_t max_active = 0;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(240)) {
    REQUIRE(srv.poll_once(50));
    max_active = std::max(max_active, srv.active());
    if (done == kClients && srv.active() <= 1) break;  // the idle one may still be there
  }
  for (auto& t : clients) t.join();
  // The idle client is dropped by the idle timeout.
  const auto t0 = std::chrono::steady_clock::now();
  while (srv.active() > 0 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) REQUIRE(srv.poll_once(100));
  ::close(idle);
  ::close(garbage);
  ::close(lfd);
  const auto& st = srv.stats();
  std::cout << "poll server: " << ok.load() << "/" << kClients << " clients ok, accepted " << st.accepted
            << ", handshakes " << st.handshakes << ", failed/timed out " << st.failed << ", closed " << st.closed
            << ", max concurrent " << max_active << ", bytes in " << st.bytes_in << " out " << st.bytes_out << std::endl;
  CHECK(ok == kClients);
  CHECK(st.accepted == kClients + 3);
  CHECK(st.handshakes == static_cast<std::uint64_t>(kClients));
  CHECK(st.failed == 3);  // idle (timeout), garbage (TLS failure), vanished (EOF mid-handshake)
  CHECK(st.closed == kClients + 3);
  CHECK(srv.active() == 0);
  CHECK(st.bytes_in == st.bytes_out);
  CHECK(max_active > 1);
}
