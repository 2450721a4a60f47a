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

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && ieq(s.substr(s.size() - suffix.size()), suffix);
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
// `host` has no final dot.
bool dns_matches(std::string_view pattern, std::string_view host) {
  pattern = without_final_dot(pattern);
  if (pattern.empty()) return false;
  if (ieq(pattern, host)) return pattern.find('*') == std::string_view::npos;
  if (pattern.size() < 3 || pattern[0] != '*' || pattern[1] != '.') return false;
  const std::string_view rest = pattern.substr(2);
  if (rest.find('*') != std::string_view::npos || rest.find('.') == std::string_view::npos) return false;
  if (rest.front() == '.' || rest.back() == '.' || rest.find("..") != std::string_view::npos) return false;
  const std::size_t dot = host.find('.');
  if (dot == 0 || dot == std::string_view::npos) return false;
  return ieq(host.substr(dot + 1), rest);
}

// ---- name constraints -----------------------------------------------------------

bool dns_in_subtree(std::string_view name, std::string_view base) {
  name = without_final_dot(name);
  base = without_final_dot(base);
  if (base.empty()) return true;
  if (base.front() == '.') return iends_with(name, base) && name.size() > base.size();
  return ieq(name, base) || (iends_with(name, base) && name[name.size() - base.size() - 1] == '.');
}

bool ip_in_subtree(Bytes ip, Bytes base) {
  if (base.size() != 2 * ip.size()) return false;
  for (std::size_t i = 0; i < ip.size(); ++i)
    if ((ip[i] & base[ip.size() + i]) != (base[i] & base[ip.size() + i])) return false;
  return true;
}

bool email_in_subtree(std::string_view mail, std::string_view base) {
  const std::size_t at = mail.rfind('@');
  if (at == std::string_view::npos) return false;
  const std::string_view host = mail.substr(at + 1);
  if (base.find('@') != std::string_view::npos) {
    const std::size_t bat = base.rfind('@');
    return mail.substr(0, at) == base.substr(0, bat) && ieq(host, base.substr(bat + 1));
  }
  if (!base.empty() && base.front() == '.') return iends_with(host, base) && host.size() > base.size();
  return ieq(host, base);
}

// Calls f(base) for the base GeneralName of each GeneralSubtree of a
// GeneralSubtrees value, in order, until f returns true (then true). A
// malformed subtree ends the list (the ones before it still count). Read in
// place: no containers during a handshake.
template <class F>
bool any_subtree(Bytes trees, F f) {
  der::Reader t(trees);
  while (!t.empty()) {
    der::Reader sub(Bytes{});
    der::Element base;
    GeneralName g;
    if (!t.enter(der::kSequence, sub) || !sub.read(base) || !parse_general_name(base.raw, g)) break;
    if (f(g)) return true;
  }
  return false;
}

// Whether a SEQUENCE OF GeneralName's contents decode completely.
bool general_names_well_formed(Bytes contents) {
  der::Reader r(contents);
  while (!r.empty()) {
    der::Element e;
    GeneralName g;
    if (!r.read(e) || !parse_general_name(e.raw, g)) return false;
  }
  return r.ok();
}

// Calls f(name) for each GeneralName of a SEQUENCE OF GeneralName's
// contents until f returns true (then true).
template <class F>
bool any_general_name(Bytes contents, F f) {
  der::Reader r(contents);
  while (!r.empty()) {
    der::Element e;
    GeneralName g;
    if (!r.read(e) || !parse_general_name(e.raw, g)) return false;
    if (f(g)) return true;
  }
  return false;
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

// IPv6 (RFC 4291 §2.2), with "::" and an optional trailing IPv4, into a
// fixed array (no containers: this runs in every TLS handshake).
bool parse_ipv6(std::string_view s, std::uint8_t out[16]) {
  std::uint16_t g[8];
  std::size_t n = 0;  // groups read
  int gap = -1;       // groups before "::", -1 without one
  std::size_t i = 0;
  if (s.substr(0, 2) == "::") {
    gap = 0;
    i = 2;
  }
  while (i < s.size()) {
    const std::size_t start = i;
    const std::size_t next = s.find(':', i);
    const std::string_view tok = s.substr(i, next == std::string_view::npos ? std::string_view::npos : next - i);
    if (tok.find('.') != std::string_view::npos && next == std::string_view::npos) {
      std::uint8_t v4[4];
      if (!parse_ipv4(tok, v4) || n + 2 > 8) return false;
      g[n++] = static_cast<std::uint16_t>((v4[0] << 8) | v4[1]);
      g[n++] = static_cast<std::uint16_t>((v4[2] << 8) | v4[3]);
      break;
    }
    unsigned v = 0;
    for (int d; i < s.size() && i - start < 4 && (d = hex_digit(s[i])) >= 0; ++i) v = v * 16 + unsigned(d);
    if (i == start || n == 8) return false;
    g[n++] = static_cast<std::uint16_t>(v);
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return false;
      gap = static_cast<int>(n);
      ++i;
    } else if (i == s.size()) {
      return false;  // trailing single ':'
    }
  }
  if (gap >= 0 ? n > 7 : n != 8) return false;
  const std::size_t head = gap >= 0 ? static_cast<std::size_t>(gap) : n;
  std::memset(out, 0, 16);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t at = k < head ? k : 8 - n + k;  // the tail ends at group 7
    out[2 * at] = static_cast<std::uint8_t>(g[k] >> 8);
    out[2 * at + 1] = static_cast<std::uint8_t>(g[k]);
  }
  return true;
}

// parse_ip() into a fixed buffer: the address length (4 or 16), 0 if s is
// not an IP literal (brackets around IPv6 allowed).
std::size_t parse_ip_into(std::string_view s, std::uint8_t out[16]) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (s.find(':') == std::string_view::npos) return parse_ipv4(s, out) ? 4 : 0;
  return parse_ipv6(s, out) ? 16 : 0;
}

}  // namespace

bool parse_ip(std::string_view s, std::vector<std::uint8_t>& out) {
  std::uint8_t a[16];
  const std::size_t n = parse_ip_into(s, a);
  out.assign(a, a + n);
  return n != 0;
}

namespace {
// The dNSName and iPAddress entries of subjectAltName, read in place (no
// container: this runs in every TLS handshake): true as soon as f() is.
template <class F>
bool any_san(const CertView& cert, F f) {
  if (!cert.ext.has_san) return false;
  der::Reader r(cert.ext.san);
  while (!r.empty()) {
    der::Element e;
    if (!r.read(e)) return false;
    if (e.tag == der::context(2, false) && f(GeneralNameType::dns, e.value)) return true;
    if (e.tag == der::context(7, false) && f(GeneralNameType::ip, e.value)) return true;
  }
  return false;
}
}  // namespace

bool matches_hostname(const CertView& cert, std::string_view host_in) {
  std::uint8_t ip[16];
  if (const std::size_t n = parse_ip_into(host_in, ip); n != 0) {
    return any_san(cert, [&](GeneralNameType t, Bytes v) {
      return t == GeneralNameType::ip && v.size() == n && std::memcmp(ip, v.data(), n) == 0;
    });
  }
  const std::string_view host = without_final_dot(host_in);
  if (host.empty() || host.find('*') != std::string_view::npos || host.find("..") != std::string_view::npos ||
      host.front() == '.')
    return false;
  return any_san(cert, [&](GeneralNameType t, Bytes v) {
    return t == GeneralNameType::dns && dns_matches(as_text(v), host);
  });
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

// TERN_SMALL builds leave *detail untouched (see verify.cpp: failures carry
// only the Error and the depth there).
bool satisfies_name_constraints(const CertView& issuer, const CertView& cert, bool is_leaf, std::string* detail) {
  (void)is_leaf;
  (void)detail;
  if (!issuer.ext.has_name_constraints) return true;
  // One name of the certificate against the issuer's subtrees: false (and
  // *detail) when it violates them.
  auto allowed = [&](const GeneralName& n) {
    if (n.type != GeneralNameType::dns && n.type != GeneralNameType::ip && n.type != GeneralNameType::rfc822 &&
        n.type != GeneralNameType::directory)
      return true;
    bool constrained = false;  // a permitted subtree of this name's type exists
    const bool inside = any_subtree(issuer.ext.nc_permitted, [&](const GeneralName& b) {
      constrained = constrained || b.type == n.type;
      return matches(n, b);
    });
    if (constrained && !inside) {
#ifndef TERN_SMALL
      if (detail) *detail = describe(n) + " is outside the permitted subtrees";
#endif
      return false;
    }
    GeneralName hit{};
    if (any_subtree(issuer.ext.nc_excluded, [&](const GeneralName& b) { return matches(n, b) && (hit = b, true); })) {
#ifndef TERN_SMALL
      if (detail) *detail = describe(n) + " is in an excluded subtree (" + describe(hit) + ")";
#endif
      return false;
    }
    return true;
  };
  // The names the certificate carries: the subject, then subjectAltName
  // (all of it or, when it does not parse, none), else the subject's
  // emailAddress attributes as rfc822Names (RFC 5280 §4.2.1.10).
  if (!cert.subject.empty() && !allowed(GeneralName{GeneralNameType::directory, cert.subject.raw})) return false;
  if (cert.ext.has_san) {
    if (!general_names_well_formed(cert.ext.san)) return true;
    return !any_general_name(cert.ext.san, [&](const GeneralName& n) { return !allowed(n); });
  }
  // (read in place; a value over 1 KiB, four times emailAddress's upper
  // bound, counts as a violation).
  auto bad_email = [](const void* ctx, Bytes v) {
    return !(*static_cast<const decltype(allowed)*>(ctx))(GeneralName{GeneralNameType::rfc822, v});
  };
  return !any_attribute(cert.subject, Bytes(oid::email_address, sizeof oid::email_address), bad_email, &allowed);
}

}  // namespace tern::x509
