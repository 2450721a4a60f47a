// ECDSA / ECDH on P-256 and P-384: RFC 6979, NIST CAVP (SigVer, SigGen,
// KeyPair, PKV), Wycheproof, malformed inputs, and differential checks
// against OpenSSL. Every vector runs on every kernel.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/ec/ec.hpp"
#include "crypto/ec/ec_consts.hpp"
#include "crypto/ec/ec_kernel.hpp"
#include "crypto/internal/cpu.hpp"
#include "crypto/sha2/sha2.hpp"
#include "tests/support/testutil.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#endif

using namespace tern;
using namespace tern::test;
using ec::Curve;

namespace {

KernelSet& kernels(Curve c) { return c == Curve::p256 ? ec::p256_kernels() : ec::p384_kernels(); }
const char* family(Curve c) { return c == Curve::p256 ? "p256" : "p384"; }

// Digest of `msg` with a hash named like "SHA-256" / "SHA256"; empty if unsupported.
Bytes digest_of(std::string name, const Bytes& msg) {
  std::string n;
  for (char ch : name)
    if (ch != '-') n += ch;
  Bytes out;
  if (n == "SHA224") {
    out.resize(28);
    sha2::Sha224::hash(std::span<std::uint8_t, 28>(out.data(), 28), msg);
  } else if (n == "SHA256") {
    out.resize(32);
    sha2::AnyHash::hash(sha2::HashId::sha256, out, msg);
  } else if (n == "SHA384") {
    out.resize(48);
    sha2::AnyHash::hash(sha2::HashId::sha384, out, msg);
  } else if (n == "SHA512") {
    out.resize(64);
    sha2::AnyHash::hash(sha2::HashId::sha512, out, msg);
  }
  return out;
}

// Big-endian value from hex of any length into exactly `len` bytes; false
// if it does not fit.
bool fixed(const std::string& h, std::size_t len, Bytes& out) {
  std::string s = h;
  if (s.size() % 2) s = "0" + s;
  Bytes b = hex(s);
  std::size_t i = 0;
  while (i < b.size() && b[i] == 0 && b.size() - i > len) ++i;
  if (b.size() - i > len) return false;
  out.assign(len - (b.size() - i), 0);
  out.insert(out.end(), b.begin() + static_cast<long>(i), b.end());
  return true;
}

Bytes cat(const Bytes& a, const Bytes& b) {
  Bytes r(a.size() + b.size());
  for (std::size_t i = 0; i < a.size(); ++i) r[i] = a[i];
  for (std::size_t i = 0; i < b.size(); ++i) r[a.size() + i] = b[i];
  return r;
}

Bytes point(const Bytes& x, const Bytes& y) { return cat(cat(Bytes(1, 0x04), x), y); }

bool curve_of(const std::string& name, Curve& c) {
  if (name.rfind("P-256", 0) == 0 || name == "secp256r1") {
    c = Curve::p256;
    return true;
  }
  if (name.rfind("P-384", 0) == 0 || name == "secp384r1") {
    c = Curve::p384;
    return true;
  }
  return false;
}

}  // namespace

TEST_CASE("ec dispatch", "[dispatch]") {
  check_dispatch("p256", ec::p256_kernels());
  check_dispatch("p384", ec::p384_kernels());
}

TEST_CASE("ec RFC 6979 deterministic signatures", "[ec]") {
  auto path = locate(Source::vectors, "ec/rfc6979.txt");
  if (!path) return;
  auto recs = parse_records(read_file(*path));
  REQUIRE(recs.size() >= 12);
  for (Curve c : {Curve::p256, Curve::p384}) {
    for_each_kernel(family(c), kernels(c), [&](const std::string& k) {
      std::size_t n = 0;
      for (const auto& r : recs) {
        Curve rc;
        REQUIRE(curve_of(r.get("Curve"), rc));
        if (rc != c) continue;
        INFO("line " << r.line);
        Bytes d = r.bytes("X");
        Bytes msg(r.get("Message").begin(), r.get("Message").end());
        Bytes dig = digest_of(r.get("Hash"), msg);
        Bytes pub(ec::uncompressed_point_size(c));
        REQUIRE(ec::public_key_from_private(c, pub, d) == Status::ok);
        CHECK(pub == point(r.bytes("Ux"), r.bytes("Uy")));
        Bytes sig(ec::raw_signature_size(c));
        REQUIRE(ec::ecdsa_sign(c, sig, d, dig) == Status::ok);
        CHECK(to_hex(sig) == to_hex(cat(r.bytes("R"), r.bytes("S"))));
        CHECK(ec::ecdsa_verify(c, pub, dig, sig) == Status::ok);
        Bytes der(ec::max_der_signature_size(c));
        std::size_t der_len = 0;
        REQUIRE(ec::ecdsa_sign_der(c, der, der_len, d, dig) == Status::ok);
        der.resize(der_len);
        CHECK(ec::ecdsa_verify_der(c, pub, dig, der) == Status::ok);
        Bytes back(ec::raw_signature_size(c));
        CHECK(ec::sig_der_to_raw(c, back, der) == Status::ok);
        CHECK(back == sig);
        ++n;
      }
      CHECK(n == 6);
      report(std::string("rfc6979 ") + family(c), k, n);
    });
  }
}

TEST_CASE("ec CAVP SigVer", "[ec]") {
  auto path = locate(Source::cavp, "asymmetric/ECDSA/FIPS_186-3/SigVer.rsp");
  if (!path) return;
  auto recs = parse_records(read_file(*path));
  for (Curve c : {Curve::p256, Curve::p384}) {
    const std::size_t fs = ec::field_size(c);
    for_each_kernel(family(c), kernels(c), [&](const std::string& k) {
      std::size_t n = 0;
      for (const auto& r : recs) {
        Curve rc;
        if (!curve_of(r.section_name, rc) || rc != c) continue;
        Bytes dig = digest_of(r.section_name.substr(r.section_name.find(',') + 1), r.bytes("Msg"));
        if (dig.empty()) continue;  // SHA-1
        INFO("line " << r.line);
        Bytes qx, qy, rr, ss;
        REQUIRE(fixed(r.get("Qx"), fs, qx));
        REQUIRE(fixed(r.get("Qy"), fs, qy));
        REQUIRE(fixed(r.get("R"), fs, rr));
        REQUIRE(fixed(r.get("S"), fs, ss));
        bool expect = r.get("Result")[0] == 'P';
        Status st = ec::ecdsa_verify(c, point(qx, qy), dig, cat(rr, ss));
        CHECK((st == Status::ok) == expect);
        ++n;
      }
      CHECK(n == 60);
      report(std::string("cavp SigVer ") + family(c), k, n);
    });
  }
}

TEST_CASE("ec CAVP SigGen and KeyPair", "[ec]") {
  auto path = locate(Source::cavp, "asymmetric/ECDSA/FIPS_186-3/SigGen.txt");
  auto kpath = locate(Source::cavp, "asymmetric/ECDSA/FIPS_186-3/KeyPair.rsp");
  if (!path || !kpath) return;
  auto recs = parse_records(read_file(*path));
  const std::string ktext = read_file(*kpath);
  for (Curve c : {Curve::p256, Curve::p384}) {
    const std::size_t fs = ec::field_size(c);
    for_each_kernel(family(c), kernels(c), [&](const std::string& k) {
      std::size_t n = 0, nk = 0;
      for (const auto& r : recs) {
        Curve rc;
        if (!curve_of(r.section_name, rc) || rc != c) continue;
        Bytes dig = digest_of(r.section_name.substr(r.section_name.find(',') + 1), r.bytes("Msg"));
        if (dig.empty()) continue;
        INFO("line " << r.line);
        Bytes d, qx, qy, rr, ss;
        REQUIRE(fixed(r.get("d"), fs, d));
        REQUIRE(fixed(r.get("Qx"), fs, qx));
        REQUIRE(fixed(r.get("Qy"), fs, qy));
        REQUIRE(fixed(r.get("R"), fs, rr));
        REQUIRE(fixed(r.get("S"), fs, ss));
        Bytes pub(ec::uncompressed_point_size(c));
        REQUIRE(ec::public_key_from_private(c, pub, d) == Status::ok);
        CHECK(pub == point(qx, qy));
        CHECK(ec::ecdsa_verify(c, pub, dig, cat(rr, ss)) == Status::ok);
        Bytes sig(ec::raw_signature_size(c));
        REQUIRE(ec::ecdsa_sign(c, sig, d, dig) == Status::ok);
        CHECK(ec::ecdsa_verify(c, pub, dig, sig) == Status::ok);
        ++n;
      }
      // KeyPair.rsp: "[P-256]" then a "[B.4.2 ...]" line; take the curve's block.
      const std::string head = c == Curve::p256 ? "[P-256]" : "[P-384]";
      const std::string next = c == Curve::p256 ? "[P-384]" : "[P-521]";
      const auto from = ktext.find(head), to = ktext.find(next);
      REQUIRE(from != std::string::npos);
      REQUIRE(to != std::string::npos);
      for (const auto& r : parse_records(ktext.substr(from, to - from))) {
        if (!r.has("d")) continue;
        Bytes d, qx, qy;
        REQUIRE(fixed(r.get("d"), fs, d));
        REQUIRE(fixed(r.get("Qx"), fs, qx));
        REQUIRE(fixed(r.get("Qy"), fs, qy));
        Bytes pub(ec::uncompressed_point_size(c));
        REQUIRE(ec::public_key_from_private(c, pub, d) == Status::ok);
        CHECK(pub == point(qx, qy));
        ++nk;
      }
      CHECK(n == 60);
      CHECK(nk == 10);
      report(std::string("cavp SigGen ") + family(c), k, n);
      report(std::string("cavp KeyPair ") + family(c), k, nk);
    });
  }
}

TEST_CASE("ec CAVP PKV", "[ec]") {
  auto path = locate(Source::cavp, "asymmetric/ECDSA/FIPS_186-3/PKV.rsp");
  if (!path) return;
  auto recs = parse_records(read_file(*path));
  for (Curve c : {Curve::p256, Curve::p384}) {
    const std::size_t fs = ec::field_size(c);
    for_each_kernel(family(c), kernels(c), [&](const std::string& k) {
      std::size_t n = 0;
      for (const auto& r : recs) {
        Curve rc;
        if (!curve_of(r.section_name, rc) || rc != c) continue;
        INFO("line " << r.line);
        bool expect = r.get("Result")[0] == 'P';
        Bytes qx, qy;
        if (!fixed(r.get("Qx"), fs, qx) || !fixed(r.get("Qy"), fs, qy)) {
          CHECK_FALSE(expect);  // cannot even be encoded
        } else {
          CHECK((ec::validate_public_key(c, point(qx, qy)) == Status::ok) == expect);
        }
        ++n;
      }
      CHECK(n == 12);
      report(std::string("cavp PKV ") + family(c), k, n);
    });
  }
}

namespace {
void wycheproof_ecdsa(const char* file, Curve c, bool der) {
  auto j = load_wycheproof(file);
  if (!j) return;
  for_each_kernel(family(c), kernels(c), [&](const std::string& k) {
    std::size_t n = 0;
    for (const auto& g : (*j)["testGroups"].items) {
      Bytes pub = g["publicKey"]["uncompressed"].as_hex();
      std::string sha = g["sha"].s;
      for (const auto& t : g["tests"].items) {
        INFO(file << " tcId " << t["tcId"].as_int());
        Bytes dig = digest_of(sha, t["msg"].as_hex());
        REQUIRE(!dig.empty());
        Bytes sig = t["sig"].as_hex();
        Status st = der ? ec::ecdsa_verify_der(c, pub, dig, sig) : ec::ecdsa_verify(c, pub, dig, sig);
        const std::string& res = t["result"].s;
        if (res == "valid") CHECK(st == Status::ok);
        if (res == "invalid") CHECK(st != Status::ok);
        ++n;
      }
    }
    report(file, k, n);
  });
}

void wycheproof_ecdh(const char* file, Curve c) {
  auto j = load_wycheproof(file);
  if (!j) return;
  const std::size_t fs = ec::field_size(c);
  for_each_kernel(family(c), kernels(c), [&](const std::string& k) {
    std::size_t n = 0;
    for (const auto& g : (*j)["testGroups"].items) {
      for (const auto& t : g["tests"].items) {
        INFO(file << " tcId " << t["tcId"].as_int());
        Bytes priv;
        REQUIRE(fixed(t["private"].s, fs, priv));
        Bytes pub = t["public"].as_hex();
        Bytes out(fs);
        Status st = ec::ecdh(c, out, priv, pub);
        const std::string& res = t["result"].s;
        if (res == "valid") {
          CHECK(st == Status::ok);
          CHECK(to_hex(out) == t["shared"].s);
        } else if (res == "invalid") {
          CHECK(st != Status::ok);
        } else if (st == Status::ok) {
          CHECK(to_hex(out) == t["shared"].s);
        }
        ++n;
      }
    }
    report(file, k, n);
  });
}
}  // namespace

TEST_CASE("ec Wycheproof ECDSA", "[ec]") {
  wycheproof_ecdsa("ecdsa_secp256r1_sha256_test.json", Curve::p256, true);
  wycheproof_ecdsa("ecdsa_secp256r1_sha256_p1363_test.json", Curve::p256, false);
  wycheproof_ecdsa("ecdsa_secp384r1_sha384_test.json", Curve::p384, true);
  wycheproof_ecdsa("ecdsa_secp384r1_sha384_p1363_test.json", Curve::p384, false);
}

TEST_CASE("ec Wycheproof ECDH", "[ec]") {
  wycheproof_ecdh("ecdh_secp256r1_ecpoint_test.json", Curve::p256);
  wycheproof_ecdh("ecdh_secp384r1_ecpoint_test.json", Curve::p384);
}

TEST_CASE("ec malformed inputs", "[ec]") {
  for (Curve c : {Curve::p256, Curve::p384}) {
    const std::size_t fs = ec::field_size(c);
    for_each_kernel(family(c), kernels(c), [&](const std::string& k) {
      Rng rng(7);
      Bytes d(fs, 0), pub(ec::uncompressed_point_size(c)), sig(ec::raw_signature_size(c)), out(fs);
      Bytes dig = rng.bytes(32);
      // Private key 0, n, all-ones, wrong length.
      CHECK(ec::public_key_from_private(c, pub, d) == Status::bad_key);
      Bytes ones(fs, 0xff);
      CHECK(ec::public_key_from_private(c, pub, ones) == Status::bad_key);
      CHECK(ec::ecdsa_sign(c, sig, ones, dig) == Status::bad_key);
      CHECK(ec::ecdsa_sign(c, sig, Bytes(fs - 1, 1), dig) == Status::bad_key);
      Bytes nbytes = c == Curve::p256
                         ? hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
                         : hex("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973");
      CHECK(ec::public_key_from_private(c, pub, nbytes) == Status::bad_key);
      Bytes nm1 = nbytes;
      nm1.back() -= 1;  // n - 1 is valid
      REQUIRE(ec::public_key_from_private(c, pub, nm1) == Status::ok);
      // (n-1) G = -G: same x as G.
      Bytes one(fs, 0);
      one.back() = 1;
      Bytes g(ec::uncompressed_point_size(c));
      REQUIRE(ec::public_key_from_private(c, g, one) == Status::ok);
      CHECK(std::equal(g.begin(), g.begin() + 1 + static_cast<long>(fs), pub.begin()));
      CHECK(g != pub);
      // Points: wrong lengths, prefixes, off-curve, infinity, x >= p.
      CHECK(ec::validate_public_key(c, g) == Status::ok);
      CHECK(ec::validate_public_key(c, Bytes{}) == Status::bad_point);
      CHECK(ec::validate_public_key(c, Bytes{0x00}) == Status::bad_point);
      Bytes bad = g;
      bad[0] = 0x05;
      CHECK(ec::validate_public_key(c, bad) == Status::bad_point);
      bad = g;
      bad.back() ^= 1;
      CHECK(ec::validate_public_key(c, bad) == Status::bad_point);
      CHECK(ec::validate_public_key(c, Bytes(g.begin(), g.end() - 1)) == Status::bad_point);
      Bytes big(ec::uncompressed_point_size(c), 0xff);
      big[0] = 0x04;
      CHECK(ec::validate_public_key(c, big) == Status::bad_point);
      CHECK(ec::ecdh(c, out, nm1, bad) == Status::bad_point);
      CHECK(ec::ecdh(c, out, d, g) == Status::bad_key);
      // Compressed form of G and -G decode back (TERN_SMALL builds refuse
      // compressed points as bad_point).
      Bytes comp(g.begin(), g.begin() + 1 + static_cast<long>(fs));
      comp[0] = static_cast<std::uint8_t>(0x02 | (g.back() & 1));
      Bytes dec(ec::uncompressed_point_size(c));
#ifdef TERN_SMALL
      CHECK(ec::decode_public_key(c, dec, comp) == Status::bad_point);
      CHECK(ec::validate_public_key(c, comp) == Status::bad_point);
      CHECK(ec::ecdsa_verify_der(c, comp, dig, Bytes{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}) ==
            Status::bad_point);
      comp[0] ^= 1;
      CHECK(ec::decode_public_key(c, dec, comp) == Status::bad_point);
#else
      REQUIRE(ec::decode_public_key(c, dec, comp) == Status::ok);
      CHECK(dec == g);
      comp[0] ^= 1;
      REQUIRE(ec::decode_public_key(c, dec, comp) == Status::ok);
      CHECK(dec == pub);
#endif
      // A compressed x that is not on the curve (x = 0 is not, for both: b is a non-residue... or check both parities fail together)
      Bytes cx(1 + fs, 0);
      cx[0] = 0x02;
      Status s0 = ec::validate_public_key(c, cx);
      cx[0] = 0x03;
      Status s1 = ec::validate_public_key(c, cx);
      CHECK(s0 == s1);
      // Signatures: zero, n, wrong length, DER garbage.
      Bytes zero_sig(ec::raw_signature_size(c), 0);
      CHECK(ec::ecdsa_verify(c, g, dig, zero_sig) == Status::bad_signature);
      CHECK(ec::ecdsa_verify(c, g, dig, cat(nbytes, nm1)) == Status::bad_signature);
      CHECK(ec::ecdsa_verify(c, g, dig, Bytes(3, 1)) == Status::bad_signature);
      CHECK(ec::ecdsa_verify_der(c, g, dig, Bytes{0x30, 0x00}) != Status::ok);
      CHECK(ec::ecdsa_verify_der(c, g, dig, Bytes{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00}) != Status::ok);
      Bytes raw(ec::raw_signature_size(c));
      CHECK(ec::sig_der_to_raw(c, raw, Bytes{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}) == Status::ok);
      CHECK(ec::sig_der_to_raw(c, raw, Bytes{0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01}) != Status::ok);
      CHECK(ec::sig_der_to_raw(c, raw, Bytes{0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01}) != Status::ok);
      CHECK(ec::sig_der_to_raw(c, raw, Bytes{0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01}) != Status::ok);
      // Which error wins when both the key and the signature are bad: DER
      // signatures are judged first (as sig_der_to_raw, then ecdsa_verify),
      // raw ones after the key.
      const Bytes der_n = cat(cat(Bytes{0x30, static_cast<std::uint8_t>(2 * (fs + 3)), 0x02,
                                        static_cast<std::uint8_t>(fs + 1), 0x00},
                                  nbytes),
                              cat(Bytes{0x02, static_cast<std::uint8_t>(fs + 1), 0x00}, nbytes));
      CHECK(ec::sig_der_to_raw(c, raw, der_n) == Status::bad_signature);
      CHECK(ec::ecdsa_verify_der(c, g, dig, der_n) == Status::bad_signature);
      CHECK(ec::ecdsa_verify_der(c, bad, dig, der_n) == Status::bad_signature);
      CHECK(ec::ecdsa_verify_der(c, bad, dig, Bytes{0x30, 0x00}) == Status::bad_signature);
      CHECK(ec::ecdsa_verify_der(c, bad, dig, Bytes{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}) ==
            Status::bad_point);
      CHECK(ec::ecdsa_verify(c, bad, dig, zero_sig) == Status::bad_point);
      CHECK(ec::ecdsa_verify(c, bad, dig, Bytes(3, 1)) == Status::bad_point);
      // Random garbage never crashes.
      for (int i = 0; i < 200; ++i) {
        Bytes junk = rng.bytes(rng.below(2 * ec::uncompressed_point_size(c)));
        if (!junk.empty()) junk[0] = static_cast<std::uint8_t>(rng.below(6));
        (void)ec::validate_public_key(c, junk);
        (void)ec::ecdsa_verify(c, junk, dig, junk);
        (void)ec::ecdsa_verify_der(c, g, dig, junk);
        (void)ec::ecdh(c, out, nm1, junk);
      }
      // Extra entropy: a different, valid signature; digests of every length.
      TestRandom tr(99);
      Bytes s1v(ec::raw_signature_size(c)), s2v(ec::raw_signature_size(c));
      REQUIRE(ec::ecdsa_sign(c, s1v, nm1, dig) == Status::ok);
      REQUIRE(ec::ecdsa_sign(c, s2v, nm1, dig, &tr) == Status::ok);
      CHECK(s1v != s2v);
      CHECK(ec::ecdsa_verify(c, pub, dig, s2v) == Status::ok);
      for (std::size_t len : {0u, 1u, 20u, 31u, 33u, 47u, 48u, 64u, 100u}) {
        Bytes dg = rng.bytes(len);
        REQUIRE(ec::ecdsa_sign(c, s1v, nm1, dg) == Status::ok);
        CHECK(ec::ecdsa_verify(c, pub, dg, s1v) == Status::ok);
        if (!dg.empty()) {
          dg[0] ^= 0x80;
          CHECK(ec::ecdsa_verify(c, pub, dg, s1v) == Status::bad_signature);
        }
      }
      report(std::string("malformed-input checks ") + family(c), k, 1);
    });
  }
}

// Scalars next to 0 and n exercise the additions that meet infinity or
// P = -Q: k*P and (n-k)*P share x, k*G and (n-k)*G are negatives, and
// variable-base k*G equals fixed-base k*G.
TEST_CASE("ec edge scalars", "[ec]") {
  for (Curve c : {Curve::p256, Curve::p384}) {
    const std::size_t fs = ec::field_size(c);
    const Bytes n = c == Curve::p256
                        ? hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
                        : hex("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973");
    auto sub_small = [&](unsigned v) {  // n - v
      Bytes r = n;
      unsigned borrow = v;
      for (std::size_t i = r.size(); i-- > 0 && borrow;) {
        unsigned x = r[i];
        r[i] = static_cast<std::uint8_t>(x - (borrow & 0xff));
        borrow = (borrow >> 8) + (x < (borrow & 0xff) ? 1u : 0u);
      }
      return r;
    };
    for_each_kernel(family(c), kernels(c), [&](const std::string& k) {
      Bytes g(ec::uncompressed_point_size(c)), one(fs, 0);
      one.back() = 1;
      REQUIRE(ec::public_key_from_private(c, g, one) == Status::ok);
      Bytes p7(ec::uncompressed_point_size(c)), seven(fs, 0);
      seven.back() = 7;
      REQUIRE(ec::public_key_from_private(c, p7, seven) == Status::ok);
      std::size_t cnt = 0;
      for (unsigned v = 1; v <= 70; ++v) {
        INFO("v = " << v);
        Bytes kv(fs, 0);
        kv[fs - 1] = static_cast<std::uint8_t>(v);
        Bytes nk = sub_small(v);
        Bytes a(ec::uncompressed_point_size(c)), b(ec::uncompressed_point_size(c));
        REQUIRE(ec::public_key_from_private(c, a, kv) == Status::ok);
        REQUIRE(ec::public_key_from_private(c, b, nk) == Status::ok);
        CHECK(std::equal(a.begin(), a.begin() + 1 + static_cast<long>(fs), b.begin()));
        CHECK(a != b);
        Bytes x1(fs), x2(fs), x3(fs), x4(fs);
        REQUIRE(ec::ecdh(c, x1, kv, g) == Status::ok);
        REQUIRE(ec::ecdh(c, x2, nk, g) == Status::ok);
        CHECK(x1 == Bytes(a.begin() + 1, a.begin() + 1 + static_cast<long>(fs)));
        CHECK(x2 == x1);
        REQUIRE(ec::ecdh(c, x3, kv, p7) == Status::ok);
        REQUIRE(ec::ecdh(c, x4, nk, p7) == Status::ok);
        CHECK(x3 == x4);
        cnt += 4;
      }
      report(std::string("edge scalars ") + family(c), k, cnt);
    });
  }
}

// Public key G or -G: the verification's joint multiples G + Q are 2G or
// infinity (TERN_SMALL's Shamir table takes both paths).
TEST_CASE("ec verify with Q = G and Q = -G", "[ec]") {
  for (Curve c : {Curve::p256, Curve::p384}) {
    const std::size_t fs = ec::field_size(c);
    Bytes one(fs, 0), nm1 = c == Curve::p256
                                ? hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550")
                                : hex("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52972");
    one.back() = 1;
    for_each_kernel(family(c), kernels(c), [&](const std::string& k) {
      Rng rng(11);
      std::size_t cnt = 0;
      for (const Bytes* d : {&one, &nm1}) {
        Bytes q(ec::uncompressed_point_size(c)), sig(ec::raw_signature_size(c));
        REQUIRE(ec::public_key_from_private(c, q, *d) == Status::ok);
        for (int i = 0; i < 8; ++i) {
          Bytes dig = rng.bytes(32);
          REQUIRE(ec::ecdsa_sign(c, sig, *d, dig) == Status::ok);
          CHECK(ec::ecdsa_verify(c, q, dig, sig) == Status::ok);
          dig[0] ^= 1;
          CHECK(ec::ecdsa_verify(c, q, dig, sig) == Status::bad_signature);
          cnt += 2;
        }
      }
      report(std::string("verify Q = +-G ") + family(c), k, cnt);
    });
  }
}

TEST_CASE("ec key generation and ECDH agreement", "[ec]") {
  for (Curve c : {Curve::p256, Curve::p384}) {
    const std::size_t fs = ec::field_size(c);
    for_each_kernel(family(c), kernels(c), [&](const std::string& k) {
      TestRandom tr(5);
      std::size_t n = 0;
      for (int i = 0; i < 20; ++i) {
        Bytes a(fs), b(fs), pa(ec::uncompressed_point_size(c)), pb(ec::uncompressed_point_size(c));
        REQUIRE(ec::generate_key(c, a, pa, tr) == Status::ok);
        REQUIRE(ec::generate_key(c, b, pb, tr) == Status::ok);
        CHECK(ec::validate_public_key(c, pa) == Status::ok);
        Bytes s1(fs), s2(fs);
        REQUIRE(ec::ecdh(c, s1, a, pb) == Status::ok);
        REQUIRE(ec::ecdh(c, s2, b, pa) == Status::ok);
        CHECK(s1 == s2);
        ++n;
      }
      report(std::string("keygen+ecdh agreement ") + family(c), k, n);
    });
  }
}

#if TERN_HAVE_OPENSSL
namespace {
EVP_PKEY* ossl_key(Curve c, const Bytes& pub, const Bytes* priv) {
  OSSL_PARAM_BLD* b = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, c == Curve::p256 ? "prime256v1" : "secp384r1", 0);
  OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size());
  BIGNUM* bn = nullptr;
  if (priv) {
    bn = BN_bin2bn(priv->data(), static_cast<int>(priv->size()), nullptr);
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, bn);
  }
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(b);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
      EVP_PKEY_fromdata(ctx, &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
    key = nullptr;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(b);
  BN_clear_free(bn);
  return key;
}
}  // namespace

TEST_CASE("ec differential vs OpenSSL", "[ec]") {
  for (Curve c : {Curve::p256, Curve::p384}) {
    const std::size_t fs = ec::field_size(c);
    for_each_kernel(family(c), kernels(c), [&](const std::string& k) {
      TestRandom tr(c == Curve::p256 ? 11 : 12);
      Rng rng(3);
      std::size_t n = 0;
      for (int i = 0; i < 40; ++i) {
        Bytes a(fs), b(fs), pa(ec::uncompressed_point_size(c)), pb(ec::uncompressed_point_size(c));
        REQUIRE(ec::generate_key(c, a, pa, tr) == Status::ok);
        REQUIRE(ec::generate_key(c, b, pb, tr) == Status::ok);
        EVP_PKEY* ka = ossl_key(c, pa, &a);
        EVP_PKEY* kb = ossl_key(c, pb, nullptr);
        REQUIRE(ka != nullptr);
        REQUIRE(kb != nullptr);
        Bytes dig = rng.bytes(i % 3 == 0 ? 32 : i % 3 == 1 ? 48 : 64);
        // Ours -> OpenSSL.
        Bytes der(ec::max_der_signature_size(c));
        std::size_t der_len = 0;
        REQUIRE(ec::ecdsa_sign_der(c, der, der_len, a, dig) == Status::ok);
        EVP_PKEY_CTX* vctx = EVP_PKEY_CTX_new(ka, nullptr);
        REQUIRE(EVP_PKEY_verify_init(vctx) == 1);
        CHECK(EVP_PKEY_verify(vctx, der.data(), der_len, dig.data(), dig.size()) == 1);
        EVP_PKEY_CTX_free(vctx);
        // OpenSSL -> ours.
        EVP_PKEY_CTX* sctx = EVP_PKEY_CTX_new(ka, nullptr);
        REQUIRE(EVP_PKEY_sign_init(sctx) == 1);
        std::size_t slen = der.size();
        REQUIRE(EVP_PKEY_sign(sctx, der.data(), &slen, dig.data(), dig.size()) == 1);
        EVP_PKEY_CTX_free(sctx);
        CHECK(ec::ecdsa_verify_der(c, pa, dig, Bytes(der.begin(), der.begin() + static_cast<long>(slen))) == Status::ok);
        // ECDH.
        EVP_PKEY_CTX* dctx = EVP_PKEY_CTX_new(ka, nullptr);
        REQUIRE(EVP_PKEY_derive_init(dctx) == 1);
        REQUIRE(EVP_PKEY_derive_set_peer(dctx, kb) == 1);
        Bytes theirs(fs);
        std::size_t tlen = fs;
        REQUIRE(EVP_PKEY_derive(dctx, theirs.data(), &tlen) == 1);
        EVP_PKEY_CTX_free(dctx);
        Bytes ours(fs);
        REQUIRE(ec::ecdh(c, ours, a, pb) == Status::ok);
        CHECK(ours == theirs);
        EVP_PKEY_free(ka);
        EVP_PKEY_free(kb);
        ++n;
      }
      report(std::string("openssl differential ") + family(c), k, n);
    });
  }
}
#endif

// The constant-time scalar inversion (divsteps) on each kernel directly:
// a * a^-1 = 1 mod n for edge values (1, 2, n - 1, n - 2, 2^k) and random a.
namespace {
template <std::size_t N>
void check_n_inv(const ec::internal::EcKernel<N>& k, const std::uint64_t* n, const char* what) {
  Rng rng(N * 77);
  std::size_t count = 0;
  auto one = [&](const std::uint64_t* a) {
    std::uint64_t inv[N], prod[N];
    k.n_inv(inv, a);
    k.n_mul(prod, inv, a);
    bool ok = prod[0] == 1;
    for (std::size_t i = 1; i < N; ++i) ok = ok && prod[i] == 0;
    REQUIRE(ok);
    ++count;
  };
  std::uint64_t a[N];
  for (std::uint64_t small : {1ull, 2ull, 3ull}) {
    for (std::size_t i = 0; i < N; ++i) a[i] = i == 0 ? small : 0;
    one(a);
    std::uint64_t borrow = small;
    for (std::size_t i = 0; i < N; ++i) {  // n - small
      a[i] = n[i] - borrow;
      borrow = n[i] < borrow ? 1 : 0;
    }
    one(a);
  }
  for (std::size_t bit = 0; bit < 64 * N - 1; bit += 7) {
    for (std::size_t i = 0; i < N; ++i) a[i] = 0;
    a[bit / 64] = 1ull << (bit % 64);
    one(a);
  }
  for (int r = 0; r < 300; ++r) {
    for (std::size_t i = 0; i < N; ++i) a[i] = rng.next();
    a[N - 1] >>= 1;  // below n
    if ((a[0] | a[1]) == 0) a[0] = 1;
    one(a);
  }
  report("scalar inversion", what, count);
}
}  // namespace

TEST_CASE("ec scalar inversion", "[ec]") {
  check_n_inv(ec::internal::kP256Portable, ec::internal::kP256Consts.n, "p256 portable");
  check_n_inv(ec::internal::kP384Portable, ec::internal::kP384Consts.n, "p384 portable");
#if TERN_SIMD && defined(__x86_64__)
  if (cpu::has(cpu::bmi2 | cpu::adx)) {
    check_n_inv(ec::internal::kP256Adx, ec::internal::kP256Consts.n, "p256 adx");
    check_n_inv(ec::internal::kP384Adx, ec::internal::kP384Consts.n, "p384 adx");
  }
#endif
}
