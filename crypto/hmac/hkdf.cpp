// HKDF (RFC 5869 §2.2, §2.3).
#include "crypto/hmac/hkdf.hpp"

#include <cstring>

namespace tern {

Status hkdf_extract(HashId id, std::span<std::uint8_t> prk_out, std::span<const std::uint8_t> salt,
                    std::span<const std::uint8_t> ikm) noexcept {
  if (prk_out.size() != sha2::digest_size(id)) return Status::bad_length;
  // An empty salt and a salt of HashLen zeros give the same padded HMAC key.
  HmacAny h(id, salt);
  h.update(ikm);
  h.final(prk_out);
  return Status::ok;
}

Status hkdf_expand(HashId id, std::span<std::uint8_t> out, std::span<const std::uint8_t> prk,
                   std::span<const std::uint8_t> info) noexcept {
  const std::size_t hl = sha2::digest_size(id);
  if (out.size() > 255 * hl) return Status::output_too_long;
  if (prk.size() < hl) return Status::bad_length;
  const HmacAny keyed(id, prk);
  std::uint8_t t[sha2::max_digest_size];
  std::size_t done = 0;
  for (std::uint8_t counter = 1; done < out.size(); ++counter) {
    HmacAny h = keyed;
    if (counter > 1) h.update(std::span<const std::uint8_t>(t, hl));
    h.update(info);
    h.update(std::span<const std::uint8_t>(&counter, 1));
    h.final(std::span<std::uint8_t>(t, hl));
    const std::size_t n = out.size() - done < hl ? out.size() - done : hl;
    std::memcpy(out.data() + done, t, n);
    done += n;
  }
  wipe(t, sizeof t);
  return Status::ok;
}

Status hkdf(HashId id, std::span<std::uint8_t> out, std::span<const std::uint8_t> salt,
            std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> info) noexcept {
  if (out.size() > hkdf_max_output(id)) return Status::output_too_long;
  std::uint8_t prk[sha2::max_digest_size];
  std::span<std::uint8_t> p(prk, sha2::digest_size(id));
  Status s = hkdf_extract(id, p, salt, ikm);
  if (s == Status::ok) s = hkdf_expand(id, out, p, info);
  wipe(prk, sizeof prk);
  return s;
}

}  // namespace tern
