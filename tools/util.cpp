// Shared pieces of the tern subcommands (see util.hpp).
#include "tools/util.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "crypto/curve25519/curve25519.hpp"
#include "crypto/ec/ec.hpp"
#include "crypto/internal/wipe.hpp"
#include "crypto/sha2/sha2.hpp"

namespace tern::tool {

// ---- options ----------------------------------------------------------------------

bool Options::has(const std::string& flag) const {
  for (const auto& f : flags)
    if (f == flag) return true;
  return false;
}
bool Options::get_long(const std::string& name, long def, long& out) const {
  const std::string text = get(name);  // kept alive while strtol's end pointer is read
  if (text.empty()) {
    out = def;
    return true;
  }
  char* end = nullptr;
  errno = 0;
  out = std::strtol(text.c_str(), &end, 10);
  return end && *end == '\0' && errno == 0;
}

std::string Options::get(const std::string& name, const std::string& def) const {
  std::string v = def;
  for (const auto& [k, val] : values)
    if (k == name) v = val;
  return v;
}
std::vector<std::string> Options::all(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [k, val] : values)
    if (k == name) out.push_back(val);
  return out;
}

Options parse_options(const std::vector<std::string>& args, const std::vector<std::string>& with_value,
                      const std::vector<std::string>& flag_names) {
  Options o;
  auto in = [](const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v)
      if (x == s) return true;
    return false;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
      std::string name = a.substr(2), value;
      bool inline_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        inline_value = true;
      }
      if (in(with_value, name)) {
        if (!inline_value) {
          if (i + 1 >= args.size()) {
            o.error = "option --" + name + " needs a value";
            return o;
          }
          value = args[++i];
        }
        o.values.emplace_back(name, value);
      } else if (in(flag_names, name) && !inline_value) {
        o.flags.push_back(name);
      } else {
        o.error = "unknown option '" + a + "' (see --help)";
        return o;
      }
    } else if (a == "-h") {
      o.flags.push_back("help");
    } else {
      o.positional.push_back(a);
    }
  }
  return o;
}

// ---- files ----------------------------------------------------------------------

bool read_file(const std::string& path, std::string& out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  out.clear();
  char buf[8192];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

bool write_file(const std::string& path, const std::string& data, bool private_file) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, private_file ? 0600 : 0644);
  if (fd < 0) return false;
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::write(fd, data.data() + off, data.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return false;
    }
    off += static_cast<std::size_t>(w);
  }
  return ::close(fd) == 0;
}

// ---- DER helpers ------------------------------------------------------------------

namespace {

using x509::Bytes;

// Reads one TLV from the front of `in`.
bool take(Bytes& in, std::uint8_t& tag, Bytes& content) {
  if (in.size() < 2) return false;
  tag = in[0];
  std::size_t len = in[1], hdr = 2;
  if (len & 0x80) {
    std::size_t n = len & 0x7f;
    if (n == 0 || n > 4 || in.size() < 2 + n) return false;
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | in[2 + i];
    hdr = 2 + n;
  }
  if (in.size() - hdr < len) return false;
  content = in.subspan(hdr, len);
  in = in.subspan(hdr + len);
  return true;
}

bool same(Bytes a, std::initializer_list<std::uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

const std::initializer_list<std::uint8_t> kOidEd25519 = {0x2b, 0x65, 0x70};
const std::initializer_list<std::uint8_t> kOidEcPublicKey = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
const std::initializer_list<std::uint8_t> kOidP256 = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
const std::initializer_list<std::uint8_t> kOidP384 = {0x2b, 0x81, 0x04, 0x00, 0x22};
const std::initializer_list<std::uint8_t> kOidRsa = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
const std::initializer_list<std::uint8_t> kOidRsaPss = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};

void put_tlv(std::vector<std::uint8_t>& out, std::uint8_t tag, Bytes content) {
  out.push_back(tag);
  std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else if (n < 0x100) {
    out.push_back(0x81);
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
  }
  out.insert(out.end(), content.begin(), content.end());
}
std::vector<std::uint8_t> tlv(std::uint8_t tag, Bytes content) {
  std::vector<std::uint8_t> v;
  put_tlv(v, tag, content);
  return v;
}
std::vector<std::uint8_t> der_uint(Bytes be) {
  std::size_t i = 0;
  while (i + 1 < be.size() && be[i] == 0) ++i;
  std::vector<std::uint8_t> c;
  if (be.empty() || (be[i] & 0x80)) c.push_back(0);
  c.insert(c.end(), be.begin() + static_cast<std::ptrdiff_t>(i), be.end());
  return tlv(0x02, c);
}
std::vector<std::uint8_t> cat(std::initializer_list<Bytes> parts) {
  std::vector<std::uint8_t> v;
  for (auto p : parts) v.insert(v.end(), p.begin(), p.end());
  return v;
}
std::vector<std::uint8_t> oid(std::initializer_list<std::uint8_t> o) {
  std::vector<std::uint8_t> c(o);
  return tlv(0x06, c);
}

bool ec_key(ec::Curve curve, Bytes d, LoadedKey& out, std::string& err) {
  std::size_t n = ec::scalar_size(curve);
  while (d.size() > n && d[0] == 0) d = d.subspan(1);
  if (d.size() > n) {
    err = "the EC private key is longer than the curve order";
    return false;
  }
  out.kind = curve == ec::Curve::p256 ? KeyKind::p256 : KeyKind::p384;
  out.secret.assign(n - d.size(), 0);
  out.secret.insert(out.secret.end(), d.begin(), d.end());
  std::vector<std::uint8_t> pub(ec::uncompressed_point_size(curve));
  if (ec::public_key_from_private(curve, pub, out.secret) != Status::ok) {
    err = "the EC private key is out of range";
    return false;
  }
  std::vector<std::uint8_t> bits{0};
  bits.insert(bits.end(), pub.begin(), pub.end());
  auto alg = tlv(0x30, cat({oid(kOidEcPublicKey), oid(curve == ec::Curve::p256 ? kOidP256 : kOidP384)}));
  out.spki = tlv(0x30, cat({alg, tlv(0x03, bits)}));
  return true;
}

// ECPrivateKey (RFC 5915); `curve_known` when the PKCS#8 wrapper named it.
bool parse_ec_private_key(Bytes der, const ec::Curve* curve_known, LoadedKey& out, std::string& err) {
  std::uint8_t tag;
  Bytes seq, ver, d;
  err = "the EC private key is malformed";
  if (!take(der, tag, seq) || tag != 0x30) return false;
  if (!take(seq, tag, ver) || tag != 0x02 || !take(seq, tag, d) || tag != 0x04) return false;
  ec::Curve curve = ec::Curve::p256;
  bool have_curve = false;
  if (curve_known) {
    curve = *curve_known;
    have_curve = true;
  }
  while (!seq.empty()) {
    Bytes c;
    if (!take(seq, tag, c)) return false;
    if (tag == 0xa0) {
      Bytes o;
      if (!take(c, tag, o) || tag != 0x06) return false;
      if (same(o, kOidP256)) curve = ec::Curve::p256, have_curve = true;
      else if (same(o, kOidP384)) curve = ec::Curve::p384, have_curve = true;
      else {
        err = "the EC key's curve is not supported (P-256 and P-384 are)";
        return false;
      }
    }
  }
  if (!have_curve) {
    err = "the EC private key does not name its curve";
    return false;
  }
  return ec_key(curve, d, out, err);
}

bool rsa_spki(LoadedKey& out) {
  const auto& pub = out.rsa->public_key();
  auto rsapub = tlv(0x30, cat({der_uint(pub.modulus()), der_uint(pub.exponent())}));
  std::vector<std::uint8_t> bits{0};
  bits.insert(bits.end(), rsapub.begin(), rsapub.end());
  const std::uint8_t null_der[2] = {0x05, 0x00};
  auto alg = tlv(0x30, cat({oid(kOidRsa), Bytes(null_der, 2)}));
  out.spki = tlv(0x30, cat({alg, tlv(0x03, bits)}));
  return true;
}

bool parse_pkcs8(Bytes der, LoadedKey& out, std::string& err) {
  Bytes all = der;
  std::uint8_t tag;
  Bytes seq, ver, alg, pk, o;
  err = "the PKCS#8 private key is malformed";
  if (!take(der, tag, seq) || tag != 0x30) return false;
  if (!take(seq, tag, ver) || tag != 0x02 || !take(seq, tag, alg) || tag != 0x30) return false;
  if (!take(seq, tag, pk) || tag != 0x04) return false;
  if (!take(alg, tag, o) || tag != 0x06) return false;
  if (same(o, kOidEd25519)) {
    Bytes seed;
    if (!take(pk, tag, seed) || tag != 0x04 || seed.size() != 32) return false;
    out.kind = KeyKind::ed25519;
    out.secret.assign(seed.begin(), seed.end());
    std::uint8_t pub[32];
    ed25519_public_key(std::span<std::uint8_t, 32>(pub, 32), std::span<const std::uint8_t, 32>(out.secret.data(), 32));
    std::vector<std::uint8_t> bits{0};
    bits.insert(bits.end(), pub, pub + 32);
    out.spki = tlv(0x30, cat({tlv(0x30, oid(kOidEd25519)), tlv(0x03, bits)}));
    return true;
  }
  if (same(o, kOidEcPublicKey)) {
    Bytes c;
    if (!take(alg, tag, c) || tag != 0x06) return false;
    ec::Curve curve;
    if (same(c, kOidP256)) curve = ec::Curve::p256;
    else if (same(c, kOidP384)) curve = ec::Curve::p384;
    else {
      err = "the EC key's curve is not supported (P-256 and P-384 are)";
      return false;
    }
    return parse_ec_private_key(pk, &curve, out, err);
  }
  if (same(o, kOidRsa) || same(o, kOidRsaPss)) {
    out.kind = KeyKind::rsa;
    out.rsa = std::make_unique<rsa::PrivateKey>();
    Status s = out.rsa->from_pkcs8_der(all);
    if (s != Status::ok) {
      err = std::string("the RSA private key could not be loaded (") + to_string(s) + ")";
      return false;
    }
    return rsa_spki(out);
  }
  err = "the private key's algorithm is not supported (Ed25519, ECDSA P-256/P-384 and RSA are)";
  return false;
}

Status sign_x509(void* ctx, Bytes tbs, std::vector<std::uint8_t>& sig) {
  const LoadedKey& k = *static_cast<const LoadedKey*>(ctx);
  switch (k.kind) {
    case KeyKind::ed25519: {
      sig.resize(64);
      ed25519_sign(std::span<std::uint8_t, 64>(sig.data(), 64), std::span<const std::uint8_t, 32>(k.secret.data(), 32), tbs);
      return Status::ok;
    }
    case KeyKind::p256:
    case KeyKind::p384: {
      ec::Curve curve = k.kind == KeyKind::p256 ? ec::Curve::p256 : ec::Curve::p384;
      sha2::HashId h = k.kind == KeyKind::p256 ? sha2::HashId::sha256 : sha2::HashId::sha384;
      std::uint8_t digest[64];
      std::span<std::uint8_t> dg(digest, sha2::digest_size(h));
      sha2::AnyHash::hash(h, dg, tbs);
      sig.resize(ec::max_der_signature_size(curve));
      std::size_t len = 0;
      Status s = ec::ecdsa_sign_der(curve, sig, len, k.secret, dg);
      sig.resize(len);
      return s;
    }
    case KeyKind::rsa: {
      std::uint8_t digest[32];
      sha2::AnyHash::hash(sha2::HashId::sha256, digest, tbs);
      sig.resize(k.rsa->size_bytes());
      return rsa::sign_pkcs1v15(*k.rsa, sha2::HashId::sha256, digest, default_random(), sig);
    }
  }
  return Status::internal_error;
}

}  // namespace

const char* to_string(KeyKind k) noexcept {
  switch (k) {
    case KeyKind::ed25519: return "Ed25519";
    case KeyKind::p256: return "ECDSA P-256";
    case KeyKind::p384: return "ECDSA P-384";
    case KeyKind::rsa: return "RSA";
  }
  return "?";
}

LoadedKey::~LoadedKey() { wipe(secret.data(), secret.size()); }

bool load_private_key(const std::string& path, LoadedKey& out, std::string& err) {
  std::string text;
  if (!read_file(path, text)) {
    err = "cannot read the key file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::vector<pem::Block> blocks;
  pem::PemError pe = pem::PemError::none;
  if (pem::parse(text, blocks, &pe) != Status::ok) {
    err = path + " is not valid PEM (" + pem::to_string(pe) + ")";
    return false;
  }
  for (auto& b : blocks) {
    bool ok;
    if (b.label == "PRIVATE KEY") {
      ok = parse_pkcs8(b.der, out, err);
    } else if (b.label == "EC PRIVATE KEY") {
      ok = parse_ec_private_key(b.der, nullptr, out, err);
    } else if (b.label == "RSA PRIVATE KEY") {
      out.kind = KeyKind::rsa;
      out.rsa = std::make_unique<rsa::PrivateKey>();
      Status s = out.rsa->from_pkcs1_der(b.der);
      ok = s == Status::ok && rsa_spki(out);
      if (!ok) err = std::string("the RSA private key could not be loaded (") + to_string(s) + ")";
    } else if (b.label == "ENCRYPTED PRIVATE KEY") {
      err = path + " holds an encrypted private key; tern reads unencrypted PKCS#8 keys only";
      ok = false;
    } else {
      continue;
    }
    wipe(b.der.data(), b.der.size());
    if (!ok) err = path + ": " + err;
    return ok;
  }
  err = path + " holds no private key (expected a PEM \"PRIVATE KEY\" block)";
  return false;
}

x509::gen::Signer x509_signer(const LoadedKey& key) {
  x509::gen::Signer s;
  switch (key.kind) {
    case KeyKind::ed25519: s.algorithm = x509::gen::signature_algorithm(x509::gen::KeyAlg::ed25519); break;
    case KeyKind::p256: s.algorithm = x509::gen::signature_algorithm(x509::gen::KeyAlg::p256); break;
    case KeyKind::p384: s.algorithm = x509::gen::signature_algorithm(x509::gen::KeyAlg::p384); break;
    case KeyKind::rsa: {
      const std::uint8_t null_der[2] = {0x05, 0x00};
      s.algorithm = tlv(0x30, cat({oid({0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}), Bytes(null_der, 2)}));
      break;
    }
  }
  s.fn = sign_x509;
  s.ctx = const_cast<LoadedKey*>(&key);
  return s;
}

std::shared_ptr<const tls::Signer> tls_signer(LoadedKey& key) {
  switch (key.kind) {
    case KeyKind::ed25519: return tls::make_ed25519_signer(key.secret);
    case KeyKind::p256: return tls::make_ecdsa_signer(0x0403, key.secret);
    case KeyKind::p384: return tls::make_ecdsa_signer(0x0503, key.secret);
    case KeyKind::rsa: return tls::make_rsa_pss_signer(std::move(key.rsa));
  }
  return nullptr;
}

// ---- certificates ------------------------------------------------------------------

bool load_certificates(const std::string& path, std::vector<x509::Certificate>& out, std::string& err) {
  std::string text;
  if (!read_file(path, text)) {
    err = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  out.clear();
  x509::ParseError why = x509::ParseError::none;
  std::size_t index = 0;
  Status s = x509::certificates_from_pem(text, out, &why, &index);
  if (s != Status::ok) {
    if (why != x509::ParseError::none)
      err = path + ": certificate " + std::to_string(index) + " is malformed (" + x509::to_string(why) + ")";
    else
      err = path + " is not a PEM certificate file (" + to_string(s) + ")";
    return false;
  }
  if (out.empty()) {
    // Maybe a single DER certificate.
    x509::Certificate c;
    std::vector<std::uint8_t> der(text.begin(), text.end());
    if (!der.empty() && der[0] == 0x30 && x509::Certificate::from_der(std::move(der), c) == Status::ok) {
      out.push_back(c);
      return true;
    }
    err = path + " holds no certificate";
    return false;
  }
  return true;
}

std::string key_description(const x509::CertView& c) {
  switch (c.spki.type) {
    case x509::KeyType::rsa: {
      rsa::PublicKey pk;
      if (pk.from_pkcs1_der(c.spki.key) == Status::ok) return "RSA " + std::to_string(pk.bits()) + " bits";
      return "RSA";
    }
    case x509::KeyType::ec_p256: return "ECDSA P-256";
    case x509::KeyType::ec_p384: return "ECDSA P-384";
    case x509::KeyType::ec_p521: return "ECDSA P-521";
    case x509::KeyType::ed25519: return "Ed25519";
    case x509::KeyType::ed448: return "Ed448";
    case x509::KeyType::dsa: return "DSA";
    default: return "unknown key type";
  }
}

std::string hex(x509::Bytes b, char sep) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i && sep) s += sep;
    s += d[b[i] >> 4];
    s += d[b[i] & 15];
  }
  return s;
}

bool parse_time_arg(const std::string& s, x509::Time& out) {
  if (!s.empty() && s[0] == '@') {
    char* end = nullptr;
    long long v = std::strtoll(s.c_str() + 1, &end, 10);
    if (!end || *end || end == s.c_str() + 1) return false;
    out = v;
    return true;
  }
  int y, mo, d, h = 0, mi = 0, sec = 0;
  char c1 = 0, c2 = 0;
  int n = std::sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%c", &y, &mo, &d, &c1, &h, &mi, &sec, &c2);
  if (n == 3) {
    h = mi = sec = 0;
  } else if (n < 7 || (c1 != 'T' && c1 != ' ') || (n == 8 && c2 != 'Z')) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
  out = x509::make_time(y, mo, d, h, mi, sec);
  return true;
}

std::int64_t days_left(x509::Time not_after, x509::Time now) {
  std::int64_t diff = not_after - now;
  std::int64_t q = diff / 86400;
  if (diff % 86400 != 0 && diff < 0) --q;
  return q;
}

bool load_trust(const std::string& cafile, const std::string& capath, x509::TrustStore& store, std::string& err) {
  std::size_t added = 0;
  if (!cafile.empty()) {
    if (store.add_pem_file(cafile, &added) != Status::ok || added == 0) {
      err = "cannot load trust anchors from " + cafile;
      return false;
    }
  }
  if (!capath.empty()) {
    std::size_t n = 0;
    if (store.add_directory(capath, &n) != Status::ok || n == 0) {
      err = "cannot load trust anchors from the directory " + capath;
      return false;
    }
    added += n;
  }
  if (cafile.empty() && capath.empty()) {
    if (store.load_system(&added) != Status::ok || added == 0) {
      err = "cannot load the system trust store (/etc/ssl/certs/ca-certificates.crt); use --cafile";
      return false;
    }
  }
  return true;
}

tls::Err ToolVerifier::verify(std::span<const tls::Bytes> der_chain, std::string_view tls_host,
                              std::uint64_t now) const {
  ran = true;
  chain.clear();
  result = x509::VerifyResult{};
  for (const auto& der : der_chain) {
    x509::Certificate c;
    if (x509::Certificate::from_der(der, c) != Status::ok) break;  // the library reports it
    chain.push_back(c);
  }
  const std::string name = peer_ == tls::X509Verifier::Peer::server && tls_host.empty() ? host : std::string(tls_host);
  lib_.set_time(static_cast<std::uint64_t>(at));
  const tls::Err e = lib_.verify(der_chain, name, now);
  if (e) {
    result.failure = lib_.last_failure();
  } else {
    // Accepted: rebuild the validated path (leaf .. anchor) for display and
    // expiry reports (x509::verify is deterministic, so this is the path
    // the library accepted).
    x509::VerifyOptions opt;
    opt.now = at ? at : static_cast<x509::Time>(now);
    opt.hostname = peer_ == tls::X509Verifier::Peer::server ? name : std::string();
    opt.purpose = peer_ == tls::X509Verifier::Peer::server ? x509::Purpose::server_auth : x509::Purpose::client_auth;
    std::vector<x509::Certificate> rest(chain.begin() + 1, chain.end());
    result = x509::verify(chain[0], rest, *store_, opt);
  }
  return insecure ? tls::kOk : e;
}

// ---- network --------------------------------------------------------------------

bool split_host_port(const std::string& s, std::string& host, std::string& port) {
  if (!s.empty() && s[0] == '[') {
    auto close = s.find(']');
    if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') return false;
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string::npos || s.find(':') != colon) return false;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  if (host.empty() || port.empty()) return false;
  for (char c : port)
    if (c < '0' || c > '9') return false;
  return true;
}

int tcp_connect(const std::string& host, const std::string& port, int timeout_ms, std::string& err) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    err = "cannot resolve " + host + ": " + ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  err = "cannot connect to " + host + " port " + port;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int r = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (r != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      r = ::poll(&p, 1, timeout_ms);
      if (r == 1) {
        int soerr = 0;
        socklen_t len = sizeof soerr;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
        r = soerr == 0 ? 0 : -1;
        errno = soerr;
      } else {
        if (r == 0) errno = ETIMEDOUT;
        r = -1;
      }
    }
    if (r == 0) {
      ::fcntl(fd, F_SETFL, flags);
      break;
    }
    err = "cannot connect to " + host + " port " + port + ": " + std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  return fd;
}

int tcp_listen(const std::string& bind_addr, int port, std::string& err) {
  bool v6 = bind_addr.find(':') != std::string::npos;
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    err = std::string("cannot create a socket: ") + std::strerror(errno);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int r;
  if (v6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET6, bind_addr.c_str(), &a.sin6_addr) != 1) {
      err = "bad bind address " + bind_addr;
      ::close(fd);
      return -1;
    }
    r = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, bind_addr.c_str(), &a.sin_addr) != 1) {
      err = "bad bind address " + bind_addr;
      ::close(fd);
      return -1;
    }
    r = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  if (r != 0 || ::listen(fd, 16) != 0) {
    err = "cannot listen on " + bind_addr + " port " + std::to_string(port) + ": " + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

bool flush(int fd, tls::Connection& c) {
  for (;;) {
    auto out = c.pending_output();
    if (out.empty()) return true;
    ssize_t w = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    c.consume_output(static_cast<std::size_t>(w));
  }
}

bool handshake(int fd, tls::Connection& c, int timeout_ms, std::string& err) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::uint8_t buf[16384];
  for (;;) {
    if (!flush(fd, c)) {
      err = std::string("sending failed: ") + std::strerror(errno);
      return false;
    }
    if (c.state() == tls::ConnState::open) return true;
    // The peer may finish the handshake and close at once (closed is only
    // reachable from connected).
    if (c.handshake_state() == tls::HsState::closed || c.handshake_state() == tls::HsState::connected) return true;
    if (c.state() == tls::ConnState::closed) {
      err = "the peer closed the connection during the handshake";
      return false;
    }
    if (c.state() == tls::ConnState::failed) {
      err = std::string("the handshake failed: ") + (c.alert_received() ? "the peer sent alert " : "alert ") +
            tls::to_string(c.alert()) + (c.error()[0] ? std::string(" (") + c.error() + ")" : "");
      return false;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      err = "the handshake timed out";
      return false;
    }
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n == 0 ? "the peer closed the connection during the handshake"
                   : std::string("receiving failed: ") + std::strerror(errno);
      return false;
    }
    // During the handshake the connection takes everything it is fed
    // (application data after Finished is buffered for read()).
    std::size_t off = 0;
    while (off < static_cast<std::size_t>(n)) {
      std::size_t used = c.feed(tls::Bytes(buf + off, static_cast<std::size_t>(n) - off));
      if (used == 0) break;
      off += used;
    }
  }
}

// ---- names ------------------------------------------------------------------------

std::string suite_name(std::uint16_t s) {
  switch (s) {
    case 0x1301: return "TLS_AES_128_GCM_SHA256";
    case 0x1302: return "TLS_AES_256_GCM_SHA384";
    case 0x1303: return "TLS_CHACHA20_POLY1305_SHA256";
  }
  char b[16];
  std::snprintf(b, sizeof b, "0x%04x", s);
  return b;
}
std::string group_name(std::uint16_t g) {
  switch (g) {
    case 0x001d: return "x25519";
    case 0x0017: return "secp256r1";
    case 0x0018: return "secp384r1";
  }
  char b[16];
  std::snprintf(b, sizeof b, "0x%04x", g);
  return b;
}
std::string scheme_name(std::uint16_t s) {
  switch (s) {
    case 0x0807: return "ed25519";
    case 0x0403: return "ecdsa_secp256r1_sha256";
    case 0x0503: return "ecdsa_secp384r1_sha384";
    case 0x0804: return "rsa_pss_rsae_sha256";
    case 0x0805: return "rsa_pss_rsae_sha384";
    case 0x0806: return "rsa_pss_rsae_sha512";
    case 0x0401: return "rsa_pkcs1_sha256";
  }
  char b[16];
  std::snprintf(b, sizeof b, "0x%04x", s);
  return b;
}

}  // namespace tern::tool
