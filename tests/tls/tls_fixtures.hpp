// Shared fixtures for the TLS connection tests: scripted randomness, a stub
// certificate verifier, hand-built test certificates, credentials for every
// signature scheme, and an in-memory pump between two connections.
#pragma once

#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "crypto/curve25519/curve25519.hpp"
#include "crypto/ec/ec.hpp"
#include "crypto/internal/der.hpp"
#include "crypto/internal/random.hpp"
#include "crypto/rsa/rsa.hpp"
#include "tests/support/testutil.hpp"
#include "tests/tls/trace.hpp"
#include "tls/connection.hpp"

namespace tern::tlstest {

using Vec = std::vector<std::uint8_t>;

// Returns queued byte strings for the first fills (each fill must match the
// queued length), then a deterministic stream.
class ScriptedRandom final : public RandomSource {
 public:
  std::deque<Vec> queue;
  TestRandom rest{42};
  Status fill(std::span<std::uint8_t> out) noexcept override {
    if (!queue.empty() && queue.front().size() == out.size()) {
      std::memcpy(out.data(), queue.front().data(), out.size());
      queue.pop_front();
      return Status::ok;
    }
    return rest.fill(out);
  }
};

// Accepts any chain; optionally insists on a host name; counts calls.
class StubVerifier final : public tls::CertVerifier {
 public:
  tls::Alert reject = tls::Alert::none;
  std::string expect_host;
  mutable int calls = 0;
  tls::Err verify(std::span<const tls::Bytes> chain, std::string_view host, std::uint64_t) const override {
    ++calls;
    if (reject != tls::Alert::none) return tls::fail(reject, "stub verifier rejects");
    if (chain.empty()) return tls::fail(tls::Alert::bad_certificate, "empty chain");
    if (!expect_host.empty() && host != expect_host) return tls::fail(tls::Alert::bad_certificate, "wrong host");
    return tls::kOk;
  }
};

// A minimal self-signed-looking X.509 certificate around an SPKI (the
// signature is a placeholder: chain validation is the verifier's job).
inline Vec make_cert(const Vec& spki) {
  std::vector<std::uint8_t> buf(4096);
  der::Writer w(buf);
  auto cert = w.begin(der::kSequence);
  auto tbs = w.begin(der::kSequence);
  auto ver = w.begin(der::context(0, true));
  w.uint64(2);
  w.end(ver);
  w.uint64(1);
  auto alg = w.begin(der::kSequence);
  const std::uint8_t oid_ed[] = {0x2b, 0x65, 0x70};
  w.element(der::kOid, oid_ed);
  w.end(alg);
  auto iss = w.begin(der::kSequence);
  w.end(iss);
  auto val = w.begin(der::kSequence);
  const char* t1 = "200101000000Z";
  const char* t2 = "400101000000Z";
  w.element(der::kUtcTime, tls::Bytes(reinterpret_cast<const std::uint8_t*>(t1), 13));
  w.element(der::kUtcTime, tls::Bytes(reinterpret_cast<const std::uint8_t*>(t2), 13));
  w.end(val);
  auto sub = w.begin(der::kSequence);
  w.end(sub);
  w.raw(spki);
  w.end(tbs);
  auto alg2 = w.begin(der::kSequence);
  w.element(der::kOid, oid_ed);
  w.end(alg2);
  std::uint8_t sig[65] = {0};
  w.element(der::kBitString, sig);
  w.end(cert);
  auto out = w.written();
  return Vec(out.begin(), out.end());
}

inline Vec spki(const std::vector<std::uint8_t>& alg_oid, const Vec& param_oid, const Vec& key) {
  std::vector<std::uint8_t> buf(1024);
  der::Writer w(buf);
  auto s = w.begin(der::kSequence);
  auto a = w.begin(der::kSequence);
  w.element(der::kOid, alg_oid);
  if (!param_oid.empty()) w.element(der::kOid, param_oid);
  w.end(a);
  Vec bits(1, 0);
  bits.insert(bits.end(), key.begin(), key.end());
  w.element(der::kBitString, bits);
  w.end(s);
  auto out = w.written();
  return Vec(out.begin(), out.end());
}

// The RFC 8448 RSA key (1024-bit: allowed here for the tests only).
inline std::unique_ptr<rsa::PrivateKey> rfc8448_rsa_key() {
  auto t = test::load_trace("private_keys.txt");
  if (!t) return nullptr;
  auto k = std::make_unique<rsa::PrivateKey>();
  rsa::PrivateKey::Options opt;
  opt.min_bits = 1024;
  const auto& v = *t;
  if (k->from_components(v["rsa.modulus"], v["rsa.public_exponent"], v["rsa.prime1"], v["rsa.prime2"],
                         v["rsa.exponent1"], v["rsa.exponent2"], v["rsa.coefficient"], opt) != Status::ok)
    return nullptr;
  return k;
}
inline Vec rfc8448_rsa_cert() {
  auto t = test::load_trace("simple_1rtt.txt");
  if (!t) return {};
  Vec msg = (*t)["server.construct_a_certificate_handshake_message.1.certificate"];
  // 0b len(3) ctx(1)=00 list_len(3) cert_len(3) cert...
  std::size_t n = (std::size_t{msg[8]} << 16) | (std::size_t{msg[9]} << 8) | msg[10];
  return Vec(msg.begin() + 11, msg.begin() + 11 + static_cast<std::ptrdiff_t>(n));
}

// A credential for one signature scheme (keys from a fixed seed).
inline tls::Credential make_credential(std::uint16_t scheme, std::uint64_t seed = 7) {
  TestRandom rng(seed);
  tls::Credential c;
  const Vec oid_ec = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
  if (scheme == 0x0807) {
    std::uint8_t sk[32], pk[32];
    (void)ed25519_keypair(sk, pk, rng);
    c.chain.push_back(make_cert(spki({0x2b, 0x65, 0x70}, {}, Vec(pk, pk + 32))));
    c.signer = tls::make_ed25519_signer(tls::Bytes(sk, 32));
  } else if (scheme == 0x0403 || scheme == 0x0503) {
    const auto curve = scheme == 0x0403 ? ec::Curve::p256 : ec::Curve::p384;
    Vec sk(ec::scalar_size(curve)), pk(ec::uncompressed_point_size(curve));
    (void)ec::generate_key(curve, sk, pk, rng);
    Vec param = scheme == 0x0403 ? Vec{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07} : Vec{0x2b, 0x81, 0x04, 0x00, 0x22};
    c.chain.push_back(make_cert(spki(oid_ec, param, pk)));
    c.signer = tls::make_ecdsa_signer(scheme, sk);
  } else {
    c.chain.push_back(rfc8448_rsa_cert());
    c.signer = tls::make_rsa_pss_signer(rfc8448_rsa_key());
  }
  return c;
}

// Moves bytes between two connections until neither has output, optionally
// in small slices (fragmentation across feed() calls).
inline void pump(tls::Connection& a, tls::Connection& b, std::size_t slice = 0, int max_rounds = 50) {
  for (int i = 0; i < max_rounds; ++i) {
    bool moved = false;
    for (int dir = 0; dir < 2; ++dir) {
      tls::Connection& from = dir == 0 ? a : b;
      tls::Connection& to = dir == 0 ? b : a;
      auto out = from.pending_output();
      if (out.empty()) continue;
      std::size_t n = slice ? std::min(slice, out.size()) : out.size();
      std::size_t used = to.feed(out.first(n));
      if (to.state() == tls::ConnState::failed) {
        from.consume_output(out.size());  // the peer is gone
        continue;
      }
      from.consume_output(used);
      if (used) moved = true;
    }
    if (!moved) return;
  }
}

}  // namespace tern::tlstest
