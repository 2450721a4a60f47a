// libFuzzer differential target for the hashes (TERN_FUZZ_HASH: 0 SHA-256,
// 1 SHA-384, 2 SHA-512, 3 HMAC with the hash picked by the input). Every
// kernel this CPU supports is run against the portable kernel, with the
// message cut into updates of input-chosen sizes; the one-shot hash of the
// whole message must agree too.
//   input: [HMAC: hash byte, key_len byte, key] | split count | split sizes | message
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "crypto/hmac/hmac.hpp"
#include "crypto/sha2/sha2.hpp"
#include "tests/fuzz/fuzz_common.hpp"

#ifndef TERN_FUZZ_HASH
#define TERN_FUZZ_HASH 0
#endif

namespace {

using namespace tern;
using Span = std::span<const std::uint8_t>;

KernelSet& kernels(sha2::HashId id) {
  return id == sha2::HashId::sha256 ? sha2::sha256_kernels() : sha2::sha512_kernels();
}

std::vector<std::uint8_t> digest(sha2::HashId id, bool mac, Span key, Span msg, const std::vector<std::size_t>& cuts) {
  std::vector<std::uint8_t> out(sha2::digest_size(id));
  std::vector<std::uint8_t> one(out.size());
  if (mac) {
    HmacAny h(id, key);
    std::size_t pos = 0;
    for (auto c : cuts) {
      h.update(msg.subspan(pos, c));
      pos += c;
    }
    h.update(msg.subspan(pos));
    h.final(out);
    // verify() of the tag and of a truncated tag.
    h.update(msg);
    TERN_FUZZ_CHECK(h.verify(out) == Status::ok);
    h.update(msg);
    TERN_FUZZ_CHECK(h.verify(Span(out.data(), 1 + msg.size() % out.size())) == Status::ok);
    HmacAny h2(id, key);
    h2.update(msg);
    h2.final(one);
  } else {
    sha2::AnyHash h(id);
    std::size_t pos = 0;
    for (auto c : cuts) {
      h.update(msg.subspan(pos, c));
      pos += c;
      // peek() in the middle must not disturb the state.
      std::vector<std::uint8_t> mid(out.size());
      h.peek(mid);
    }
    h.update(msg.subspan(pos));
    h.final(out);
    sha2::AnyHash::hash(id, one, msg);
  }
  TERN_FUZZ_CHECK(out == one);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  bool mac = false;
  sha2::HashId id = sha2::HashId::sha256;
  Span key;
#if TERN_FUZZ_HASH == 0
  id = sha2::HashId::sha256;
#elif TERN_FUZZ_HASH == 1
  id = sha2::HashId::sha384;
#elif TERN_FUZZ_HASH == 2
  id = sha2::HashId::sha512;
#else
  mac = true;
  id = static_cast<sha2::HashId>(in.u8() % 3);
  key = in.take(in.u8());
#endif
  std::vector<std::size_t> cuts(in.u8() % 8);
  for (auto& c : cuts) c = in.u16() % 300;
  Span msg = in.rest();
  // Cuts past the end of the message are clipped.
  std::size_t total = 0;
  for (auto& c : cuts) {
    if (total + c > msg.size()) c = msg.size() - total;
    total += c;
  }

  KernelSet& ks = kernels(id);
  TERN_FUZZ_CHECK(ks.select("portable"));
  const auto want = digest(id, mac, key, msg, cuts);
  for (std::size_t i = 0; i < ks.count(); ++i) {
    if (!ks.supported(i)) continue;
    TERN_FUZZ_CHECK(ks.select(ks.name(i)));
    TERN_FUZZ_CHECK(digest(id, mac, key, msg, cuts) == want);
  }
  ks.reset();
  return 0;
}
