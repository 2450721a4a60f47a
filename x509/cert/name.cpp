// Distinguished names: RFC 5280 §7.1 comparison and display.
#include <algorithm>
#include <cstring>

#include "crypto/internal/der.hpp"
#include "x509/cert/cert.hpp"

namespace tern::x509 {
namespace {

bool is_string_tag(std::uint32_t t) noexcept {
  return t == der::kPrintableString || t == der::kUtf8String || t == der::kIa5String || t == der::kTeletexString ||
         t == der::kBmpString || t == der::kUniversalString || t == 0x1a /* VisibleString */;
}

void put_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Decodes a directory string into UTF-8; false if the encoding is broken
// (odd BMP length...), in which case callers fall back to raw bytes.
bool to_utf8(std::uint32_t tag, Bytes v, std::string& out) {
  out.clear();
  if (tag == der::kBmpString) {
    if (v.size() % 2) return false;
    for (std::size_t i = 0; i < v.size(); i += 2) put_utf8(out, (std::uint32_t{v[i]} << 8) | v[i + 1]);
    return true;
  }
  if (tag == der::kUniversalString) {
    if (v.size() % 4) return false;
    for (std::size_t i = 0; i < v.size(); i += 4) {
      const std::uint32_t cp = (std::uint32_t{v[i]} << 24) | (std::uint32_t{v[i + 1]} << 16) |
                               (std::uint32_t{v[i + 2]} << 8) | v[i + 3];
      if (cp > 0x10ffff) return false;
      put_utf8(out, cp);
    }
    return true;
  }
  if (tag == der::kTeletexString) {  // treated as Latin-1, as most software does
    for (auto b : v) put_utf8(out, b);
    return true;
  }
  out.assign(reinterpret_cast<const char*>(v.data()), v.size());
  return true;
}

// RFC 4518-style folding: ASCII case, whitespace runs -> one space, trimmed.
std::string fold(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

struct Atv {
  Bytes type;
  der::Element value;
};

bool read_atv(der::Reader& set, Atv& atv) {
  der::Reader seq(Bytes{});
  if (!set.enter(der::kSequence, seq)) return false;
  der::Element oid;
  if (!seq.read(der::kOid, oid) || !seq.read(atv.value) || !seq.finish()) return false;
  atv.type = oid.value;
  return true;
}

bool atv_equal(const Atv& a, const Atv& b) {
  if (a.type.size() != b.type.size() || !std::equal(a.type.begin(), a.type.end(), b.type.begin())) return false;
  if (is_string_tag(a.value.tag) && is_string_tag(b.value.tag)) {
    std::string sa, sb;
    if (to_utf8(a.value.tag, a.value.value, sa) && to_utf8(b.value.tag, b.value.value, sb)) return fold(sa) == fold(sb);
  }
  return a.value.raw.size() == b.value.raw.size() &&
         std::equal(a.value.raw.begin(), a.value.raw.end(), b.value.raw.begin());
}

bool read_rdn(der::Reader& name, std::vector<Atv>& atvs) {
  atvs.clear();
  der::Reader set(Bytes{});
  if (!name.enter(der::kSet, set)) return false;
  while (!set.empty()) {
    Atv a;
    if (!read_atv(set, a)) return false;
    atvs.push_back(a);
  }
  return !atvs.empty() && set.ok();
}

struct AttrName {
  std::uint8_t oid[3];
  const char* name;
};
constexpr AttrName kAttrNames[] = {
    {{0x55, 0x04, 0x03}, "CN"}, {{0x55, 0x04, 0x06}, "C"},  {{0x55, 0x04, 0x07}, "L"},
    {{0x55, 0x04, 0x08}, "ST"}, {{0x55, 0x04, 0x0a}, "O"},  {{0x55, 0x04, 0x0b}, "OU"},
    {{0x55, 0x04, 0x05}, "serialNumber"}, {{0x55, 0x04, 0x09}, "street"}, {{0x55, 0x04, 0x2e}, "dnQualifier"},
    {{0x55, 0x04, 0x0c}, "title"}, {{0x55, 0x04, 0x2a}, "GN"}, {{0x55, 0x04, 0x04}, "SN"},
    {{0x55, 0x04, 0x2b}, "initials"}, {{0x55, 0x04, 0x2c}, "generationQualifier"}, {{0x55, 0x04, 0x41}, "pseudonym"},
};

std::string oid_text(Bytes oid) {
  for (const auto& a : kAttrNames)
    if (oid.size() == 3 && std::memcmp(oid.data(), a.oid, 3) == 0) return a.name;
  if (oid.size() == sizeof(oid::email_address) && std::memcmp(oid.data(), oid::email_address, oid.size()) == 0)
    return "emailAddress";
  if (oid.size() == 10 && oid[0] == 0x09 && oid[9] == 0x19) return "DC";
  if (oid.size() == 10 && oid[0] == 0x09 && oid[9] == 0x01) return "UID";
  // Dotted form.
  std::string out;
  std::uint64_t v = 0;
  bool first = true;
  for (auto b : oid) {
    v = (v << 7) | (b & 0x7f);
    if (b & 0x80) continue;
    if (first) {
      const std::uint64_t top = v < 40 ? 0 : v < 80 ? 1 : 2;
      out.append(std::to_string(top));
      out.push_back('.');
      out.append(std::to_string(v - top * 40));
      first = false;
    } else {
      out.push_back('.');
      out.append(std::to_string(v));
    }
    v = 0;
  }
  return out;
}

}  // namespace

const std::uint8_t oid::common_name[3] = {0x55, 0x04, 0x03};
const std::uint8_t oid::email_address[9] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01};

bool names_equal(const Name& a, const Name& b) noexcept {
  if (a.raw.size() == b.raw.size() && std::equal(a.raw.begin(), a.raw.end(), b.raw.begin())) return true;
  der::Reader ra(a.raw), rb(b.raw), sa(Bytes{}), sb(Bytes{});
  if (!ra.enter(der::kSequence, sa) || !rb.enter(der::kSequence, sb)) return false;
  std::vector<Atv> xa, xb;
  while (!sa.empty() && !sb.empty()) {
    if (!read_rdn(sa, xa) || !read_rdn(sb, xb) || xa.size() != xb.size()) return false;
    for (const auto& x : xa) {
      bool found = false;
      for (const auto& y : xb) found = found || atv_equal(x, y);
      if (!found) return false;
    }
  }
  return sa.empty() && sb.empty() && sa.ok() && sb.ok();
}

std::string to_string(const Name& n) {
  der::Reader r(n.raw), seq(Bytes{});
  if (!r.enter(der::kSequence, seq)) return "<malformed name>";
  std::string out;
  std::vector<Atv> atvs;
  while (!seq.empty()) {
    if (!read_rdn(seq, atvs)) {
      out.append("<malformed name>");
      return out;
    }
    for (std::size_t i = 0; i < atvs.size(); ++i) {
      if (!out.empty()) out += i ? " + " : ", ";
      out += oid_text(atvs[i].type);
      out += '=';
      std::string s;
      if (is_string_tag(atvs[i].value.tag) && to_utf8(atvs[i].value.tag, atvs[i].value.value, s)) {
        for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
      } else {
        out.append("#<");
        out.append(std::to_string(atvs[i].value.raw.size()));
        out.append(" bytes>");
      }
    }
  }
  return out;
}

std::vector<std::string> name_attributes(const Name& n, Bytes type) {
  std::vector<std::string> out;
  der::Reader r(n.raw), seq(Bytes{});
  if (!r.enter(der::kSequence, seq)) return out;
  std::vector<Atv> atvs;
  while (!seq.empty()) {
    if (!read_rdn(seq, atvs)) return out;
    for (const auto& a : atvs) {
      if (a.type.size() != type.size() || !std::equal(a.type.begin(), a.type.end(), type.begin())) continue;
      std::string s;
      if (is_string_tag(a.value.tag) && to_utf8(a.value.tag, a.value.value, s)) out.push_back(s);
    }
  }
  return out;
}

// Used by name constraints: is `prefix` the leading RDN sequence of `name`?
bool name_has_prefix(const Name& name, const Name& prefix) noexcept {
  der::Reader rn(name.raw), rp(prefix.raw), sn(Bytes{}), sp(Bytes{});
  if (!rn.enter(der::kSequence, sn) || !rp.enter(der::kSequence, sp)) return false;
  std::vector<Atv> xn, xp;
  while (!sp.empty()) {
    if (sn.empty()) return false;
    if (!read_rdn(sp, xp) || !read_rdn(sn, xn) || xn.size() != xp.size()) return false;
    for (const auto& x : xp) {
      bool found = false;
      for (const auto& y : xn) found = found || atv_equal(x, y);
      if (!found) return false;
    }
  }
  return sp.ok() && sn.ok();
}

}  // namespace tern::x509
