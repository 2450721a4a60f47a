// crypto/internal: CPU feature mask parsing, constant-time helpers, wipe,
// randomness, and the Status names.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <set>

#include "crypto/internal/bytes.hpp"
#include "crypto/internal/cpu.hpp"
#include "crypto/internal/ct.hpp"
#include "crypto/internal/random.hpp"
#include "crypto/internal/wipe.hpp"
#include "crypto/status.hpp"
#include "tests/support/testutil.hpp"

using namespace tern;

TEST_CASE("cpu: TERN_CPU_DISABLE list parsing", "[cpu]") {
  CHECK(cpu::parse_disable_list("") == 0);
  CHECK(cpu::parse_disable_list("avx2") == cpu::avx2);
  CHECK(cpu::parse_disable_list("avx512f,vaes") == (cpu::avx512f | cpu::vaes));
  CHECK(cpu::parse_disable_list("avx512") ==
        (cpu::avx512f | cpu::avx512bw | cpu::avx512vl | cpu::avx512ifma));
  CHECK(cpu::parse_disable_list("sha,aes") == (cpu::shani | cpu::aesni));
  CHECK(cpu::parse_disable_list("all") == ~0u);
  CHECK(cpu::parse_disable_list("nonsense,avx") == cpu::avx);
  CHECK(std::string(cpu::feature_name(cpu::avx512ifma)) == "avx512ifma");
}

TEST_CASE("cpu: features are a subset of detected, and the env mask applies", "[cpu][dispatch]") {
  const auto f = cpu::features(), d = cpu::detected();
  CHECK((f & ~d) == 0);
  if (const char* env = std::getenv("TERN_CPU_DISABLE")) CHECK((f & cpu::parse_disable_list(env)) == 0);
  std::string names;
  for (int i = 0; i < cpu::feature_count; ++i)
    if (f & (1u << i)) names += std::string(cpu::feature_name(1u << i)) + " ";
  std::printf("cpu features in use: %s\n", names.c_str());
}

TEST_CASE("ct: masks and select", "[ct]") {
  CHECK(ct::mask_zero(0u) == 0xffffffffu);
  CHECK(ct::mask_zero(5u) == 0u);
  CHECK(ct::mask_nonzero(std::uint64_t{1} << 63) == ~std::uint64_t{0});
  CHECK(ct::mask_eq(7u, 7u) == 0xffffffffu);
  CHECK(ct::mask_eq(7u, 8u) == 0u);
  CHECK(ct::mask_lt(3u, 4u) == 0xffffffffu);
  CHECK(ct::mask_lt(4u, 3u) == 0u);
  CHECK(ct::mask_lt(0u, 0xffffffffu) == 0xffffffffu);
  CHECK(ct::mask_lt(std::uint64_t{5}, std::uint64_t{5}) == 0u);
  CHECK(ct::select(0xffffffffu, 1u, 2u) == 1u);
  CHECK(ct::select(0u, 1u, 2u) == 2u);
  test::Rng rng(1);
  for (int i = 0; i < 10000; ++i) {
    std::uint64_t a = rng.next() >> (rng.next() % 64), b = rng.next() >> (rng.next() % 64);
    REQUIRE((ct::mask_lt(a, b) != 0) == (a < b));
    std::uint32_t a32 = static_cast<std::uint32_t>(a), b32 = static_cast<std::uint32_t>(b);
    REQUIRE((ct::mask_lt(a32, b32) != 0) == (a32 < b32));
  }
  std::uint8_t x[4] = {1, 2, 3, 4}, y[4] = {1, 2, 3, 4};
  CHECK(ct::equal(x, y, 4));
  y[3] ^= 0x80;
  CHECK(!ct::equal(x, y, 4));
  CHECK(ct::equal(x, y, 0));
  ct::cmov(x, y, 4, 0xff);
  CHECK(std::memcmp(x, y, 4) == 0);
}

TEST_CASE("wipe zeroes memory", "[wipe]") {
  std::uint8_t buf[37];
  std::memset(buf, 0xa5, sizeof buf);
  wipe(buf, sizeof buf);
  for (auto b : buf) REQUIRE(b == 0);
  struct S { int a[5]; } s{{1, 2, 3, 4, 5}};
  { WipeOnExit<S> g(s); }
  for (int v : s.a) REQUIRE(v == 0);
}

TEST_CASE("bytes: loads and stores", "[bytes]") {
  std::uint8_t b[8];
  store_be64(b, 0x0102030405060708ull);
  CHECK(b[0] == 1);
  CHECK(load_be64(b) == 0x0102030405060708ull);
  CHECK(load_le64(b) == 0x0807060504030201ull);
  store_le32(b, 0xdeadbeef);
  CHECK(load_le32(b) == 0xdeadbeef);
  CHECK(load_be32(b) == 0xefbeaddeu);
}

TEST_CASE("random: OS source fills, test source is deterministic and replaceable", "[random]") {
  std::uint8_t a[64] = {}, b[64] = {};
  REQUIRE(random_bytes(a) == Status::ok);
  REQUIRE(random_bytes(b) == Status::ok);
  CHECK(std::memcmp(a, b, 64) != 0);
  std::uint8_t big[100000];
  REQUIRE(OsRandom{}.fill(big) == Status::ok);  // longer than one getrandom call may return
  TestRandom t1(7), t2(7);
  REQUIRE(t1.fill(a) == Status::ok);
  REQUIRE(t2.fill(b) == Status::ok);
  CHECK(std::memcmp(a, b, 64) == 0);
  TestRandom t3(7);
  set_random_source(&t3);
  REQUIRE(random_bytes(b) == Status::ok);
  set_random_source(nullptr);
  CHECK(std::memcmp(a, b, 64) == 0);
  REQUIRE(random_bytes(b) == Status::ok);
  CHECK(std::memcmp(a, b, 64) != 0);
}

TEST_CASE("status names", "[status]") {
  CHECK(std::string(to_string(Status::ok)) == "ok");
  CHECK(std::string(to_string(Status::auth_failed)) == "auth_failed");
  CHECK(std::string(to_string(Status::internal_error)) == "internal_error");
}

TEST_CASE("test support: record and JSON readers", "[support]") {
  auto recs = test::parse_records("# c\n[L = 32]\n\nLen = 0\nMsg = 00\nMD = ab\n\nLen = 8\nMsg = 01\n");
  REQUIRE(recs.size() == 2);
  CHECK(recs[0].section.at("L") == "32");
  CHECK(recs[1].get("Msg") == "01");
  auto j = test::parse_json(R"({"a": [1, {"b": "x\"y"}], "flags": ["F"], "n": -3})");
  CHECK(j["a"][1]["b"].s == "x\"y");
  CHECK(j["n"].as_int() == -3);
  CHECK(j.has_flag("F"));
  CHECK(test::hex("00ff") == test::Bytes{0, 255});
}

#include "crypto/internal/der.hpp"

TEST_CASE("der: reader accepts DER and rejects BER/malformed", "[der]") {
  using test::hex;
  {
    auto b = hex("3007020101020200ff");
    der::Reader r(b), seq(b);
    REQUIRE(r.enter(der::kSequence, seq));
    std::uint64_t v = 0;
    REQUIRE(seq.read_uint64(v));
    CHECK(v == 1);
    std::span<const std::uint8_t> mag;
    REQUIRE(seq.read_unsigned(mag));
    REQUIRE(mag.size() == 1);
    CHECK(mag[0] == 0xff);
    CHECK(seq.finish());
    CHECK(r.finish());
  }
  const char* bad[] = {
      "3080020101 0000",  // indefinite length
      "30810302010100",   // non-minimal long form for a short length
      "300502010100",     // length past the end
      "020100ff",         // ... fine element, but trailing below via finish
      "0200",             // empty INTEGER
      "020200 01",        // non-minimal INTEGER
      "0201ff",           // negative INTEGER
      "1f1e00",           // high-tag form for a low tag number
      "30",               // truncated
      "3082000100",       // long length with leading zero
  };
  for (const char* h : bad) {
    std::string s(h);
    s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
    auto b = hex(s);
    der::Reader r(b);
    std::span<const std::uint8_t> mag;
    der::Element e;
    bool ok = (b.size() && b[0] == 0x02) ? r.read_unsigned(mag) : r.read(e);
    ok = ok && r.finish();
    INFO(h);
    CHECK_FALSE(ok);
    CHECK(r.status() == Status::bad_encoding);
  }
}

TEST_CASE("der: writer round trip with long lengths", "[der]") {
  std::vector<std::uint8_t> buf(1000);
  der::Writer w(buf);
  auto m = w.begin(der::kSequence);
  w.uint64(0x80);
  std::vector<std::uint8_t> big(300, 0x55);
  w.element(der::kOctetString, big);
  w.end(m);
  REQUIRE(w.ok());
  der::Reader r(w.written()), seq(w.written());
  REQUIRE(r.enter(der::kSequence, seq));
  std::uint64_t v;
  REQUIRE(seq.read_uint64(v));
  CHECK(v == 0x80);
  der::Element e;
  REQUIRE(seq.read(der::kOctetString, e));
  CHECK(e.value.size() == 300);
  CHECK(seq.finish());
  CHECK(r.finish());
  std::uint8_t tiny[4];
  der::Writer w2(tiny);
  w2.element(der::kOctetString, big);
  CHECK_FALSE(w2.ok());
  CHECK(w2.size() == 304);
}
