#include "tls/wire.hpp"

namespace tern::tls {

std::uint8_t Reader::u8() noexcept {
  if (!ok_ || n_ - pos_ < 1) {
    ok_ = false;
    return 0;
  }
  return p_[pos_++];
}

std::uint16_t Reader::u16() noexcept {
  Bytes b = bytes(2);
  return b.empty() ? 0 : static_cast<std::uint16_t>((b[0] << 8) | b[1]);
}

std::uint32_t Reader::u24() noexcept {
  Bytes b = bytes(3);
  return b.empty() ? 0 : (std::uint32_t{b[0]} << 16) | (std::uint32_t{b[1]} << 8) | b[2];
}

std::uint32_t Reader::u32() noexcept {
  Bytes b = bytes(4);
  return b.empty() ? 0
                   : (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                         (std::uint32_t{b[2]} << 8) | b[3];
}

std::uint64_t Reader::u64() noexcept {
  std::uint64_t hi = u32();
  return (hi << 32) | u32();
}

Bytes Reader::bytes(std::size_t n) noexcept {
  if (!ok_ || n_ - pos_ < n) {
    ok_ = false;
    return {};
  }
  Bytes b(p_ + pos_, n);
  pos_ += n;
  return b;
}

Bytes Reader::vec(int width, std::size_t min, std::size_t max) noexcept {
  // The big-endian length prefix, 1 to 3 bytes (any other width fails).
  if (static_cast<unsigned>(width - 1) > 2) ok_ = false;
  std::size_t len = 0;
  for (const std::uint8_t b : bytes(static_cast<std::size_t>(width))) len = len << 8 | b;
  if (!ok_ || len < min || len > max) {
    ok_ = false;
    return {};
  }
  return bytes(len);
}

Reader Reader::sub(int width, std::size_t min, std::size_t max) noexcept {
  Reader r(vec(width, min, max));
  if (!ok_) r.fail();
  return r;
}

// Every write goes through bytes(): one vector insert instance instead of
// push_back's reallocation path inlined into u8 (handshake messages only,
// not the record path).
void Writer::u8(std::uint8_t v) { bytes(Bytes(&v, 1)); }

void Writer::bytes(Bytes b) { out_.insert(out_.end(), b.begin(), b.end()); }

void Writer::vec(int width, Bytes b) {
  auto m = begin(width);
  bytes(b);
  end(m);
}

void Writer::u16(std::uint16_t v) {
  const std::uint8_t b[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  bytes(b);
}

void Writer::u24(std::uint32_t v) {
  if (v > 0xffffff) ok_ = false;
  const std::uint8_t b[3] = {static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
                             static_cast<std::uint8_t>(v)};
  bytes(b);
}

void Writer::u32(std::uint32_t v) {
  const std::uint8_t b[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                             static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  bytes(b);
}

Writer::Mark Writer::begin(int width) {
  static constexpr std::uint8_t kZeros[3] = {};
  Mark m{out_.size(), width};
  bytes(Bytes(kZeros, static_cast<std::size_t>(width)));
  return m;
}

void Writer::end(Mark m) noexcept {
  std::size_t len = out_.size() - m.pos - static_cast<std::size_t>(m.width);
  if (len >> (8 * m.width) != 0) {  // over the prefix's maximum (width 1..3)
    ok_ = false;
    return;
  }
  for (int i = m.width - 1; i >= 0; --i) {
    out_[m.pos + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(len);
    len >>= 8;
  }
}

}  // namespace tern::tls
