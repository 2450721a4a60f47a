// The one bounded reader (and the writer) for the TLS wire format.
//
// Every handshake-message parser in tls/ reads through Reader: big-endian
// u8/u16/u24/u32, and vectors with a 1/2/3-byte length prefix whose length
// must lie in [min, max]. Any overrun or bound violation makes the reader
// fail, and it stays failed ("sticky"): later reads return zeros/empty
// views, so a parser can read a whole structure and check ok() once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "tls/arena.hpp"

namespace tern::tls {

using Bytes = std::span<const std::uint8_t>;

class Reader {
 public:
  Reader() noexcept = default;
  explicit Reader(Bytes data) noexcept : p_(data.data()), n_(data.size()) {}

  bool ok() const noexcept { return ok_; }
  std::size_t remaining() const noexcept { return ok_ ? n_ - pos_ : 0; }
  // True when everything was read without error.
  bool done() const noexcept { return ok_ && pos_ == n_; }
  void fail() noexcept { ok_ = false; }

  std::uint8_t u8() noexcept;
  std::uint16_t u16() noexcept;
  std::uint32_t u24() noexcept;
  std::uint32_t u32() noexcept;
  std::uint64_t u64() noexcept;
  // Exactly n bytes.
  Bytes bytes(std::size_t n) noexcept;
  // A vector with a `width`-byte length prefix (1, 2 or 3) whose length is
  // in [min, max].
  Bytes vec(int width, std::size_t min, std::size_t max) noexcept;
  Bytes vec8(std::size_t min = 0, std::size_t max = 0xff) noexcept { return vec(1, min, max); }
  Bytes vec16(std::size_t min = 0, std::size_t max = 0xffff) noexcept { return vec(2, min, max); }
  Bytes vec24(std::size_t min = 0, std::size_t max = 0xffffff) noexcept { return vec(3, min, max); }
  // A sub-reader over a length-prefixed vector; if this reader fails, the
  // sub-reader is failed too.
  Reader sub(int width, std::size_t min, std::size_t max) noexcept;

 private:
  const std::uint8_t* p_ = nullptr;
  std::size_t n_ = 0;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// Appends big-endian fields to a byte vector (out of line: many call sites,
// none hot). Length-prefixed blocks are
// opened with begin(width), width 1, 2 or 3, and closed with end(mark); a
// block too long for its prefix marks the writer failed.
class Writer {
 public:
  explicit Writer(ByteVector& out) noexcept : out_(out) {}
  bool ok() const noexcept { return ok_; }
  void u8(std::uint8_t v);
  void u16(std::uint16_t v);
  void u24(std::uint32_t v);
  void u32(std::uint32_t v);
  void bytes(Bytes b);
  void vec(int width, Bytes b);
  struct Mark {
    std::size_t pos;
    int width;
  };
  Mark begin(int width);
  void end(Mark m) noexcept;
  std::size_t size() const noexcept { return out_.size(); }

 private:
  ByteVector& out_;
  bool ok_ = true;
};

}  // namespace tern::tls
