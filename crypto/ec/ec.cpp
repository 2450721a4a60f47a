// ECDSA / ECDH on P-256 and P-384: encodings, range checks, RFC 6979 nonces
// and kernel dispatch. The arithmetic is in the kernels (ec_impl.hpp).
#include "crypto/ec/ec.hpp"

#include "crypto/ec/ec_consts.hpp"
#include "crypto/ec/ec_kernel.hpp"
#include "crypto/hmac/hmac.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/ct.hpp"
#include "crypto/internal/der.hpp"
#include "crypto/internal/wipe.hpp"
#include "crypto/sha2/sha2.hpp"

// Verdicts that are public by design (a private key is in range, a nonce
// candidate was rejected, the released signature or shared secret) are
// declassified for valgrind's memcheck so the constant-time check
// (tests/ct/ct_ec.cpp) follows the secrets up to, and not past, them. The
// client request is a few no-op instructions outside valgrind.
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define TERN_EC_DECLASSIFY(p, n) (void)VALGRIND_MAKE_MEM_DEFINED((p), (n))
#else
#define TERN_EC_DECLASSIFY(p, n) ((void)0)
#endif

namespace tern::ec {

using internal::EcKernel;
using u64 = std::uint64_t;

namespace {

const EcKernel<4> kP256Kernels[] = {
#if TERN_SIMD && defined(__x86_64__)
    internal::kP256Adx,
#endif
    internal::kP256Portable,
};
#ifndef TERN_NO_P384
const EcKernel<6> kP384Kernels[] = {
#if TERN_SIMD && defined(__x86_64__)
    internal::kP384Adx,
#endif
    internal::kP384Portable,
};
#else
// -Dp384=disabled: no P-384 arithmetic is linked; every P-384 call returns
// Status::unsupported before reaching a kernel. p384_kernels() stays (tools
// and benchmarks reset it) and lists this one entry without functions.
const EcKernel<6> kP384Kernels[] = {{"none", 0, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}};
#endif
tern::internal::Dispatch<EcKernel<4>> g_p256{kP256Kernels};
tern::internal::Dispatch<EcKernel<6>> g_p384{kP384Kernels};

// ---- plain multi-limb helpers (constant time) --------------------------------
// (addc and the curves' hash serve signing only: unused with TERN_NO_P256_PRIVATE.)
[[maybe_unused]] inline u64 addc(u64 a, u64 b, u64 cin, u64& cout) {
  u64 s = a + b + cin;
  cout = ((a & b) | ((a | b) & ~s)) >> 63;
  return s;
}
inline u64 subb(u64 a, u64 b, u64 bin, u64& bout) {
  u64 d = a - b - bin;
  bout = ((~a & b) | ((~a | b) & d)) >> 63;
  return d;
}

template <std::size_t N>
void load(u64* r, const std::uint8_t* p) {
  for (std::size_t i = 0; i < N; ++i) r[i] = load_be64(p + 8 * (N - 1 - i));
}
template <std::size_t N>
void store(std::uint8_t* p, const u64* a) {
  for (std::size_t i = 0; i < N; ++i) store_be64(p + 8 * (N - 1 - i), a[i]);
}
// All-ones when a < m.
template <std::size_t N>
u64 lt_mask(const u64* a, const u64* m) {
  u64 bo = 0;
  for (std::size_t i = 0; i < N; ++i) subb(a[i], m[i], bo, bo);
  return 0 - bo;
}
template <std::size_t N>
u64 zero_mask(const u64* a) {
  u64 acc = 0;
  for (std::size_t i = 0; i < N; ++i) acc |= a[i];
  return ct::mask_zero(acc);
}
// a := a mod m for a < 2m.
template <std::size_t N>
void reduce_once(u64* a, const u64* m) {
  u64 t[N], bo = 0;
  for (std::size_t i = 0; i < N; ++i) t[i] = subb(a[i], m[i], bo, bo);
  u64 keep = 0 - bo;
  for (std::size_t i = 0; i < N; ++i) a[i] = (a[i] & keep) | (t[i] & ~keep);
}
// r = a + b mod m, a, b < m.
template <std::size_t N>
void add_mod(u64* r, const u64* a, const u64* b, const u64* m) {
  u64 t[N], s[N], c = 0, bo = 0;
  for (std::size_t i = 0; i < N; ++i) t[i] = addc(a[i], b[i], c, c);
  for (std::size_t i = 0; i < N; ++i) s[i] = subb(t[i], m[i], bo, bo);
  subb(c, 0, bo, bo);
  u64 keep = 0 - bo;
  for (std::size_t i = 0; i < N; ++i) r[i] = (t[i] & keep) | (s[i] & ~keep);
}

// ---- per-curve description -------------------------------------------------------
template <std::size_t N>
struct Traits;
template <>
struct Traits<4> {
  static constexpr const internal::CurveConsts<4>& c = internal::kP256Consts;
  [[maybe_unused]] static constexpr sha2::HashId hash = sha2::HashId::sha256;
  static const EcKernel<4>& kernel() { return g_p256.get(); }
};
#ifndef TERN_NO_P384
template <>
struct Traits<6> {
  static constexpr const internal::CurveConsts<6>& c = internal::kP384Consts;
  static constexpr sha2::HashId hash = sha2::HashId::sha384;
  static const EcKernel<6>& kernel() { return g_p384.get(); }
};
#endif

// bits2int(digest) mod n (SEC 1 4.1.3 step 5; the order's bit length is a
// multiple of 8 for both curves, so this is a byte truncation).
template <std::size_t N>
void digest_to_scalar(u64* e, std::span<const std::uint8_t> digest) {
  constexpr std::size_t len = 8 * N;
  std::uint8_t buf[len] = {0};
  std::size_t take = digest.size() < len ? digest.size() : len;
  for (std::size_t i = 0; i < take; ++i) buf[len - take + i] = digest[i];
  load<N>(e, buf);
  reduce_once<N>(e, Traits<N>::c.n);
}

// A private scalar from bytes; ok only when 1 <= d < n.
template <std::size_t N>
bool load_private(u64* d, std::span<const std::uint8_t> priv) {
  if (priv.size() != 8 * N) return false;
  load<N>(d, priv.data());
  u64 ok = lt_mask<N>(d, Traits<N>::c.n) & ~zero_mask<N>(d);
  TERN_EC_DECLASSIFY(&ok, sizeof ok);  // validity is public
  return ct::value_barrier(ok) != 0;
}

// Decodes and validates a SEC 1 point; plain coordinates out.
template <std::size_t N>
Status decode_point(u64* x, u64* y, std::span<const std::uint8_t> pub) {
  constexpr std::size_t fs = 8 * N;
  const auto& k = Traits<N>::kernel();
  if (pub.size() == 1 + 2 * fs && pub[0] == 0x04) {
    load<N>(x, pub.data() + 1);
    load<N>(y, pub.data() + 1 + fs);
    if (!lt_mask<N>(x, Traits<N>::c.p) || !lt_mask<N>(y, Traits<N>::c.p)) return Status::bad_point;
    if (!k.on_curve(x, y)) return Status::bad_point;
    return Status::ok;
  }
#ifndef TERN_SMALL
  // (TERN_SMALL builds do not decode compressed points: bad_point, as for
  // any point they cannot use.)
  if (pub.size() == 1 + fs && (pub[0] == 0x02 || pub[0] == 0x03)) {
    load<N>(x, pub.data() + 1);
    if (!lt_mask<N>(x, Traits<N>::c.p)) return Status::bad_point;
    if (!k.decompress(y, x, pub[0] & 1u)) return Status::bad_point;
    return Status::ok;
  }
#endif
  return Status::bad_point;
}

// ---- the RFC 6979 HMAC-DRBG (over crypto/hmac) -------------------------------------
class Hmac {
 public:
  Hmac(sha2::HashId id, std::span<const std::uint8_t> key) noexcept : h_(id, key) {}
  void update(std::span<const std::uint8_t> d) noexcept { h_.update(d); }
  void final(std::uint8_t* out) noexcept { h_.final({out, h_.size()}); }

 private:
  HmacAny h_;
};

template <std::size_t N>
class Rfc6979 {
 public:
  static constexpr std::size_t len = 8 * N;
  // x: private key bytes; h1: bits2octets(digest); extra: optional data.
  Rfc6979(sha2::HashId id, const std::uint8_t* x, const std::uint8_t* h1, std::span<const std::uint8_t> extra) noexcept
      : id_(id), hlen_(sha2::digest_size(id)) {
    for (std::size_t i = 0; i < hlen_; ++i) v_[i] = 0x01, k_[i] = 0x00;
    for (std::uint8_t b = 0; b < 2; ++b) {
      Hmac h(id_, {k_, hlen_});
      h.update({v_, hlen_});
      h.update({&b, 1});
      h.update({x, len});
      h.update({h1, len});
      h.update(extra);
      h.final(k_);
      Hmac h2(id_, {k_, hlen_});
      h2.update({v_, hlen_});
      h2.final(v_);
    }
  }
  ~Rfc6979() {
    wipe(k_, sizeof(k_));
    wipe(v_, sizeof(v_));
  }
  // The next candidate: bits2int(T) with T at least qlen bits.
  void next(u64* out) noexcept {
    if (used_) {
      std::uint8_t zero = 0;
      Hmac h(id_, {k_, hlen_});
      h.update({v_, hlen_});
      h.update({&zero, 1});
      h.final(k_);
      Hmac h2(id_, {k_, hlen_});
      h2.update({v_, hlen_});
      h2.final(v_);
    }
    used_ = true;
    std::uint8_t t[len + sha2::max_digest_size];
    std::size_t tlen = 0;
    while (tlen < len) {
      Hmac h(id_, {k_, hlen_});
      h.update({v_, hlen_});
      h.final(v_);
      for (std::size_t i = 0; i < hlen_; ++i) t[tlen + i] = v_[i];
      tlen += hlen_;
    }
    load<N>(out, t);  // leftmost qlen bits (qlen is a multiple of 8)
    wipe(t, sizeof(t));
  }

 private:
  sha2::HashId id_;
  std::size_t hlen_;
  std::uint8_t k_[sha2::max_digest_size];
  std::uint8_t v_[sha2::max_digest_size];
  bool used_ = false;
};

// ---- operations --------------------------------------------------------------
template <std::size_t N>
Status sign_impl(std::span<std::uint8_t> out, std::span<const std::uint8_t> priv,
                 std::span<const std::uint8_t> digest, RandomSource* extra_entropy) {
  constexpr std::size_t len = 8 * N;
  const auto& C = Traits<N>::c;
  if (out.size() != 2 * len) return Status::bad_length;
  struct Secrets {
    u64 d[N], e[N], k[N], kinv[N], t[N], s[N], x[N], y[N];
    std::uint8_t h1[len], extra[len];
  } s;
  WipeOnExit<Secrets> guard(s);
  if (!load_private<N>(s.d, priv)) return Status::bad_key;
  digest_to_scalar<N>(s.e, digest);
  store<N>(s.h1, s.e);
  std::span<const std::uint8_t> extra;
  if (extra_entropy != nullptr) {
    if (extra_entropy->fill({s.extra, len}) != Status::ok) return Status::rng_failure;
    extra = {s.extra, len};
  }
  sha2::HashId id = digest.size() == 32   ? sha2::HashId::sha256
                    : digest.size() == 48 ? sha2::HashId::sha384
                    : digest.size() == 64 ? sha2::HashId::sha512
                                          : Traits<N>::hash;
  Rfc6979<N> drbg(id, priv.data(), s.h1, extra);
  const auto& K = Traits<N>::kernel();
  for (int attempt = 0; attempt < 64; ++attempt) {
    drbg.next(s.k);
    u64 ok = lt_mask<N>(s.k, C.n) & ~zero_mask<N>(s.k);
    TERN_EC_DECLASSIFY(&ok, sizeof ok);  // a rejected candidate (p < 2^-32) is public
    if (ct::value_barrier(ok) == 0) continue;
    K.base_mult(s.x, s.y, s.k);
    reduce_once<N>(s.x, C.n);  // r = x mod n (x < p < 2n); r is published
    TERN_EC_DECLASSIFY(s.x, sizeof s.x);
    if (ct::value_barrier(zero_mask<N>(s.x)) != 0) continue;
    K.n_inv(s.kinv, s.k);
    K.n_mul(s.t, s.x, s.d);
    add_mod<N>(s.t, s.t, s.e, C.n);
    K.n_mul(s.s, s.kinv, s.t);
    TERN_EC_DECLASSIFY(s.s, sizeof s.s);  // s is published
    if (ct::value_barrier(zero_mask<N>(s.s)) != 0) continue;
    store<N>(out.data(), s.x);
    store<N>(out.data() + len, s.s);
    return Status::ok;
  }
  return Status::internal_error;
}

// r, s from raw bytes; bad_signature unless 1 <= r, s < n.
template <std::size_t N>
Status load_rs(u64* r, u64* s, std::span<const std::uint8_t> sig) {
  constexpr std::size_t len = 8 * N;
  if (sig.size() != 2 * len) return Status::bad_signature;
  load<N>(r, sig.data());
  load<N>(s, sig.data() + len);
  const auto& C = Traits<N>::c;
  if (!lt_mask<N>(r, C.n) || zero_mask<N>(r) || !lt_mask<N>(s, C.n) || zero_mask<N>(s))
    return Status::bad_signature;
  return Status::ok;
}

// A DER ECDSA-Sig-Value into r||s (2 * 8N bytes, zero-padded), no range
// check: bad_encoding for malformed DER, bad_signature for too long an
// INTEGER.
template <std::size_t N>
Status der_parse(std::uint8_t* raw, std::span<const std::uint8_t> der_sig) {
  constexpr std::size_t len = 8 * N;
  der::Reader rd(der_sig), seq(der_sig);
  std::span<const std::uint8_t> r, s;
  if (!rd.enter(der::kSequence, seq) || !rd.finish()) return Status::bad_encoding;
  if (!seq.read_unsigned(r) || !seq.read_unsigned(s) || !seq.finish()) return Status::bad_encoding;
  if (r.size() > len || s.size() > len) return Status::bad_signature;
  for (std::size_t i = 0; i < 2 * len; ++i) raw[i] = 0;
  for (std::size_t i = 0; i < r.size(); ++i) raw[len - r.size() + i] = r[i];
  for (std::size_t i = 0; i < s.size(); ++i) raw[2 * len - s.size() + i] = s[i];
  return Status::ok;
}

// `der`: sig is DER, and every signature error (encoding, range) is
// answered before the key is looked at, as sig_der_to_raw + ecdsa_verify
// would; raw signatures are checked after the key.
template <std::size_t N>
Status verify_impl(std::span<const std::uint8_t> pub, std::span<const std::uint8_t> digest,
                   std::span<const std::uint8_t> sig, bool der = false) {
  u64 qx[N], qy[N], r[N], s[N], e[N], w[N], u1[N], u2[N];
  std::uint8_t raw[16 * N];
  if (der) {
    if (der_parse<N>(raw, sig) != Status::ok) return Status::bad_signature;
    sig = {raw, sizeof raw};
  }
  const Status st_sig = load_rs<N>(r, s, sig);
  if (der && st_sig != Status::ok) return st_sig;
  Status st = decode_point<N>(qx, qy, pub);
  if (st != Status::ok) return st;
  if (st_sig != Status::ok) return st_sig;
  digest_to_scalar<N>(e, digest);
  const auto& K = Traits<N>::kernel();
  K.n_inv(w, s);
  K.n_mul(u1, e, w);
  K.n_mul(u2, r, w);
  return K.verify(u1, u2, qx, qy, r) ? Status::ok : Status::bad_signature;
}

template <std::size_t N>
Status ecdh_impl(std::span<std::uint8_t> out, std::span<const std::uint8_t> priv, std::span<const std::uint8_t> peer) {
  if (out.size() != 8 * N) return Status::bad_length;
  struct Secrets {
    u64 d[N], x[N], y[N];
  } s;
  WipeOnExit<Secrets> guard(s);
  u64 qx[N], qy[N];
  Status st = decode_point<N>(qx, qy, peer);
  if (st != Status::ok) return st;
  if (!load_private<N>(s.d, priv)) return Status::bad_key;
  bool finite = Traits<N>::kernel().point_mult(s.x, s.y, qx, qy, s.d);
  TERN_EC_DECLASSIFY(&finite, sizeof finite);  // infinity only for invalid peers
  if (!finite) return Status::bad_point;
  store<N>(out.data(), s.x);
  return Status::ok;
}

template <std::size_t N>
Status pub_from_priv_impl(std::span<std::uint8_t> pub, std::span<const std::uint8_t> priv) {
  if (pub.size() != 1 + 16 * N) return Status::bad_length;
  struct Secrets {
    u64 d[N];
  } s;
  WipeOnExit<Secrets> guard(s);
  if (!load_private<N>(s.d, priv)) return Status::bad_key;
  u64 x[N], y[N];
  Traits<N>::kernel().base_mult(x, y, s.d);
  pub[0] = 0x04;
  store<N>(pub.data() + 1, x);
  store<N>(pub.data() + 1 + 8 * N, y);
  return Status::ok;
}

template <std::size_t N>
Status generate_impl(std::span<std::uint8_t> priv, std::span<std::uint8_t> pub, RandomSource& rng) {
  if (priv.size() != 8 * N || pub.size() != 1 + 16 * N) return Status::bad_length;
  u64 d[N];
  WipeOnExit<u64[N]> guard(d);
  for (int attempt = 0; attempt < 64; ++attempt) {
    if (rng.fill(priv) != Status::ok) {
      wipe(priv);
      return Status::rng_failure;
    }
    if (!load_private<N>(d, priv)) continue;  // rejection sampling; P(reject) < 2^-32
    return pub_from_priv_impl<N>(pub, priv);
  }
  wipe(priv);
  return Status::rng_failure;
}

template <std::size_t N>
Status decode_impl(std::span<std::uint8_t> out, std::span<const std::uint8_t> pub) {
  u64 x[N], y[N];
  Status st = decode_point<N>(x, y, pub);
  if (st != Status::ok) return st;
  if (out.size() != 1 + 16 * N) return Status::bad_length;
  out[0] = 0x04;
  store<N>(out.data() + 1, x);
  store<N>(out.data() + 1 + 8 * N, y);
  return Status::ok;
}

template <std::size_t N>
Status der_to_raw_impl(std::span<std::uint8_t> raw, std::span<const std::uint8_t> der_sig) {
  constexpr std::size_t len = 8 * N;
  if (raw.size() != 2 * len) return Status::bad_length;
  Status st = der_parse<N>(raw.data(), der_sig);
  if (st != Status::ok) return st;
  u64 rr[N], ss[N];
  return load_rs<N>(rr, ss, raw);
}

template <std::size_t N>
Status raw_to_der_impl(std::span<std::uint8_t> out, std::size_t& out_len, std::span<const std::uint8_t> raw) {
  constexpr std::size_t len = 8 * N;
  out_len = 0;
  if (raw.size() != 2 * len) return Status::bad_length;
  der::Writer w(out);
  std::size_t mark = w.begin(der::kSequence);
  w.unsigned_integer(raw.first(len));
  w.unsigned_integer(raw.subspan(len));
  w.end(mark);
  if (!w.ok()) return Status::buffer_too_small;
  out_len = w.size();
  return Status::ok;
}

}  // namespace

// The P-256 instance of an operation, or the P-384 one (unsupported when
// P-384 is left out of the build).
#ifndef TERN_NO_P384
#define TERN_EC_CALL(fn, ...) (curve == Curve::p256 ? fn<4>(__VA_ARGS__) : fn<6>(__VA_ARGS__))
#else
#define TERN_EC_CALL(fn, ...) (curve == Curve::p256 ? fn<4>(__VA_ARGS__) : Status::unsupported)
#endif

// Operations with a private key: with -Dp256_private=disabled
// (TERN_NO_P256_PRIVATE) P-256 answers Status::unsupported and only its
// verification code is linked.
#ifndef TERN_NO_P256_PRIVATE
#define TERN_EC_CALL_PRIVATE(fn, ...) TERN_EC_CALL(fn, __VA_ARGS__)
#elif !defined(TERN_NO_P384)
#define TERN_EC_CALL_PRIVATE(fn, ...) (curve == Curve::p256 ? Status::unsupported : fn<6>(__VA_ARGS__))
#else
#define TERN_EC_CALL_PRIVATE(fn, ...) ((void)curve, (void)sizeof(fn<4>(__VA_ARGS__)), Status::unsupported)
#endif

KernelSet& p256_kernels() noexcept {
  static tern::internal::KernelSetOf<EcKernel<4>> s{g_p256};
  return s;
}
KernelSet& p384_kernels() noexcept {
  static tern::internal::KernelSetOf<EcKernel<6>> s{g_p384};
  return s;
}

Status ecdsa_verify(Curve curve, std::span<const std::uint8_t> public_key, std::span<const std::uint8_t> digest,
                    std::span<const std::uint8_t> sig_raw) noexcept {
  return TERN_EC_CALL(verify_impl, public_key, digest, sig_raw);
}

Status ecdsa_verify_der(Curve curve, std::span<const std::uint8_t> public_key, std::span<const std::uint8_t> digest,
                        std::span<const std::uint8_t> sig_der) noexcept {
  return TERN_EC_CALL(verify_impl, public_key, digest, sig_der, true);
}

Status ecdsa_sign(Curve curve, std::span<std::uint8_t> sig_raw_out, std::span<const std::uint8_t> private_key,
                  std::span<const std::uint8_t> digest, RandomSource* extra_entropy) noexcept {
  return TERN_EC_CALL_PRIVATE(sign_impl, sig_raw_out, private_key, digest, extra_entropy);
}

Status ecdsa_sign_der(Curve curve, std::span<std::uint8_t> out, std::size_t& out_len,
                      std::span<const std::uint8_t> private_key, std::span<const std::uint8_t> digest,
                      RandomSource* extra_entropy) noexcept {
  out_len = 0;
  std::uint8_t raw[max_raw_signature_size];
  std::span<std::uint8_t> r{raw, raw_signature_size(curve)};
  Status st = ecdsa_sign(curve, r, private_key, digest, extra_entropy);
  if (st != Status::ok) return st;
  return sig_raw_to_der(curve, out, out_len, r);
}

Status sig_raw_to_der(Curve curve, std::span<std::uint8_t> out, std::size_t& out_len,
                      std::span<const std::uint8_t> sig_raw) noexcept {
  return TERN_EC_CALL(raw_to_der_impl, out, out_len, sig_raw);
}

Status sig_der_to_raw(Curve curve, std::span<std::uint8_t> raw_out, std::span<const std::uint8_t> sig_der) noexcept {
  return TERN_EC_CALL(der_to_raw_impl, raw_out, sig_der);
}

Status ecdh(Curve curve, std::span<std::uint8_t> shared_x_out, std::span<const std::uint8_t> private_key,
            std::span<const std::uint8_t> peer_public) noexcept {
  return TERN_EC_CALL_PRIVATE(ecdh_impl, shared_x_out, private_key, peer_public);
}

Status generate_key(Curve curve, std::span<std::uint8_t> priv_out, std::span<std::uint8_t> pub_out_uncompressed,
                    RandomSource& rng) noexcept {
  return TERN_EC_CALL_PRIVATE(generate_impl, priv_out, pub_out_uncompressed, rng);
}

Status public_key_from_private(Curve curve, std::span<std::uint8_t> pub_out_uncompressed,
                               std::span<const std::uint8_t> private_key) noexcept {
  return TERN_EC_CALL_PRIVATE(pub_from_priv_impl, pub_out_uncompressed, private_key);
}

Status validate_public_key(Curve curve, std::span<const std::uint8_t> pub) noexcept {
  u64 x[6], y[6];
  return TERN_EC_CALL(decode_point, x, y, pub);
}

Status decode_public_key(Curve curve, std::span<std::uint8_t> pub_out_uncompressed,
                         std::span<const std::uint8_t> pub) noexcept {
  return TERN_EC_CALL(decode_impl, pub_out_uncompressed, pub);
}

}  // namespace tern::ec
