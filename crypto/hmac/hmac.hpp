// HMAC (RFC 2104, FIPS 198-1) over the SHA-2 hashes.
//
// A keyed object holds the precomputed inner and outer hash states (the
// key XOR ipad / opad blocks already absorbed), so reusing a key costs one
// copy of those states: key once, then copy the object per message, or
// call final() which leaves it ready for the next message under the same
// key. Objects wipe their state when destroyed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "crypto/internal/ct.hpp"
#include "crypto/internal/wipe.hpp"
#include "crypto/sha2/sha2.hpp"
#include "crypto/status.hpp"

namespace tern {

using sha2::HashId;

// Compile-time choice of hash: Hmac<sha2::Sha256>, Hmac<sha2::Sha384>, ...
template <class H>
class Hmac {
 public:
  static constexpr std::size_t tag_size = H::digest_size;
  static constexpr std::size_t block_size = H::block_size;

  // Unkeyed: behaves as HMAC with the empty key until key() is called.
  Hmac() noexcept { key({}); }
  explicit Hmac(std::span<const std::uint8_t> k) noexcept { key(k); }
  Hmac(const Hmac&) = default;
  Hmac& operator=(const Hmac&) = default;
  ~Hmac() = default;  // the H members wipe themselves

  // Sets the key (any length; longer than a block is hashed first) and
  // starts a new message.
  void key(std::span<const std::uint8_t> k) noexcept {
    std::uint8_t pad[block_size];
    std::memset(pad, 0, sizeof pad);
    if (k.size() > block_size) {
      H::hash(std::span<std::uint8_t, tag_size>(pad, tag_size), k);
    } else if (!k.empty()) {
      std::memcpy(pad, k.data(), k.size());
    }
    for (auto& b : pad) b ^= 0x36;
    inner_key_.reset();
    inner_key_.update(pad);
    for (auto& b : pad) b ^= 0x36 ^ 0x5c;
    outer_key_.reset();
    outer_key_.update(pad);
    wipe(pad, sizeof pad);
    inner_ = inner_key_;
  }

  void update(std::span<const std::uint8_t> data) noexcept { inner_.update(data); }

  // Writes the tag and starts a new message under the same key.
  void final(std::span<std::uint8_t, tag_size> out) noexcept {
    std::uint8_t ih[tag_size];
    inner_.final(std::span<std::uint8_t, tag_size>(ih));
    H outer = outer_key_;
    outer.update(ih);
    outer.final(out);
    wipe(ih, sizeof ih);
    inner_ = inner_key_;
  }

  // Constant-time check of a tag, possibly truncated (1..tag_size bytes);
  // starts a new message under the same key.
  [[nodiscard]] Status verify(std::span<const std::uint8_t> tag) noexcept {
    std::uint8_t t[tag_size];
    final(std::span<std::uint8_t, tag_size>(t));
    const bool bad_len = tag.empty() || tag.size() > tag_size;
    const bool ok = !bad_len && ct::equal(t, tag.data(), tag.size());
    wipe(t, sizeof t);
    return bad_len ? Status::bad_length : ok ? Status::ok : Status::auth_failed;
  }

  static void mac(std::span<std::uint8_t, tag_size> out, std::span<const std::uint8_t> k,
                  std::span<const std::uint8_t> msg) noexcept {
    Hmac h(k);
    h.update(msg);
    h.final(out);
  }

 private:
  H inner_key_;  // after absorbing key ^ ipad
  H outer_key_;  // after absorbing key ^ opad
  H inner_;      // running inner hash of the current message
};

using HmacSha256 = Hmac<sha2::Sha256>;
using HmacSha384 = Hmac<sha2::Sha384>;
using HmacSha512 = Hmac<sha2::Sha512>;

// Run-time choice of hash (TLS cipher suites, HKDF). Same behaviour as Hmac.
class HmacAny {
 public:
  explicit HmacAny(HashId id = HashId::sha256) noexcept;
  HmacAny(HashId id, std::span<const std::uint8_t> k) noexcept;
  HmacAny(const HmacAny&) = default;
  HmacAny& operator=(const HmacAny&) = default;
  ~HmacAny() = default;

  HashId id() const noexcept { return inner_.id(); }
  std::size_t size() const noexcept { return inner_.size(); }
  void key(std::span<const std::uint8_t> k) noexcept;
  void update(std::span<const std::uint8_t> data) noexcept { inner_.update(data); }
  // Writes min(out.size(), size()) bytes of the tag (a truncated tag when
  // out is shorter) and starts a new message under the same key.
  void final(std::span<std::uint8_t> out) noexcept;
  // Constant-time check of a tag of 1..size() bytes (truncated tags allowed):
  // ok, auth_failed, or bad_length. Starts a new message.
  [[nodiscard]] Status verify(std::span<const std::uint8_t> tag) noexcept;

 private:
  sha2::AnyHash inner_key_;
  sha2::AnyHash outer_key_;
  sha2::AnyHash inner_;
};

// One-shot HMAC. out.size() may be 1..digest_size(id) (a truncated tag);
// anything else is Status::bad_length and writes nothing.
[[nodiscard]] Status hmac(HashId id, std::span<std::uint8_t> out, std::span<const std::uint8_t> key,
                          std::span<const std::uint8_t> msg) noexcept;

// Computes HMAC(key, msg) and compares it with `tag` (1..digest_size(id)
// bytes, compared against that prefix) in constant time: Status::ok,
// Status::auth_failed, or Status::bad_length for an empty or oversized tag.
[[nodiscard]] Status hmac_verify(HashId id, std::span<const std::uint8_t> tag, std::span<const std::uint8_t> key,
                                 std::span<const std::uint8_t> msg) noexcept;

}  // namespace tern
