// tls/net over 127.0.0.1 against the openssl command line: our client to
// `openssl s_server -www` and `openssl s_client` to our server, with
// certificates the test generates. Skipped when `openssl` is not on PATH.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/tls/tls_fixtures.hpp"
#include "tls/net/net.hpp"

using namespace tern;
using namespace tern::tls;
using namespace tern::tlstest;

namespace {
bool have_openssl() { return std::system("openssl version >/dev/null 2>&1") == 0; }

std::string tmpdir() {
  char tmpl[] = "/tmp/tern-tls-net-XXXXXX";
  const char* d = mkdtemp(tmpl);
  return d ? d : "";
}

Vec slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Vec(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}
}  // namespace

TEST_CASE("net: tern client <-> openssl s_server (-www)", "[tls][net][interop]") {
  if (!have_openssl()) {
    WARN("openssl not found: skipped");
    return;
  }
  const std::string d = tmpdir();
  REQUIRE(!d.empty());
  REQUIRE(std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost "
                       "-days 1 -keyout " + d + "/k.pem -out " + d + "/c.pem >/dev/null 2>&1").c_str()) == 0);
  for (const char* groups : {"X25519", "P-384"}) {  // P-384 forces a HelloRetryRequest
    std::uint16_t port = 0;
    int probe = net::tcp_listen(0, &port);
    REQUIRE(probe >= 0);
    ::close(probe);
    const std::string cmd = "openssl s_server -accept " + std::to_string(port) + " -cert " + d + "/c.pem -key " + d +
                            "/k.pem -tls1_3 -groups " + groups + " -www -naccept 1 2>&1";
    FILE* srv = popen(cmd.c_str(), "r");
    REQUIRE(srv);
    char line[512];
    bool ready = false;
    while (!ready && std::fgets(line, sizeof line, srv)) ready = std::string(line).find("ACCEPT") != std::string::npos;
    REQUIRE(ready);
    int fd = net::tcp_connect("127.0.0.1", port);
    REQUIRE(fd >= 0);
    StubVerifier v;
    Config cfg;
    cfg.verifier = &v;
    cfg.server_name = "localhost";
    Connection c(Role::client, cfg);
    Err e = net::handshake(fd, c);
    INFO(c.error());
    REQUIRE(!e);
    CHECK(c.hello_retry() == (std::string(groups) == "P-384"));
    const std::string req = "GET / HTTP/1.0\r\n\r\n";
    REQUIRE(!net::send_all(fd, c, tls::Bytes(reinterpret_cast<const std::uint8_t*>(req.data()), req.size())));
    std::string resp;
    std::uint8_t buf[4096];
    long n;
    while ((n = net::receive(fd, c, buf)) > 0) resp.append(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n));
    CHECK(resp.find("HTTP/1.0 200 ok") != std::string::npos);
    CHECK(resp.find("TLSv1.3") != std::string::npos);
    net::close_notify(fd, c);
    ::close(fd);
    pclose(srv);
  }
}

TEST_CASE("net: openssl s_client <-> tern server", "[tls][net][interop]") {
  if (!have_openssl()) {
    WARN("openssl not found: skipped");
    return;
  }
  const std::string d = tmpdir();
  REQUIRE(!d.empty());
  REQUIRE(std::system(("openssl genpkey -algorithm ed25519 -out " + d + "/k.pem >/dev/null 2>&1 && "
                       "openssl pkey -in " + d + "/k.pem -outform DER -out " + d + "/k.der && "
                       "openssl req -x509 -new -key " + d + "/k.pem -subj /CN=localhost -days 1 -outform DER -out " +
                       d + "/c.der >/dev/null 2>&1").c_str()) == 0);
  Vec key = slurp(d + "/k.der"), cert = slurp(d + "/c.der");
  REQUIRE(key.size() == 48);  // PKCS#8 Ed25519: the seed is the last 32 bytes
  Config cfg;
  Credential cred;
  cred.chain.push_back(cert);
  cred.signer = make_ed25519_signer(tls::Bytes(key.data() + 16, 32));
  cfg.credentials.push_back(cred);
  std::uint16_t port = 0;
  int lfd = net::tcp_listen(0, &port);
  REQUIRE(lfd >= 0);
  const std::string cmd = "(echo hello-from-s_client; sleep 2) | openssl s_client -connect 127.0.0.1:" +
                          std::to_string(port) + " -tls1_3 -quiet -groups P-256 2>/dev/null";
  FILE* cli = popen(cmd.c_str(), "r");
  REQUIRE(cli);
  int fd = net::tcp_accept(lfd);
  REQUIRE(fd >= 0);
  Connection s(Role::server, cfg);
  Err e = net::handshake(fd, s);
  INFO(s.error());
  REQUIRE(!e);
  CHECK(s.group() == 0x0017);
  std::uint8_t buf[256];
  long n = net::receive(fd, s, buf);
  REQUIRE(n > 0);
  CHECK(std::string(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n)).find("hello-from-s_client") == 0);
  const std::string reply = "hello-from-tern\n";
  REQUIRE(!net::send_all(fd, s, tls::Bytes(reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size())));
  std::string out;
  char line[256];
  if (std::fgets(line, sizeof line, cli)) out = line;
  CHECK(out == reply);
  net::close_notify(fd, s);
  ::close(fd);
  ::close(lfd);
  pclose(cli);
}
