// Hostname verification (RFC 6125 / RFC 9525) and name constraints
// (RFC 5280 §4.2.1.10) for dNSName, iPAddress, rfc822Name and directoryName.
#include <algorithm>
#include <cstring>

#include "crypto/internal/der.hpp"
#include "x509/path/verify.hpp"

namespace tern::x509 {
namespace {

// The checks that run during a TLS handshake compare in place, ASCII
// case-insensitively, without copying names (no heap, no arena strings).
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

// s without its first n characters (n <= s.size()); no range check.
std::string_view after(std::string_view s, std::size_t n) { return {s.data() + n, s.size() - n}; }

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && ieq(after(s, s.size() - suffix.size()), suffix);
}

std::string_view without_final_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

std::string_view as_text(Bytes b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

[[maybe_unused]] std::string ip_text(Bytes ip) {
  std::string out;
  if (ip.size() == 4) {
    for (std::size_t i = 0; i < 4; ++i) {
      if (i) out.push_back('.');
      out.append(std::to_string(ip[i]));
    }
  } else if (ip.size() == 16) {
    static const char* hexd = "0123456789abcdef";
    for (std::size_t i = 0; i < 16; i += 2) {
      if (i) out.push_back(':');
      const unsigned v = (unsigned{ip[i]} << 8) | ip[i + 1];
      bool started = false;
      for (int sh = 12; sh >= 0; sh -= 4) {
        const unsigned d = (v >> sh) & 15;
        if (d || started || sh == 0) {
          out.push_back(hexd[d]);
          started = true;
        }
      }
    }
  } else {
    out = "<bad IP>";
  }
  return out;
}

// RFC 6125 §6.4.3 as restricted by RFC 9525 §6.3: "*" must be the entire
// leftmost label, the rest at least two labels, and it matches one label.
// `host` is non-empty, has no final dot, no "*", no empty label and does
// not start with a dot (matches_hostname() checks): so a pattern equal to
// it is a plain name, and a wildcard's rest equal to its tail after the
// first label has no "*" and no empty label either.
bool dns_matches(std::string_view pattern, std::string_view host) {
  pattern = without_final_dot(pattern);
  if (ieq(pattern, host)) return true;
  if (pattern.size() < 3 || pattern[0] != '*' || pattern[1] != '.') return false;
  const std::string_view rest = after(pattern, 2);
  const std::size_t dot = host.find('.');
  return dot != std::string_view::npos && rest.find('.') != std::string_view::npos && ieq(after(host, dot + 1), rest);
}

// ---- name constraints -----------------------------------------------------------

// `x` is `base`, or (base ".example.com") a name strictly under it, or
// (`sub`, base "example.com") a name under it at a label boundary.
bool in_domain(std::string_view x, std::string_view base, bool sub) {
  if (!base.empty() && base.front() == '.') return x.size() > base.size() && iends_with(x, base);
  return ieq(x, base) || (sub && x.size() > base.size() && iends_with(x, base) && x[x.size() - base.size() - 1] == '.');
}

bool dns_in_subtree(std::string_view name, std::string_view base) {
  base = without_final_dot(base);
  return base.empty() || in_domain(without_final_dot(name), base, true);
}

bool ip_in_subtree(Bytes ip, Bytes base) {
  if (base.size() != 2 * ip.size()) return false;
  for (std::size_t i = 0; i < ip.size(); ++i)
    if ((ip[i] ^ base[i]) & base[ip.size() + i]) return false;
  return true;
}

// A mailbox base ("a@example.com") matches that address (local part
// exactly, host case-insensitively); a host base matches the host part as
// in_domain() without subdomains.
bool email_in_subtree(std::string_view mail, std::string_view base) {
  const std::size_t at = mail.rfind('@'), bat = base.rfind('@');
  if (at == std::string_view::npos) return false;
  const std::string_view host = after(mail, at + 1);
  if (bat != std::string_view::npos)
    return at == bat && std::memcmp(mail.data(), base.data(), at) == 0 && ieq(host, after(base, bat + 1));
  return in_domain(host, base, false);
}

bool matches(const GeneralName& name, const GeneralName& base) {
  if (name.type != base.type) return false;
  switch (name.type) {
    case GeneralNameType::dns: return dns_in_subtree(as_text(name.value), as_text(base.value));
    case GeneralNameType::ip: return ip_in_subtree(name.value, base.value);
    case GeneralNameType::rfc822: return email_in_subtree(as_text(name.value), as_text(base.value));
    case GeneralNameType::directory: return name_has_prefix(Name{name.value}, Name{base.value});
    default: return false;
  }
}

[[maybe_unused]] std::string describe(const GeneralName& g) {
  switch (g.type) {
    case GeneralNameType::dns: return "DNS:" + std::string(as_text(g.value));
    case GeneralNameType::ip: return "IP:" + ip_text(g.value);
    case GeneralNameType::rfc822: return "email:" + std::string(as_text(g.value));
    case GeneralNameType::directory: return "DirName:" + to_string(Name{g.value});
    default: return "other name";
  }
}

// Dotted quad, decimal, no leading zeros: the whole of s.
bool parse_ipv4(std::string_view s, std::uint8_t out[4]) {
  std::size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    const std::size_t start = i;
    unsigned v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) v = v * 10 + unsigned(s[i++] - '0');
    if (i == start || v > 255 || (s[start] == '0' && i - start > 1)) return false;
    out[part] = static_cast<std::uint8_t>(v);
  }
  return i == s.size();
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = ascii_lower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// parse_ip() into a fixed buffer (no containers: this runs in every TLS
// handshake): the address length (4 or 16), 0 if s is not an IP literal
// (brackets around IPv6 allowed). IPv6 per RFC 4291 §2.2, with "::" and
// an optional trailing IPv4, read in one pass into bytes.
std::size_t parse_ip_into(std::string_view s, std::uint8_t out[16]) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = {s.data() + 1, s.size() - 2};
  if (s.find(':') == std::string_view::npos) return parse_ipv4(s, out) ? 4 : 0;
  std::uint8_t b[16];
  std::size_t n = 0, i = 0;  // bytes read, position in s
  int gap = -1;              // bytes before "::", -1 without one
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    gap = 0;
    i = 2;
  }
  while (i < s.size()) {
    std::size_t j = i;
    unsigned v = 0;
    for (int d; j < s.size() && j - i < 4 && (d = hex_digit(s[j])) >= 0; ++j) v = v * 16 + unsigned(d);
    if (j < s.size() && s[j] == '.') {  // the trailing IPv4 (all the rest)
      if (n > 12 || !parse_ipv4(after(s, i), b + n)) return 0;
      n += 4;
      break;
    }
    if (j == i || n > 14) return 0;
    b[n++] = static_cast<std::uint8_t>(v >> 8);
    b[n++] = static_cast<std::uint8_t>(v);
    i = j;
    if (i == s.size()) break;
    if (s[i++] != ':') return 0;
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return 0;
      gap = static_cast<int>(n);
      ++i;
    } else if (i == s.size()) {
      return 0;  // trailing single ':'
    }
  }
  if (gap >= 0 ? n > 14 : n != 16) return 0;
  const std::size_t head = gap >= 0 ? static_cast<std::size_t>(gap) : n;
  std::memset(out, 0, 16);
  std::memcpy(out, b, head);
  std::memcpy(out + 16 - (n - head), b + head, n - head);  // the tail ends at byte 15
  return 16;
}

}  // namespace

bool parse_ip(std::string_view s, std::vector<std::uint8_t>& out) {
  std::uint8_t a[16];
  const std::size_t n = parse_ip_into(s, a);
  out.assign(a, a + n);
  return n != 0;
}

// One pass over subjectAltName, read in place (no container: this runs in
// every TLS handshake): iPAddress entries for an IP literal, dNSName ones
// for a host name.
__attribute__((noinline)) bool matches_hostname(const CertView& cert, std::string_view host_in) {
  std::uint8_t ip[16];
  const std::size_t n = parse_ip_into(host_in, ip);
  const std::string_view host = without_final_dot(host_in);
  if (n == 0) {
    // A usable host name: not empty, no "*", no empty label.
    if (host.empty() || host.front() == '.') return false;
    for (std::size_t i = 0; i < host.size(); ++i)
      if (host[i] == '*' || (host[i] == '.' && i + 1 < host.size() && host[i + 1] == '.')) return false;
  }
  if (!cert.ext.has_san) return false;
  der::Reader r(cert.ext.san);
  while (!r.empty()) {
    der::Element e;
    if (!r.read(e)) return false;
    if (n ? e.tag == der::context(7, false) && e.value.size() == n && std::memcmp(ip, e.value.data(), n) == 0
          : e.tag == der::context(2, false) && dns_matches(as_text(e.value), host))
      return true;
  }
  return false;
}

std::string san_list(const CertView& cert) {
  std::string out;
  for (const auto& g : cert.san_names()) {
    if (!out.empty()) out += ", ";
    if (g.type == GeneralNameType::dns) out.append(as_text(g.value));
    else out.append(ip_text(g.value));
  }
  return out.empty() ? "(no DNS or IP subjectAltName)" : out;
}

namespace {

// Whether `n` lies in one of the GeneralSubtrees `trees` (`hit`: that
// subtree's base); `typed` becomes true when one of them has n's type. A
// malformed subtree ends the list (parse_certificate() has checked them).
// Read in place: no containers during a handshake.
bool in_subtrees(Bytes trees, const GeneralName& n, bool& typed, GeneralName& hit) {
  der::Reader t(trees);
  while (!t.empty()) {
    der::Reader sub = t.enter(der::kSequence);
    if (!read_general_name(sub, hit)) break;
    if (hit.type == n.type) {
      typed = true;
      if (matches(n, hit)) return true;
    }
  }
  return false;
}

struct NcCheck {
  const Extensions& nc;
  std::string* detail;
};

// One name of the certificate against the issuer's subtrees: false (and
// *detail, full builds) when it violates them.
bool name_allowed(const NcCheck& c, const GeneralName& n) {
  if (n.type != GeneralNameType::dns && n.type != GeneralNameType::ip && n.type != GeneralNameType::rfc822 &&
      n.type != GeneralNameType::directory)
    return true;
  bool typed = false;  // a permitted subtree of this name's type exists
  GeneralName hit{};
  if (!in_subtrees(c.nc.nc_permitted, n, typed, hit) && typed) {
#ifndef TERN_SMALL
    if (c.detail) *c.detail = describe(n) + " is outside the permitted subtrees";
#endif
    return false;
  }
  if (in_subtrees(c.nc.nc_excluded, n, typed, hit)) {
#ifndef TERN_SMALL
    if (c.detail) *c.detail = describe(n) + " is in an excluded subtree (" + describe(hit) + ")";
#endif
    return false;
  }
  return true;
}

bool email_violates(const void* ctx, Bytes v) {
  return !name_allowed(*static_cast<const NcCheck*>(ctx), GeneralName{GeneralNameType::rfc822, v});
}

}  // namespace

// TERN_SMALL builds leave *detail untouched (see verify.cpp: failures carry
// only the Error and the depth there).
__attribute__((noinline)) bool satisfies_name_constraints(const CertView& issuer, const CertView& cert, bool is_leaf,
                                                          std::string* detail) {
  (void)is_leaf;
  if (!issuer.ext.has_name_constraints) return true;
  const NcCheck c{issuer.ext, detail};
  // The names the certificate carries: the subject, then subjectAltName
  // (a malformed one, which parse_certificate() refuses, counts as a
  // violation), else the subject's emailAddress attributes as rfc822Names
  // (RFC 5280 §4.2.1.10; read in place, a value over 1 KiB, four times
  // emailAddress's upper bound, counts as a violation).
  if (!cert.subject.empty() && !name_allowed(c, GeneralName{GeneralNameType::directory, cert.subject.raw})) return false;
  if (cert.ext.has_san) {
    der::Reader r(cert.ext.san);
    GeneralName g;
    while (!r.empty())
      if (!read_general_name(r, g) || !name_allowed(c, g)) return false;
    return true;
  }
  return !any_attribute(cert.subject, Bytes(oid::email_address, sizeof oid::email_address), email_violates, &c);
}

}  // namespace tern::x509
