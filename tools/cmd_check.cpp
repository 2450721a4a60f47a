// tern cert check: certificate expiry monitoring over TLS.
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "tools/commands.hpp"
#include "tools/util.hpp"

namespace tern::tool {

int cmd_cert_check(const Args& args);

namespace {

const char kHelp[] =
    "usage: tern cert check HOST:PORT... [--targets FILE] [--warn-days N] [--json]\n"
    "                       [--cafile F] [--capath D] [--timeout SECONDS]\n"
    "\n"
    "Connects to each target with TLS 1.3, validates its certificate chain\n"
    "(host name included) and reports the days until the earliest expiry in\n"
    "the validated chain, trust anchor included.\n"
    "\n"
    "  --targets FILE   more targets, one HOST:PORT per line ('#' starts a comment)\n"
    "  --warn-days N    warning window in days (default 30)\n"
    "  --json           one JSON array on standard output\n"
    "  --cafile FILE    trust anchors (PEM); default: the system store\n"
    "  --capath DIR     a directory of PEM trust anchors\n"
    "  --timeout S      connect and handshake timeout per target (default 10)\n"
    "\n"
    "Exit status: 0 all targets fine; 1 some certificate expires within the\n"
    "warning window; 2 some chain is invalid or some target unreachable.\n";

struct Outcome {
  std::string target;
  std::string status;  // ok, warn, invalid, unreachable
  std::string error;
  std::int64_t days_left = 0;
  x509::Time not_after = 0;
  int depth = -1;
  std::string subject;
};

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else {
      o += c;
    }
  }
  return o;
}

Outcome check_one(const std::string& target, const x509::TrustStore& store, int warn_days, int timeout_ms) {
  Outcome r;
  r.target = target;
  std::string host, port, err;
  if (!split_host_port(target, host, port)) {
    r.status = "unreachable";
    r.error = "'" + target + "' is not HOST:PORT";
    return r;
  }
  int fd = tcp_connect(host, port, timeout_ms, err);
  if (fd < 0) {
    r.status = "unreachable";
    r.error = err;
    return r;
  }
  ToolVerifier verifier(store);
  verifier.host = host;
  tls::Config cfg;
  std::vector<std::uint8_t> ip;
  if (!x509::parse_ip(host, ip)) cfg.server_name = host;  // no SNI for address literals
  cfg.verifier = &verifier;
  tls::Connection conn(tls::Role::client, cfg);
  bool ok = handshake(fd, conn, timeout_ms, err);
  if (ok) {
    conn.close();
    flush(fd, conn);
  }
  ::close(fd);
  if (verifier.ran && !verifier.result.ok()) {
    r.status = "invalid";
    r.error = verifier.result.failure.message();
    return r;
  }
  if (!ok) {
    r.status = verifier.ran ? "invalid" : "unreachable";
    r.error = err;
    return r;
  }
  x509::Time now = static_cast<x509::Time>(std::time(nullptr));
  auto ex = x509::expiry(verifier.result.chain, now);
  r.days_left = ex.days_left;
  r.not_after = ex.earliest_not_after;
  r.depth = ex.depth;
  r.subject = ex.subject;
  r.status = ex.days_left < warn_days ? "warn" : "ok";
  return r;
}

}  // namespace

int cmd_cert_check(const Args& args) {
  Options o = parse_options(args, {"targets", "warn-days", "cafile", "capath", "timeout"}, {"help", "json"});
  if (o.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!o.error.empty()) return fail(kUsage, o.error);
  std::vector<std::string> targets = o.positional;
  if (!o.get("targets").empty()) {
    std::string text;
    if (!read_file(o.get("targets"), text)) return fail(kUsage, "cannot read the targets file " + o.get("targets"));
    std::size_t start = 0;
    while (start < text.size()) {
      auto nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      std::string line = text.substr(start, nl - start);
      start = nl + 1;
      if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.erase(line.begin());
      if (!line.empty()) targets.push_back(line);
    }
  }
  if (targets.empty()) return fail(kUsage, "tern cert check needs at least one HOST:PORT target (see --help)");
  long warn = 0, timeout = 0;
  if (!o.get_long("warn-days", 30, warn) || warn < 0) return fail(kUsage, "--warn-days needs a number of days");
  if (!o.get_long("timeout", 10, timeout) || timeout <= 0)
    return fail(kUsage, "--timeout needs a positive number of seconds");
  x509::TrustStore store;
  std::string err;
  if (!load_trust(o.get("cafile"), o.get("capath"), store, err)) return fail(2, err);

  bool json = o.has("json");
  int rc = 0;
  if (json) std::printf("[");
  for (std::size_t i = 0; i < targets.size(); ++i) {
    Outcome r = check_one(targets[i], store, static_cast<int>(warn), static_cast<int>(timeout * 1000));
    if (r.status == "warn" && rc < 1) rc = 1;
    if (r.status == "invalid" || r.status == "unreachable") rc = 2;
    if (json) {
      std::printf("%s\n  {\"target\": \"%s\", \"status\": \"%s\"", i ? "," : "", json_escape(r.target).c_str(), r.status.c_str());
      if (r.depth >= 0)
        std::printf(", \"days_left\": %lld, \"not_after\": \"%s\", \"not_after_unix\": %lld, \"depth\": %d, \"subject\": \"%s\"",
                    static_cast<long long>(r.days_left), x509::format_time(r.not_after).c_str(),
                    static_cast<long long>(r.not_after), r.depth, json_escape(r.subject).c_str());
      if (!r.error.empty()) std::printf(", \"error\": \"%s\"", json_escape(r.error).c_str());
      std::printf("}");
    } else if (r.status == "ok" || r.status == "warn") {
      std::printf("%-28s %-5s %lld days left: certificate %d (%s) expires %s\n", r.target.c_str(),
                  r.status == "ok" ? "OK" : "WARN", static_cast<long long>(r.days_left), r.depth, r.subject.c_str(),
                  x509::format_time(r.not_after).c_str());
    } else {
      std::printf("%-28s %s %s\n", r.target.c_str(), r.status == "invalid" ? "INVALID" : "UNREACHABLE", r.error.c_str());
    }
    std::fflush(stdout);
  }
  if (json) std::printf("\n]\n");
  return rc;
}

}  // namespace tern::tool
