// Distinguished names: RFC 5280 §7.1 comparison and display.
//
// Comparison works on the DER directly (no heap): string values are
// decoded to UTF-8 and folded byte by byte as they are compared.
#include <cstring>
#include <utility>

#include "crypto/internal/der.hpp"
#include "x509/cert/cert.hpp"

namespace tern::x509 {
namespace {

// Whether a value is a directory string that converts to UTF-8:
// PrintableString, UTF8String, IA5String, TeletexString, VisibleString,
// BMPString (whole 16-bit units) or UniversalString (whole 32-bit units,
// none above U+10FFFF). When it is not, comparisons fall back to the raw
// bytes.
bool is_text(const der::Element& e) noexcept {
  const std::uint32_t t = e.tag;
  const Bytes v = e.value;
  if (t == der::kBmpString) return v.size() % 2 == 0;
  if (t == der::kUniversalString) {
    if (v.size() % 4) return false;
    for (std::size_t i = 0; i < v.size(); i += 4)
      if (v[i] || v[i + 1] > 0x10) return false;
    return true;
  }
  return t == der::kPrintableString || t == der::kUtf8String || t == der::kIa5String || t == der::kTeletexString ||
         t == 0x1a /* VisibleString */;
}

// The UTF-8 form of a decodable directory string, one byte at a time:
// BMPString and UniversalString decoded, TeletexString read as Latin-1 (as
// most software does), the others passed through as they are.
class Utf8Reader {
 public:
  Utf8Reader(std::uint32_t tag, Bytes v) noexcept : tag_(tag), v_(v) {}
  // The next byte, -1 at the end.
  int next() noexcept {
    if (at_ < n_) return buf_[at_++];
    if (pos_ >= v_.size()) return -1;
    // One code unit, big-endian: 2 bytes (BMPString), 4 (UniversalString,
    // first byte 0 as is_text() checked) or 1.
    const unsigned width = tag_ == der::kBmpString ? 2 : tag_ == der::kUniversalString ? 4 : 1;
    std::uint32_t cp = 0;
    for (unsigned k = 0; k < width; ++k) cp = (cp << 8) | v_[pos_++];
    if (width == 1 && tag_ != der::kTeletexString) return static_cast<int>(cp);  // UTF-8 or ASCII as it is
    // Encode cp: 1 to 4 bytes.
    n_ = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static constexpr std::uint8_t kLead[] = {0, 0, 0xc0, 0xe0, 0xf0};
    for (unsigned i = n_; i-- > 1; cp >>= 6) buf_[i] = static_cast<std::uint8_t>(0x80 | (cp & 0x3f));
    buf_[0] = static_cast<std::uint8_t>(kLead[n_] | cp);
    at_ = 1;
    return buf_[0];
  }

 private:
  std::uint32_t tag_;
  Bytes v_;
  std::size_t pos_ = 0;
  std::uint8_t buf_[4];  // written before read (n_ = at_ = 0 until then)
  unsigned n_ = 0, at_ = 0;
};

// RFC 4518-style folding of that UTF-8 text: ASCII case, whitespace runs ->
// one space, leading and trailing whitespace dropped.
class FoldReader {
 public:
  FoldReader(std::uint32_t tag, Bytes v) noexcept : in_(tag, v) {}
  int next() noexcept {
    if (held_ >= 0) {
      const int c = held_;
      held_ = -1;
      return c;
    }
    int c = in_.next();
    bool space = false;
    while (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      c = in_.next();
    }
    if (c < 0) return -1;
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    if (space && started_) {
      held_ = c;
      return ' ';
    }
    started_ = true;
    return c;
  }

 private:
  Utf8Reader in_;
  int held_ = -1;
  bool started_ = false;
};

bool bytes_equal(Bytes a, Bytes b) noexcept {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

struct Atv {
  Bytes type;
  der::Element value;
};

bool read_atv(der::Reader& set, Atv& atv) noexcept {
  der::Reader seq = set.enter(der::kSequence);  // failed: the reads below fail
  der::Element oid;
  if (!seq.read(der::kOid, oid) || !seq.read(atv.value) || !seq.finish()) return false;
  atv.type = oid.value;
  return true;
}

__attribute__((noinline)) bool atv_equal(const Atv& a, const Atv& b) noexcept {
  if (!bytes_equal(a.type, b.type)) return false;
  const der::Element &x = a.value, &y = b.value;
  if (is_text(x) && is_text(y)) {
    FoldReader fx(x.tag, x.value), fy(y.tag, y.value);
    for (;;) {
      const int c = fx.next();
      if (c != fy.next()) return false;
      if (c < 0) return true;
    }
  }
  return bytes_equal(x.raw, y.raw);
}

// Enters the next RDN (a non-empty SET of well-formed attributes): a
// reader over it, failed when it is malformed; `count` gets the number of
// attributes.
der::Reader next_rdn(der::Reader& name, std::size_t& count) noexcept {
  der::Reader set = name.enter(der::kSet);
  der::Reader r = set;
  Atv a;
  for (count = 0; !r.empty(); ++count)
    if (!read_atv(r, a)) {
      r.fail();
      break;
    }
  if (count == 0 || !r.ok()) set.fail();
  return set;
}

// Reads one RDN from each name: the same number of attributes, each of
// `a`'s found among `b`'s.
bool rdn_match(der::Reader& a, der::Reader& b) noexcept {
  std::size_t na = 0, nb = 0;
  der::Reader sa = next_rdn(a, na), sb = next_rdn(b, nb);
  if (!sa.ok() || !sb.ok() || na != nb) return false;
  Atv x, y;
  while (!sa.empty()) {
    read_atv(sa, x);
    bool found = false;
    for (der::Reader r = sb; !found && !r.empty();) {
      read_atv(r, y);
      found = atv_equal(x, y);
    }
    if (!found) return false;
  }
  return true;
}

struct AttrName {
  std::uint8_t oid;  // 2.5.4.x
  const char* name;
};
constexpr AttrName kAttrNames[] = {
    {0x03, "CN"}, {0x06, "C"},  {0x07, "L"},
    {0x08, "ST"}, {0x0a, "O"},  {0x0b, "OU"},
    {0x05, "serialNumber"}, {0x09, "street"}, {0x2e, "dnQualifier"},
    {0x0c, "title"}, {0x2a, "GN"}, {0x04, "SN"},
    {0x2b, "initials"}, {0x2c, "generationQualifier"}, {0x41, "pseudonym"},
};

void append_number(std::string& out, std::uint64_t v) {
  char buf[20];
  std::size_t n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) out += buf[--n];
}

void append_oid_text(std::string& out, Bytes oid) {
  if (oid.size() == 3 && oid[0] == 0x55 && oid[1] == 0x04)
    for (const auto& a : kAttrNames)
      if (oid[2] == a.oid) return void(out += a.name);
  if (bytes_equal(oid, Bytes(oid::email_address, sizeof oid::email_address))) return void(out += "emailAddress");
  if (oid.size() == 10 && oid[0] == 0x09 && oid[9] == 0x19) return void(out += "DC");
  if (oid.size() == 10 && oid[0] == 0x09 && oid[9] == 0x01) return void(out += "UID");
  // Dotted form.
  std::uint64_t v = 0;
  bool first = true;
  for (auto b : oid) {
    v = (v << 7) | (b & 0x7f);
    if (b & 0x80) continue;
    if (first) {
      const std::uint64_t top = v < 40 ? 0 : v < 80 ? 1 : 2;
      append_number(out, top);
      out += '.';
      v -= top * 40;
      first = false;
    } else {
      out += '.';
    }
    append_number(out, v);
    v = 0;
  }
}

// The UTF-8 text of a string attribute value; false (nothing appended)
// when it is not a decodable directory string.
bool append_utf8(std::string& out, const der::Element& v, bool printable) {
  if (!is_text(v)) return false;
  Utf8Reader r(v.tag, v.value);
  for (int c; (c = r.next()) >= 0;) out += printable && (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  return true;
}

}  // namespace

const std::uint8_t oid::common_name[3] = {0x55, 0x04, 0x03};
const std::uint8_t oid::email_address[9] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01};

bool name_well_formed(Bytes raw) noexcept {
  der::Reader seq = der::Reader(raw).enter(der::kSequence);
  for (std::size_t count = 0; !seq.empty();)
    if (!next_rdn(seq, count).ok()) return false;
  return seq.ok();
}

namespace {
// Whether the RDNs of Name `a` match those of Name `b` one for one: all of
// `b`'s, or (`prefix`) its leading ones. One body for names_equal() and
// name_has_prefix() (issue #10 size).
__attribute__((noinline)) bool rdns_match(Bytes a, Bytes b, bool prefix) noexcept {
  der::Reader sa = der::Reader(a).enter(der::kSequence), sb = der::Reader(b).enter(der::kSequence);
  if (!sa.ok() || !sb.ok()) return false;
  while (!sa.empty())
    if (sb.empty() || !rdn_match(sa, sb)) return false;
  return (prefix || sb.empty()) && sa.ok() && sb.ok();
}
}  // namespace

bool names_equal(const Name& a, const Name& b) noexcept {
  return bytes_equal(a.raw, b.raw) || rdns_match(a.raw, b.raw, false);
}

std::string to_string(const Name& n) {
  der::Reader seq = der::Reader(n.raw).enter(der::kSequence);
  if (!seq.ok()) return "<malformed name>";
  std::string out;
  while (!seq.empty()) {
    std::size_t count = 0;
    der::Reader set = next_rdn(seq, count);
    if (!set.ok()) {
      out += "<malformed name>";
      return out;
    }
    for (bool first = true; !set.empty(); first = false) {
      Atv a;
      read_atv(set, a);
      if (!out.empty()) out += first ? ", " : " + ";
      append_oid_text(out, a.type);
      out += '=';
      if (!append_utf8(out, a.value, true)) {
        out += "#<";
        append_number(out, a.value.raw.size());
        out += " bytes>";
      }
    }
  }
  return out;
}

std::vector<std::string> name_attributes(const Name& n, Bytes type) {
  std::vector<std::string> out;
  der::Reader seq = der::Reader(n.raw).enter(der::kSequence);
  while (!seq.empty()) {
    std::size_t count = 0;
    der::Reader set = next_rdn(seq, count);
    if (!set.ok()) return out;
    while (!set.empty()) {
      Atv a;
      read_atv(set, a);
      std::string s;
      if (bytes_equal(a.type, type) && append_utf8(s, a.value, false)) out.push_back(std::move(s));
    }
  }
  return out;
}

bool any_attribute(const Name& n, Bytes type, bool (*f)(const void* ctx, Bytes utf8), const void* ctx) {
  der::Reader seq = der::Reader(n.raw).enter(der::kSequence);
  while (!seq.empty()) {
    std::size_t count = 0;
    der::Reader set = next_rdn(seq, count);
    if (!set.ok()) return false;
    while (!set.empty()) {
      Atv a;
      read_atv(set, a);
      if (!bytes_equal(a.type, type) || !is_text(a.value)) continue;
      std::uint8_t buf[1024];
      std::size_t len = 0;
      Utf8Reader u(a.value.tag, a.value.value);
      for (int c; (c = u.next()) >= 0;) {
        if (len == sizeof buf) return true;  // too long to check: as if f said so
        buf[len++] = static_cast<std::uint8_t>(c);
      }
      if (f(ctx, Bytes(buf, len))) return true;
    }
  }
  return false;
}

// Used by name constraints: is `prefix` the leading RDN sequence of `name`?
bool name_has_prefix(const Name& name, const Name& prefix) noexcept { return rdns_match(prefix.raw, name.raw, true); }

}  // namespace tern::x509
