#include "crypto/internal/der.hpp"

#include <cstring>

namespace tern::der {

bool Element::constructed() const noexcept {
  // The constructed bit is bit 5 of the first identifier octet.
  std::uint32_t first = tag;
  while (first > 0xff) first >>= 8;
  return (first & 0x20) != 0;
}

bool Reader::read(Element& out) noexcept {
  if (!ok_ || p_ >= end_) return ok_ = false;
  const std::uint8_t* const start = p_;
  std::uint32_t tag = *p_++;
  if ((tag & 0x1f) == 0x1f) {  // high tag number form
    std::uint32_t num = 0;
    int count = 0;
    while (true) {
      // At most 3 subsequent octets: the identifier (kept whole in a
      // 32-bit tag) never loses its first octet, so tags cannot alias.
      if (p_ >= end_ || ++count > 3) return ok_ = false;
      const std::uint8_t b = *p_++;
      if (count == 1 && b == 0x80) return ok_ = false;  // leading zero septet
      tag = (tag << 8) | b;
      num = (num << 7) | (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    if (num < 31) return ok_ = false;  // should have used the low form
  }
  if (p_ >= end_) return ok_ = false;
  std::size_t len = *p_++;
  if (len & 0x80) {
    const std::size_t octets = len & 0x7f;
    if (octets == 0 || octets > sizeof(std::size_t) || octets > 4) return ok_ = false;  // indefinite / huge
    if (static_cast<std::size_t>(end_ - p_) < octets) return ok_ = false;
    if (*p_ == 0) return ok_ = false;  // non-minimal
    len = 0;
    for (std::size_t i = 0; i < octets; ++i) len = (len << 8) | *p_++;
    if (len < 0x80) return ok_ = false;  // should have used the short form
  }
  if (static_cast<std::size_t>(end_ - p_) < len) return ok_ = false;
  out.tag = tag;
  out.value = {p_, len};
  p_ += len;
  out.raw = {start, static_cast<std::size_t>(p_ - start)};
  return true;
}

bool Reader::read(std::uint32_t tag, Element& out) noexcept {
  if (!read(out)) return false;
  if (out.tag != tag) return ok_ = false;
  return true;
}

std::uint32_t Reader::peek_tag() const noexcept {
  if (!ok_ || p_ >= end_) return 0;
  Reader copy = *this;
  Element e;
  return copy.read(e) ? e.tag : 0;
}

bool Reader::read_optional(std::uint32_t tag, Element& out) noexcept {
  if (!ok_ || empty()) return false;
  Reader copy = *this;  // a failed read leaves *this as it was
  if (!copy.read(tag, out)) return false;
  *this = copy;
  return true;
}

bool Reader::enter(std::uint32_t tag, Reader& inner) noexcept {
  Element e;
  if (!read(tag, e)) return false;
  inner = Reader(e.value);
  return true;
}

Reader Reader::enter(std::uint32_t tag) noexcept {
  Element e;
  Reader inner(std::span<const std::uint8_t>{});
  if (read(tag, e)) inner = Reader(e.value);
  else inner.ok_ = false;
  return inner;
}

bool Reader::read_unsigned(std::span<const std::uint8_t>& out) noexcept {
  Element e;
  if (!read(kInteger, e)) return false;
  auto v = e.value;
  if (v.empty()) return ok_ = false;
  if (v[0] & 0x80) return ok_ = false;  // negative
  if (v.size() > 1 && v[0] == 0) {
    if (!(v[1] & 0x80)) return ok_ = false;  // non-minimal
    v = v.subspan(1);
  }
  out = v;
  return true;
}

bool Reader::read_uint64(std::uint64_t& out) noexcept {
  std::span<const std::uint8_t> mag;
  if (!read_unsigned(mag)) return false;
  if (mag.size() > 8) return ok_ = false;
  out = 0;
  for (auto b : mag) out = (out << 8) | b;
  return true;
}

bool Reader::read_bool(bool& out) noexcept {
  Element e;
  if (!read(kBoolean, e)) return false;
  if (e.value.size() != 1 || (e.value[0] != 0 && e.value[0] != 0xff)) return ok_ = false;
  out = e.value[0] != 0;
  return true;
}

bool Reader::read_bit_string_bytes(std::span<const std::uint8_t>& out) noexcept {
  Element e;
  if (!read(kBitString, e)) return false;
  if (e.value.empty() || e.value[0] != 0) return ok_ = false;
  out = e.value.subspan(1);
  return true;
}

bool Reader::read_null() noexcept {
  Element e;
  if (!read(kNull, e)) return false;
  if (!e.value.empty()) return ok_ = false;
  return true;
}

// ---- writer -------------------------------------------------------------

std::size_t length_size(std::size_t length) noexcept {
  if (length < 0x80) return 1;
  std::size_t n = 1;
  while (length) {
    ++n;
    length >>= 8;
  }
  return n;
}

void Writer::put(std::uint8_t b) noexcept {
  if (len_ < buf_.size()) buf_[len_] = b;
  else ok_ = false;
  ++len_;
}

void Writer::raw(std::span<const std::uint8_t> bytes) noexcept {
  for (auto b : bytes) put(b);
}

void Writer::tag_length(std::uint32_t tag, std::size_t length) noexcept {
  bool started = false;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const std::uint8_t b = static_cast<std::uint8_t>(tag >> shift);
    if (b || started || shift == 0) {
      put(b);
      started = true;
    }
  }
  if (length < 0x80) {
    put(static_cast<std::uint8_t>(length));
    return;
  }
  const std::size_t octets = length_size(length) - 1;
  put(static_cast<std::uint8_t>(0x80 | octets));
  for (std::size_t i = octets; i-- > 0;) put(static_cast<std::uint8_t>(length >> (8 * i)));
}

void Writer::element(std::uint32_t tag, std::span<const std::uint8_t> value) noexcept {
  tag_length(tag, value.size());
  raw(value);
}

void Writer::unsigned_integer(std::span<const std::uint8_t> magnitude) noexcept {
  while (magnitude.size() > 1 && magnitude[0] == 0) magnitude = magnitude.subspan(1);
  if (magnitude.empty()) {
    const std::uint8_t zero = 0;
    element(kInteger, {&zero, 1});
    return;
  }
  const bool pad = (magnitude[0] & 0x80) != 0;
  tag_length(kInteger, magnitude.size() + (pad ? 1 : 0));
  if (pad) put(0);
  raw(magnitude);
}

void Writer::uint64(std::uint64_t v) noexcept {
  std::uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
  unsigned_integer(b);
}

std::size_t Writer::begin(std::uint32_t tag) noexcept {
  tag_length(tag, 0);  // one length byte for now
  return len_;
}

void Writer::end(std::size_t mark) noexcept {
  const std::size_t content = len_ - mark;
  const std::size_t extra = length_size(content) - 1;
  if (extra) {
    for (std::size_t i = 0; i < extra; ++i) put(0);  // grow (may fail)
    if (!ok_) return;
    std::memmove(buf_.data() + mark + extra, buf_.data() + mark, content);
  }
  if (!ok_) return;
  // Rewrite the length field that starts at mark - 1.
  std::uint8_t* p = buf_.data() + mark - 1;
  if (content < 0x80) {
    *p = static_cast<std::uint8_t>(content);
    return;
  }
  *p++ = static_cast<std::uint8_t>(0x80 | extra);
  for (std::size_t i = extra; i-- > 0;) *p++ = static_cast<std::uint8_t>(content >> (8 * i));
}

}  // namespace tern::der
