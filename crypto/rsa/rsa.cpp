// RSA keys, PKCS#1 v1.5 and PSS (RFC 8017 §8, §9).
#include "crypto/rsa/rsa.hpp"

#include <cstring>

#include "crypto/internal/ct.hpp"
#include "crypto/internal/der.hpp"
#include "crypto/internal/wipe.hpp"

// The fault check's verdict (and the signature it releases) are public by
// design. When valgrind's client-request header is available we tell
// memcheck so, which lets the constant-time check (tests/ct) follow the key
// through the private operation up to, but not past, that verdict. The
// request is a few no-op instructions outside valgrind.
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define TERN_RSA_DECLASSIFY(p, n) (void)VALGRIND_MAKE_MEM_DEFINED((p), (n))
#else
#define TERN_RSA_DECLASSIFY(p, n) ((void)0)
#endif

namespace tern::rsa {

namespace {

using bignum::Limb;
using bignum::kMaxLimbs;
using sha2::HashId;

// Largest public exponent accepted (bounds the verification time).
constexpr std::size_t kMaxExponentBytes = 32;

// 1.2.840.113549.1.1.1 rsaEncryption, 1.2.840.113549.1.1.10 id-RSASSA-PSS.
constexpr std::uint8_t kOidRsaEncryption[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
constexpr std::uint8_t kOidRsaPss[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};

bool same(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

std::span<const std::uint8_t> strip_zeros(std::span<const std::uint8_t> v) noexcept {
  std::size_t i = 0;
  while (i < v.size() && v[i] == 0) ++i;
  return v.subspan(i);
}

std::size_t bit_length_be(std::span<const std::uint8_t> v) noexcept {
  v = strip_zeros(v);
  if (v.empty()) return 0;
  std::size_t b = 0;
  for (unsigned t = v[0]; t != 0; t >>= 1) ++b;
  return 8 * (v.size() - 1) + b;
}

// RFC 8017 §9.2 note 1: DigestInfo prefixes (with NULL parameters).
std::span<const std::uint8_t> digest_info_prefix(HashId h) noexcept {
  static constexpr std::uint8_t k256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                          0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  static constexpr std::uint8_t k384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                          0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
  static constexpr std::uint8_t k512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                          0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};
  switch (h) {
    case HashId::sha256: return k256;
    case HashId::sha384: return k384;
    case HashId::sha512: return k512;
  }
  return {};
}

bool known_hash(HashId h) noexcept {
  return h == HashId::sha256 || h == HashId::sha384 || h == HashId::sha512;
}

// EMSA-PKCS1-v1_5 encoding of a digest into em (k bytes).
Status encode_pkcs1v15(std::span<std::uint8_t> em, HashId hash, std::span<const std::uint8_t> digest) noexcept {
  if (!known_hash(hash)) return Status::unsupported;
  if (digest.size() != sha2::digest_size(hash)) return Status::bad_length;
  auto prefix = digest_info_prefix(hash);
  const std::size_t t_len = prefix.size() + digest.size(), k = em.size();
  if (k < t_len + 11) return Status::bad_key;
  em[0] = 0x00;
  em[1] = 0x01;
  std::memset(em.data() + 2, 0xff, k - t_len - 3);
  em[k - t_len - 1] = 0x00;
  std::memcpy(em.data() + k - t_len, prefix.data(), prefix.size());
  std::memcpy(em.data() + k - digest.size(), digest.data(), digest.size());
  return Status::ok;
}

// MGF1 (RFC 8017 B.2.1): out ^= MGF1(seed, out.size()).
void mgf1_xor(std::span<std::uint8_t> out, HashId hash, std::span<const std::uint8_t> seed) noexcept {
  std::uint8_t block[sha2::max_digest_size];
  const std::size_t h_len = sha2::digest_size(hash);
  std::uint32_t counter = 0;
  for (std::size_t pos = 0; pos < out.size(); pos += h_len, ++counter) {
    sha2::AnyHash h(hash);
    h.update(seed);
    const std::uint8_t c[4] = {static_cast<std::uint8_t>(counter >> 24), static_cast<std::uint8_t>(counter >> 16),
                               static_cast<std::uint8_t>(counter >> 8), static_cast<std::uint8_t>(counter)};
    h.update(c);
    h.final(block);
    const std::size_t take = out.size() - pos < h_len ? out.size() - pos : h_len;
    for (std::size_t i = 0; i < take; ++i) out[pos + i] ^= block[i];
  }
  wipe(block, sizeof(block));
}

// H = Hash(0x00 * 8 || mHash || salt).
void pss_hash(std::span<std::uint8_t> out, HashId hash, std::span<const std::uint8_t> digest,
              std::span<const std::uint8_t> salt) noexcept {
  static constexpr std::uint8_t zeros[8] = {};
  sha2::AnyHash h(hash);
  h.update(zeros);
  h.update(digest);
  h.update(salt);
  h.final(out);
}

Status parse_rsa_public(der::Reader& r, std::span<const std::uint8_t>& n,
                        std::span<const std::uint8_t>& e) noexcept {
  der::Reader seq(std::span<const std::uint8_t>{});
  if (!r.enter(der::kSequence, seq) || !seq.read_unsigned(n) || !seq.read_unsigned(e) || !seq.finish())
    return Status::bad_encoding;
  return Status::ok;
}

}  // namespace

// ---- public key ---------------------------------------------------------------

Status PublicKey::from_components(std::span<const std::uint8_t> n_be, std::span<const std::uint8_t> e_be) noexcept {
  mod_.n = 0;
  n_be = strip_zeros(n_be);
  e_be = strip_zeros(e_be);
  const std::size_t nbits = bit_length_be(n_be);
  if (nbits < kMinPublicBits || nbits > kMaxBits || (n_be.back() & 1) == 0) return Status::bad_key;
  if (e_be.empty() || e_be.size() > kMaxExponentBytes || (e_be.back() & 1) == 0) return Status::bad_key;
  if (e_be.size() == 1 && e_be[0] < 3) return Status::bad_key;
  if (e_be.size() > n_be.size() || (e_be.size() == n_be.size() && std::memcmp(e_be.data(), n_be.data(), n_be.size()) >= 0))
    return Status::bad_key;
  Limb limbs[kMaxLimbs];
  const std::size_t nl = (nbits + 63) / 64;
  if (!bignum::from_be(limbs, nl, n_be)) return Status::bad_key;
  Status s = mod_.init(limbs, nl);
  if (s != Status::ok) return s;
  // Verification, blinding and the fault check exponentiate modulo n
  // repeatedly: the radix-2^52 factor, when the IFMA kernel is active.
  mod_.prepare_radix52_if_used();
  std::memcpy(n_be_, n_be.data(), n_be.size());
  std::memcpy(e_be_, e_be.data(), e_be.size());
  e_len_ = e_be.size();
  return Status::ok;
}

Status PublicKey::from_pkcs1_der(std::span<const std::uint8_t> der) noexcept {
  mod_.n = 0;
  der::Reader r(der);
  std::span<const std::uint8_t> n, e;
  if (parse_rsa_public(r, n, e) != Status::ok || !r.finish()) return Status::bad_encoding;
  return from_components(n, e);
}

Status PublicKey::from_spki_der(std::span<const std::uint8_t> der) noexcept {
  mod_.n = 0;
  der::Reader r(der), spki(der), alg(der);
  der::Element oid;
  std::span<const std::uint8_t> bits;
  if (!r.enter(der::kSequence, spki) || !r.finish()) return Status::bad_encoding;
  if (!spki.enter(der::kSequence, alg) || !alg.read(der::kOid, oid)) return Status::bad_encoding;
  if (!same(oid.value, kOidRsaEncryption)) return Status::unsupported;
  if (!alg.read_null() || !alg.finish()) return Status::bad_encoding;
  if (!spki.read_bit_string_bytes(bits) || !spki.finish()) return Status::bad_encoding;
  return from_pkcs1_der(bits);
}

Status PublicKey::public_op(std::span<std::uint8_t> out, std::span<const std::uint8_t> sig) const noexcept {
  if (!valid()) return Status::bad_key;
  const std::size_t k = size_bytes();
  if (sig.size() != k || out.size() != k) return Status::bad_signature;
  Limb x[kMaxLimbs];
  if (!bignum::from_be(x, mod_.n, sig)) return Status::bad_signature;
  if (!bignum::lt_mask(x, mod_.m, mod_.n)) return Status::bad_signature;  // s >= n
  bignum::modexp_public(x, x, exponent(), mod_);
  bignum::to_be(out, x, mod_.n);
  return Status::ok;
}

Status verify_pkcs1v15(const PublicKey& key, HashId hash, std::span<const std::uint8_t> digest,
                       std::span<const std::uint8_t> sig) noexcept {
  if (!key.valid()) return Status::bad_key;
  const std::size_t k = key.size_bytes();
  std::uint8_t em[kMaxBytes], expected[kMaxBytes];
  Status s = encode_pkcs1v15(std::span<std::uint8_t>(expected, k), hash, digest);
  if (s == Status::bad_key) return Status::bad_signature;  // key too small for this hash
  if (s != Status::ok) return s;
  s = key.public_op(std::span<std::uint8_t>(em, k), sig);
  if (s != Status::ok) return s;
  return ct::equal(em, expected, k) ? Status::ok : Status::bad_signature;
}

Status verify_pss(const PublicKey& key, HashId hash, HashId mgf1_hash, std::ptrdiff_t salt_len,
                  std::span<const std::uint8_t> digest, std::span<const std::uint8_t> sig) noexcept {
  if (!key.valid()) return Status::bad_key;
  if (!known_hash(hash) || !known_hash(mgf1_hash)) return Status::unsupported;
  const std::size_t h_len = sha2::digest_size(hash);
  if (digest.size() != h_len) return Status::bad_length;
  if (salt_len < -1) return Status::bad_length;
  const std::size_t k = key.size_bytes(), em_bits = key.bits() - 1, em_len = (em_bits + 7) / 8;
  std::uint8_t buf[kMaxBytes];
  Status s = key.public_op(std::span<std::uint8_t>(buf, k), sig);
  if (s != Status::ok) return s;
  // I2OSP(m, emLen): when emLen = k - 1 the leading byte must be zero.
  if (em_len < k && buf[0] != 0) return Status::bad_signature;
  std::uint8_t* em = buf + (k - em_len);
  if (em_len < h_len + 2) return Status::bad_signature;
  if (salt_len >= 0 && em_len < h_len + static_cast<std::size_t>(salt_len) + 2) return Status::bad_signature;
  if (em[em_len - 1] != 0xbc) return Status::bad_signature;
  const std::size_t db_len = em_len - h_len - 1;
  std::uint8_t* db = em;
  const std::uint8_t* h = em + db_len;
  const unsigned top_bits = static_cast<unsigned>(8 * em_len - em_bits);  // 0..7
  const std::uint8_t top_mask = static_cast<std::uint8_t>(0xff << (8 - top_bits));
  if (top_bits != 0 && (db[0] & top_mask) != 0) return Status::bad_signature;
  mgf1_xor(std::span<std::uint8_t>(db, db_len), mgf1_hash, std::span<const std::uint8_t>(h, h_len));
  if (top_bits != 0) db[0] &= static_cast<std::uint8_t>(~top_mask);
  // DB = PS (zeros) || 0x01 || salt.
  std::size_t i = 0;
  if (salt_len >= 0) {
    const std::size_t ps = db_len - static_cast<std::size_t>(salt_len) - 1;
    for (; i < ps; ++i)
      if (db[i] != 0) return Status::bad_signature;
  } else {
    while (i < db_len && db[i] == 0) ++i;
    if (i == db_len) return Status::bad_signature;
  }
  if (db[i] != 0x01) return Status::bad_signature;
  std::span<const std::uint8_t> salt(db + i + 1, db_len - i - 1);
  std::uint8_t h2[sha2::max_digest_size];
  pss_hash(std::span<std::uint8_t>(h2, h_len), hash, digest, salt);
  return ct::equal(h, h2, h_len) ? Status::ok : Status::bad_signature;
}

// ---- private key ---------------------------------------------------------------

PrivateKey::~PrivateKey() { clear(); }

void PrivateKey::clear() noexcept {
  wipe(blind_a_, sizeof(blind_a_));
  wipe(blind_b_, sizeof(blind_b_));
  blind_ready_ = false;
  blind_uses_ = 0;
  wipe(dp_, sizeof(dp_));
  wipe(dq_, sizeof(dq_));
  wipe(pm2_, sizeof(pm2_));
  wipe(qm2_, sizeof(qm2_));
  wipe(qinv_, sizeof(qinv_));
  wipe(&p_, sizeof(p_));
  wipe(&q_, sizeof(q_));
}

Status PrivateKey::from_components(std::span<const std::uint8_t> n, std::span<const std::uint8_t> e,
                                   std::span<const std::uint8_t> p, std::span<const std::uint8_t> q,
                                   std::span<const std::uint8_t> dp, std::span<const std::uint8_t> dq,
                                   std::span<const std::uint8_t> qinv, Options opt) noexcept {
  clear();
  Status s = pub_.from_components(n, e);
  if (s != Status::ok) {
    clear();
    return s;
  }
  if (pub_.bits() < opt.min_bits) {
    pub_ = PublicKey{};
    return Status::weak_key;
  }
  // Sizes of the primes are public (they follow from the key size).
  p = strip_zeros(p);
  q = strip_zeros(q);
  const std::size_t pl = (bit_length_be(p) + 63) / 64, ql = (bit_length_be(q) + 63) / 64;
  const std::size_t nl = pub_.mod().n;
  Status bad = Status::bad_key;
  Limb pv[kMaxLimbs], qv[kMaxLimbs], prod[2 * kMaxLimbs];
  bool ok = pl != 0 && ql != 0 && pl + ql <= nl + 1 && bignum::from_be(pv, pl, p) && bignum::from_be(qv, ql, q) &&
            p_.init(pv, pl) == Status::ok && q_.init(qv, ql) == Status::ok;
  if (ok) {
    // n == p*q
    bignum::mul(prod, pv, pl, qv, ql);
    Limb diff = 0;
    for (std::size_t i = 0; i < pl + ql; ++i) diff |= prod[i] ^ (i < nl ? pub_.mod().m[i] : 0);
    ok = diff == 0;
  }
  ok = ok && bignum::from_be(dp_, pl, dp) && bignum::from_be(dq_, ql, dq) && bignum::from_be(qinv_, pl, qinv);
  // dp < p, dq < q, 0 < qinv < p (checked without branches on the values
  // until the single verdict).
  if (ok) {
    const Limb good = bignum::lt_mask(dp_, p_.m, pl) & bignum::lt_mask(dq_, q_.m, ql) &
                      bignum::lt_mask(qinv_, p_.m, pl) & ~bignum::zero_mask(qinv_, pl);
    ok = ct::value_barrier(good) != 0;
  }
  if (ok) {
    p_.prepare_radix52();
    q_.prepare_radix52();
    Limb two[kMaxLimbs] = {2};
    bignum::sub(pm2_, p_.m, two, pl);
    bignum::sub(qm2_, q_.m, two, ql);
  }
  wipe(pv, sizeof(pv));
  wipe(qv, sizeof(qv));
  wipe(prod, sizeof(prod));
  if (!ok) {
    clear();
    pub_ = PublicKey{};
    return bad;
  }
  return Status::ok;
}

namespace {
// Shared by the PKCS#1 and PKCS#8 loaders: RSAPrivateKey.
Status load_rsa_private(PrivateKey& key, std::span<const std::uint8_t> der, PrivateKey::Options opt) noexcept {
  der::Reader r(der), seq(der);
  std::uint64_t version = 0;
  std::span<const std::uint8_t> n, e, d, p, q, dp, dq, qinv;
  if (!r.enter(der::kSequence, seq) || !r.finish()) return Status::bad_encoding;
  if (!seq.read_uint64(version)) return Status::bad_encoding;
  if (version != 0) return version == 1 ? Status::unsupported : Status::bad_encoding;  // multi-prime
  if (!seq.read_unsigned(n) || !seq.read_unsigned(e) || !seq.read_unsigned(d) || !seq.read_unsigned(p) ||
      !seq.read_unsigned(q) || !seq.read_unsigned(dp) || !seq.read_unsigned(dq) || !seq.read_unsigned(qinv) ||
      !seq.finish())
    return Status::bad_encoding;
  return key.from_components(n, e, p, q, dp, dq, qinv, opt);
}
}  // namespace

Status PrivateKey::from_pkcs1_der(std::span<const std::uint8_t> der, Options opt) noexcept {
  return load_rsa_private(*this, der, opt);
}

Status PrivateKey::from_pkcs8_der(std::span<const std::uint8_t> der, Options opt) noexcept {
  der::Reader r(der), info(der), alg(der);
  std::uint64_t version = 0;
  der::Element oid, key;
  if (!r.enter(der::kSequence, info) || !r.finish()) return Status::bad_encoding;
  if (!info.read_uint64(version) || version > 1) return Status::bad_encoding;
  if (!info.enter(der::kSequence, alg) || !alg.read(der::kOid, oid)) return Status::bad_encoding;
  if (same(oid.value, kOidRsaEncryption)) {
    if (!alg.read_null() || !alg.finish()) return Status::bad_encoding;
  } else if (same(oid.value, kOidRsaPss)) {
    der::Element params;  // RSASSA-PSS-params: accepted, not enforced
    if (!alg.empty() && !alg.read(der::kSequence, params)) return Status::bad_encoding;
    if (!alg.finish()) return Status::bad_encoding;
  } else {
    return Status::unsupported;
  }
  if (!info.read(der::kOctetString, key)) return Status::bad_encoding;
  // Optional [0] attributes and (v2) [1] publicKey are skipped.
  der::Element skip;
  info.read_optional(der::context(0, true), skip);
  if (version == 1) info.read_optional(der::context(1, false), skip);
  if (!info.finish()) return Status::bad_encoding;
  return load_rsa_private(*this, key.value, opt);
}

// out (n limbs + 2 spare, < n when all is well) = CRT recombination of
// xp (Montgomery form mod p) and xq (Montgomery form mod q), by Garner:
// h = (xp - xq) * qinv mod p; out = xq + h*q. xp and xq are clobbered.
void PrivateKey::garner(Limb* out, Limb* xp, Limb* xq) const noexcept {
  Limb t[kMaxLimbs], x[2 * kMaxLimbs + 1];
  bignum::from_mont(xq, xq, q_);  // mq (plain)
  bignum::reduce_to_mont(t, xq, q_.n, p_);
  bignum::mod_sub(xp, xp, t, p_);
  bignum::mont_mul(t, xp, qinv_, p_);  // plain h
  const std::size_t pl = p_.n, ql = q_.n, total = pl + ql;
  bignum::mul(out, t, pl, q_.m, ql);
  for (std::size_t i = 0; i < total + 1; ++i) x[i] = i < ql ? xq[i] : 0;
  out[total] = 0;
  bignum::add(out, out, x, total + 1);
  wipe(t, sizeof(t));
  wipe(x, sizeof(x));
}

namespace {
// r uniform-ish below 2^(bits-1) < n, odd (never zero).
Status random_below(Limb* r, std::size_t nl, std::size_t bits, std::size_t k, RandomSource& rng) noexcept {
  std::uint8_t buf[kMaxBytes];
  if (rng.fill(std::span<std::uint8_t>(buf, k)) != Status::ok) return Status::rng_failure;
  const unsigned top = static_cast<unsigned>(bits - 1 - 8 * (k - 1));  // usable bits of byte 0
  buf[0] &= static_cast<std::uint8_t>((1u << top) - 1);
  bignum::from_be(r, nl, std::span<const std::uint8_t>(buf, k));
  r[0] |= 1;
  wipe(buf, sizeof(buf));
  return Status::ok;
}
}  // namespace

// A = Mont(r^e), B = Mont(r^-1) for a fresh r; r^-1 by Fermat in each CRT
// half (r^(p-2) mod p, r^(q-2) mod q). Called with blind_lock_ held.
Status PrivateKey::refresh_blinding(RandomSource& rng) const noexcept {
  const bignum::Modulus& N = pub_.mod();
  const std::size_t nl = N.n;
  struct Scratch {
    Limb r[kMaxLimbs], rp[kMaxLimbs], rq[kMaxLimbs], xp[kMaxLimbs], xq[2 * kMaxLimbs + 1];
    Limb prod[2 * kMaxLimbs + 1];
  } s;
  WipeOnExit<Scratch> guard(s);
  blind_ready_ = false;
  Status st = random_below(s.r, nl, bits(), size_bytes(), rng);
  if (st != Status::ok) return st;
  bignum::modexp_public(blind_a_, s.r, pub_.exponent(), N);
  bignum::to_mont(blind_a_, blind_a_, N);
  bignum::reduce_to_mont(s.rp, s.r, nl, p_);
  bignum::reduce_to_mont(s.rq, s.r, nl, q_);
  bignum::pow2_secret_pair(s.xp, s.rp, pm2_, nullptr, nullptr, p_, s.xq, s.rq, qm2_, nullptr, nullptr, q_);
  garner(s.prod, s.xp, s.xq);
  bignum::to_mont(blind_b_, s.prod, N);
  blind_uses_ = 0;
  blind_ready_ = true;
  return Status::ok;
}

Status PrivateKey::private_op(std::span<std::uint8_t> out, std::span<const std::uint8_t> m,
                              RandomSource& rng) const noexcept {
  if (!valid()) return Status::bad_key;
  const bignum::Modulus& N = pub_.mod();
  const std::size_t k = size_bytes(), nl = N.n;
  if (m.size() != k || out.size() != k) return Status::bad_length;
  struct Scratch {
    Limb c[kMaxLimbs], r[kMaxLimbs], re[kMaxLimbs], cb[kMaxLimbs], a[kMaxLimbs], b[kMaxLimbs];
    Limb cp[kMaxLimbs], rp[kMaxLimbs], cq[kMaxLimbs], rq[kMaxLimbs], xp[kMaxLimbs], t[kMaxLimbs];
    Limb xq[2 * kMaxLimbs + 1];
    Limb prod[2 * kMaxLimbs + 1];
  } s;
  WipeOnExit<Scratch> guard(s);
  if (!bignum::from_be(s.c, nl, m) || !bignum::lt_mask(s.c, N.m, nl)) return Status::bad_length;
  // Take the stored blinding pair if no other thread holds it.
  bool pair = false;
  if (!blind_lock_.test_and_set(std::memory_order_acquire)) {
    Status st = Status::ok;
    if (!blind_ready_ || blind_uses_ >= kBlindingUses) {
      st = refresh_blinding(rng);
    } else {
      bignum::mont_mul(blind_a_, blind_a_, blind_a_, N);  // (r^2)^e
      bignum::mont_mul(blind_b_, blind_b_, blind_b_, N);  // (r^2)^-1
    }
    if (st == Status::ok) {
      for (std::size_t i = 0; i < nl; ++i) {
        s.a[i] = blind_a_[i];
        s.b[i] = blind_b_[i];
      }
      ++blind_uses_;
      pair = true;
    }
    blind_lock_.clear(std::memory_order_release);
    if (st != Status::ok) return st;
  }
  if (pair) {
    // c' = c * A; x = c'^d = m^d * r; result = x * B.
    bignum::mont_mul(s.cb, s.c, s.a, N);
    bignum::reduce_to_mont(s.cp, s.cb, nl, p_);
    bignum::reduce_to_mont(s.cq, s.cb, nl, q_);
    bignum::pow2_secret_pair(s.xp, s.cp, dp_, nullptr, nullptr, p_, s.xq, s.cq, dq_, nullptr, nullptr, q_);
    garner(s.prod, s.xp, s.xq);
    bignum::mont_mul(s.t, s.prod, s.b, N);
    for (std::size_t i = 0; i < nl; ++i) s.prod[i] = s.t[i];
  } else {
    // Fresh r: c' = c * r^e; per prime x = c'^dp * r^(p-2) = c^dp (mod p),
    // the unblinding folded into the exponentiation.
    Status st = random_below(s.r, nl, bits(), k, rng);
    if (st != Status::ok) return st;
    bignum::modexp_public(s.re, s.r, pub_.exponent(), N);  // r^e (plain)
    bignum::to_mont(s.cb, s.c, N);
    bignum::mont_mul(s.cb, s.cb, s.re, N);  // c * r^e (plain)
    bignum::reduce_to_mont(s.cp, s.cb, nl, p_);
    bignum::reduce_to_mont(s.rp, s.r, nl, p_);
    bignum::reduce_to_mont(s.cq, s.cb, nl, q_);
    bignum::reduce_to_mont(s.rq, s.r, nl, q_);
    bignum::pow2_secret_pair(s.xp, s.cp, dp_, s.rp, pm2_, p_, s.xq, s.cq, dq_, s.rq, qm2_, q_);
    garner(s.prod, s.xp, s.xq);
  }
  // Fault check: the result raised to e must give the input back.
  const std::size_t total = p_.n + q_.n;
  bignum::modexp_public(s.t, s.prod, pub_.exponent(), N);
  Limb diff = 0;
  for (std::size_t i = 0; i < nl; ++i) diff |= s.t[i] ^ s.c[i];
  for (std::size_t i = nl; i < total + 1; ++i) diff |= s.prod[i];
  diff = ct::value_barrier(diff);
  TERN_RSA_DECLASSIFY(&diff, sizeof diff);
  if (diff != 0) return Status::internal_error;
  bignum::to_be(out, s.prod, nl);
  return Status::ok;
}

Status sign_pss(const PrivateKey& key, HashId hash, std::span<const std::uint8_t> digest, std::size_t salt_len,
                RandomSource& rng, std::span<std::uint8_t> sig_out) noexcept {
  if (!key.valid()) return Status::bad_key;
  if (!known_hash(hash)) return Status::unsupported;
  const std::size_t h_len = sha2::digest_size(hash);
  if (digest.size() != h_len) return Status::bad_length;
  const std::size_t k = key.size_bytes(), em_bits = key.bits() - 1, em_len = (em_bits + 7) / 8;
  if (sig_out.size() < k) return Status::buffer_too_small;
  if (em_len < h_len + 2 || salt_len > em_len - h_len - 2) return Status::bad_length;
  std::uint8_t buf[kMaxBytes], salt[kMaxBytes];
  WipeOnExit<std::uint8_t[kMaxBytes]> g1(buf);
  if (salt_len != 0 && rng.fill(std::span<std::uint8_t>(salt, salt_len)) != Status::ok) return Status::rng_failure;
  std::memset(buf, 0, k);
  std::uint8_t* em = buf + (k - em_len);
  const std::size_t db_len = em_len - h_len - 1;
  std::uint8_t* h = em + db_len;
  pss_hash(std::span<std::uint8_t>(h, h_len), hash, digest, std::span<const std::uint8_t>(salt, salt_len));
  em[db_len - salt_len - 1] = 0x01;
  std::memcpy(em + db_len - salt_len, salt, salt_len);
  mgf1_xor(std::span<std::uint8_t>(em, db_len), hash, std::span<const std::uint8_t>(h, h_len));
  const unsigned top_bits = static_cast<unsigned>(8 * em_len - em_bits);
  em[0] &= static_cast<std::uint8_t>(0xff >> top_bits);
  em[em_len - 1] = 0xbc;
  return key.private_op(sig_out.first(k), std::span<const std::uint8_t>(buf, k), rng);
}

Status sign_pkcs1v15(const PrivateKey& key, HashId hash, std::span<const std::uint8_t> digest, RandomSource& rng,
                     std::span<std::uint8_t> sig_out) noexcept {
  if (!key.valid()) return Status::bad_key;
  const std::size_t k = key.size_bytes();
  if (sig_out.size() < k) return Status::buffer_too_small;
  std::uint8_t em[kMaxBytes];
  Status s = encode_pkcs1v15(std::span<std::uint8_t>(em, k), hash, digest);
  if (s == Status::bad_key) return Status::bad_length;
  if (s != Status::ok) return s;
  return key.private_op(sig_out.first(k), std::span<const std::uint8_t>(em, k), rng);
}

}  // namespace tern::rsa
