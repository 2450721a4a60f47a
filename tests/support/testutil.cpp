#include "tests/support/testutil.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

namespace tern::test {

namespace {
int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  throw std::runtime_error(std::string("bad hex digit '") + c + "'");
}
bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}
std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
  return std::string(s.substr(a, b - a));
}
}  // namespace

Bytes hex(std::string_view h) {
  if (h.size() % 2) throw std::runtime_error("odd-length hex: " + std::string(h.substr(0, 40)));
  Bytes out(h.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::uint8_t>(nibble(h[2 * i]) << 4 | nibble(h[2 * i + 1]));
  return out;
}

std::string to_hex(const std::uint8_t* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    s[2 * i] = d[p[i] >> 4];
    s[2 * i + 1] = d[p[i] & 15];
  }
  return s;
}

std::optional<std::string> locate(Source src, const std::string& rel) {
  const char* var = nullptr;
  const char* label = nullptr;
  switch (src) {
    case Source::wycheproof: var = "TERN_WYCHEPROOF_DIR"; label = "Wycheproof"; break;
    case Source::cavp: var = "TERN_CAVP_DIR"; label = "python3-cryptography-vectors"; break;
    case Source::rfc8448: var = "TERN_RFC8448_DIR"; label = "RFC 8448 traces"; break;
    case Source::vectors: var = "TERN_VECTORS_DIR"; label = "tern vectors/"; break;
  }
  const char* dir = std::getenv(var);
  std::string path = (dir && *dir) ? std::string(dir) + "/" + rel : std::string();
  if (!path.empty() && exists(path)) return path;
  const std::string msg = std::string("VECTOR SOURCE MISSING: ") + label + " file '" + rel + "' (" + var +
                          "=" + (dir ? dir : "<unset>") + ")";
  const char* ci = std::getenv("CI");
  if (ci && *ci && std::string(ci) != "false") {
    FAIL(msg);
  } else {
    WARN(msg << " -- these vectors are SKIPPED");
  }
  return std::nullopt;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const std::string& Record::get(const std::string& k) const {
  auto it = fields.find(k);
  if (it == fields.end()) throw std::runtime_error("record at line " + std::to_string(line) + " has no " + k);
  return it->second;
}

std::vector<Record> parse_records(const std::string& text) {
  std::vector<Record> out;
  Record cur;
  std::map<std::string, std::string> section;
  std::string section_name;
  bool open = false;
  std::istringstream in(text);
  std::string raw;
  int lineno = 0;
  auto flush = [&] {
    if (open && !cur.fields.empty()) out.push_back(cur);
    cur = Record{};
    open = false;
  };
  while (std::getline(in, raw)) {
    ++lineno;
    std::string line = trim(raw);
    if (line.empty()) { flush(); continue; }
    if (line[0] == '#') continue;
    if (line[0] == '[') {
      flush();
      const auto close = line.find(']');
      std::string inner = line.substr(1, close == std::string::npos ? std::string::npos : close - 1);
      section_name = inner;
      const auto eq = inner.find('=');
      if (eq != std::string::npos) section[trim(inner.substr(0, eq))] = trim(inner.substr(eq + 1));
      continue;
    }
    const auto eq = line.find('=');
    std::string key = trim(eq == std::string::npos ? line : line.substr(0, eq));
    std::string val = eq == std::string::npos ? std::string() : trim(line.substr(eq + 1));
    if (!open) {
      cur.line = lineno;
      cur.section = section;
      cur.section_name = section_name;
      open = true;
    }
    cur.fields[key] = val;
  }
  flush();
  return out;
}

// ---- JSON -------------------------------------------------------------------
namespace {
struct JsonParser {
  const std::string& t;
  std::size_t i = 0;
  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("JSON: ") + what + " at offset " + std::to_string(i));
  }
  void ws() {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')) ++i;
  }
  char peek() {
    ws();
    if (i >= t.size()) fail("unexpected end");
    return t[i];
  }
  void expect(char c) {
    if (peek() != c) fail("unexpected character");
    ++i;
  }
  std::string str() {
    expect('"');
    std::string s;
    while (true) {
      if (i >= t.size()) fail("unterminated string");
      char c = t[i++];
      if (c == '"') break;
      if (c != '\\') { s += c; continue; }
      if (i >= t.size()) fail("bad escape");
      char e = t[i++];
      switch (e) {
        case 'n': s += '\n'; break;
        case 't': s += '\t'; break;
        case 'r': s += '\r'; break;
        case 'b': s += '\b'; break;
        case 'f': s += '\f'; break;
        case 'u': {
          if (i + 4 > t.size()) fail("bad \\u");
          unsigned cp = static_cast<unsigned>(std::stoul(t.substr(i, 4), nullptr, 16));
          i += 4;
          if (cp < 0x80) s += static_cast<char>(cp);
          else if (cp < 0x800) { s += static_cast<char>(0xc0 | (cp >> 6)); s += static_cast<char>(0x80 | (cp & 63)); }
          else { s += static_cast<char>(0xe0 | (cp >> 12)); s += static_cast<char>(0x80 | ((cp >> 6) & 63)); s += static_cast<char>(0x80 | (cp & 63)); }
          break;
        }
        default: s += e;
      }
    }
    return s;
  }
  Json value() {
    Json v;
    char c = peek();
    if (c == '{') {
      v.kind = Json::object;
      ++i;
      if (peek() == '}') { ++i; return v; }
      while (true) {
        std::string k = str();
        expect(':');
        v.keys.push_back(std::move(k));
        v.values.push_back(value());
        if (peek() == ',') { ++i; continue; }
        expect('}');
        return v;
      }
    }
    if (c == '[') {
      v.kind = Json::array;
      ++i;
      if (peek() == ']') { ++i; return v; }
      while (true) {
        v.items.push_back(value());
        if (peek() == ',') { ++i; continue; }
        expect(']');
        return v;
      }
    }
    if (c == '"') { v.kind = Json::string; v.s = str(); return v; }
    if (t.compare(i, 4, "true") == 0) { v.kind = Json::boolean; v.b = true; i += 4; return v; }
    if (t.compare(i, 5, "false") == 0) { v.kind = Json::boolean; i += 5; return v; }
    if (t.compare(i, 4, "null") == 0) { i += 4; return v; }
    std::size_t start = i;
    while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '-' || t[i] == '+' ||
                            t[i] == '.' || t[i] == 'e' || t[i] == 'E'))
      ++i;
    if (start == i) fail("unexpected token");
    v.kind = Json::number;
    v.s = t.substr(start, i - start);
    return v;
  }
};
}  // namespace

const Json* Json::find(const std::string& key) const {
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key) return &values[i];
  return nullptr;
}
const Json& Json::operator[](const std::string& key) const {
  const Json* v = find(key);
  if (!v) throw std::runtime_error("JSON: no member " + key);
  return *v;
}
long long Json::as_int() const { return std::stoll(s); }
bool Json::has_flag(const std::string& flag) const {
  const Json* f = find("flags");
  if (!f) return false;
  for (const auto& x : f->items)
    if (x.s == flag) return true;
  return false;
}

Json parse_json(const std::string& text) {
  JsonParser p{text};
  Json v = p.value();
  return v;
}

std::optional<Json> load_wycheproof(const std::string& file) {
  auto path = locate(Source::wycheproof, file);
  if (!path) return std::nullopt;
  return parse_json(read_file(*path));
}

std::vector<std::string> for_each_kernel(const char* family, KernelSet& set,
                                         const std::function<void(const std::string&)>& body) {
  std::vector<std::string> ran;
  for (std::size_t i = 0; i < set.count(); ++i) {
    if (!set.supported(i)) continue;
    const std::string name = set.name(i);
    REQUIRE(set.select(name));
    REQUIRE(std::string(set.active()) == name);
    INFO(family << ": " << name);
    try {
      body(name);
    } catch (...) {
      set.reset();
      throw;
    }
    ran.push_back(name);
  }
  set.reset();
  REQUIRE(!ran.empty());
  return ran;
}

std::uint64_t Rng::next() {
  std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Bytes Rng::bytes(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; i += 8) {
    std::uint64_t v = next();
    for (std::size_t j = 0; j < 8 && i + j < n; ++j) b[i + j] = static_cast<std::uint8_t>(v >> (8 * j));
  }
  return b;
}

}  // namespace tern::test

#include <cstdio>
#include "crypto/internal/cpu.hpp"

namespace tern::test {
void report(const std::string& what, const std::string& kernel, std::size_t passed) {
  std::printf("%s [%s]: %zu passed\n", what.c_str(), kernel.c_str(), passed);
  std::fflush(stdout);
}

void check_dispatch(const char* family, KernelSet& set) {
  set.reset();
  std::string expected;
  for (std::size_t i = 0; i < set.count(); ++i)
    if (set.supported(i)) { expected = set.name(i); break; }
  const char* env = std::getenv("TERN_CPU_DISABLE");
  if (env && std::string(env) == "all") {
    REQUIRE(expected == "portable");
  }
  INFO(family << " active kernel");
  REQUIRE(std::string(set.active()) == expected);
  std::printf("%s: %s (TERN_CPU_DISABLE=%s)\n", family, set.active(), env ? env : "");
}
}  // namespace tern::test
