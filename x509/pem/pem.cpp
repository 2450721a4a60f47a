#include "x509/pem/pem.hpp"

namespace tern::pem {

const char* to_string(PemError e) noexcept {
  switch (e) {
    case PemError::none: return "none";
    case PemError::bad_base64: return "bad base64";
    case PemError::missing_end: return "BEGIN without END";
    case PemError::unmatched_end: return "END without BEGIN";
    case PemError::label_mismatch: return "BEGIN and END labels differ";
    case PemError::no_blocks: return "no PEM block";
  }
  return "unknown";
}

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int decode_char(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// "-----BEGIN X-----" -> X (kind 1) / "-----END X-----" -> X (kind 2); 0 otherwise.
int marker(std::string_view line, std::string_view& label) noexcept {
  line = trim(line);
  constexpr std::string_view dashes = "-----";
  if (line.size() < 10 || line.substr(0, 5) != dashes || line.substr(line.size() - 5) != dashes) return 0;
  std::string_view inner = line.substr(5, line.size() - 10);
  if (inner.substr(0, 6) == "BEGIN ") {
    label = inner.substr(6);
    return 1;
  }
  if (inner.substr(0, 4) == "END ") {
    label = inner.substr(4);
    return 2;
  }
  return 0;
}

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = data.size() - i;
  if (rest) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (rest == 2) v |= std::uint32_t{data[i + 1]} << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Status base64_decode(std::string_view text, std::vector<std::uint8_t>& out) {
  out.clear();
  std::uint32_t acc = 0;
  int n = 0;      // sextets in acc
  int pad = 0;    // '=' seen
  for (char c : text) {
    if (is_space(c)) continue;
    if (c == '=') {
      ++pad;
      if (pad > 2) return Status::bad_encoding;
      continue;
    }
    if (pad) return Status::bad_encoding;  // data after padding
    const int v = decode_char(c);
    if (v < 0) return Status::bad_encoding;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    if (++n == 4) {
      out.push_back(static_cast<std::uint8_t>(acc >> 16));
      out.push_back(static_cast<std::uint8_t>(acc >> 8));
      out.push_back(static_cast<std::uint8_t>(acc));
      acc = 0;
      n = 0;
    }
  }
  if (n == 0) return pad == 0 ? Status::ok : Status::bad_encoding;
  if (n == 1 || n + pad != 4) return Status::bad_encoding;
  if (n == 2) {
    if (acc & 0x0f) return Status::bad_encoding;  // non-canonical trailing bits
    out.push_back(static_cast<std::uint8_t>(acc >> 4));
  } else {
    if (acc & 0x03) return Status::bad_encoding;
    out.push_back(static_cast<std::uint8_t>(acc >> 10));
    out.push_back(static_cast<std::uint8_t>(acc >> 2));
  }
  return Status::ok;
}

Status parse(std::string_view text, std::vector<Block>& out, PemError* error, std::size_t* line_no) {
  out.clear();
  auto fail = [&](PemError e, std::size_t ln) {
    if (error) *error = e;
    if (line_no) *line_no = ln;
    return Status::bad_encoding;
  };
  if (error) *error = PemError::none;
  std::size_t pos = 0, ln = 0, begin_line = 0;
  bool inside = false;
  std::string label, body;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++ln;
    std::string_view mlabel;
    const int kind = marker(line, mlabel);
    if (!inside) {
      if (kind == 1) {
        inside = true;
        label.assign(mlabel);
        body.clear();
        begin_line = ln;
      } else if (kind == 2) {
        return fail(PemError::unmatched_end, ln);
      }
      continue;
    }
    if (kind == 1) return fail(PemError::missing_end, begin_line);
    if (kind == 2) {
      if (mlabel != label) return fail(PemError::label_mismatch, ln);
      Block b;
      b.label = label;
      if (base64_decode(body, b.der) != Status::ok) return fail(PemError::bad_base64, begin_line);
      out.push_back(std::move(b));
      inside = false;
      continue;
    }
    // RFC 1421-style headers ("Proc-Type: 4,ENCRYPTED") are skipped.
    if (line.find(':') != std::string_view::npos) continue;
    body.append(line);
  }
  if (inside) return fail(PemError::missing_end, begin_line);
  if (out.empty()) return fail(PemError::no_blocks, ln);
  return Status::ok;
}

std::string encode(std::string_view label, std::span<const std::uint8_t> der) {
  const std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN ";
  out.append(label);
  out += "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out += '\n';
  }
  out += "-----END ";
  out.append(label);
  out += "-----\n";
  return out;
}

}  // namespace tern::pem
