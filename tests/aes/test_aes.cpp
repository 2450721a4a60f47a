// AES block cipher and AES-GCM: FIPS 197 and CAVP ECB block vectors, NIST
// GCM CAVP (encrypt and decrypt, FAIL cases, all IV lengths, truncated
// tags), Wycheproof, differential tests of every kernel against the
// portable one (and OpenSSL when available), tampering, and argument errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "crypto/aes/aes.hpp"
#include "crypto/aes/gcm.hpp"
#include "crypto/aes/gcm_internal.hpp"
#include "crypto/internal/cpu.hpp"
#include "tests/support/testutil.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

using namespace tern;
using namespace tern::test;
using aes::AesGcm;

namespace {

Bytes block_encrypt(const Bytes& key, const Bytes& pt) {
  aes::Aes a;
  REQUIRE(a.init(key) == Status::ok);
  Bytes out(pt.size());
  REQUIRE(pt.size() % 16 == 0);
  for (std::size_t i = 0; i < pt.size(); i += 16)
    a.encrypt_block(std::span<std::uint8_t, 16>(out.data() + i, 16), std::span<const std::uint8_t, 16>(pt.data() + i, 16));
  return out;
}

}  // namespace

TEST_CASE("aes: FIPS 197 and CAVP ECB known answers", "[aes]") {
  std::size_t n = 0;
  if (auto p = locate(Source::vectors, "aes/fips197.txt")) {
    for (const auto& r : parse_records(read_file(*p))) {
      INFO("fips197 line " << r.line);
      CHECK(to_hex(block_encrypt(r.bytes("Key"), r.bytes("Plaintext"))) == r.get("Ciphertext"));
      ++n;
    }
  }
  REQUIRE(n == 4);
  std::size_t m = 0;
  for (const char* kind : {"GFSbox", "KeySbox", "VarKey", "VarTxt", "MMT"})
    for (const char* bits : {"128", "192", "256"}) {
      const std::string rel = std::string("ciphers/AES/ECB/ECB") + kind + bits + ".rsp";
      auto p = locate(Source::cavp, rel);
      if (!p) continue;
      for (const auto& r : parse_records(read_file(*p))) {
        if (!r.has("KEY")) continue;
        INFO(rel << " line " << r.line);
        CHECK(to_hex(block_encrypt(r.bytes("KEY"), r.bytes("PLAINTEXT"))) == r.get("CIPHERTEXT"));
        ++m;
      }
    }
  report("aes block FIPS 197", "portable", n);
  report("aes block CAVP ECB (128/192/256)", "portable", m);
  aes::Aes a;
  CHECK(a.init(Bytes(15)) == Status::bad_key);
  CHECK(a.init(Bytes(33)) == Status::bad_key);
}

TEST_CASE("aes-gcm: NIST CAVP", "[gcm][cavp]") {
  struct File {
    const char* rel;
    bool decrypt;
  };
  const File files[] = {{"ciphers/AES/GCM/gcmEncryptExtIV128.rsp", false},
                        {"ciphers/AES/GCM/gcmEncryptExtIV256.rsp", false},
                        {"ciphers/AES/GCM/gcmDecrypt128.rsp", true},
                        {"ciphers/AES/GCM/gcmDecrypt256.rsp", true}};
  std::vector<std::pair<File, std::vector<Record>>> loaded;
  for (const auto& f : files)
    if (auto p = locate(Source::cavp, f.rel)) loaded.push_back({f, parse_records(read_file(*p))});
  for_each_kernel("aes-gcm", aes::aes_gcm_kernels(), [&](const std::string& kernel) {
    std::size_t full = 0, truncated = 0, fails = 0, iv96 = 0, ivother = 0;
    for (const auto& [f, records] : loaded)
      for (const auto& r : records) {
        if (!r.has("Key")) continue;
        INFO(f.rel << " line " << r.line << " kernel " << kernel);
        const Bytes key = r.bytes("Key"), iv = r.bytes("IV"), aad = r.bytes("AAD"), ct = r.bytes("CT"),
                    tag = r.bytes("Tag");
        AesGcm g;
        REQUIRE(g.init(key) == Status::ok);
        REQUIRE(std::string(g.kernel()) == kernel);
        (iv.size() == 12 ? iv96 : ivother)++;
        const bool fail = r.has("FAIL");
        if (tag.size() == 16) {
          Bytes in = ct;
          in.insert(in.end(), tag.begin(), tag.end());
          Bytes out(ct.size(), 0xAA);
          const Status s = g.open(out, iv, aad, in);
          if (fail) {
            CHECK(s == Status::auth_failed);
            CHECK(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }));
            ++fails;
          } else {
            CHECK(s == Status::ok);
            CHECK(to_hex(out) == r.get("PT"));
            // And the other direction.
            Bytes sealed(ct.size() + 16);
            CHECK(g.seal(sealed, iv, aad, out) == Status::ok);
            CHECK(sealed == in);
            ++full;
          }
        } else {
          // Truncated tag: recover the plaintext with counter mode (sealing
          // the ciphertext yields it), recompute the full tag, compare the prefix.
          Bytes tmp(ct.size() + 16), again(ct.size() + 16);
          CHECK(g.seal(tmp, iv, aad, ct) == Status::ok);
          const Bytes pt(tmp.begin(), tmp.end() - 16);
          CHECK(g.seal(again, iv, aad, pt) == Status::ok);
          const bool match = std::equal(tag.begin(), tag.end(), again.end() - 16);
          CHECK(std::equal(ct.begin(), ct.end(), again.begin()));
          if (fail) {
            CHECK(!match);
            ++fails;
          } else {
            CHECK(match);
            CHECK(to_hex(pt) == r.get("PT"));
            ++truncated;
          }
        }
      }
    report("gcm CAVP 128/256 (full tags)", kernel, full);
    report("gcm CAVP 128/256 (truncated tags, via prefix)", kernel, truncated);
    report("gcm CAVP 128/256 (FAIL cases rejected)", kernel, fails);
    std::printf("gcm CAVP [%s]: %zu with 96-bit IV, %zu with other IV lengths; 192-bit files skipped (no AES-192-GCM)\n",
                kernel.c_str(), iv96, ivother);
  });
}

TEST_CASE("aes-gcm: Wycheproof", "[gcm][wycheproof]") {
  auto j = load_wycheproof("aes_gcm_test.json");
  if (!j) return;
  for_each_kernel("aes-gcm", aes::aes_gcm_kernels(), [&](const std::string& kernel) {
    std::size_t passed = 0, skipped = 0;
    for (const auto& grp : (*j)["testGroups"].items) {
      const long long ks = grp["keySize"].as_int();
      for (const auto& t : grp["tests"].items) {
        if (ks != 128 && ks != 256) {
          ++skipped;
          continue;
        }
        INFO("tcId " << t["tcId"].as_int() << " kernel " << kernel);
        const Bytes key = t["key"].as_hex(), iv = t["iv"].as_hex(), aad = t["aad"].as_hex(), msg = t["msg"].as_hex(),
                    ct = t["ct"].as_hex(), tag = t["tag"].as_hex();
        const bool valid = t["result"].s != "invalid";
        AesGcm g;
        REQUIRE(g.init(key) == Status::ok);
        Bytes in = ct;
        in.insert(in.end(), tag.begin(), tag.end());
        Bytes out(ct.size());
        const Status so = tag.size() == 16 ? g.open(out, iv, aad, in) : Status::bad_length;
        Bytes sealed(msg.size() + 16);
        const Status ss = g.seal(sealed, iv, aad, msg);
        if (valid) {
          CHECK(so == Status::ok);
          CHECK(out == msg);
          CHECK(ss == Status::ok);
          CHECK(sealed == in);
        } else {
          CHECK(so != Status::ok);
          if (iv.empty()) {
            CHECK(so == Status::bad_nonce);
            CHECK(ss == Status::bad_nonce);
          }
        }
        ++passed;
      }
    }
    report("gcm Wycheproof aes_gcm_test.json (128/256)", kernel, passed);
    std::printf("gcm Wycheproof [%s]: %zu AES-192 tests skipped\n", kernel.c_str(), skipped);
  });
}

namespace {

// One message through the active kernel, seal then open, checked against
// the portable kernel's output when `ref` is given.
struct Msg {
  Bytes key, nonce, aad, pt;
};

Msg random_msg(Rng& rng, std::size_t max_len) {
  Msg m;
  m.key = rng.bytes(rng.below(2) ? 32 : 16);
  const std::size_t nl = rng.below(8) == 0 ? 1 + rng.below(40) : 12;
  m.nonce = rng.bytes(nl);
  m.aad = rng.bytes(rng.below(4) == 0 ? rng.below(601) : rng.below(40));
  m.pt = rng.bytes(rng.below(max_len + 1));
  return m;
}

Bytes seal_with(const std::string& kernel, const Msg& m, Rng& rng, bool in_place) {
  auto& ks = aes::aes_gcm_kernels();
  REQUIRE(ks.select(kernel));
  AesGcm g;
  REQUIRE(g.init(m.key) == Status::ok);
  REQUIRE(std::string(g.kernel()) == kernel);
  const std::size_t off_in = rng.below(64), off_out = rng.below(64);
  std::vector<std::uint8_t> bin(m.pt.size() + 16 + 64), bout(m.pt.size() + 16 + 64);
  std::uint8_t* out = bout.data() + off_out;
  std::uint8_t* in = in_place ? out : bin.data() + off_in;
  if (!m.pt.empty()) std::memcpy(in, m.pt.data(), m.pt.size());  // memcpy from a null data() is UB
  REQUIRE(g.seal(std::span<std::uint8_t>(out, m.pt.size() + 16), m.nonce, m.aad,
                 std::span<const std::uint8_t>(in, m.pt.size())) == Status::ok);
  Bytes sealed(out, out + m.pt.size() + 16);
  // Open it back (in place or not).
  std::uint8_t* pin = in_place ? out : bin.data() + off_in;
  if (!in_place) std::memcpy(pin, sealed.data(), sealed.size());
  std::uint8_t* pout = in_place ? out : bout.data() + off_out;
  REQUIRE(g.open(std::span<std::uint8_t>(pout, m.pt.size()), m.nonce, m.aad,
                 std::span<const std::uint8_t>(pin, sealed.size())) == Status::ok);
  CHECK((m.pt.empty() || std::memcmp(pout, m.pt.data(), m.pt.size()) == 0));
  ks.reset();
  return sealed;
}

}  // namespace

TEST_CASE("aes-gcm: every kernel equals portable (random and boundary lengths)", "[gcm][diff]") {
  auto& ks = aes::aes_gcm_kernels();
  std::vector<std::string> kernels;
  for (std::size_t i = 0; i < ks.count(); ++i)
    if (ks.supported(i)) kernels.push_back(ks.name(i));
  Rng rng(0xAE5);
  std::map<std::string, std::size_t> count;
  auto one = [&](const Msg& m) {
    const Bytes ref = seal_with("portable", m, rng, false);
    for (const auto& k : kernels) {
      INFO("kernel " << k << " pt " << m.pt.size() << " aad " << m.aad.size() << " nonce " << m.nonce.size());
      const bool in_place = rng.below(2) == 0;
      CHECK(seal_with(k, m, rng, in_place) == ref);
      ++count[k];
    }
  };
  // Every message length 0..600 (all SIMD tail shapes), varying AAD.
  for (std::size_t len = 0; len <= 600; ++len) {
    Msg m = random_msg(rng, 0);
    m.pt = rng.bytes(len);
    m.aad = rng.bytes(len % 7 == 0 ? rng.below(601) : len % 70);
    one(m);
  }
  // Random lengths up to 20000.
  for (int i = 0; i < 150; ++i) one(random_msg(rng, 20000));
  for (const auto& [k, n] : count) report("gcm differential vs portable", k, n);
}

TEST_CASE("aes-gcm: 32-bit counter wrap (inc32) in every kernel", "[gcm][wrap]") {
  // Only a hashed (non-96-bit) nonce can give a J0 whose counter is near
  // 2^32; drive the kernels directly with such a J0.
  using namespace tern::aes::detail;
  struct K {
    const char* name;
    std::uint32_t needs;
    void (*init)(GcmKey&, const std::uint8_t*) noexcept;
    GcmCryptFn seal, open;
  };
  std::vector<K> ks = {{"portable", 0, gcm_portable_init, gcm_portable_seal, gcm_portable_open}};
#if TERN_SIMD && defined(__x86_64__)
  ks.push_back({"aesni", cpu::aesni | cpu::pclmul | cpu::sse41 | cpu::ssse3, gcm_aesni_init, gcm_aesni_seal, gcm_aesni_open});
  ks.push_back({"vaes256", cpu::vaes | cpu::vpclmulqdq | cpu::avx2 | cpu::avx | cpu::aesni | cpu::pclmul, gcm_vaes256_init,
                gcm_vaes256_seal, gcm_vaes256_open});
  ks.push_back({"vaes512",
                cpu::vaes | cpu::vpclmulqdq | cpu::avx512f | cpu::avx512bw | cpu::avx512vl | cpu::avx2 | cpu::aesni |
                    cpu::pclmul,
                gcm_vaes512_init, gcm_vaes512_seal, gcm_vaes512_open});
#endif
  Rng rng(0x32);
  std::map<std::string, std::size_t> count;
  for (std::size_t key_len : {16u, 32u}) {
    const Bytes key = rng.bytes(key_len), aad = rng.bytes(13);
    // Near 2^32, then every value of the counter's low byte with a length
    // of several 32-block iterations (the vaes512 main loop builds counter
    // blocks by a byte-wise add unless the low byte wraps in the iteration).
    std::vector<std::pair<std::uint32_t, std::size_t>> cases;
    for (std::uint32_t start : {0xFFFFFFFFu, 0xFFFFFFF0u, 0xFFFFFF00u, 0x000000FEu})
      for (std::size_t len : {0u, 16u, 100u, 256u, 700u, 5000u}) cases.emplace_back(start, len);
    for (std::uint32_t low = 0; low < 256; ++low) cases.emplace_back(0x12345600u | low, 2100);
    for (const auto& [start, len] : cases) {
      {
        std::uint8_t j0[16];
        const Bytes n = rng.bytes(12);
        std::memcpy(j0, n.data(), 12);
        j0[12] = static_cast<std::uint8_t>(start >> 24);
        j0[13] = static_cast<std::uint8_t>(start >> 16);
        j0[14] = static_cast<std::uint8_t>(start >> 8);
        j0[15] = static_cast<std::uint8_t>(start);
        const Bytes pt = rng.bytes(len);
        Bytes ref(len), ref_tag(16);
        for (const auto& k : ks) {
          if (!cpu::has(k.needs)) continue;
          GcmKey gk{};
          std::uint8_t rk[240];
          gk.rounds = expand_key(key.data(), key.size(), rk);
          k.init(gk, rk);
          Bytes ct(len), tag(16), back(len), tag2(16);
          k.seal(gk, j0, aad.data(), aad.size(), pt.data(), ct.data(), len, tag.data());
          k.open(gk, j0, aad.data(), aad.size(), ct.data(), back.data(), len, tag2.data());
          INFO(k.name << " start " << start << " len " << len);
          CHECK(back == pt);
          CHECK(tag2 == tag);
          if (std::string(k.name) == "portable") {
            ref = ct;
            ref_tag = tag;
          } else {
            CHECK(ct == ref);
            CHECK(tag == ref_tag);
          }
          ++count[k.name];
        }
      }
    }
  }
  for (const auto& [k, n] : count) report("gcm inc32 counter wrap", k, n);
}

TEST_CASE("aes-gcm: every output and input position within a cache line", "[gcm][align]") {
  // The vaes512 kernel starts long messages with 1..3 blocks that align its
  // output to 64 bytes; check every 16-byte (and some odd) placement of
  // input and output against the portable kernel.
  Rng rng(0xA11);
  std::map<std::string, std::size_t> count;
  std::vector<std::uint8_t> bin(20000 + 192), bout(20000 + 192);
  auto at64 = [](std::vector<std::uint8_t>& v, std::size_t off) {
    const auto a = reinterpret_cast<std::uintptr_t>(v.data());
    return v.data() + ((64 - a % 64) % 64) + off;
  };
  for (std::size_t len : {575u, 576u, 2100u, 16397u}) {
    const Bytes key = rng.bytes(len % 2 ? 16 : 32), nonce = rng.bytes(12), aad = rng.bytes(13), pt = rng.bytes(len);
    Bytes ref(len + 16);
    {
      REQUIRE(aes::aes_gcm_kernels().select("portable"));
      AesGcm p;
      REQUIRE(p.init(key) == Status::ok);
      REQUIRE(p.seal(ref, nonce, aad, pt) == Status::ok);
    }
    for_each_kernel("aes-gcm", aes::aes_gcm_kernels(), [&](const std::string& kernel) {
      AesGcm g;
      REQUIRE(g.init(key) == Status::ok);
      for (std::size_t oo : {0u, 16u, 32u, 48u, 5u}) {
        for (std::size_t io : {0u, 16u, 48u, 9u}) {
          std::uint8_t* out = at64(bout, oo);
          std::uint8_t* in = at64(bin, io);
          std::memcpy(in, pt.data(), len);
          REQUIRE(g.seal(std::span<std::uint8_t>(out, len + 16), nonce, aad, std::span<const std::uint8_t>(in, len)) ==
                  Status::ok);
          const Bytes sealed(out, out + len + 16);
          INFO(kernel << " len " << len << " out +" << oo << " in +" << io);
          CHECK(sealed == ref);
          // Open with the roles of the two buffers swapped.
          std::memcpy(in, sealed.data(), sealed.size());
          REQUIRE(g.open(std::span<std::uint8_t>(out, len), nonce, aad, std::span<const std::uint8_t>(in, len + 16)) ==
                  Status::ok);
          CHECK(std::memcmp(out, pt.data(), len) == 0);
          ++count[kernel];
        }
      }
    });
  }
  for (const auto& [k, n] : count) report("gcm buffer placements", k, n);
}

TEST_CASE("aes-gcm: data, output and AAD ending at (or just before) a 4 KiB page boundary", "[gcm][align]") {
  // The vaes512 kernel sends a partial (masked) access whose 64 bytes would
  // reach into the next page, while its data does not, through a stack
  // buffer instead (see load_part/store_part); that path depends only on the
  // address, so placing buffers at the end of a page of a heap block covers
  // it. Every kernel must equal portable.
  Rng rng(0x4096);
  std::map<std::string, std::size_t> count;
  std::vector<std::uint8_t> bin(5 * 4096 + 20000), bout(5 * 4096 + 20000), baad(3 * 4096);
  // p such that p + n is `before` bytes short of a page boundary (at least 4 KiB into v).
  auto ending = [](std::vector<std::uint8_t>& v, std::size_t n, std::size_t before) {
    const auto a = reinterpret_cast<std::uintptr_t>(v.data());
    const std::uintptr_t end = ((a + n + before + 4096 + 4095) & ~std::uintptr_t{4095}) - before;
    return v.data() + (end - n - a);
  };
  for (std::size_t len : {1u, 15u, 16u, 17u, 48u, 63u, 64u, 65u, 100u, 127u, 200u, 255u, 256u, 257u, 300u, 700u, 1350u,
                          2100u, 16397u}) {
    for (std::size_t aad_len : {0u, 13u, 64u, 70u, 300u}) {
      const Bytes key = rng.bytes(len % 2 ? 16 : 32), nonce = rng.bytes(12), aad = rng.bytes(aad_len),
                  pt = rng.bytes(len);
      Bytes ref(len + 16);
      {
        REQUIRE(aes::aes_gcm_kernels().select("portable"));
        AesGcm p;
        REQUIRE(p.init(key) == Status::ok);
        REQUIRE(p.seal(ref, nonce, aad, pt) == Status::ok);
        aes::aes_gcm_kernels().reset();
      }
      for_each_kernel("aes-gcm", aes::aes_gcm_kernels(), [&](const std::string& kernel) {
        AesGcm g;
        REQUIRE(g.init(key) == Status::ok);
        for (std::size_t before : {0u, 8u, 16u, 40u}) {
          std::uint8_t* in = ending(bin, len, before);
          std::uint8_t* out = ending(bout, len + 16, before);
          std::uint8_t* a = ending(baad, aad_len, before);
          std::memcpy(in, pt.data(), len);
          if (aad_len) std::memcpy(a, aad.data(), aad_len);
          const std::span<const std::uint8_t> aspan(a, aad_len);
          INFO(kernel << " len " << len << " aad " << aad_len << " ending " << before << " bytes before a page");
          REQUIRE(g.seal(std::span<std::uint8_t>(out, len + 16), nonce, aspan, std::span<const std::uint8_t>(in, len)) ==
                  Status::ok);
          CHECK(Bytes(out, out + len + 16) == ref);
          // Open from a record ending there into plaintext ending there.
          std::uint8_t* rin = ending(bin, len + 16, before);
          std::uint8_t* pout = ending(bout, len, before);
          std::memcpy(rin, ref.data(), len + 16);
          REQUIRE(g.open(std::span<std::uint8_t>(pout, len), nonce, aspan, std::span<const std::uint8_t>(rin, len + 16)) ==
                  Status::ok);
          CHECK(std::memcmp(pout, pt.data(), len) == 0);
          ++count[kernel];
        }
      });
    }
  }
  for (const auto& [k, n] : count) report("gcm buffers ending at a page boundary", k, n);
}

TEST_CASE("aes-gcm: tampering with ciphertext, tag or AAD is rejected and output wiped", "[gcm][tamper]") {
  Rng rng(77);
  for_each_kernel("aes-gcm", aes::aes_gcm_kernels(), [&](const std::string& kernel) {
    std::size_t n = 0;
    for (std::size_t len : {0u, 1u, 15u, 16u, 17u, 64u, 100u, 255u, 256u, 257u, 1000u}) {
      const Bytes key = rng.bytes(len % 2 ? 16 : 32), nonce = rng.bytes(12), aad = rng.bytes(len % 40),
                  pt = rng.bytes(len);
      AesGcm g;
      REQUIRE(g.init(key) == Status::ok);
      Bytes sealed(len + 16);
      REQUIRE(g.seal(sealed, nonce, aad, pt) == Status::ok);
      // Every bit for short messages, a sample for longer ones.
      const std::size_t nbits = sealed.size() * 8;
      for (std::size_t bit = 0; bit < nbits; bit += (len <= 64 ? 1 : 7)) {
        Bytes bad = sealed;
        bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        Bytes out(len, 0x5A);
        INFO("len " << len << " flipped bit " << bit);
        CHECK(g.open(out, nonce, aad, bad) == Status::auth_failed);
        CHECK(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }));
        ++n;
      }
      for (std::size_t bit = 0; bit < aad.size() * 8; ++bit) {
        Bytes bad = aad;
        bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        Bytes out(len, 0x5A);
        CHECK(g.open(out, nonce, bad, sealed) == Status::auth_failed);
        CHECK(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }));
        ++n;
      }
      // In place, failing: the buffer is wiped.
      Bytes inplace = sealed;
      inplace[0] ^= 1;
      CHECK(g.open(std::span<std::uint8_t>(inplace.data(), len), nonce, aad, inplace) == Status::auth_failed);
      CHECK(std::all_of(inplace.begin(), inplace.begin() + static_cast<std::ptrdiff_t>(len),
                        [](std::uint8_t b) { return b == 0; }));
      // Detached API agrees.
      Bytes ct(len);
      std::uint8_t tag[16];
      REQUIRE(g.seal_detached(ct, tag, nonce, aad, pt) == Status::ok);
      CHECK(std::equal(ct.begin(), ct.end(), sealed.begin()));
      CHECK(std::equal(tag, tag + 16, sealed.end() - 16));
      Bytes back(len);
      CHECK(g.open_detached(back, tag, nonce, aad, ct) == Status::ok);
      CHECK(back == pt);
      tag[15] ^= 0x80;
      CHECK(g.open_detached(back, tag, nonce, aad, ct) == Status::auth_failed);
    }
    report("gcm tamper rejections", kernel, n);
  });
}

TEST_CASE("aes-gcm: context size, re-keying across kernels and layouts", "[gcm][context]") {
  // TLS keeps two contexts per connection: the per-key layout union keeps
  // one context near 1 KB (1024 + the vaes512 layout's 144 bytes of
  // prepared main-loop keys and alignment slack).
  std::printf("sizeof(AesGcm) = %zu\n", sizeof(AesGcm));
  CHECK(sizeof(AesGcm) <= 1024 + 144);
  // One context re-keyed under every kernel in turn (its layout changes)
  // must give the same record as a fresh context; a non-96-bit nonce uses H
  // from whichever layout is active.
  Rng rng(0xC0);
  const Bytes key1 = rng.bytes(32), key2 = rng.bytes(16), aad = rng.bytes(13), pt = rng.bytes(1000);
  const Bytes nonce12 = rng.bytes(12), nonce7 = rng.bytes(7);
  AesGcm shared;
  std::map<std::string, Bytes> first;
  for (int pass = 0; pass < 2; ++pass) {
    for_each_kernel("aes-gcm", aes::aes_gcm_kernels(), [&](const std::string& kernel) {
      for (const Bytes* key : {&key1, &key2}) {
        REQUIRE(shared.init(*key) == Status::ok);
        CHECK(std::string(shared.kernel()) == kernel);
        AesGcm fresh;
        REQUIRE(fresh.init(*key) == Status::ok);
        for (const Bytes* nonce : {&nonce12, &nonce7}) {
          Bytes a(pt.size() + 16), b(pt.size() + 16);
          REQUIRE(shared.seal(a, *nonce, aad, pt) == Status::ok);
          REQUIRE(fresh.seal(b, *nonce, aad, pt) == Status::ok);
          CHECK(a == b);
          const std::string id = std::to_string(key->size()) + "/" + std::to_string(nonce->size());
          if (first.count(id) == 0) first[id] = a;
          CHECK(a == first[id]);
        }
      }
    });
  }
}

TEST_CASE("aes-gcm: argument errors", "[gcm][errors]") {
  for_each_kernel("aes-gcm", aes::aes_gcm_kernels(), [&](const std::string&) {
    AesGcm g;
    Bytes out(32), pt(16), nonce(12), in(32);
    CHECK(g.seal(out, nonce, {}, pt) == Status::bad_key);  // not initialised
    CHECK(std::string(g.kernel()) == "none");
    for (std::size_t kl : {0u, 1u, 15u, 17u, 24u, 31u, 33u, 64u}) CHECK(g.init(Bytes(kl)) == Status::bad_key);
    REQUIRE(g.init(Bytes(16, 1)) == Status::ok);
    CHECK(g.seal(out, {}, {}, pt) == Status::bad_nonce);
    CHECK(g.open(std::span<std::uint8_t>(out.data(), 16), {}, {}, in) == Status::bad_nonce);
    CHECK(g.seal(std::span<std::uint8_t>(out.data(), 31), nonce, {}, pt) == Status::bad_length);
    CHECK(g.seal(std::span<std::uint8_t>(out.data(), 15), nonce, {}, {}) == Status::bad_length);
    CHECK(g.open(std::span<std::uint8_t>(out.data(), 17), nonce, {}, in) == Status::bad_length);
    CHECK(g.open(std::span<std::uint8_t>(out.data(), 0), nonce, {}, std::span<const std::uint8_t>(in.data(), 15)) ==
          Status::bad_length);
    Bytes ct(16);
    std::uint8_t tag[16] = {};
    CHECK(g.seal_detached(std::span<std::uint8_t>(ct.data(), 15), tag, nonce, {}, pt) == Status::bad_length);
    CHECK(g.open_detached(std::span<std::uint8_t>(ct.data(), 15), tag, nonce, {}, pt) == Status::bad_length);
    // Partial overlap of input and output is refused; exact aliasing is fine.
    Bytes buf(64);
    CHECK(g.seal(std::span<std::uint8_t>(buf.data() + 1, 32), nonce, {}, std::span<const std::uint8_t>(buf.data(), 16)) ==
          Status::bad_length);
    CHECK(g.seal(std::span<std::uint8_t>(buf.data(), 32), nonce, {}, std::span<const std::uint8_t>(buf.data(), 16)) ==
          Status::ok);
    CHECK(g.open(std::span<std::uint8_t>(buf.data(), 16), nonce, {}, std::span<const std::uint8_t>(buf.data(), 32)) ==
          Status::ok);
#if SIZE_MAX > 0xFFFFFFFFu
    // Lengths past the GCM limits (the spans are never read: the checks come first).
    const std::size_t max_pt = (std::size_t{1} << 36) - 32;
    static std::uint8_t dummy[64];
    CHECK(g.seal_detached(std::span<std::uint8_t>(dummy, max_pt + 1), tag, nonce, {},
                          std::span<const std::uint8_t>(dummy, max_pt + 1)) == Status::bad_length);
    CHECK(g.open_detached(std::span<std::uint8_t>(dummy, max_pt + 1), tag, nonce, {},
                          std::span<const std::uint8_t>(dummy + 1, max_pt + 1)) == Status::bad_length);
    CHECK(g.seal(std::span<std::uint8_t>(dummy, 32), nonce, std::span<const std::uint8_t>(dummy, std::size_t{1} << 61),
                 std::span<const std::uint8_t>(dummy + 32, 16)) == Status::bad_length);
    CHECK(g.seal(std::span<std::uint8_t>(dummy, 32), std::span<const std::uint8_t>(dummy, std::size_t{1} << 61), {},
                 std::span<const std::uint8_t>(dummy + 32, 16)) == Status::bad_length);
#endif
    // An empty message with an empty AAD works (tag only).
    Bytes t16(16);
    CHECK(g.seal(t16, nonce, {}, {}) == Status::ok);
    CHECK(g.open({}, nonce, {}, t16) == Status::ok);
  });
}

#if TERN_HAVE_OPENSSL
namespace {
Bytes openssl_seal(const Bytes& key, const Bytes& iv, const Bytes& aad, const Bytes& pt) {
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  REQUIRE(c != nullptr);
  const EVP_CIPHER* cipher = key.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
  REQUIRE(EVP_EncryptInit_ex(c, cipher, nullptr, nullptr, nullptr) == 1);
  REQUIRE(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) == 1);
  REQUIRE(EVP_EncryptInit_ex(c, nullptr, nullptr, key.data(), iv.data()) == 1);
  int n = 0;
  if (!aad.empty()) REQUIRE(EVP_EncryptUpdate(c, nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1);
  Bytes out(pt.size() + 16);
  if (!pt.empty()) REQUIRE(EVP_EncryptUpdate(c, out.data(), &n, pt.data(), static_cast<int>(pt.size())) == 1);
  REQUIRE(EVP_EncryptFinal_ex(c, out.data() + pt.size(), &n) == 1);
  REQUIRE(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out.data() + pt.size()) == 1);
  EVP_CIPHER_CTX_free(c);
  return out;
}
}  // namespace

TEST_CASE("aes-gcm: every kernel equals OpenSSL", "[gcm][openssl]") {
  Rng rng(0x0551);
  std::vector<Msg> msgs;
  for (int i = 0; i < 120; ++i) msgs.push_back(random_msg(rng, i < 60 ? 600 : 20000));
  for_each_kernel("aes-gcm", aes::aes_gcm_kernels(), [&](const std::string& kernel) {
    std::size_t n = 0;
    for (const auto& m : msgs) {
      INFO("kernel " << kernel << " pt " << m.pt.size() << " aad " << m.aad.size() << " nonce " << m.nonce.size());
      AesGcm g;
      REQUIRE(g.init(m.key) == Status::ok);
      Bytes out(m.pt.size() + 16);
      REQUIRE(g.seal(out, m.nonce, m.aad, m.pt) == Status::ok);
      CHECK(out == openssl_seal(m.key, m.nonce, m.aad, m.pt));
      ++n;
    }
    report("gcm differential vs OpenSSL", kernel, n);
  });
}
#endif

TEST_CASE("aes-gcm: dispatch", "[dispatch]") {
  check_dispatch("aes-gcm", aes::aes_gcm_kernels());
  AesGcm g;
  REQUIRE(g.init(Bytes(16)) == Status::ok);
  CHECK(std::string(g.kernel()) == aes::aes_gcm_kernels().active());
}
