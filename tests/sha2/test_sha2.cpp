// SHA-2: NIST CAVP ShortMsg/LongMsg/Monte for SHA-224/256/384/512 and
// SHA-512/256 through every kernel, streaming/one-shot agreement, random
// differential tests (every kernel against the portable one, and against
// OpenSSL when available), state forking by copy, and the runtime AnyHash.
#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <string>

#include "crypto/sha2/sha2.hpp"
#include "tests/support/testutil.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

using namespace tern;
using namespace tern::sha2;
using tern::test::Bytes;

namespace {

template <class H>
Bytes digest(const Bytes& msg) {
  std::array<std::uint8_t, H::digest_size> out{};
  H::hash(out, msg);
  return Bytes(out.begin(), out.end());
}

// Streaming with the given cut points.
template <class H>
Bytes digest_split(const Bytes& msg, test::Rng& rng) {
  H h;
  std::size_t pos = 0;
  while (pos < msg.size()) {
    std::size_t n = rng.below(4) == 0 ? rng.below(msg.size() - pos + 1) : rng.below(300);
    if (n > msg.size() - pos) n = msg.size() - pos;
    h.update(std::span<const std::uint8_t>(msg.data() + pos, n));
    pos += n;
  }
  std::array<std::uint8_t, H::digest_size> out{};
  h.final(out);
  return Bytes(out.begin(), out.end());
}

KernelSet& kernels_for(std::size_t block_size) {
  return block_size == 64 ? sha256_kernels() : sha512_kernels();
}
const char* family_for(std::size_t block_size) { return block_size == 64 ? "sha256" : "sha512"; }

// ShortMsg / LongMsg: "Len" is in bits (byte-oriented: a multiple of 8).
template <class H>
void run_msg_file(const std::string& file) {
  auto path = test::locate(test::Source::cavp, "hashes/SHA2/" + file);
  if (!path) return;
  const auto recs = test::parse_records(test::read_file(*path));
  REQUIRE(recs.size() > 0);
  test::for_each_kernel(family_for(H::block_size), kernels_for(H::block_size), [&](const std::string& k) {
    std::size_t n = 0;
    test::Rng rng(n);
    for (const auto& r : recs) {
      if (!r.has("Len")) continue;
      const std::size_t len = std::stoul(r.get("Len")) / 8;
      Bytes msg = r.bytes("Msg");
      msg.resize(len);  // Len = 0 carries "Msg = 00"
      const Bytes md = r.bytes("MD");
      INFO(file << " line " << r.line);
      REQUIRE(test::to_hex(digest<H>(msg)) == test::to_hex(md));
      REQUIRE(test::to_hex(digest_split<H>(msg, rng)) == test::to_hex(md));
      ++n;
    }
    REQUIRE(n > 0);
    test::report(file, k, n);
  });
}

// Monte Carlo (SHAVS §6.4): MD0 = MD1 = MD2 = Seed; 1000 iterations of
// MDi = H(MD(i-3) || MD(i-2) || MD(i-1)); 100 checkpoints.
template <class H>
void run_monte(const std::string& file) {
  auto path = test::locate(test::Source::cavp, "hashes/SHA2/" + file);
  if (!path) return;
  const auto recs = test::parse_records(test::read_file(*path));
  Bytes seed;
  std::vector<Bytes> expected;
  for (const auto& r : recs) {
    if (r.has("Seed")) seed = r.bytes("Seed");
    if (r.has("COUNT") && r.has("MD")) expected.push_back(r.bytes("MD"));
  }
  REQUIRE(seed.size() == H::digest_size);
  REQUIRE(expected.size() == 100);
  test::for_each_kernel(family_for(H::block_size), kernels_for(H::block_size), [&](const std::string& k) {
    constexpr std::size_t D = H::digest_size;
    Bytes s = seed;
    std::size_t n = 0;
    for (std::size_t j = 0; j < 100; ++j) {
      std::array<std::uint8_t, 3 * D> m{};
      std::memcpy(m.data(), s.data(), D);
      std::memcpy(m.data() + D, s.data(), D);
      std::memcpy(m.data() + 2 * D, s.data(), D);
      std::array<std::uint8_t, D> md{};
      H h;
      for (int i = 3; i < 1003; ++i) {
        h.update(m);
        h.final(md);
        std::memmove(m.data(), m.data() + D, 2 * D);
        std::memcpy(m.data() + 2 * D, md.data(), D);
      }
      s.assign(md.begin(), md.end());
      INFO(file << " checkpoint " << j);
      REQUIRE(test::to_hex(s) == test::to_hex(expected[j]));
      ++n;
    }
    test::report(file, k, n);
  });
}

template <class H>
void run_cavp(const std::string& prefix) {
  run_msg_file<H>(prefix + "ShortMsg.rsp");
  run_msg_file<H>(prefix + "LongMsg.rsp");
  run_monte<H>(prefix + "Monte.rsp");
}

}  // namespace

TEST_CASE("sha2: kernel dispatch", "[dispatch]") {
  test::check_dispatch("sha256", sha256_kernels());
  test::check_dispatch("sha512", sha512_kernels());
}

TEST_CASE("sha2: CAVP SHA-224", "[sha2][cavp]") { run_cavp<Sha224>("SHA224"); }
TEST_CASE("sha2: CAVP SHA-256", "[sha2][cavp]") { run_cavp<Sha256>("SHA256"); }
TEST_CASE("sha2: CAVP SHA-384", "[sha2][cavp]") { run_cavp<Sha384>("SHA384"); }
TEST_CASE("sha2: CAVP SHA-512", "[sha2][cavp]") { run_cavp<Sha512>("SHA512"); }
TEST_CASE("sha2: CAVP SHA-512/256", "[sha2][cavp]") { run_cavp<Sha512_256>("SHA512_256"); }

TEST_CASE("sha2: FIPS 180 examples and boundary lengths", "[sha2]") {
  const Bytes abc = {'a', 'b', 'c'};
  CHECK(test::to_hex(digest<Sha256>(abc)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(test::to_hex(digest<Sha224>(abc)) == "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
  CHECK(test::to_hex(digest<Sha384>(abc)) ==
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  CHECK(test::to_hex(digest<Sha512>(abc)) ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
        "454d4423643ce80e2a9ac94fa54ca49f");
  CHECK(test::to_hex(digest<Sha512_256>(abc)) == "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");
  // One million 'a' (FIPS 180-2 appendix), fed in odd pieces.
  Sha256 h;
  Bytes chunk(997, 'a');
  std::size_t left = 1000000;
  while (left > 0) {
    std::size_t n = left < chunk.size() ? left : chunk.size();
    h.update(std::span<const std::uint8_t>(chunk.data(), n));
    left -= n;
  }
  std::array<std::uint8_t, 32> out{};
  h.final(out);
  CHECK(test::to_hex(out.data(), 32) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

namespace {

// Every kernel against the portable one, streaming with random splits.
template <class H>
void differential(std::uint64_t seed) {
  KernelSet& set = kernels_for(H::block_size);
  test::Rng rng(seed);
  std::vector<Bytes> msgs;
  for (int i = 0; i < 60; ++i) {
    std::size_t len = i < 20 ? rng.below(300) : rng.below(20001);
    msgs.push_back(rng.bytes(len));
  }
  REQUIRE(set.select("portable"));
  std::vector<Bytes> ref;
  for (const auto& m : msgs) ref.push_back(digest<H>(m));
  set.reset();
  test::for_each_kernel(family_for(H::block_size), set, [&](const std::string& k) {
    test::Rng split(seed + 1);
    for (std::size_t i = 0; i < msgs.size(); ++i) {
      INFO("length " << msgs[i].size());
      REQUIRE(digest<H>(msgs[i]) == ref[i]);
      REQUIRE(digest_split<H>(msgs[i], split) == ref[i]);
    }
    test::report(std::string("differential vs portable ") + family_for(H::block_size) + "/" +
                     std::to_string(H::digest_size * 8),
                 k, msgs.size() * 2);
  });
}

}  // namespace

TEST_CASE("sha2: random differential, every kernel == portable", "[sha2][differential]") {
  differential<Sha256>(11);
  differential<Sha224>(12);
  differential<Sha512>(13);
  differential<Sha384>(14);
  differential<Sha512_256>(15);
}

TEST_CASE("sha2: copying a streaming state forks it", "[sha2]") {
  test::Rng rng(99);
  const Bytes a = rng.bytes(1000), b = rng.bytes(333), c = rng.bytes(4097);
  auto concat = [](std::initializer_list<const Bytes*> parts) {
    Bytes r;
    for (auto* p : parts) r.insert(r.end(), p->begin(), p->end());
    return r;
  };
  Sha384 h;
  h.update(a);
  Sha384 fork = h;
  h.update(b);
  fork.update(c);
  std::array<std::uint8_t, 48> o1{}, o2{};
  h.final(o1);
  fork.final(o2);
  CHECK(Bytes(o1.begin(), o1.end()) == digest<Sha384>(concat({&a, &b})));
  CHECK(Bytes(o2.begin(), o2.end()) == digest<Sha384>(concat({&a, &c})));
  // final() resets: the object hashes afresh.
  h.update(a);
  h.final(o1);
  CHECK(Bytes(o1.begin(), o1.end()) == digest<Sha384>(a));
}

TEST_CASE("sha2: AnyHash matches the typed hashes; peek and fork", "[sha2]") {
  test::Rng rng(7);
  for (HashId id : {HashId::sha256, HashId::sha384, HashId::sha512}) {
    for (std::size_t len : {0u, 1u, 55u, 56u, 63u, 64u, 111u, 112u, 127u, 128u, 129u, 5000u}) {
      const Bytes m = rng.bytes(len);
      Bytes expect = id == HashId::sha256   ? digest<Sha256>(m)
                     : id == HashId::sha384 ? digest<Sha384>(m)
                                            : digest<Sha512>(m);
      Bytes out(digest_size(id));
      AnyHash::hash(id, out, m);
      REQUIRE(out == expect);
      AnyHash h(id);
      CHECK(h.size() == digest_size(id));
      h.update(std::span<const std::uint8_t>(m.data(), len / 2));
      AnyHash fork = h;
      h.update(std::span<const std::uint8_t>(m.data() + len / 2, len - len / 2));
      Bytes peeked(64);
      h.peek(peeked);
      peeked.resize(digest_size(id));
      REQUIRE(peeked == expect);
      h.final(out);
      REQUIRE(out == expect);
      fork.update(std::span<const std::uint8_t>(m.data() + len / 2, len - len / 2));
      fork.final(out);
      REQUIRE(out == expect);
    }
  }
}

#if TERN_HAVE_OPENSSL
namespace {
template <class H>
void vs_openssl(const EVP_MD* md, std::uint64_t seed) {
  test::Rng rng(seed);
  test::for_each_kernel(family_for(H::block_size), kernels_for(H::block_size), [&](const std::string& k) {
    std::size_t n = 0;
    for (int i = 0; i < 40; ++i) {
      const Bytes m = rng.bytes(rng.below(20001));
      unsigned char ref[64];
      unsigned int rlen = 0;
      REQUIRE(EVP_Digest(m.data(), m.size(), ref, &rlen, md, nullptr) == 1);
      REQUIRE(rlen == H::digest_size);
      REQUIRE(digest<H>(m) == Bytes(ref, ref + rlen));
      ++n;
    }
    test::report(std::string("differential vs OpenSSL ") + EVP_MD_get0_name(md), k, n);
  });
}
}  // namespace

TEST_CASE("sha2: random differential against OpenSSL", "[sha2][openssl]") {
  vs_openssl<Sha224>(EVP_sha224(), 1);
  vs_openssl<Sha256>(EVP_sha256(), 2);
  vs_openssl<Sha384>(EVP_sha384(), 3);
  vs_openssl<Sha512>(EVP_sha512(), 4);
  vs_openssl<Sha512_256>(EVP_sha512_256(), 5);
}
#endif
