// tern cert: issue, show, verify and check certificates.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "crypto/sha2/sha2.hpp"
#include "tools/commands.hpp"
#include "tools/util.hpp"

namespace tern::tool {

int cmd_cert_check(const Args& args);  // cmd_check.cpp

namespace {

const char kHelp[] =
    "usage: tern cert COMMAND [ARGS]\n"
    "\n"
    "  issue    issue a self-signed CA certificate, or a leaf signed by a CA\n"
    "  show     print the certificates of a PEM file in short human-readable form\n"
    "  verify   validate a certificate chain against a trust store\n"
    "  check    connect to TLS servers and report days until their certificates expire\n"
    "\n"
    "'tern cert COMMAND --help' describes each command.\n";

const char kIssueHelp[] =
    "usage: tern cert issue --key KEY.pem [--ca CA.pem --ca-key CAKEY.pem] [options]\n"
    "\n"
    "Without --ca: a self-signed CA certificate for KEY (basicConstraints CA:TRUE).\n"
    "With --ca/--ca-key: a leaf certificate for KEY signed by the CA.\n"
    "\n"
    "  --key FILE          the subject's private key (PEM; make one with tern keygen)\n"
    "  --ca FILE           the issuing CA certificate (PEM)\n"
    "  --ca-key FILE       the issuing CA's private key (PEM)\n"
    "  --cn NAME           subject common name (default: the first --san, or \"tern CA\")\n"
    "  --org NAME          subject organization\n"
    "  --san NAMES         subjectAltName DNS names and IP addresses, comma separated, repeatable\n"
    "  --days N            validity in days from now (default 365 for a leaf, 3650 for a CA)\n"
    "  --not-before TIME   start of validity (YYYY-MM-DD[THH:MM:SSZ] or @unix-seconds)\n"
    "  --not-after TIME    end of validity (overrides --days)\n"
    "  --eku LIST          extended key usage: server, client or server,client\n"
    "  --self-signed-leaf  without --ca: a self-signed end-entity certificate (CA:FALSE)\n"
    "  --path-len N        CA only: pathLenConstraint\n"
    "  --out FILE          write the PEM certificate to FILE (default: standard output)\n";

const char kShowHelp[] =
    "usage: tern cert show FILE...\n"
    "\n"
    "Prints every certificate of each PEM (or DER) file: subject, issuer, serial,\n"
    "validity and days left, key, subject alternative names, basicConstraints,\n"
    "keyUsage, extKeyUsage, signature algorithm and SHA-256 fingerprint.\n";

const char kVerifyHelp[] =
    "usage: tern cert verify [--host NAME] [--at TIME] [--cafile F] [--capath D] [--purpose P] CHAIN.pem\n"
    "\n"
    "Validates CHAIN.pem (leaf first, then any intermediates) against the trust\n"
    "anchors of --cafile/--capath, or the system store when neither is given.\n"
    "\n"
    "  --host NAME     also check that the leaf is valid for NAME (DNS name or IP)\n"
    "  --at TIME       validate at TIME (YYYY-MM-DD[THH:MM:SSZ] or @unix-seconds) instead of now\n"
    "  --cafile FILE   trust anchors (PEM)\n"
    "  --capath DIR    a directory of PEM trust anchors\n"
    "  --purpose P     server (default), client or any\n"
    "\n"
    "Exit status: 0 valid, 2 invalid (the reason names the certificate at fault), 1 other errors.\n";

std::vector<std::string> split_list(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& s : items) {
    std::size_t start = 0;
    while (start <= s.size()) {
      auto comma = s.find(',', start);
      if (comma == std::string::npos) comma = s.size();
      std::string part = s.substr(start, comma - start);
      while (!part.empty() && part.front() == ' ') part.erase(part.begin());
      while (!part.empty() && part.back() == ' ') part.pop_back();
      if (!part.empty()) out.push_back(part);
      start = comma + 1;
    }
  }
  return out;
}

int cert_issue(const Args& args) {
  Options o = parse_options(args, {"key", "ca", "ca-key", "cn", "org", "san", "days", "not-before", "not-after", "eku",
                                   "path-len", "out"},
                            {"help", "self-signed-leaf"});
  if (o.has("help")) {
    std::fputs(kIssueHelp, stdout);
    return 0;
  }
  if (!o.error.empty()) return fail(kUsage, o.error);
  if (!o.positional.empty()) return fail(kUsage, "unexpected argument '" + o.positional[0] + "' (see tern cert issue --help)");
  if (o.get("key").empty()) return fail(kUsage, "tern cert issue needs --key (create one with: tern keygen --out key.pem)");
  bool have_ca = !o.get("ca").empty(), have_ca_key = !o.get("ca-key").empty();
  if (have_ca != have_ca_key) return fail(kUsage, "--ca and --ca-key go together");

  std::string err;
  LoadedKey key;
  if (!load_private_key(o.get("key"), key, err)) return fail(1, err);

  x509::gen::CertSpec spec;
  for (const auto& n : split_list(o.all("san"))) {
    std::vector<std::uint8_t> ip;
    if (x509::parse_ip(n, ip)) spec.ip_addresses.push_back(n);
    else spec.dns_names.push_back(n);
  }
  spec.is_ca = !have_ca && !o.has("self-signed-leaf");
  spec.common_name = o.get("cn");
  if (spec.common_name.empty()) {
    auto sans = split_list(o.all("san"));
    spec.common_name = !sans.empty() ? sans[0] : spec.is_ca ? "tern CA" : "tern";
  }
  spec.organization = o.get("org");
  if (!o.get("path-len").empty()) {
    if (!spec.is_ca) return fail(kUsage, "--path-len applies to CA certificates only");
    long path_len = 0;
    if (!o.get_long("path-len", 0, path_len) || path_len < 0 || path_len > 100)
      return fail(kUsage, "--path-len needs a number from 0 to 100");
    spec.path_len = static_cast<int>(path_len);
  }
  for (const auto& e : split_list(o.all("eku"))) {
    if (e == "server" || e == "serverAuth") spec.ext_key_usage |= x509::eku_server_auth;
    else if (e == "client" || e == "clientAuth") spec.ext_key_usage |= x509::eku_client_auth;
    else return fail(kUsage, "unknown --eku value '" + e + "' (expected server or client)");
  }

  x509::Time now = static_cast<x509::Time>(std::time(nullptr));
  spec.not_before = now - 60;
  if (!o.get("not-before").empty() && !parse_time_arg(o.get("not-before"), spec.not_before))
    return fail(kUsage, "cannot read --not-before '" + o.get("not-before") + "' (use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @seconds)");
  long days = spec.is_ca ? 3650 : 365;
  if (!o.get_long("days", days, days) || days <= 0 || days > 100000)
    return fail(kUsage, "--days needs a positive number of days");
  spec.not_after = (o.get("not-before").empty() ? now : spec.not_before) + days * 86400;
  if (!o.get("not-after").empty() && !parse_time_arg(o.get("not-after"), spec.not_after))
    return fail(kUsage, "cannot read --not-after '" + o.get("not-after") + "' (use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @seconds)");
  if (spec.not_after <= spec.not_before) return fail(kUsage, "the validity ends before it starts (--not-after <= --not-before)");

  std::vector<std::uint8_t> der;
  Status s;
  if (!have_ca) {
    auto name = x509::gen::make_name(spec);
    s = x509::gen::issue_with(spec, key.spki, name, {}, x509_signer(key), der);
  } else {
    std::vector<x509::Certificate> ca;
    if (!load_certificates(o.get("ca"), ca, err)) return fail(1, err);
    LoadedKey ca_key;
    if (!load_private_key(o.get("ca-key"), ca_key, err)) return fail(1, err);
    if (ca[0]->spki.raw.size() != ca_key.spki.size() ||
        !std::equal(ca_key.spki.begin(), ca_key.spki.end(), ca[0]->spki.raw.begin()))
      return fail(1, "the --ca-key does not belong to the --ca certificate (" + ca[0].subject_string() + ")");
    if (!ca[0]->ext.is_ca) return fail(1, "the --ca certificate (" + ca[0].subject_string() + ") is not a CA (basicConstraints CA:FALSE)");
    s = x509::gen::issue_with(spec, key.spki, ca[0]->subject.raw, ca[0]->ext.subject_key_id, x509_signer(ca_key), der);
  }
  if (s != Status::ok) return fail(1, std::string("issuing the certificate failed: ") + to_string(s));
  std::string pem = x509::gen::to_pem(der);
  std::string out = o.get("out");
  if (out.empty() || out == "-") std::fputs(pem.c_str(), stdout);
  else if (!write_file(out, pem, false)) return fail(1, "cannot write " + out + ": " + std::strerror(errno));
  return 0;
}

std::string ku_string(std::uint16_t ku) {
  static const char* names[] = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
                                "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};
  std::string s;
  for (int i = 0; i < 9; ++i)
    if (ku & (1u << i)) s += (s.empty() ? "" : ", ") + std::string(names[i]);
  return s;
}
std::string eku_string(std::uint8_t e) {
  std::string s;
  auto add = [&](const char* n) { s += (s.empty() ? "" : ", ") + std::string(n); };
  if (e & x509::eku_server_auth) add("serverAuth");
  if (e & x509::eku_client_auth) add("clientAuth");
  if (e & x509::eku_code_signing) add("codeSigning");
  if (e & x509::eku_email) add("emailProtection");
  if (e & x509::eku_time_stamping) add("timeStamping");
  if (e & x509::eku_ocsp_signing) add("OCSPSigning");
  if (e & x509::eku_any) add("anyExtendedKeyUsage");
  if (s.empty()) s = "(other purposes)";
  return s;
}

}  // namespace

std::string validity_line(const x509::CertView& c, x509::Time now) {
  std::string s = x509::format_time(c.not_before) + " to " + x509::format_time(c.not_after);
  if (now < c.not_before) {
    s += " (NOT YET VALID)";
  } else if (now > c.not_after) {
    s += " (EXPIRED " + std::to_string(-days_left(c.not_after, now)) + " days ago)";
  } else {
    s += " (" + std::to_string(days_left(c.not_after, now)) + " days left)";
  }
  return s;
}

void print_certificate(std::FILE* out, const x509::Certificate& cert, std::size_t index, std::size_t count,
                       x509::Time now, const char* indent) {
  const x509::CertView& c = cert.view();
  std::fprintf(out, "%sCertificate %zu of %zu\n", indent, index + 1, count);
  std::fprintf(out, "%s  Subject:    %s\n", indent, x509::to_string(c.subject).c_str());
  std::fprintf(out, "%s  Issuer:     %s%s\n", indent, x509::to_string(c.issuer).c_str(), c.self_issued() ? "  (self-issued)" : "");
  std::fprintf(out, "%s  Serial:     %s\n", indent, hex(c.serial).c_str());
  std::fprintf(out, "%s  Validity:   %s\n", indent, validity_line(c, now).c_str());
  std::fprintf(out, "%s  Key:        %s\n", indent, key_description(c).c_str());
  if (c.ext.has_san) std::fprintf(out, "%s  Names:      %s\n", indent, x509::san_list(c).c_str());
  if (c.ext.has_basic_constraints) {
    std::string bc = c.ext.is_ca ? "CA:TRUE" : "CA:FALSE";
    if (c.ext.is_ca && c.ext.path_len >= 0) bc += ", pathlen:" + std::to_string(c.ext.path_len);
    std::fprintf(out, "%s  Basic:      %s\n", indent, bc.c_str());
  }
  if (c.ext.has_key_usage) std::fprintf(out, "%s  Key usage:  %s\n", indent, ku_string(c.ext.key_usage).c_str());
  if (c.ext.has_ext_key_usage) std::fprintf(out, "%s  Ext usage:  %s\n", indent, eku_string(c.ext.ext_key_usage).c_str());
  std::fprintf(out, "%s  Signature:  %s\n", indent, x509::to_string(c.sig_alg.alg));
  std::uint8_t fp[32];
  sha2::AnyHash::hash(sha2::HashId::sha256, fp, c.raw);
  std::fprintf(out, "%s  SHA-256:    %s\n", indent, hex(fp).c_str());
}

namespace {

int cert_show(const Args& args) {
  Options o = parse_options(args, {}, {"help"});
  if (o.has("help")) {
    std::fputs(kShowHelp, stdout);
    return 0;
  }
  if (!o.error.empty()) return fail(kUsage, o.error);
  if (o.positional.empty()) return fail(kUsage, "tern cert show needs a certificate file (see --help)");
  x509::Time now = static_cast<x509::Time>(std::time(nullptr));
  int rc = 0;
  for (const auto& path : o.positional) {
    std::vector<x509::Certificate> certs;
    std::string err;
    if (!load_certificates(path, certs, err)) {
      rc = fail(1, err);
      continue;
    }
    if (o.positional.size() > 1) std::printf("%s:\n", path.c_str());
    for (std::size_t i = 0; i < certs.size(); ++i) print_certificate(stdout, certs[i], i, certs.size(), now, "");
  }
  return rc;
}

int cert_verify(const Args& args) {
  Options o = parse_options(args, {"host", "at", "cafile", "capath", "purpose"}, {"help"});
  if (o.has("help")) {
    std::fputs(kVerifyHelp, stdout);
    return 0;
  }
  if (!o.error.empty()) return fail(kUsage, o.error);
  if (o.positional.size() != 1) return fail(kUsage, "tern cert verify needs exactly one chain file (see --help)");
  x509::VerifyOptions opt;
  opt.now = static_cast<x509::Time>(std::time(nullptr));
  if (!o.get("at").empty() && !parse_time_arg(o.get("at"), opt.now))
    return fail(kUsage, "cannot read --at '" + o.get("at") + "' (use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @seconds)");
  opt.hostname = o.get("host");
  std::string purpose = o.get("purpose", "server");
  if (purpose == "server") opt.purpose = x509::Purpose::server_auth;
  else if (purpose == "client") opt.purpose = x509::Purpose::client_auth;
  else if (purpose == "any") opt.purpose = x509::Purpose::any;
  else return fail(kUsage, "unknown --purpose '" + purpose + "' (expected server, client or any)");

  std::string err;
  std::vector<x509::Certificate> chain;
  if (!load_certificates(o.positional[0], chain, err)) return fail(1, err);
  x509::TrustStore store;
  if (!load_trust(o.get("cafile"), o.get("capath"), store, err)) return fail(1, err);
  std::vector<x509::Certificate> rest(chain.begin() + 1, chain.end());
  auto r = x509::verify(chain[0], rest, store, opt);
  if (!r.ok()) return fail(2, "verification failed: " + r.failure.message());
  std::printf("%s: OK\n", o.positional[0].c_str());
  for (std::size_t i = 0; i < r.chain.size(); ++i) {
    const auto& c = r.chain[i].view();
    std::printf("  %zu %s  [%s]%s\n", i, r.chain[i].subject_string().c_str(), validity_line(c, opt.now).c_str(),
                i + 1 == r.chain.size() ? "  (trust anchor)" : "");
  }
  auto ex = x509::expiry(r.chain, opt.now);
  std::printf("earliest expiry: %s (certificate %d, %s), %lld days left\n", x509::format_time(ex.earliest_not_after).c_str(),
              ex.depth, ex.subject.c_str(), static_cast<long long>(ex.days_left));
  return 0;
}

}  // namespace

int cmd_cert(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kHelp, args.empty() ? stderr : stdout);
    return args.empty() ? kUsage : 0;
  }
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "issue") return cert_issue(rest);
  if (args[0] == "show") return cert_show(rest);
  if (args[0] == "verify") return cert_verify(rest);
  if (args[0] == "check") return cmd_cert_check(rest);
  return fail(kUsage, "unknown cert command '" + args[0] + "' (expected issue, show, verify or check)");
}

}  // namespace tern::tool
