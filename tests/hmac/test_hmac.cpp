// HMAC and HKDF: RFC 4231 and RFC 5869 vectors, Wycheproof hmac_sha256/384/512
// and hkdf_sha256/384, every vector through every SHA-2 kernel; reuse of a
// keyed state, truncated tags, HKDF length limits, and (with libcrypto) a
// random differential test against OpenSSL.
#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <string>

#include "crypto/hmac/hkdf.hpp"
#include "crypto/hmac/hmac.hpp"
#include "tests/support/testutil.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif

using namespace tern;
using tern::test::Bytes;

namespace {

KernelSet& kernels_for(HashId id) {
  return id == HashId::sha256 ? sha2::sha256_kernels() : sha2::sha512_kernels();
}
const char* family_for(HashId id) { return id == HashId::sha256 ? "sha256" : "sha512"; }

Bytes mac_any(HashId id, const Bytes& key, const Bytes& msg, std::size_t len = 0) {
  Bytes out(len ? len : sha2::digest_size(id));
  REQUIRE(hmac(id, out, key, msg) == Status::ok);
  return out;
}

template <class H>
Bytes mac_typed(const Bytes& key, const Bytes& msg) {
  std::array<std::uint8_t, H::digest_size> out{};
  Hmac<H>::mac(out, key, msg);
  return Bytes(out.begin(), out.end());
}

Bytes mac_typed(HashId id, const Bytes& key, const Bytes& msg) {
  switch (id) {
    case HashId::sha256: return mac_typed<sha2::Sha256>(key, msg);
    case HashId::sha384: return mac_typed<sha2::Sha384>(key, msg);
    case HashId::sha512: return mac_typed<sha2::Sha512>(key, msg);
  }
  return {};
}

}  // namespace

TEST_CASE("hmac: kernel dispatch", "[dispatch]") {
  test::check_dispatch("sha256", sha2::sha256_kernels());
  test::check_dispatch("sha512", sha2::sha512_kernels());
}

TEST_CASE("hmac: RFC 4231 (cryptography_vectors HMAC/rfc-4231-sha*.txt)", "[hmac][rfc]") {
  struct F {
    const char* file;
    int bits;
  };
  for (F f : {F{"rfc-4231-sha224.txt", 224}, F{"rfc-4231-sha256.txt", 256}, F{"rfc-4231-sha384.txt", 384},
              F{"rfc-4231-sha512.txt", 512}}) {
    auto path = test::locate(test::Source::cavp, std::string("HMAC/") + f.file);
    if (!path) continue;
    const auto recs = test::parse_records(test::read_file(*path));
    KernelSet& set = f.bits == 224 || f.bits == 256 ? sha2::sha256_kernels() : sha2::sha512_kernels();
    test::for_each_kernel(f.bits <= 256 ? "sha256" : "sha512", set, [&](const std::string& k) {
      std::size_t n = 0;
      for (const auto& r : recs) {
        if (!r.has("Key")) continue;
        const Bytes key = r.bytes("Key"), msg = r.bytes("Msg"), md = r.bytes("MD");
        INFO(f.file << " line " << r.line);
        Bytes got;
        switch (f.bits) {
          case 224: got = mac_typed<sha2::Sha224>(key, msg); break;
          case 256: got = mac_any(HashId::sha256, key, msg); break;
          case 384: got = mac_any(HashId::sha384, key, msg); break;
          default: got = mac_any(HashId::sha512, key, msg); break;
        }
        REQUIRE(test::to_hex(got) == test::to_hex(md));
        if (f.bits != 224) {
          const HashId id = f.bits == 256 ? HashId::sha256 : f.bits == 384 ? HashId::sha384 : HashId::sha512;
          REQUIRE(mac_typed(id, key, msg) == md);
          REQUIRE(hmac_verify(id, md, key, msg) == Status::ok);
        }
        ++n;
      }
      // The file leaves out RFC 4231 §4.6 (test case 5, output truncated to
      // 128 bits); its values are transcribed here.
      const Bytes key(20, 0x0c);
      const Bytes msg = test::hex("546573742057697468205472756e636174696f6e");  // "Test With Truncation"
      const char* want = f.bits == 224   ? "0e2aea68a90c8d37c988bcdb9fca6fa8"
                         : f.bits == 256 ? "a3b6167473100ee06e0c796c2955552b"
                         : f.bits == 384 ? "3abf34c3503b2a23a46efc619baef897"
                                         : "415fad6271580a531d4179bc891d87a6";
      if (f.bits == 224) {
        REQUIRE(test::to_hex(mac_typed<sha2::Sha224>(key, msg)).substr(0, 32) == want);
      } else {
        const HashId id = f.bits == 256 ? HashId::sha256 : f.bits == 384 ? HashId::sha384 : HashId::sha512;
        REQUIRE(test::to_hex(mac_any(id, key, msg, 16)) == want);
        REQUIRE(hmac_verify(id, test::hex(want), key, msg) == Status::ok);
        Bytes bad = test::hex(want);
        bad[15] ^= 1;
        REQUIRE(hmac_verify(id, bad, key, msg) == Status::auth_failed);
      }
      ++n;
      test::report(std::string("RFC 4231 ") + f.file, k, n);
    });
  }
}

TEST_CASE("hkdf: RFC 5869 (cryptography_vectors KDF/rfc-5869-HKDF-SHA256.txt)", "[hkdf][rfc]") {
  auto path = test::locate(test::Source::cavp, "KDF/rfc-5869-HKDF-SHA256.txt");
  if (!path) return;
  // A vector may be split by a blank line (test case 2 has one before PRK):
  // records without IKM continue the previous vector.
  std::vector<test::Record> recs;
  for (auto& r : test::parse_records(test::read_file(*path))) {
    if (r.has("IKM"))
      recs.push_back(r);
    else if (!recs.empty())
      for (auto& [key, v] : r.fields) recs.back().fields[key] = v;
  }
  test::for_each_kernel("sha256", sha2::sha256_kernels(), [&](const std::string& k) {
    std::size_t n = 0;
    for (const auto& r : recs) {
      INFO("line " << r.line);
      REQUIRE(r.get("Hash") == "SHA-256");
      const Bytes ikm = r.bytes("IKM"), salt = r.has("salt") ? r.bytes("salt") : Bytes{};
      const Bytes info = r.has("info") ? r.bytes("info") : Bytes{};
      const Bytes prk_want = r.bytes("PRK"), okm_want = r.bytes("OKM");
      const std::size_t len = std::stoul(r.get("L"));
      Bytes prk(32), okm(len);
      REQUIRE(hkdf_extract(HashId::sha256, prk, salt, ikm) == Status::ok);
      REQUIRE(prk == prk_want);
      REQUIRE(hkdf_expand(HashId::sha256, okm, prk, info) == Status::ok);
      REQUIRE(okm == okm_want);
      Bytes okm2(len);
      REQUIRE(hkdf(HashId::sha256, okm2, salt, ikm, info) == Status::ok);
      REQUIRE(okm2 == okm_want);
      ++n;
    }
    REQUIRE(n == 3);
    test::report("RFC 5869 HKDF-SHA256", k, n);
  });
}

namespace {

void wycheproof_mac(const char* file, HashId id) {
  auto doc = test::load_wycheproof(file);
  if (!doc) return;
  test::for_each_kernel(family_for(id), kernels_for(id), [&](const std::string& k) {
    std::size_t valid = 0, invalid = 0;
    for (const auto& g : (*doc)["testGroups"].items) {
      const std::size_t tag_bytes = static_cast<std::size_t>(g["tagSize"].as_int()) / 8;
      for (const auto& t : g["tests"].items) {
        const Bytes key = t["key"].as_hex(), msg = t["msg"].as_hex(), tag = t["tag"].as_hex();
        const std::string result = t["result"].s;
        INFO(file << " tcId " << t["tcId"].as_int());
        REQUIRE(tag.size() == tag_bytes);
        const Bytes full = mac_any(id, key, msg);
        const Status vs = hmac_verify(id, tag, key, msg);
        // The keyed-object path must agree.
        HmacAny h(id, key);
        h.update(msg);
        const Status vs2 = h.verify(tag);
        REQUIRE(vs == vs2);
        if (result == "valid") {
          REQUIRE(Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(tag_bytes)) == tag);
          REQUIRE(vs == Status::ok);
          ++valid;
        } else {
          REQUIRE(result == "invalid");
          REQUIRE(vs == Status::auth_failed);
          ++invalid;
        }
      }
    }
    REQUIRE(valid + invalid == static_cast<std::size_t>((*doc)["numberOfTests"].as_int()));
    test::report(std::string("Wycheproof ") + file + " (" + std::to_string(valid) + " valid, " +
                     std::to_string(invalid) + " invalid)",
                 k, valid + invalid);
  });
}

void wycheproof_hkdf(const char* file, HashId id) {
  auto doc = test::load_wycheproof(file);
  if (!doc) return;
  test::for_each_kernel(family_for(id), kernels_for(id), [&](const std::string& k) {
    std::size_t valid = 0, invalid = 0;
    for (const auto& g : (*doc)["testGroups"].items) {
      for (const auto& t : g["tests"].items) {
        const Bytes ikm = t["ikm"].as_hex(), salt = t["salt"].as_hex(), info = t["info"].as_hex();
        const std::size_t size = static_cast<std::size_t>(t["size"].as_int());
        const std::string result = t["result"].s;
        INFO(file << " tcId " << t["tcId"].as_int());
        Bytes okm(size);
        const Status s = hkdf(id, okm, salt, ikm, info);
        if (result == "valid") {
          REQUIRE(s == Status::ok);
          REQUIRE(okm == t["okm"].as_hex());
          ++valid;
        } else {
          // Wycheproof's invalid HKDF cases ask for more than 255 * HashLen.
          REQUIRE(result == "invalid");
          REQUIRE(t.has_flag("SizeTooLarge"));
          REQUIRE(s == Status::output_too_long);
          Bytes prk(sha2::digest_size(id));
          REQUIRE(hkdf_extract(id, prk, salt, ikm) == Status::ok);
          REQUIRE(hkdf_expand(id, okm, prk, info) == Status::output_too_long);
          ++invalid;
        }
      }
    }
    REQUIRE(valid + invalid == static_cast<std::size_t>((*doc)["numberOfTests"].as_int()));
    test::report(std::string("Wycheproof ") + file + " (" + std::to_string(valid) + " valid, " +
                     std::to_string(invalid) + " invalid)",
                 k, valid + invalid);
  });
}

}  // namespace

TEST_CASE("hmac: Wycheproof hmac_sha256/384/512", "[hmac][wycheproof]") {
  wycheproof_mac("hmac_sha256_test.json", HashId::sha256);
  wycheproof_mac("hmac_sha384_test.json", HashId::sha384);
  wycheproof_mac("hmac_sha512_test.json", HashId::sha512);
}

TEST_CASE("hkdf: Wycheproof hkdf_sha256/384", "[hkdf][wycheproof]") {
  wycheproof_hkdf("hkdf_sha256_test.json", HashId::sha256);
  wycheproof_hkdf("hkdf_sha384_test.json", HashId::sha384);
}

TEST_CASE("hkdf: output length limits and PRK length", "[hkdf]") {
  for (HashId id : {HashId::sha256, HashId::sha384, HashId::sha512}) {
    const std::size_t hl = sha2::digest_size(id);
    const Bytes prk(hl, 0x42), info = {1, 2, 3};
    Bytes max(255 * hl), over(255 * hl + 1, 0xee);
    CHECK(hkdf_max_output(id) == 255 * hl);
    CHECK(hkdf_expand(id, max, prk, info) == Status::ok);
    CHECK(hkdf_expand(id, over, prk, info) == Status::output_too_long);
    for (auto b : over) REQUIRE(b == 0xee);  // nothing written on error
    CHECK(hkdf(id, over, {}, prk, info) == Status::output_too_long);
    // The longest output extends shorter ones (prefix property).
    Bytes shorter(hl * 3 + 5);
    CHECK(hkdf_expand(id, shorter, prk, info) == Status::ok);
    CHECK(std::equal(shorter.begin(), shorter.end(), max.begin()));
    // Zero-length output is allowed.
    CHECK(hkdf_expand(id, std::span<std::uint8_t>(), prk, info) == Status::ok);
    // PRK shorter than HashLen, and a wrong-size extract output, are rejected.
    Bytes okm(16);
    CHECK(hkdf_expand(id, okm, Bytes(hl - 1, 1), info) == Status::bad_length);
    Bytes bad_prk(hl + 1);
    CHECK(hkdf_extract(id, bad_prk, {}, prk) == Status::bad_length);
    // Empty salt == HashLen zero bytes (RFC 5869 §2.2).
    Bytes p1(hl), p2(hl);
    CHECK(hkdf_extract(id, p1, {}, info) == Status::ok);
    CHECK(hkdf_extract(id, p2, Bytes(hl, 0), info) == Status::ok);
    CHECK(p1 == p2);
  }
}

TEST_CASE("hmac: lengths, reuse of a keyed state, streaming", "[hmac]") {
  test::Rng rng(5);
  const Bytes key = rng.bytes(40), msg = rng.bytes(1000);
  Bytes out(65);
  CHECK(hmac(HashId::sha256, out, key, msg) == Status::bad_length);
  CHECK(hmac(HashId::sha256, std::span<std::uint8_t>(), key, msg) == Status::bad_length);
  CHECK(hmac_verify(HashId::sha256, std::span<const std::uint8_t>(), key, msg) == Status::bad_length);
  CHECK(hmac_verify(HashId::sha256, Bytes(33), key, msg) == Status::bad_length);
  for (HashId id : {HashId::sha256, HashId::sha384, HashId::sha512}) {
    const Bytes want = mac_any(id, key, msg);
    HmacAny keyed(id, key);
    for (int rep = 0; rep < 3; ++rep) {
      HmacAny h = keyed;  // copy of the precomputed state
      std::size_t pos = 0;
      while (pos < msg.size()) {
        std::size_t n = rng.below(200);
        if (n > msg.size() - pos) n = msg.size() - pos;
        h.update(std::span<const std::uint8_t>(msg.data() + pos, n));
        pos += n;
      }
      Bytes t(sha2::digest_size(id));
      h.final(t);
      REQUIRE(t == want);
      // final() leaves h keyed and ready for the next message.
      h.update(msg);
      h.final(t);
      REQUIRE(t == want);
    }
    REQUIRE(mac_typed(id, key, msg) == want);
    // Keys longer than a block are hashed first; a block-size key is not.
    for (std::size_t klen : {0u, 1u, 63u, 64u, 65u, 127u, 128u, 129u, 300u}) {
      const Bytes kk = rng.bytes(klen);
      REQUIRE(mac_any(id, kk, msg) == mac_typed(id, kk, msg));
    }
  }
  // Typed object reuse.
  HmacSha256 h(key);
  std::array<std::uint8_t, 32> t1{}, t2{};
  h.update(msg);
  h.final(t1);
  h.update(msg);
  h.final(t2);
  CHECK(t1 == t2);
  h.update(msg);
  CHECK(h.verify(t1) == Status::ok);
  h.update(msg);
  t1[0] ^= 1;
  CHECK(h.verify(t1) == Status::auth_failed);
}

#if TERN_HAVE_OPENSSL
TEST_CASE("hmac: random differential against OpenSSL, every kernel", "[hmac][openssl]") {
  for (HashId id : {HashId::sha256, HashId::sha384, HashId::sha512}) {
    const EVP_MD* md = id == HashId::sha256 ? EVP_sha256() : id == HashId::sha384 ? EVP_sha384() : EVP_sha512();
    test::Rng rng(static_cast<std::uint64_t>(id) + 100);
    test::for_each_kernel(family_for(id), kernels_for(id), [&](const std::string& k) {
      std::size_t n = 0;
      for (int i = 0; i < 50; ++i) {
        const Bytes key = rng.bytes(rng.below(200)), msg = rng.bytes(rng.below(20001));
        unsigned char ref[64];
        unsigned int rlen = 0;
        REQUIRE(HMAC(md, key.data(), static_cast<int>(key.size()), msg.data(), msg.size(), ref, &rlen) != nullptr);
        REQUIRE(mac_any(id, key, msg) == Bytes(ref, ref + rlen));
        ++n;
      }
      test::report(std::string("HMAC differential vs OpenSSL ") + EVP_MD_get0_name(md), k, n);
    });
  }
}
#endif
