// tern client: a TLS 1.3 client that shows what was negotiated and the
// peer's chain, then relays standard input and output.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>

#include "tools/commands.hpp"
#include "tools/util.hpp"

namespace tern::tool {

namespace {

const char kHelp[] =
    "usage: tern client HOST:PORT [options]\n"
    "\n"
    "Connects with TLS 1.3 (IPv4/IPv6, DNS), verifies the server's chain and\n"
    "host name, prints the negotiated parameters and the chain to standard\n"
    "error, then relays standard input to the server and the server's data to\n"
    "standard output. At the end of standard input tern sends close_notify and\n"
    "waits (up to --wait seconds) for the server to finish.\n"
    "\n"
    "  --servername NAME  SNI and the name to verify (default: HOST; IP literals send no SNI)\n"
    "  --alpn LIST        offer these ALPN protocols, e.g. h2,http/1.1\n"
    "  --cafile FILE      trust anchors (PEM); default: the system store\n"
    "  --capath DIR       a directory of PEM trust anchors\n"
    "  --insecure         do NOT verify the chain or the name (says so loudly)\n"
    "  --cert FILE        client certificate chain (PEM, leaf first) for servers that ask (mTLS)\n"
    "  --key FILE         the client certificate's private key (PEM)\n"
    "  --keyupdate        send a KeyUpdate (requesting one back) after the handshake\n"
    "  --resume           full handshake, wait for a session ticket, close, then connect\n"
    "                     again resuming with the ticket (prints \"Resumed:    yes\")\n"
    "  --quiet            print nothing but the relayed data and errors\n"
    "  --timeout S        connect and handshake timeout (default 10)\n"
    "  --wait S           after end of input, wait this long for the server (default 5)\n"
    "\n"
    "Exit status: 0 success, 2 certificate verification failed, 1 other errors.\n";

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

bool write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Reads from the server until the connection holds a session ticket (or
// timeout_ms passes); application data that arrives meanwhile goes to
// standard output.
bool wait_for_ticket(int fd, tls::Connection& conn, int timeout_ms) {
  std::vector<std::uint8_t> in;
  std::uint8_t buf[16384];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (!flush(fd, conn)) return false;
    while (conn.readable()) {
      std::size_t n = conn.read(std::span<std::uint8_t>(buf, sizeof buf));
      if (!write_all(1, buf, n)) return false;
    }
    if (conn.last_session()) return true;
    if (conn.state() != tls::ConnState::open || conn.peer_closed()) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    in.insert(in.end(), buf, buf + n);
    std::size_t used = conn.feed(in);
    in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(used));
  }
}

}  // namespace

int cmd_client(const Args& args) {
  Options o = parse_options(args, {"servername", "alpn", "cafile", "capath", "timeout", "wait", "cert", "key"},
                            {"help", "insecure", "keyupdate", "resume", "quiet"});
  if (o.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!o.error.empty()) return fail(kUsage, o.error);
  if (o.positional.size() != 1) return fail(kUsage, "tern client needs exactly one HOST:PORT (see --help)");
  std::string host, port, err;
  if (!split_host_port(o.positional[0], host, port)) return fail(kUsage, "'" + o.positional[0] + "' is not HOST:PORT");
  long timeout_s = 0, wait_s = 0;
  if (!o.get_long("timeout", 10, timeout_s) || timeout_s <= 0 || timeout_s > 86400)
    return fail(kUsage, "--timeout needs a positive number of seconds");
  if (!o.get_long("wait", 5, wait_s) || wait_s < 0 || wait_s > 86400)
    return fail(kUsage, "--wait needs a number of seconds");
  const int timeout_ms = static_cast<int>(timeout_s) * 1000, wait_ms = static_cast<int>(wait_s) * 1000;
  bool quiet = o.has("quiet"), insecure = o.has("insecure");

  x509::TrustStore store;
  if (!insecure && !load_trust(o.get("cafile"), o.get("capath"), store, err)) return fail(1, err);
  if (insecure) {
    if (!o.get("cafile").empty() || !o.get("capath").empty()) (void)load_trust(o.get("cafile"), o.get("capath"), store, err);
    std::fprintf(stderr,
                 "tern: WARNING: --insecure: the server's certificate chain, its validity dates and the host name\n"
                 "tern: WARNING: are NOT enforced. Anyone on the network path can impersonate the server.\n");
  }

  ToolVerifier verifier(store);
  verifier.insecure = insecure;
  std::string name = o.get("servername", host);
  verifier.host = name;
  tls::Config cfg;
  std::vector<std::uint8_t> ip;
  if (!x509::parse_ip(name, ip)) cfg.server_name = name;
  cfg.verifier = &verifier;
  cfg.alpn = split_commas(o.get("alpn"));
  if (o.get("cert").empty() != o.get("key").empty()) return fail(kUsage, "--cert and --key go together");
  std::string client_subject;
  if (!o.get("cert").empty()) {
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
    cfg.credentials.push_back(std::move(cred));
    client_subject = chain[0].subject_string();
  }

  // --resume: a first, full handshake whose only purpose is the ticket.
  std::optional<tls::Session> ticket;
  if (o.has("resume")) {
    int fd0 = tcp_connect(host, port, timeout_ms, err);
    if (fd0 < 0) return fail(1, err);
    tls::Connection first(tls::Role::client, cfg);
    if (!handshake(fd0, first, timeout_ms, err)) {
      ::close(fd0);
      if (verifier.ran && !verifier.result.ok())
        return fail(2, "certificate verification failed: " + verifier.result.failure.message());
      return fail(1, err);
    }
    if (!quiet)
      std::fprintf(stderr, "Full handshake: %s, %s, verified %s; waiting for a session ticket\n",
                   suite_name(first.cipher_suite()).c_str(), group_name(first.group()).c_str(),
                   verifier.result.ok() ? "OK" : "NO (--insecure)");
    if (!wait_for_ticket(fd0, first, timeout_ms)) {
      ::close(fd0);
      return fail(1, "the server sent no session ticket within " + std::to_string(timeout_s) +
                         " s after the handshake, so there is nothing to resume with (servers that require client "
                         "certificates, such as tern server --verify-client, may send none)");
    }
    ticket = *first.last_session();
    first.close();
    flush(fd0, first);
    ::close(fd0);
    if (!quiet)
      std::fprintf(stderr, "Session ticket: %zu bytes, lifetime %u s%s; reconnecting with it\n", ticket->ticket.size(),
                   ticket->lifetime, ticket->max_early_data ? ", allows early data" : "");
    verifier.ran = false;
    verifier.chain.clear();
    verifier.result = x509::VerifyResult{};
  }

  int fd = tcp_connect(host, port, timeout_ms, err);
  if (fd < 0) return fail(1, err);
  tls::Connection conn(tls::Role::client, cfg);
  if (ticket) {
    if (tls::Err e = conn.offer_session(*ticket))
      return fail(1, std::string("cannot offer the session ticket: ") + (e.why ? e.why : tls::to_string(e.alert)));
  }
  if (!handshake(fd, conn, timeout_ms, err)) {
    ::close(fd);
    if (verifier.ran && !verifier.result.ok())
      return fail(2, "certificate verification failed: " + verifier.result.failure.message());
    return fail(1, err);
  }
  x509::Time now = static_cast<x509::Time>(std::time(nullptr));
  if (!quiet) {
    std::fprintf(stderr, "Connected to %s port %s\n", host.c_str(), port.c_str());
    std::fprintf(stderr, "Protocol:   TLS 1.3%s\n", conn.hello_retry() ? " (after HelloRetryRequest)" : "");
    std::fprintf(stderr, "Suite:      %s\n", suite_name(conn.cipher_suite()).c_str());
    std::fprintf(stderr, "Group:      %s\n", group_name(conn.group()).c_str());
    std::fprintf(stderr, "Signature:  %s\n",
                 conn.signature_scheme() ? scheme_name(conn.signature_scheme()).c_str() : "(none: resumed with a PSK)");
    std::fprintf(stderr, "ALPN:       %s\n", conn.alpn().empty() ? "(none)" : conn.alpn().c_str());
    if (ticket)
      std::fprintf(stderr, "Resumed:    %s\n", conn.resumed() ? "yes (PSK from the session ticket)"
                                                             : "no (the server declined the ticket: full handshake)");
    if (!client_subject.empty())
      std::fprintf(stderr, "Client cert: %s (presented when the server asks for one)\n", client_subject.c_str());
    if (!verifier.ran)
      std::fprintf(stderr, "Verified:   OK in the full handshake (a resumed session sends no certificate)\n");
    else if (verifier.result.ok())
      std::fprintf(stderr, "Verified:   OK (chain and name %s)\n", name.c_str());
    else
      std::fprintf(stderr, "Verified:   NO (--insecure): %s\n", verifier.result.failure.message().c_str());
    if (verifier.ran)
      std::fprintf(stderr, "Peer chain (%zu certificate%s):\n", verifier.chain.size(), verifier.chain.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < verifier.chain.size(); ++i) {
      const auto& c = verifier.chain[i].view();
      std::fprintf(stderr, "  %zu subject: %s\n    issuer:  %s\n    key:     %s\n    valid:   %s\n", i,
                   verifier.chain[i].subject_string().c_str(), x509::to_string(c.issuer).c_str(),
                   key_description(c).c_str(), validity_line(c, now).c_str());
    }
    if (verifier.result.ok() && verifier.result.chain.size() > verifier.chain.size())
      std::fprintf(stderr, "  trust anchor: %s\n", verifier.result.chain.back().subject_string().c_str());
    std::fprintf(stderr, "---\n");
  }
  if (o.has("keyupdate")) {
    if (tls::Err e = conn.key_update(true)) return fail(1, std::string("KeyUpdate failed: ") + (e.why ? e.why : ""));
    if (!quiet) std::fprintf(stderr, "KeyUpdate sent (update_requested)\n");
  }

  // Relay.
  std::vector<std::uint8_t> in;  // socket bytes not yet taken by the connection
  std::uint8_t buf[16384];
  bool stdin_open = true;
  int rc = 0;
  int idle_after_eof = wait_ms;
  for (;;) {
    if (!flush(fd, conn)) {
      rc = fail(1, std::string("sending failed: ") + std::strerror(errno));
      break;
    }
    // Application data already decrypted.
    while (conn.readable()) {
      std::size_t n = conn.read(std::span<std::uint8_t>(buf, sizeof buf));
      if (!write_all(1, buf, n)) return fail(1, "cannot write to standard output");
    }
    if (conn.state() == tls::ConnState::failed) {
      rc = fail(1, std::string("the connection failed: ") + (conn.alert_received() ? "the server sent alert " : "alert ") +
                       tls::to_string(conn.alert()) + (conn.error()[0] ? std::string(" (") + conn.error() + ")" : ""));
      break;
    }
    if (conn.peer_closed()) break;
    pollfd p[2] = {{fd, POLLIN, 0}, {0, POLLIN, 0}};
    int r = ::poll(p, stdin_open ? 2 : 1, stdin_open ? -1 : idle_after_eof);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) break;  // waited long enough after end of input
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (!quiet) std::fprintf(stderr, "tern: the server closed the TCP connection without close_notify\n");
        break;
      }
      in.insert(in.end(), buf, buf + n);
      std::size_t used = conn.feed(in);
      in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(used));
    }
    if (stdin_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        stdin_open = false;
        conn.close();
      } else if (tls::Err e = conn.write(tls::Bytes(buf, static_cast<std::size_t>(n)))) {
        if (conn.state() == tls::ConnState::failed) continue;  // reported (with the alert) at the top
        rc = fail(1, std::string("write failed: ") + (e.why ? e.why : tls::to_string(e.alert)));
        break;
      }
    }
  }
  flush(fd, conn);
  ::close(fd);
  return rc;
}

}  // namespace tern::tool
