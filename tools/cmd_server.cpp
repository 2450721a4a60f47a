// tern server: a TLS 1.3 server (echo, or a simple HTTP response) that
// logs one line per connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>

#include "tools/commands.hpp"
#include "tools/util.hpp"

namespace tern::tool {

namespace {

const char kHelp[] =
    "usage: tern server --cert CHAIN.pem --key KEY.pem [options]\n"
    "\n"
    "Serves TLS 1.3, one connection at a time. By default echoes what the\n"
    "client sends; --www answers each connection with a small HTTP response.\n"
    "Prints \"listening on ADDR:PORT\" to standard error, then one line per\n"
    "connection to standard output (peer, suite, group, resumed or not, bytes).\n"
    "\n"
    "  --cert FILE           certificate chain (PEM, leaf first)\n"
    "  --key FILE            the leaf's private key (PEM: Ed25519, ECDSA P-256/P-384, RSA)\n"
    "  --port N              TCP port (default 4433; 0 picks a free one)\n"
    "  --bind ADDR           address to listen on (default 0.0.0.0; e.g. 127.0.0.1, ::)\n"
    "  --alpn LIST           accepted ALPN protocols in preference order, e.g. h2,http/1.1\n"
    "  --www                 answer with an HTTP/1.0 200 response describing the connection\n"
    "  --max-connections N   exit after N connections (default: serve forever)\n"
    "  --idle S              drop a connection idle for S seconds (default 30)\n"
    "  --verify-client FILE  mutual TLS: require a client certificate that chains to a CA in\n"
    "                        FILE (PEM) with clientAuth usage; the log line names the client\n"
    "                        (no tickets then: a resumed session would skip the certificate)\n"
    "  --no-tickets          send no session tickets (default: one ticket per connection,\n"
    "                        sealed under a random key made at start-up, so clients can resume)\n";

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto c = s.find(',', start);
    if (c == std::string::npos) c = s.size();
    if (c > start) out.push_back(s.substr(start, c - start));
    start = c + 1;
  }
  return out;
}

std::string peer_name(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
  ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
  port = ntohs(a->sin6_port);
  std::string out = "[";
  out += host;
  out += "]:";
  out += std::to_string(port);
  return out;
}

struct Stats {
  std::size_t in = 0, out = 0;
};

// Serves one accepted connection; returns the log line.
std::string serve(int fd, const std::string& peer, const tls::Config& cfg, bool www, int idle_ms,
                  const ToolVerifier* client_verifier) {
  tls::Connection conn(tls::Role::server, cfg);
  std::string err;
  if (client_verifier) {
    client_verifier->ran = false;
    client_verifier->result = x509::VerifyResult{};
  }
  if (!handshake(fd, conn, idle_ms, err)) {
    flush(fd, conn);
    if (client_verifier && client_verifier->ran && !client_verifier->result.ok())
      err += "; client certificate rejected: " + client_verifier->result.failure.message();
    return peer + " handshake failed: " + err;
  }
  std::string client = "-";
  if (!conn.peer_chain().empty()) {
    x509::Certificate c;
    if (x509::Certificate::from_der(conn.peer_chain()[0], c) == Status::ok) client = c.subject_string();
  }
  Stats st;
  std::vector<std::uint8_t> in;
  std::uint8_t buf[16384];
  std::string request;
  bool answered = false;
  std::string end = "closed by peer";
  for (;;) {
    while (conn.readable()) {
      std::size_t n = conn.read(std::span<std::uint8_t>(buf, sizeof buf));
      st.in += n;
      if (!www) {
        if (conn.write(tls::Bytes(buf, n))) break;
        st.out += n;
      } else if (!answered) {
        request.append(reinterpret_cast<const char*>(buf), n);
        if (request.find("\r\n\r\n") != std::string::npos || request.find("\n\n") != std::string::npos ||
            request.size() > 65536) {
          std::string first = request.substr(0, request.find_first_of("\r\n"));
          std::string body = "tern server\nprotocol: TLS 1.3\nsuite: " + suite_name(conn.cipher_suite()) +
                             "\ngroup: " + group_name(conn.group()) + "\nalpn: " +
                             (conn.alpn().empty() ? "(none)" : std::string(conn.alpn())) + "\nsni: " +
                             (conn.server_name().empty() ? "(none)" : std::string(conn.server_name())) + "\nrequest: " + first + "\n";
          std::string resp = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
          (void)conn.write(tls::Bytes(reinterpret_cast<const std::uint8_t*>(resp.data()), resp.size()));
          st.out += resp.size();
          answered = true;
          conn.close();
        }
      }
    }
    if (!flush(fd, conn)) {
      end = "send failed";
      break;
    }
    if (conn.state() == tls::ConnState::failed) {
      end = std::string("failed: alert ") + tls::to_string(conn.alert()) + (conn.error()[0] ? std::string(" (") + conn.error() + ")" : "");
      break;
    }
    if (conn.peer_closed()) break;
    if (answered) {
      end = "answered";
      break;
    }
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, idle_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      end = "idle timeout";
      break;
    }
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      end = "TCP closed without close_notify";
      break;
    }
    in.insert(in.end(), buf, buf + n);
    std::size_t used = conn.feed(in);
    in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(used));
  }
  if (conn.state() != tls::ConnState::failed) conn.close();
  flush(fd, conn);
  return peer + " " + suite_name(conn.cipher_suite()) + " " + group_name(conn.group()) + " " +
         (conn.signature_scheme() ? scheme_name(conn.signature_scheme()) : std::string("-")) + " alpn=" + (conn.alpn().empty() ? "-" : std::string(conn.alpn())) +
         " sni=" + (conn.server_name().empty() ? "-" : std::string(conn.server_name())) + (client_verifier ? " client=" + client : std::string()) +
         " resumed=" + (conn.resumed() ? "yes" : "no") + " in=" + std::to_string(st.in) +
         " out=" + std::to_string(st.out) + " (" + end + ")";
}

}  // namespace

int cmd_server(const Args& args) {
  Options o = parse_options(args, {"cert", "key", "port", "bind", "alpn", "max-connections", "idle", "verify-client"},
                            {"help", "www", "no-tickets"});
  if (o.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!o.error.empty()) return fail(kUsage, o.error);
  if (!o.positional.empty()) return fail(kUsage, "unexpected argument '" + o.positional[0] + "' (see tern server --help)");
  if (o.get("cert").empty() || o.get("key").empty()) return fail(kUsage, "tern server needs --cert and --key (see --help)");
  std::string err;
  std::vector<x509::Certificate> chain;
  if (!load_certificates(o.get("cert"), chain, err)) return fail(1, err);
  LoadedKey key;
  if (!load_private_key(o.get("key"), key, err)) return fail(1, err);
  if (key.spki.size() != chain[0]->spki.raw.size() ||
      !std::equal(key.spki.begin(), key.spki.end(), chain[0]->spki.raw.begin()))
    return fail(1, "the key in " + o.get("key") + " does not match the certificate " + chain[0].subject_string());
  tls::Credential cred;
  for (const auto& c : chain) cred.chain.emplace_back(c.der().begin(), c.der().end());
  cred.signer = tls_signer(key);
  if (!cred.signer) return fail(1, "the key cannot sign TLS handshakes");
  tls::Config cfg;
  cfg.credentials.push_back(std::move(cred));
  cfg.alpn = split_commas(o.get("alpn"));
  tls::TicketKeyRing tickets;
  if (!o.has("no-tickets")) {
    if (tickets.rotate(default_random()) != Status::ok) return fail(1, "cannot make a session ticket key (random source failed)");
    cfg.ticket_keys = &tickets;
  }
  x509::TrustStore client_cas;
  std::unique_ptr<ToolVerifier> client_verifier;
  if (!o.get("verify-client").empty()) {
    const std::string cafile = o.get("verify-client");
    if (!load_trust(cafile, "", client_cas, err)) return fail(1, err);
    client_verifier = std::make_unique<ToolVerifier>(client_cas, tls::X509Verifier::Peer::client);
    cfg.client_auth = tls::ClientAuth::required;
    cfg.client_verifier = client_verifier.get();
    for (const auto& a : client_cas.anchors())
      cfg.certificate_authorities.emplace_back(a->subject.raw.begin(), a->subject.raw.end());
  }

  long port = 0, max_conn = 0, idle = 0;
  if (!o.get_long("port", 4433, port) || port < 0 || port > 65535)
    return fail(kUsage, "--port needs a number from 0 to 65535");
  if (!o.get_long("max-connections", 0, max_conn) || max_conn < 0)
    return fail(kUsage, "--max-connections needs a number");
  if (!o.get_long("idle", 30, idle) || idle <= 0) return fail(kUsage, "--idle needs a positive number of seconds");
  std::string bind_addr = o.get("bind", "0.0.0.0");
  int lfd = tcp_listen(bind_addr, static_cast<int>(port), err);
  if (lfd < 0) return fail(1, err);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&ss), &len);
  std::signal(SIGPIPE, SIG_IGN);
  std::fprintf(stderr, "listening on %s\n", peer_name(ss).c_str());
  std::fflush(stderr);
  for (long served = 0; max_conn == 0 || served < max_conn; ++served) {
    sockaddr_storage peer{};
    socklen_t plen = sizeof peer;
    int fd = ::accept4(lfd, reinterpret_cast<sockaddr*>(&peer), &plen, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      ::close(lfd);
      return fail(1, std::string("accept failed: ") + std::strerror(errno));
    }
    std::string line = serve(fd, peer_name(peer), cfg, o.has("www"), static_cast<int>(idle * 1000), client_verifier.get());
    ::close(fd);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  ::close(lfd);
  return 0;
}

}  // namespace tern::tool
