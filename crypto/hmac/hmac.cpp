// HMAC with a run-time hash choice, and the one-shot helpers.
#include "crypto/hmac/hmac.hpp"

namespace tern {

HmacAny::HmacAny(HashId id) noexcept : inner_key_(id), outer_key_(id), inner_(id) { key({}); }

HmacAny::HmacAny(HashId id, std::span<const std::uint8_t> k) noexcept : inner_key_(id), outer_key_(id), inner_(id) {
  key(k);
}

void HmacAny::key(std::span<const std::uint8_t> k) noexcept {
  const HashId hid = inner_.id();
  const std::size_t bs = sha2::block_size(hid);
  std::uint8_t pad[sha2::max_block_size];
  std::memset(pad, 0, sizeof pad);
  if (k.size() > bs) {
    sha2::AnyHash::hash(hid, std::span<std::uint8_t>(pad, sha2::max_digest_size), k);
    std::memset(pad + sha2::digest_size(hid), 0, sizeof pad - sha2::digest_size(hid));
  } else if (!k.empty()) {
    std::memcpy(pad, k.data(), k.size());
  }
  for (std::size_t i = 0; i < bs; ++i) pad[i] ^= 0x36;
  inner_key_.reset();
  inner_key_.update(std::span<const std::uint8_t>(pad, bs));
  for (std::size_t i = 0; i < bs; ++i) pad[i] ^= 0x36 ^ 0x5c;
  outer_key_.reset();
  outer_key_.update(std::span<const std::uint8_t>(pad, bs));
  wipe(pad, sizeof pad);
  inner_ = inner_key_;
}

void HmacAny::final(std::span<std::uint8_t> out) noexcept {
  const std::size_t n = size();
  std::uint8_t ih[sha2::max_digest_size];
  inner_.final(ih);
  sha2::AnyHash outer = outer_key_;
  outer.update(std::span<const std::uint8_t>(ih, n));
  outer.final(ih);
  std::memcpy(out.data(), ih, out.size() < n ? out.size() : n);
  wipe(ih, sizeof ih);
  inner_ = inner_key_;
}

Status HmacAny::verify(std::span<const std::uint8_t> tag) noexcept {
  std::uint8_t t[sha2::max_digest_size];
  final(t);
  const bool bad_len = tag.empty() || tag.size() > size();
  const bool ok = !bad_len && ct::equal(t, tag.data(), tag.size());
  wipe(t, sizeof t);
  return bad_len ? Status::bad_length : ok ? Status::ok : Status::auth_failed;
}

Status hmac(HashId id, std::span<std::uint8_t> out, std::span<const std::uint8_t> key,
            std::span<const std::uint8_t> msg) noexcept {
  if (out.empty() || out.size() > sha2::digest_size(id)) return Status::bad_length;
  HmacAny h(id, key);
  h.update(msg);
  h.final(out);
  return Status::ok;
}

Status hmac_verify(HashId id, std::span<const std::uint8_t> tag, std::span<const std::uint8_t> key,
                   std::span<const std::uint8_t> msg) noexcept {
  if (tag.empty() || tag.size() > sha2::digest_size(id)) return Status::bad_length;
  HmacAny h(id, key);
  h.update(msg);
  return h.verify(tag);
}

}  // namespace tern
