// The one bounded DER reader (and a small writer) used by every parser in
// tern: ECDSA signatures, keys, X.509, PKCS#8.
//
// Reader rules (X.690 DER): single-byte and multi-byte tags (tag numbers
// below 2^21, i.e. identifiers of at most 4 octets),
// definite lengths only, minimal length encoding, no reads past the end,
// no trailing bytes where the caller says "finish". Every failure is
// Status::bad_encoding and leaves the reader in a failed state that all
// later calls keep (so a parser can check once at the end).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/status.hpp"

namespace tern::der {

// Universal tags (class/constructed bits included as they appear on the wire).
inline constexpr std::uint32_t kBoolean = 0x01, kInteger = 0x02, kBitString = 0x03,
                               kOctetString = 0x04, kNull = 0x05, kOid = 0x06, kEnumerated = 0x0a,
                               kUtf8String = 0x0c, kPrintableString = 0x13, kTeletexString = 0x14,
                               kIa5String = 0x16, kUtcTime = 0x17, kGeneralizedTime = 0x18,
                               kUniversalString = 0x1c, kBmpString = 0x1e, kSequence = 0x30, kSet = 0x31;
// [n] context-specific tags.
constexpr std::uint32_t context(std::uint32_t n, bool constructed) noexcept {
  return (constructed ? 0xa0u : 0x80u) | n;  // valid for n < 31
}

// A tag-length-value element: `tag` as the identifier bytes read as a
// big-endian number (0x30, 0xa0, 0x9f21...), `value` the content octets,
// `raw` the whole encoding (for signatures over tbsCertificate).
struct Element {
  std::uint32_t tag = 0;
  std::span<const std::uint8_t> value;
  std::span<const std::uint8_t> raw;
  bool constructed() const noexcept;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) noexcept : p_(data.data()), end_(data.data() + data.size()) {}

  bool ok() const noexcept { return ok_; }
  bool empty() const noexcept { return p_ >= end_; }
  std::size_t remaining() const noexcept { return ok_ ? static_cast<std::size_t>(end_ - p_) : 0; }
  // Marks the reader failed (for semantic errors found by the caller).
  void fail() noexcept { ok_ = false; }
  // The status: ok if nothing failed.
  Status status() const noexcept { return ok_ ? Status::ok : Status::bad_encoding; }

  // Reads any element. False (and failed) at end of input or on bad encoding.
  bool read(Element& out) noexcept;
  // Reads an element that must have `tag`; false otherwise (reader failed).
  bool read(std::uint32_t tag, Element& out) noexcept;
  // Reads an element with `tag` if the next element has it; otherwise
  // leaves the reader untouched and returns false (reader stays ok; `out`
  // may have been overwritten).
  bool read_optional(std::uint32_t tag, Element& out) noexcept;
  // The next element's tag without consuming it (0 at end or on error).
  std::uint32_t peek_tag() const noexcept;
  // Enters a constructed element: a reader over its contents.
  bool enter(std::uint32_t tag, Reader& inner) noexcept;
  // The same, returned: a reader over the contents of the next element,
  // which must have `tag`; otherwise this reader fails and the result is a
  // failed, empty reader (callers check the result's ok()). No reader to
  // build beforehand (issue #10 size).
  Reader enter(std::uint32_t tag) noexcept;

  // INTEGER as unsigned magnitude: rejects negatives and non-minimal
  // encodings; strips the sign padding byte. `out` views the magnitude.
  bool read_unsigned(std::span<const std::uint8_t>& out) noexcept;
  // Small non-negative INTEGER (fits 64 bits).
  bool read_uint64(std::uint64_t& out) noexcept;
  bool read_bool(bool& out) noexcept;
  // BIT STRING with no unused bits (keys, signatures).
  bool read_bit_string_bytes(std::span<const std::uint8_t>& out) noexcept;
  bool read_null() noexcept;

  // True when everything was consumed and nothing failed.
  bool finish() noexcept {
    if (!empty()) ok_ = false;
    return ok_;
  }

 private:
  // The unread bytes [p_, end_): two pointers, not a span and an offset
  // (one store less per Reader built, issue #10 size).
  const std::uint8_t* p_;
  const std::uint8_t* end_;
  bool ok_ = true;
};

// A DER writer into a caller-supplied buffer. Overflow sets a failed state
// (size() then reports the length that would have been needed).
class Writer {
 public:
  explicit Writer(std::span<std::uint8_t> buf) noexcept : buf_(buf) {}
  bool ok() const noexcept { return ok_; }
  std::size_t size() const noexcept { return len_; }
  std::span<const std::uint8_t> written() const noexcept { return buf_.first(ok_ ? len_ : 0); }

  void raw(std::span<const std::uint8_t> bytes) noexcept;
  void tag_length(std::uint32_t tag, std::size_t length) noexcept;
  void element(std::uint32_t tag, std::span<const std::uint8_t> value) noexcept;
  // INTEGER from an unsigned big-endian magnitude (leading zeros stripped,
  // a 0x00 added when the top bit is set).
  void unsigned_integer(std::span<const std::uint8_t> magnitude) noexcept;
  void uint64(std::uint64_t v) noexcept;

  // Constructed elements: begin() reserves room, end() patches the length
  // (moving the contents when the length needs more than one byte).
  std::size_t begin(std::uint32_t tag) noexcept;
  void end(std::size_t mark) noexcept;

 private:
  void put(std::uint8_t b) noexcept;
  std::span<std::uint8_t> buf_;
  std::size_t len_ = 0;
  bool ok_ = true;
};

// Encoded size of a length field.
std::size_t length_size(std::size_t length) noexcept;

}  // namespace tern::der
