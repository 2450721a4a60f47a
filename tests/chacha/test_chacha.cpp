// ChaCha20, Poly1305, HChaCha20, ChaCha20-Poly1305 and XChaCha20-Poly1305:
// RFC 8439 / XChaCha draft vectors (vectors/chacha), the
// python-cryptography-vectors files, Wycheproof, and differential tests,
// on every ChaCha20 kernel x Poly1305 kernel pair this machine supports.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "crypto/chacha/aead.hpp"
#include "crypto/chacha/chacha.hpp"
#include "crypto/chacha/internal.hpp"
#include "tests/support/testutil.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

using namespace tern;
using namespace tern::chacha;
using test::Bytes;
using test::hex;

namespace {

std::string pair_label() {
  return std::string(chacha20_kernels().active()) + "-" + poly1305_kernels().active();
}

void for_each_pair(const std::function<void(const std::string&)>& body) {
  test::for_each_kernel("chacha20", chacha20_kernels(), [&](const std::string&) {
    test::for_each_kernel("poly1305", poly1305_kernels(), [&](const std::string&) { body(pair_label()); });
  });
}

std::vector<test::Record> vectors(const std::string& file) {
  auto p = test::locate(test::Source::vectors, "chacha/" + file);
  REQUIRE(p);
  auto r = test::parse_records(test::read_file(*p));
  REQUIRE(!r.empty());
  return r;
}

// Field as bytes; python-cryptography-vectors' boringssl.txt uses "quoted" text.
Bytes field(const test::Record& r, const std::string& k) {
  const std::string& v = r.get(k);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return Bytes(v.begin() + 1, v.end() - 1);
  return hex(v);
}

std::span<const std::uint8_t> S(const Bytes& b) { return {b.data(), b.size()}; }
std::span<std::uint8_t> W(Bytes& b) { return {b.data(), b.size()}; }

Bytes poly_tag(const Bytes& key, const Bytes& msg, std::size_t step = 0) {
  Poly1305 p;
  REQUIRE(p.init(S(key)) == Status::ok);
  if (step == 0) {
    p.update(S(msg));
  } else {
    for (std::size_t i = 0; i < msg.size(); i += step)
      p.update(S(msg).subspan(i, std::min(step, msg.size() - i)));
  }
  Bytes tag(16);
  REQUIRE(p.final(std::span<std::uint8_t, 16>(tag.data(), 16)) == Status::ok);
  return tag;
}

// Seals and opens one vector with a given AEAD type; checks everything.
template <class A>
void check_aead(const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& pt, const Bytes& ct,
                const Bytes& tag, bool valid) {
  A a;
  REQUIRE(a.init(S(key)) == Status::ok);
  Bytes in = ct;
  in.insert(in.end(), tag.begin(), tag.end());
  Bytes out(ct.size(), 0xaa);
  const Status s = a.open(W(out), S(nonce), S(aad), S(in));
  if (!valid) {
    REQUIRE(s == Status::auth_failed);
    REQUIRE(out == Bytes(ct.size(), 0));
    return;
  }
  REQUIRE(s == Status::ok);
  REQUIRE(out == pt);
  Bytes sealed(pt.size() + 16);
  REQUIRE(a.seal(W(sealed), S(nonce), S(aad), S(pt)) == Status::ok);
  REQUIRE(sealed == in);
  // In place, both directions.
  Bytes buf = pt;
  buf.resize(pt.size() + 16);
  REQUIRE(a.seal(W(buf), S(nonce), S(aad), std::span<const std::uint8_t>(buf.data(), pt.size())) == Status::ok);
  REQUIRE(buf == in);
  REQUIRE(a.open(std::span<std::uint8_t>(buf.data(), pt.size()), S(nonce), S(aad), S(buf)) == Status::ok);
  REQUIRE(Bytes(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(pt.size())) == pt);
}

}  // namespace

TEST_CASE("chacha: dispatch picks the best kernels", "[dispatch]") {
  test::check_dispatch("chacha20", chacha20_kernels());
  test::check_dispatch("poly1305", poly1305_kernels());
  ChaCha20Poly1305 a;
  REQUIRE(std::string(a.kernel()) ==
          std::string(chacha20_kernels().active()) + "-" + poly1305_kernels().active());
}

TEST_CASE("chacha20: RFC 8439 §2.3.2, §2.4.2, A.1, A.2 and the package's rfc7539.txt", "[chacha20][vectors]") {
  auto rfc = vectors("chacha20.txt");
  std::vector<test::Record> pkg;
  if (auto p = test::locate(test::Source::cavp, "ciphers/ChaCha20/rfc7539.txt"))
    pkg = test::parse_records(test::read_file(*p));
  test::for_each_kernel("chacha20", chacha20_kernels(), [&](const std::string& k) {
    std::size_t n = 0;
    auto run = [&](const Bytes& key, const Bytes& nonce, std::uint32_t ctr, const Bytes& pt, const Bytes& ct) {
      Bytes out(pt.size());
      REQUIRE(chacha20_xor(W(out), S(key), S(nonce), ctr, S(pt)) == Status::ok);
      REQUIRE(test::to_hex(out) == test::to_hex(ct));
      Bytes inplace = pt;
      REQUIRE(chacha20_xor(W(inplace), S(key), S(nonce), ctr, S(inplace)) == Status::ok);
      REQUIRE(inplace == ct);
      ++n;
    };
    for (const auto& r : rfc) {
      INFO("line " << r.line);
      run(r.bytes("Key"), r.bytes("Nonce"), static_cast<std::uint32_t>(std::stoul(r.get("Counter"))),
          r.bytes("Plaintext"), r.bytes("Ciphertext"));
    }
    for (const auto& r : pkg) {
      INFO("rfc7539.txt line " << r.line);
      run(r.bytes("KEY"), r.bytes("NONCE"), static_cast<std::uint32_t>(std::stoul(r.get("INITIAL_BLOCK_COUNTER"))),
          r.bytes("PLAINTEXT"), r.bytes("CIPHERTEXT"));
    }
    test::report("chacha20 RFC 8439 + rfc7539.txt", k, n);
  });
}

TEST_CASE("chacha20: Poly1305 key generation RFC 8439 §2.6.2, A.4", "[chacha20][vectors]") {
  auto rfc = vectors("poly1305_keygen.txt");
  test::for_each_kernel("chacha20", chacha20_kernels(), [&](const std::string& k) {
    std::size_t n = 0;
    for (const auto& r : rfc) {
      Bytes out(32), zero(32);
      REQUIRE(chacha20_xor(W(out), S(r.bytes("Key")), S(r.bytes("Nonce")), 0, S(zero)) == Status::ok);
      REQUIRE(out == r.bytes("Out"));
      ++n;
    }
    test::report("poly1305 keygen RFC 8439", k, n);
  });
}

TEST_CASE("poly1305: RFC 8439 §2.5.2 and A.3", "[poly1305][vectors]") {
  auto rfc = vectors("poly1305.txt");
  test::for_each_kernel("poly1305", poly1305_kernels(), [&](const std::string& k) {
    std::size_t n = 0;
    for (const auto& r : rfc) {
      INFO("line " << r.line);
      const Bytes key = r.bytes("Key"), msg = r.bytes("Msg"), tag = r.bytes("Tag");
      REQUIRE(test::to_hex(poly_tag(key, msg)) == test::to_hex(tag));
      for (std::size_t step : {1, 3, 15, 16, 17, 64})
        REQUIRE(poly_tag(key, msg, step) == tag);
      ++n;
    }
    test::report("poly1305 RFC 8439", k, n);
  });
}

TEST_CASE("poly1305: the 32-bit limb path equals the default path", "[poly1305]") {
  test::Rng rng(7);
  for (int iter = 0; iter < 300; ++iter) {
    Bytes key = rng.bytes(32);
    if (iter % 3 == 0) std::memset(key.data() + 16, 0xff, 16);
    if (iter % 5 == 0) std::memset(key.data(), 0xff, 16);
    const std::size_t nblocks = rng.below(40);
    Bytes msg = rng.bytes(16 * nblocks);
    if (iter % 2 == 0 && !msg.empty()) std::memset(msg.data(), 0xff, msg.size());
    detail::PolyState a, b;
    detail::poly_setup(a, key.data());
    detail::poly_setup(b, key.data());
    // Several calls to exercise the radix conversions.
    std::size_t done = 0;
    while (done < nblocks) {
      const std::size_t c = 1 + rng.below(nblocks - done);
      detail::poly_blocks_portable(a, msg.data() + 16 * done, c);
      detail::poly_blocks_32(b, msg.data() + 16 * done, c);
      done += c;
    }
    std::uint8_t ta[16], tb[16];
    detail::poly_finish(a, ta);
    detail::poly_finish(b, tb);
    REQUIRE(test::to_hex(ta, 16) == test::to_hex(tb, 16));
  }
}

TEST_CASE("poly1305: the lengths block + tag shortcut equals blocks() + poly_finish", "[poly1305]") {
  // Accumulators at random values, at the top of their limb ranges (h
  // near or above 2^130 after the block), and tiny; extreme lengths.
  test::Rng rng(11);
  constexpr std::uint64_t m44 = (std::uint64_t{1} << 44) - 1, m42 = (std::uint64_t{1} << 42) - 1;
  std::size_t n = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    Bytes key = rng.bytes(32);
    if (iter % 7 == 0) std::memset(key.data(), 0xff, 16);
    detail::PolyState a, b;
    detail::poly_setup(a, key.data());
    switch (iter % 4) {
      case 0: a.h[0] = rng.next() & m44, a.h[1] = rng.next() & m44, a.h[2] = rng.next() & m42; break;
      case 1: a.h[0] = m44 - rng.below(8), a.h[1] = m44, a.h[2] = m42; break;
      case 2: a.h[0] = (rng.next() & m44) + (rng.next() & 0xffff), a.h[1] = (rng.next() & m44) + 1,
              a.h[2] = rng.next() & m42; break;
      default: a.h[0] = rng.below(16), a.h[1] = 0, a.h[2] = 0; break;
    }
    const std::uint64_t aadlen = iter % 4 == 3 ? rng.below(256) : rng.next();
    const std::uint64_t len = iter % 4 == 1 ? ~std::uint64_t{0} - rng.below(4) : rng.next();
    b = a;
    std::uint8_t blk[16], ta[16], tb[16];
    for (int i = 0; i < 8; ++i) {
      blk[i] = static_cast<std::uint8_t>(aadlen >> (8 * i));
      blk[8 + i] = static_cast<std::uint8_t>(len >> (8 * i));
    }
    detail::poly_finish_lengths(a, aadlen, len, ta);
    detail::poly_blocks_32(b, blk, 1);
    detail::poly_finish(b, tb);
    REQUIRE(test::to_hex(ta, 16) == test::to_hex(tb, 16));
    ++n;
  }
  test::report("poly1305 lengths+finish == 32-bit path", "portable", n);
}

TEST_CASE("poly1305: streaming with random split points, every kernel == portable", "[poly1305][diff]") {
  test::Rng rng(11);
  struct Case { Bytes key, msg, tag; };
  std::vector<Case> cases;
  REQUIRE(poly1305_kernels().select("portable"));
  for (int i = 0; i < 200; ++i) {
    Case c{rng.bytes(32), rng.bytes(rng.below(i < 150 ? 3000 : 20000)), {}};
    if (i % 7 == 0 && !c.msg.empty()) std::memset(c.msg.data(), 0xff, c.msg.size());
    if (i % 11 == 0) std::memset(c.key.data(), 0xff, 16);
    c.tag = poly_tag(c.key, c.msg);
    cases.push_back(std::move(c));
  }
  poly1305_kernels().reset();
  test::for_each_kernel("poly1305", poly1305_kernels(), [&](const std::string& k) {
    std::size_t n = 0;
    for (const auto& c : cases) {
      REQUIRE(poly_tag(c.key, c.msg) == c.tag);
      Poly1305 p;
      REQUIRE(p.init(S(c.key)) == Status::ok);
      std::size_t off = 0;
      while (off < c.msg.size()) {
        std::size_t len = rng.below(4) == 0 ? rng.below(17) : rng.below(600);
        len = std::min(len, c.msg.size() - off);
        p.update(S(c.msg).subspan(off, len));
        off += len;
      }
      Bytes tag(16);
      REQUIRE(p.final(std::span<std::uint8_t, 16>(tag.data(), 16)) == Status::ok);
      REQUIRE(tag == c.tag);
      ++n;
    }
    test::report("poly1305 streaming differential", k, n);
  });
}

TEST_CASE("hchacha20: draft-irtf-cfrg-xchacha §2.2.1", "[xchacha][vectors]") {
  auto rfc = vectors("xchacha.txt");
  std::size_t n = 0;
  for (const auto& r : rfc) {
    if (!r.has("Out")) continue;
    Bytes out(32);
    REQUIRE(hchacha20(W(out), S(r.bytes("Key")), S(r.bytes("Nonce"))) == Status::ok);
    REQUIRE(out == r.bytes("Out"));
    ++n;
  }
  REQUIRE(n == 1);
  test::report("hchacha20 draft", "portable", n);
}

TEST_CASE("chacha20poly1305: RFC 8439 §2.8.2, A.5 and the package's boringssl.txt / openssl.txt",
          "[aead][vectors]") {
  auto rfc = vectors("aead.txt");
  std::vector<test::Record> bssl, ossl;
  if (auto p = test::locate(test::Source::cavp, "ciphers/ChaCha20Poly1305/boringssl.txt"))
    bssl = test::parse_records(test::read_file(*p));
  if (auto p = test::locate(test::Source::cavp, "ciphers/ChaCha20Poly1305/openssl.txt"))
    ossl = test::parse_records(test::read_file(*p));
  for_each_pair([&](const std::string& k) {
    std::size_t n = 0;
    for (const auto& r : rfc) {
      INFO("aead.txt line " << r.line);
      check_aead<ChaCha20Poly1305>(r.bytes("Key"), r.bytes("Nonce"), r.bytes("AAD"), r.bytes("Plaintext"),
                                   r.bytes("Ciphertext"), r.bytes("Tag"), r.get("Result") == "pass");
      ++n;
    }
    test::report("chacha20poly1305 RFC 8439", k, n);
    n = 0;
    for (const auto& r : bssl) {
      INFO("boringssl.txt line " << r.line);
      check_aead<ChaCha20Poly1305>(field(r, "KEY"), field(r, "NONCE"), field(r, "AD"), field(r, "IN"),
                                   field(r, "CT"), field(r, "TAG"), true);
      ++n;
    }
    for (const auto& r : ossl) {
      INFO("openssl.txt line " << r.line);
      check_aead<ChaCha20Poly1305>(r.bytes("Key"), r.bytes("IV"), r.bytes("AAD"), r.bytes("Plaintext"),
                                   r.bytes("Ciphertext"), r.bytes("Tag"), !r.has("Result"));
      ++n;
    }
    test::report("chacha20poly1305 cryptography_vectors", k, n);
  });
}

TEST_CASE("xchacha20poly1305: draft-irtf-cfrg-xchacha §A.3.1", "[xchacha][vectors]") {
  auto rfc = vectors("xchacha.txt");
  for_each_pair([&](const std::string& k) {
    std::size_t n = 0;
    for (const auto& r : rfc) {
      if (!r.has("Tag")) continue;
      check_aead<XChaCha20Poly1305>(r.bytes("Key"), r.bytes("Nonce"), r.bytes("AAD"), r.bytes("Plaintext"),
                                    r.bytes("Ciphertext"), r.bytes("Tag"), true);
      ++n;
    }
    test::report("xchacha20poly1305 draft", k, n);
  });
}

template <class A>
static void wycheproof(const char* file, const char* what) {
  auto j = test::load_wycheproof(file);
  if (!j) return;
  for_each_pair([&](const std::string& k) {
    std::size_t n = 0;
    for (const auto& g : (*j)["testGroups"].items) {
      for (const auto& t : g["tests"].items) {
        INFO(what << " tcId " << t["tcId"].as_int());
        const Bytes key = t["key"].as_hex(), iv = t["iv"].as_hex(), aad = t["aad"].as_hex(),
                    msg = t["msg"].as_hex(), ct = t["ct"].as_hex(), tag = t["tag"].as_hex();
        const bool valid = t["result"].s == "valid";
        A a;
        if (key.size() != A::key_size) {
          REQUIRE(a.init(S(key)) == Status::bad_key);
          REQUIRE(!valid);
          ++n;
          continue;
        }
        REQUIRE(a.init(S(key)) == Status::ok);
        if (iv.size() != A::nonce_size) {
          Bytes out(msg.size() + 16), in = ct;
          in.insert(in.end(), tag.begin(), tag.end());
          REQUIRE(!valid);
          REQUIRE(a.seal(W(out), S(iv), S(aad), S(msg)) == Status::bad_nonce);
          Bytes pt(ct.size());
          REQUIRE(a.open(W(pt), S(iv), S(aad), S(in)) == Status::bad_nonce);
          ++n;
          continue;
        }
        check_aead<A>(key, iv, aad, msg, ct, tag, valid);
        ++n;
      }
    }
    test::report(what, k, n);
  });
}

TEST_CASE("chacha20poly1305: Wycheproof", "[aead][wycheproof]") {
  wycheproof<ChaCha20Poly1305>("chacha20_poly1305_test.json", "wycheproof chacha20_poly1305");
}

TEST_CASE("xchacha20poly1305: Wycheproof", "[xchacha][wycheproof]") {
  wycheproof<XChaCha20Poly1305>("xchacha20_poly1305_test.json", "wycheproof xchacha20_poly1305");
}

TEST_CASE("chacha20poly1305: argument errors", "[aead]") {
  ChaCha20Poly1305 a;
  Bytes key(32, 1), nonce(12, 2), pt(40, 3), out(56), back(40);
  REQUIRE(a.seal(W(out), S(nonce), {}, S(pt)) == Status::bad_key);  // not initialised
  REQUIRE(a.init(S(Bytes(31))) == Status::bad_key);
  REQUIRE(a.init(S(Bytes(33))) == Status::bad_key);
  REQUIRE(a.init(S(key)) == Status::ok);
  REQUIRE(a.seal(W(out), S(Bytes(11)), {}, S(pt)) == Status::bad_nonce);
  REQUIRE(a.seal(W(out), S(Bytes(24)), {}, S(pt)) == Status::bad_nonce);
  Bytes small(55), big(57);
  REQUIRE(a.seal(W(small), S(nonce), {}, S(pt)) == Status::bad_length);
  REQUIRE(a.seal(W(big), S(nonce), {}, S(pt)) == Status::bad_length);
  REQUIRE(a.seal(W(out), S(nonce), {}, S(pt)) == Status::ok);
  REQUIRE(a.open(W(back), S(nonce), {}, S(out)) == Status::ok);
  REQUIRE(back == pt);
  Bytes tiny(15), none;
  REQUIRE(a.open(W(none), S(nonce), {}, S(tiny)) == Status::bad_length);
  REQUIRE(a.open(W(small), S(nonce), {}, S(out)) == Status::bad_length);
  // Partial overlap is refused; exact aliasing is fine.
  Bytes buf(100, 5);
  REQUIRE(a.seal(std::span<std::uint8_t>(buf.data() + 1, 56), S(nonce), {},
                 std::span<const std::uint8_t>(buf.data(), 40)) == Status::bad_length);
  // Empty message and AAD.
  Bytes tagonly(16), emptyout;
  REQUIRE(a.seal(W(tagonly), S(nonce), {}, {}) == Status::ok);
  REQUIRE(a.open(W(emptyout), S(nonce), {}, S(tagonly)) == Status::ok);
  tagonly[0] ^= 1;
  REQUIRE(a.open(W(emptyout), S(nonce), {}, S(tagonly)) == Status::auth_failed);
  XChaCha20Poly1305 x;
  REQUIRE(x.init(S(key)) == Status::ok);
  REQUIRE(x.seal(W(out), S(nonce), {}, S(pt)) == Status::bad_nonce);
  // Raw primitives.
  Bytes o(10), i(10);
  REQUIRE(chacha20_xor(W(o), S(Bytes(16)), S(nonce), 0, S(i)) == Status::bad_key);
  REQUIRE(chacha20_xor(W(o), S(key), S(Bytes(8)), 0, S(i)) == Status::bad_nonce);
  REQUIRE(chacha20_xor(W(o), S(key), S(nonce), 0, S(Bytes(9))) == Status::bad_length);
  REQUIRE(chacha20_xor(W(o), S(key), S(nonce), 0xffffffffu, S(i)) == Status::ok);
  Bytes o65(65), i65(65);
  REQUIRE(chacha20_xor(W(o65), S(key), S(nonce), 0xffffffffu, S(i65)) == Status::bad_length);
  Bytes h(32);
  REQUIRE(hchacha20(W(h), S(key), S(nonce)) == Status::bad_nonce);
  Poly1305 p;
  REQUIRE(p.init(S(Bytes(16))) == Status::bad_key);
  Bytes t(16);
  REQUIRE(p.final(std::span<std::uint8_t, 16>(t.data(), 16)) == Status::bad_key);
}

TEST_CASE("chacha20poly1305: differential, every kernel pair == portable; tamper rejected", "[aead][diff]") {
  struct Case {
    Bytes key, nonce, aad, pt, sealed;
    bool x;
  };
  test::Rng rng(2024);
  std::vector<Case> cases;
  REQUIRE(chacha20_kernels().select("portable"));
  REQUIRE(poly1305_kernels().select("portable"));
  // 140 random cases, then 24 at the edges of the 64/256/512/1024-byte
  // kernel steps (1 KiB multiples +- a block and odd tails; up to 19 KiB,
  // past the 1 KiB + 16 KiB first sealing chunk).
  for (int i = 0; i < 164; ++i) {
    Case c;
    c.x = i % 4 == 3;
    c.key = rng.bytes(32);
    c.nonce = rng.bytes(c.x ? 24 : 12);
    c.aad = rng.bytes(rng.below(4) == 0 ? 0 : rng.below(601));
    std::size_t len = i < 40 ? static_cast<std::size_t>(i) : rng.below(i < 100 ? 2100 : 20001);
    if (i == 139) len = 20000;
    if (i == 137 || i == 138) len = 17408 + static_cast<std::size_t>(i - 137);  // 1 KiB + one 16 KiB chunk
    if (i >= 140) {
      const std::size_t edge[] = {0, 1, 15, 17, 63, 64, 65, 191, 193, 255, 257, 511, 513};
      len = 1024 * (2 + rng.below(18)) + edge[rng.below(13)];
      if (i % 2 == 0) len -= 2 * edge[rng.below(13)] + 1;
    }
    c.pt = rng.bytes(len);
    c.sealed.resize(len + 16);
    if (c.x) {
      XChaCha20Poly1305 a;
      REQUIRE(a.init(S(c.key)) == Status::ok);
      REQUIRE(a.seal(W(c.sealed), S(c.nonce), S(c.aad), S(c.pt)) == Status::ok);
    } else {
      ChaCha20Poly1305 a;
      REQUIRE(a.init(S(c.key)) == Status::ok);
      REQUIRE(a.seal(W(c.sealed), S(c.nonce), S(c.aad), S(c.pt)) == Status::ok);
    }
    cases.push_back(std::move(c));
  }
  chacha20_kernels().reset();
  poly1305_kernels().reset();
  for_each_pair([&](const std::string& k) {
    std::size_t n = 0;
    for (const auto& c : cases) {
      INFO("len " << c.pt.size() << " aad " << c.aad.size() << " x " << c.x);
      auto run = [&](auto& a) {
        REQUIRE(a.init(S(c.key)) == Status::ok);
        // Out of place with random offsets inside larger buffers.
        const std::size_t o1 = rng.below(64), o2 = rng.below(64), o3 = rng.below(64);
        Bytes ptbuf(c.pt.size() + 64), outbuf(c.sealed.size() + 64), aadbuf(c.aad.size() + 64);
        std::copy(c.pt.begin(), c.pt.end(), ptbuf.begin() + static_cast<std::ptrdiff_t>(o1));
        std::copy(c.aad.begin(), c.aad.end(), aadbuf.begin() + static_cast<std::ptrdiff_t>(o3));
        std::span<const std::uint8_t> aad(aadbuf.data() + o3, c.aad.size());
        std::span<std::uint8_t> out(outbuf.data() + o2, c.sealed.size());
        REQUIRE(a.seal(out, S(c.nonce), aad, std::span<const std::uint8_t>(ptbuf.data() + o1, c.pt.size())) ==
                Status::ok);
        REQUIRE(Bytes(out.begin(), out.end()) == c.sealed);
        // Detached.
        Bytes ct(c.pt.size()), tag(16);
        REQUIRE(a.seal_detached(W(ct), std::span<std::uint8_t, 16>(tag.data(), 16), S(c.nonce), aad, S(c.pt)) ==
                Status::ok);
        REQUIRE(std::equal(ct.begin(), ct.end(), c.sealed.begin()));
        REQUIRE(std::equal(tag.begin(), tag.end(), c.sealed.end() - 16));
        Bytes back(c.pt.size());
        REQUIRE(a.open_detached(W(back), std::span<const std::uint8_t, 16>(tag.data(), 16), S(c.nonce), aad,
                                S(ct)) == Status::ok);
        REQUIRE(back == c.pt);
        // In place at an offset.
        std::span<std::uint8_t> inpl(outbuf.data() + o2, c.sealed.size());
        std::copy(c.pt.begin(), c.pt.end(), inpl.begin());
        REQUIRE(a.seal(inpl, S(c.nonce), aad, inpl.first(c.pt.size())) == Status::ok);
        REQUIRE(Bytes(inpl.begin(), inpl.end()) == c.sealed);
        REQUIRE(a.open(inpl.first(c.pt.size()), S(c.nonce), aad, inpl) == Status::ok);
        REQUIRE(std::equal(c.pt.begin(), c.pt.end(), inpl.begin()));
        // Flipped bits in ciphertext, tag or AAD are rejected and out is wiped.
        for (int f = 0; f < 3; ++f) {
          Bytes sealed = c.sealed, ad = c.aad;
          const int where = f == 0 && !c.pt.empty() ? 0 : (f == 2 && !ad.empty() ? 2 : 1);
          if (where == 0) sealed[rng.below(c.pt.size())] ^= static_cast<std::uint8_t>(1u << rng.below(8));
          if (where == 1) sealed[c.pt.size() + rng.below(16)] ^= static_cast<std::uint8_t>(1u << rng.below(8));
          if (where == 2) ad[rng.below(ad.size())] ^= static_cast<std::uint8_t>(1u << rng.below(8));
          Bytes o(c.pt.size(), 0x5a);
          REQUIRE(a.open(W(o), S(c.nonce), S(ad), S(sealed)) == Status::auth_failed);
          REQUIRE(o == Bytes(c.pt.size(), 0));
        }
      };
      if (c.x) {
        XChaCha20Poly1305 a;
        run(a);
      } else {
        ChaCha20Poly1305 a;
        run(a);
      }
      ++n;
    }
    test::report("chacha20poly1305 differential", k, n);
  });
}

// Lengths at the edges of the AEAD's stitched path (kernels with xor_mac:
// from 3072 bytes opening, 4096 sealing; 2048-byte passes after the first
// 1024 or 2048 bytes; stitch_mac MAC bytes per pass), sealed and opened in
// place and out of place, against the portable pair.
TEST_CASE("chacha20poly1305: stitched-path length edges, every kernel pair == portable", "[aead][diff]") {
  test::Rng rng(3072);
  std::vector<std::size_t> lens;
  for (std::size_t base : {2048u, 3072u, 4096u, 5120u, 6144u, 8192u, 12288u, 16384u})
    for (std::size_t d : {0u, 1u, 15u, 16u, 17u, 63u, 64u, 1023u, 1024u, 1536u})
      for (int sign = -1; sign <= 1; sign += 2) lens.push_back(sign < 0 ? base - d : base + d);
  struct Case {
    Bytes key, nonce, aad, pt, sealed;
  };
  std::vector<Case> cases;
  REQUIRE(chacha20_kernels().select("portable"));
  REQUIRE(poly1305_kernels().select("portable"));
  for (std::size_t len : lens) {
    Case c{rng.bytes(32), rng.bytes(12), rng.bytes(rng.below(2) == 0 ? 13 : rng.below(300)), rng.bytes(len), {}};
    c.sealed.resize(len + 16);
    ChaCha20Poly1305 a;
    REQUIRE(a.init(S(c.key)) == Status::ok);
    REQUIRE(a.seal(W(c.sealed), S(c.nonce), S(c.aad), S(c.pt)) == Status::ok);
    cases.push_back(std::move(c));
  }
  chacha20_kernels().reset();
  poly1305_kernels().reset();
  for_each_pair([&](const std::string& k) {
    for (const auto& c : cases) {
      INFO("len " << c.pt.size());
      ChaCha20Poly1305 a;
      REQUIRE(a.init(S(c.key)) == Status::ok);
      Bytes out(c.sealed.size());
      REQUIRE(a.seal(W(out), S(c.nonce), S(c.aad), S(c.pt)) == Status::ok);
      REQUIRE(out == c.sealed);
      Bytes back(c.pt.size());
      REQUIRE(a.open(W(back), S(c.nonce), S(c.aad), S(c.sealed)) == Status::ok);
      REQUIRE(back == c.pt);
      Bytes io = c.pt;
      io.resize(c.sealed.size());
      REQUIRE(a.seal(W(io), S(c.nonce), S(c.aad), std::span<const std::uint8_t>(io.data(), c.pt.size())) ==
              Status::ok);
      REQUIRE(io == c.sealed);
      REQUIRE(a.open(std::span<std::uint8_t>(io.data(), c.pt.size()), S(c.nonce), S(c.aad), S(io)) == Status::ok);
      REQUIRE(std::equal(c.pt.begin(), c.pt.end(), io.begin()));
      Bytes bad = c.sealed;
      bad[rng.below(bad.size())] ^= 0x10;
      Bytes o(c.pt.size(), 0x5a);
      REQUIRE(a.open(W(o), S(c.nonce), S(c.aad), S(bad)) == Status::auth_failed);
      REQUIRE(o == Bytes(c.pt.size(), 0));
    }
    test::report("chacha20poly1305 stitch edges", k, cases.size());
  });
}

TEST_CASE("chacha20: raw keystream, every kernel == portable at every length and counter", "[chacha20][diff]") {
  test::Rng rng(99);
  struct Case { Bytes key, nonce, in, out; std::uint32_t ctr; };
  std::vector<Case> cases;
  REQUIRE(chacha20_kernels().select("portable"));
  for (std::size_t i = 0; i < 400; ++i) {
    Case c{rng.bytes(32), rng.bytes(12), rng.bytes(i < 300 ? i * 4 + rng.below(4) : rng.below(20000)), {},
           static_cast<std::uint32_t>(rng.below(3) == 0 ? 0xffffffffu - rng.below(400) : rng.next())};
    c.out.resize(c.in.size());
    const std::uint64_t blocks = (c.in.size() + 63) / 64;
    if (blocks > (std::uint64_t{1} << 32) - c.ctr) c.ctr = 0;
    REQUIRE(chacha20_xor(W(c.out), S(c.key), S(c.nonce), c.ctr, S(c.in)) == Status::ok);
    cases.push_back(std::move(c));
  }
  chacha20_kernels().reset();
  test::for_each_kernel("chacha20", chacha20_kernels(), [&](const std::string& k) {
    for (const auto& c : cases) {
      const std::size_t off = rng.below(64);
      Bytes buf(c.in.size() + 64);
      std::copy(c.in.begin(), c.in.end(), buf.begin() + static_cast<std::ptrdiff_t>(off));
      std::span<std::uint8_t> io(buf.data() + off, c.in.size());
      REQUIRE(chacha20_xor(io, S(c.key), S(c.nonce), c.ctr, io) == Status::ok);
      REQUIRE(Bytes(io.begin(), io.end()) == c.out);
    }
    test::report("chacha20 differential", k, cases.size());
  });
}

#if TERN_HAVE_OPENSSL
TEST_CASE("chacha20poly1305: differential against OpenSSL", "[aead][openssl]") {
  test::Rng rng(4242);
  for_each_pair([&](const std::string& k) {
    std::size_t n = 0;
    for (int i = 0; i < 60; ++i) {
      const Bytes key = rng.bytes(32), nonce = rng.bytes(12), aad = rng.bytes(rng.below(601)),
                  pt = rng.bytes(i < 20 ? rng.below(300) : rng.below(20001));
      EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
      REQUIRE(EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, key.data(), nonce.data()) == 1);
      int len = 0;
      if (!aad.empty()) REQUIRE(EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1);
      Bytes ref(pt.size() + 16);
      if (!pt.empty()) REQUIRE(EVP_EncryptUpdate(ctx, ref.data(), &len, pt.data(), static_cast<int>(pt.size())) == 1);
      REQUIRE(EVP_EncryptFinal_ex(ctx, ref.data() + pt.size(), &len) == 1);
      REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, ref.data() + pt.size()) == 1);
      EVP_CIPHER_CTX_free(ctx);
      ChaCha20Poly1305 a;
      REQUIRE(a.init(S(key)) == Status::ok);
      Bytes out(pt.size() + 16);
      REQUIRE(a.seal(W(out), S(nonce), S(aad), S(pt)) == Status::ok);
      REQUIRE(out == ref);
      ++n;
    }
    test::report("chacha20poly1305 vs OpenSSL", k, n);
  });
}
#endif
