#include "x509/gen/gen.hpp"

#include "crypto/internal/der.hpp"
#include "crypto/internal/random.hpp"
#include "crypto/internal/wipe.hpp"
#include "crypto/sha2/sha2.hpp"
#include "x509/path/verify.hpp"
#include "x509/pem/pem.hpp"

#if TERN_X509_HAVE_ED25519
#include "crypto/curve25519/curve25519.hpp"
#endif
#if TERN_X509_HAVE_EC
#include "crypto/ec/ec.hpp"
#endif
#if TERN_X509_HAVE_RSA
#include <memory>

#include "crypto/rsa/rsa.hpp"
#endif

namespace tern::x509::gen {
namespace {

using Buf = std::vector<std::uint8_t>;

Buf tlv(std::uint32_t tag, const Buf& content) {
  Buf out(content.size() + 10);
  der::Writer w(out);
  w.element(tag, content);
  out.resize(w.size());
  return out;
}

Buf cat(std::initializer_list<const Buf*> parts) {
  Buf out;
  for (const Buf* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

Buf seq(std::initializer_list<const Buf*> parts) { return tlv(der::kSequence, cat(parts)); }

Buf uint_der(Bytes magnitude) {
  Buf out(magnitude.size() + 8);
  der::Writer w(out);
  w.unsigned_integer(magnitude);
  out.resize(w.size());
  return out;
}

Buf small_int(std::uint64_t v) {
  Buf out(16);
  der::Writer w(out);
  w.uint64(v);
  out.resize(w.size());
  return out;
}

Buf str(std::string_view s) { return Buf(s.begin(), s.end()); }

const Buf kOidEd25519 = {0x2b, 0x65, 0x70};
const Buf kOidEcPublicKey = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
const Buf kOidP256 = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
const Buf kOidP384 = {0x2b, 0x81, 0x04, 0x00, 0x22};
const Buf kOidEcdsaSha256 = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
const Buf kOidEcdsaSha384 = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
const Buf kOidRsaEncryption = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
const Buf kOidSha256WithRsa = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
const Buf kNull = {0x05, 0x00};

Buf oid(const Buf& o) { return tlv(der::kOid, o); }

Buf key_algorithm(KeyAlg a) {
  if (is_rsa(a)) {
    const Buf o = oid(kOidRsaEncryption);
    return seq({&o, &kNull});
  }
  if (a == KeyAlg::ed25519) {
    const Buf o = oid(kOidEd25519);
    return seq({&o});
  }
  const Buf o1 = oid(kOidEcPublicKey), o2 = oid(a == KeyAlg::p256 ? kOidP256 : kOidP384);
  return seq({&o1, &o2});
}

Buf bit_string(Bytes bytes) {
  Buf v(1, 0);
  v.insert(v.end(), bytes.begin(), bytes.end());
  return tlv(der::kBitString, v);
}

Buf extension(const Buf& ext_oid, bool critical, const Buf& value) {
  const Buf o = oid(ext_oid), crit = {0x01, 0x01, 0xff}, v = tlv(der::kOctetString, value);
  return critical ? seq({&o, &crit, &v}) : seq({&o, &v});
}

Buf time_der(Time t) {
  const std::string s = format_time(t);  // "YYYY-MM-DD HH:MM:SS UTC"
  const int year = std::stoi(s.substr(0, 4));
  std::string digits = s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2) + s.substr(11, 2) + s.substr(14, 2) +
                       s.substr(17, 2) + "Z";
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  if (year >= 1950 && year <= 2049) return tlv(der::kUtcTime, str(digits.substr(2)));
  return tlv(der::kGeneralizedTime, str(digits));
}

Buf key_id(Bytes spki_der) {
  PublicKeyInfo info;
  Buf id(32);
  if (parse_public_key_info(spki_der, info) != Status::ok) return {};
  sha2::Sha256::hash(std::span<std::uint8_t, 32>(id.data(), 32), info.key);
  id.resize(20);
  return id;
}

Buf bits_value(std::uint32_t bits, unsigned nbits) {
  // Named BIT STRING, DER: trailing zero bits removed.
  unsigned used = 0;
  for (unsigned i = 0; i < nbits; ++i)
    if (bits & (1u << i)) used = i + 1;
  const unsigned bytes = (used + 7) / 8;
  Buf v(1 + bytes, 0);
  for (unsigned i = 0; i < used; ++i)
    if (bits & (1u << i)) v[1 + i / 8] |= static_cast<std::uint8_t>(0x80u >> (i % 8));
  v[0] = static_cast<std::uint8_t>(bytes * 8 - used);
  return tlv(der::kBitString, v);
}

bool ip_range(const std::string& text, Buf& out) {
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  std::vector<std::uint8_t> addr;
  if (!parse_ip(text.substr(0, slash), addr)) return false;
  int prefix = -1;
  const std::string p = text.substr(slash + 1);
  if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos) return false;
  prefix = std::stoi(p);
  if (prefix > static_cast<int>(addr.size() * 8)) return false;
  Buf mask(addr.size(), 0);
  for (int i = 0; i < prefix; ++i) mask[static_cast<std::size_t>(i / 8)] |= static_cast<std::uint8_t>(0x80u >> (i % 8));
  out = addr;
  for (std::size_t i = 0; i < addr.size(); ++i) out[i] &= mask[i];
  out.insert(out.end(), mask.begin(), mask.end());
  return true;
}

Status subtrees(const std::vector<std::string>& dns, const std::vector<std::string>& ips, Buf& out) {
  Buf all;
  for (const auto& d : dns) {
    const Buf g = tlv(der::context(2, false), str(d));
    const Buf s = seq({&g});
    all.insert(all.end(), s.begin(), s.end());
  }
  for (const auto& i : ips) {
    Buf r;
    if (!ip_range(i, r)) return Status::bad_encoding;
    const Buf g = tlv(der::context(7, false), r);
    const Buf s = seq({&g});
    all.insert(all.end(), s.begin(), s.end());
  }
  out = all;
  return Status::ok;
}

Status sign_with_key(void* ctx, Bytes tbs, std::vector<std::uint8_t>& sig) {
  return sign(*static_cast<const PrivateKey*>(ctx), tbs, sig);
}

}  // namespace

const char* to_string(KeyAlg a) noexcept {
  switch (a) {
    case KeyAlg::ed25519: return "ed25519";
    case KeyAlg::p256: return "p256";
    case KeyAlg::p384: return "p384";
    case KeyAlg::rsa2048: return "rsa2048";
    case KeyAlg::rsa3072: return "rsa3072";
    case KeyAlg::rsa4096: return "rsa4096";
  }
  return "unknown";
}

bool is_rsa(KeyAlg a) noexcept { return a == KeyAlg::rsa2048 || a == KeyAlg::rsa3072 || a == KeyAlg::rsa4096; }

bool supported(KeyAlg a) noexcept {
  if (a == KeyAlg::ed25519) return TERN_X509_HAVE_ED25519 != 0;
  if (is_rsa(a)) return TERN_X509_HAVE_RSA != 0;
  return TERN_X509_HAVE_EC != 0;
}

PrivateKey::~PrivateKey() {
  if (!secret_.empty()) wipe(secret_.data(), secret_.size());
}

std::vector<std::uint8_t> PrivateKey::spki_der() const {
  const Buf alg = key_algorithm(alg_), key = bit_string(pub_);
  return seq({&alg, &key});
}

std::vector<std::uint8_t> PrivateKey::pkcs8_der() const {
  const Buf version = small_int(0), alg = key_algorithm(alg_);
  Buf inner;
  if (is_rsa(alg_)) {
    inner = secret_;  // RFC 8017 A.1.2 RSAPrivateKey
  } else if (alg_ == KeyAlg::ed25519) {
    inner = tlv(der::kOctetString, secret_);  // RFC 8410 §7: CurvePrivateKey
  } else {
    // RFC 5915 ECPrivateKey (curve given by the outer algorithm).
    const Buf v1 = small_int(1), d = tlv(der::kOctetString, secret_), pub = tlv(der::context(1, true), bit_string(pub_));
    inner = seq({&v1, &d, &pub});
  }
  const Buf wrapped = tlv(der::kOctetString, inner);
  Buf out = seq({&version, &alg, &wrapped});
  wipe(inner.data(), inner.size());
  return out;
}

std::string PrivateKey::pkcs8_pem() const {
  Buf d = pkcs8_der();
  std::string out = pem::encode("PRIVATE KEY", d);
  wipe(d.data(), d.size());
  return out;
}

std::string PrivateKey::pkcs1_pem() const {
  if (!is_rsa(alg_) || secret_.empty()) return {};
  return pem::encode("RSA PRIVATE KEY", secret_);
}

Status generate_key(KeyAlg alg, PrivateKey& out) {
  out = PrivateKey{};
  out.alg_ = alg;
  switch (alg) {
    case KeyAlg::rsa2048:
    case KeyAlg::rsa3072:
    case KeyAlg::rsa4096: {
#if TERN_X509_HAVE_RSA
      const std::size_t bits = alg == KeyAlg::rsa2048 ? 2048 : alg == KeyAlg::rsa3072 ? 3072 : 4096;
      auto g = std::make_unique<rsa::GeneratedKey>();
      Status s = rsa::generate_key(bits, *g);
      if (s != Status::ok) return s;
      std::size_t len = 0;
      out.secret_.resize(rsa::GeneratedKey::kMaxPkcs1Der);
      s = g->to_pkcs1_der(out.secret_, len);
      out.secret_.resize(len);
      if (s != Status::ok) return s;
      out.pub_.resize(rsa::GeneratedKey::kMaxPublicDer);
      s = g->to_public_der(out.pub_, len);
      out.pub_.resize(len);
      return s;
#else
      return Status::unsupported;
#endif
    }
    case KeyAlg::ed25519: {
#if TERN_X509_HAVE_ED25519
      out.secret_.resize(32);
      out.pub_.resize(32);
      return ed25519_keypair(std::span<std::uint8_t, 32>(out.secret_.data(), 32),
                             std::span<std::uint8_t, 32>(out.pub_.data(), 32));
#else
      return Status::unsupported;
#endif
    }
    case KeyAlg::p256:
    case KeyAlg::p384: {
#if TERN_X509_HAVE_EC
      const ec::Curve c = alg == KeyAlg::p256 ? ec::Curve::p256 : ec::Curve::p384;
      out.secret_.resize(ec::scalar_size(c));
      out.pub_.resize(ec::uncompressed_point_size(c));
      return ec::generate_key(c, out.secret_, out.pub_, default_random());
#else
      return Status::unsupported;
#endif
    }
  }
  return Status::unsupported;
}

Status sign(const PrivateKey& key, Bytes tbs, std::vector<std::uint8_t>& sig) {
  if (key.empty()) return Status::bad_key;
  switch (key.alg_) {
    case KeyAlg::rsa2048:
    case KeyAlg::rsa3072:
    case KeyAlg::rsa4096: {
#if TERN_X509_HAVE_RSA
      auto k = std::make_unique<rsa::PrivateKey>();
      Status s = k->from_pkcs1_der(key.secret_);
      if (s != Status::ok) return s;
      std::uint8_t digest[32];
      sha2::AnyHash::hash(sha2::HashId::sha256, digest, tbs);
      sig.resize(k->size_bytes());
      s = rsa::sign_pkcs1v15(*k, sha2::HashId::sha256, digest, default_random(), sig);
      if (s != Status::ok) sig.clear();
      return s;
#else
      (void)tbs;
      (void)sig;
      return Status::unsupported;
#endif
    }
    case KeyAlg::ed25519: {
#if TERN_X509_HAVE_ED25519
      sig.resize(64);
      ed25519_sign(std::span<std::uint8_t, 64>(sig.data(), 64),
                   std::span<const std::uint8_t, 32>(key.secret_.data(), 32), tbs);
      return Status::ok;
#else
      (void)tbs;
      (void)sig;
      return Status::unsupported;
#endif
    }
    case KeyAlg::p256:
    case KeyAlg::p384: {
#if TERN_X509_HAVE_EC
      const ec::Curve c = key.alg_ == KeyAlg::p256 ? ec::Curve::p256 : ec::Curve::p384;
      const sha2::HashId h = key.alg_ == KeyAlg::p256 ? sha2::HashId::sha256 : sha2::HashId::sha384;
      std::uint8_t digest[sha2::max_digest_size];
      sha2::AnyHash::hash(h, digest, tbs);
      sig.resize(ec::max_der_signature_size(c));
      std::size_t n = 0;
      const Status s = ec::ecdsa_sign_der(c, sig, n, key.secret_, std::span<const std::uint8_t>(digest, sha2::digest_size(h)));
      sig.resize(s == Status::ok ? n : 0);
      return s;
#else
      return Status::unsupported;
#endif
    }
  }
  return Status::unsupported;
}

std::vector<std::uint8_t> signature_algorithm(KeyAlg alg) {
  if (is_rsa(alg)) {
    const Buf o = oid(kOidSha256WithRsa);
    return seq({&o, &kNull});
  }
  const Buf o = oid(alg == KeyAlg::ed25519 ? kOidEd25519 : alg == KeyAlg::p256 ? kOidEcdsaSha256 : kOidEcdsaSha384);
  return seq({&o});
}

Signer signer_for(const PrivateKey& key) {
  Signer s;
  s.algorithm = signature_algorithm(key.alg());
  s.fn = &sign_with_key;
  s.ctx = const_cast<PrivateKey*>(&key);
  return s;
}

std::vector<std::uint8_t> make_name(const CertSpec& spec) {
  static const Buf kC = {0x55, 0x04, 0x06}, kO = {0x55, 0x04, 0x0a}, kCN = {0x55, 0x04, 0x03};
  Buf rdns;
  auto add = [&](const Buf& type, std::uint32_t tag, const std::string& v) {
    if (v.empty()) return;
    const Buf o = oid(type), val = tlv(tag, str(v));
    const Buf atv = seq({&o, &val});
    const Buf set = tlv(der::kSet, atv);
    rdns.insert(rdns.end(), set.begin(), set.end());
  };
  add(kC, der::kPrintableString, spec.country);
  add(kO, der::kUtf8String, spec.organization);
  add(kCN, der::kUtf8String, spec.common_name);
  return tlv(der::kSequence, rdns);
}

Status issue_with(const CertSpec& spec, Bytes subject_spki, Bytes issuer_name, Bytes issuer_key_id, const Signer& signer,
                  std::vector<std::uint8_t>& der_out) {
  der_out.clear();
  if (!signer.fn) return Status::bad_key;
  PublicKeyInfo check;
  if (parse_public_key_info(subject_spki, check) != Status::ok) return Status::bad_key;
  static const Buf kBc = {0x55, 0x1d, 0x13}, kKu = {0x55, 0x1d, 0x0f}, kEku = {0x55, 0x1d, 0x25},
                   kSan = {0x55, 0x1d, 0x11}, kNc = {0x55, 0x1d, 0x1e}, kSki = {0x55, 0x1d, 0x0e},
                   kAki = {0x55, 0x1d, 0x23};
  Buf exts;
  auto add_ext = [&](const Buf& e) { exts.insert(exts.end(), e.begin(), e.end()); };
  if (spec.basic_constraints) {
    Buf bc;
    if (spec.is_ca) {
      bc = {0x01, 0x01, 0xff};
      if (spec.path_len >= 0) {
        const Buf n = small_int(static_cast<std::uint64_t>(spec.path_len));
        bc.insert(bc.end(), n.begin(), n.end());
      }
    }
    add_ext(extension(kBc, true, tlv(der::kSequence, bc)));
  }
  const std::uint16_t ku = spec.key_usage ? spec.key_usage
                           : spec.is_ca   ? static_cast<std::uint16_t>(ku_key_cert_sign | ku_crl_sign)
                                          : static_cast<std::uint16_t>(ku_digital_signature);
  add_ext(extension(kKu, true, bits_value(ku, 9)));
  if (spec.ext_key_usage) {
    Buf list;
    auto kp = [&](std::uint8_t bit, std::uint8_t last) {
      if (!(spec.ext_key_usage & bit)) return;
      const Buf o = oid(Buf{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, last});
      list.insert(list.end(), o.begin(), o.end());
    };
    kp(eku_server_auth, 1);
    kp(eku_client_auth, 2);
    kp(eku_code_signing, 3);
    kp(eku_email, 4);
    kp(eku_time_stamping, 8);
    kp(eku_ocsp_signing, 9);
    if (spec.ext_key_usage & eku_any) {
      const Buf o = oid(Buf{0x55, 0x1d, 0x25, 0x00});
      list.insert(list.end(), o.begin(), o.end());
    }
    add_ext(extension(kEku, false, tlv(der::kSequence, list)));
  }
  if (!spec.dns_names.empty() || !spec.ip_addresses.empty()) {
    Buf names;
    for (const auto& d : spec.dns_names) {
      const Buf g = tlv(der::context(2, false), str(d));
      names.insert(names.end(), g.begin(), g.end());
    }
    for (const auto& i : spec.ip_addresses) {
      std::vector<std::uint8_t> ip;
      if (!parse_ip(i, ip)) return Status::bad_encoding;
      const Buf g = tlv(der::context(7, false), ip);
      names.insert(names.end(), g.begin(), g.end());
    }
    const Buf subject = make_name(spec);
    add_ext(extension(kSan, subject.size() <= 2, tlv(der::kSequence, names)));
  }
  if (!spec.permitted_dns.empty() || !spec.permitted_ip.empty() || !spec.excluded_dns.empty() ||
      !spec.excluded_ip.empty()) {
    Buf p, x, nc;
    if (subtrees(spec.permitted_dns, spec.permitted_ip, p) != Status::ok ||
        subtrees(spec.excluded_dns, spec.excluded_ip, x) != Status::ok)
      return Status::bad_encoding;
    if (!p.empty()) {
      const Buf t = tlv(der::context(0, true), p);
      nc.insert(nc.end(), t.begin(), t.end());
    }
    if (!x.empty()) {
      const Buf t = tlv(der::context(1, true), x);
      nc.insert(nc.end(), t.begin(), t.end());
    }
    add_ext(extension(kNc, true, tlv(der::kSequence, nc)));
  }
  const Buf ski = key_id(subject_spki);
  add_ext(extension(kSki, false, tlv(der::kOctetString, ski)));
  if (!issuer_key_id.empty()) add_ext(extension(kAki, false, tlv(der::kSequence, tlv(der::context(0, false), Buf(issuer_key_id.begin(), issuer_key_id.end())))));

  Buf serial = spec.serial;
  if (serial.empty()) {
    serial.resize(16);
    if (random_bytes(serial) != Status::ok) return Status::rng_failure;
    serial[0] = static_cast<std::uint8_t>((serial[0] & 0x7f) | 0x40);  // positive, 16 significant bytes
  }
  const Buf version = tlv(der::context(0, true), small_int(2));
  const Buf serial_der = uint_der(serial);
  const Buf alg = signer.algorithm;
  const Buf issuer(issuer_name.begin(), issuer_name.end());
  const Buf nb = time_der(spec.not_before), na = time_der(spec.not_after);
  const Buf validity = seq({&nb, &na});
  const Buf subject = make_name(spec);
  const Buf spki(subject_spki.begin(), subject_spki.end());
  const Buf ext_wrapped = tlv(der::context(3, true), tlv(der::kSequence, exts));
  const Buf tbs = seq({&version, &serial_der, &alg, &issuer, &validity, &subject, &spki, &ext_wrapped});
  std::vector<std::uint8_t> sig;
  const Status s = signer.fn(signer.ctx, tbs, sig);
  if (s != Status::ok) return s;
  const Buf sig_bits = bit_string(sig);
  der_out = seq({&tbs, &alg, &sig_bits});
  return Status::ok;
}

Status self_signed(const CertSpec& spec, const PrivateKey& key, std::vector<std::uint8_t>& der_out) {
  const Buf spki = key.spki_der();
  const Buf name = make_name(spec);
  return issue_with(spec, spki, name, key_id(spki), signer_for(key), der_out);
}

Status issue(const CertSpec& spec, Bytes subject_spki, const Certificate& issuer, const PrivateKey& issuer_key,
             std::vector<std::uint8_t>& der_out) {
  if (issuer.empty()) return Status::bad_encoding;
  Bytes kid = issuer->ext.subject_key_id;
  return issue_with(spec, subject_spki, issuer->subject.raw, kid, signer_for(issuer_key), der_out);
}

std::string to_pem(Bytes cert_der) { return pem::encode("CERTIFICATE", cert_der); }

}  // namespace tern::x509::gen
