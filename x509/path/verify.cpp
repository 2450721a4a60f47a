// Path building and RFC 5280 §6.1 validation (web subset).
#include "x509/path/verify.hpp"

#include <algorithm>
#include <climits>
#include <string_view>

namespace tern::x509 {

const char* to_string(Error e) noexcept {
  switch (e) {
    case Error::ok: return "ok";
    case Error::malformed: return "malformed certificate";
    case Error::expired: return "certificate has expired";
    case Error::not_yet_valid: return "certificate is not yet valid";
    case Error::unknown_issuer: return "unknown issuer";
    case Error::bad_signature: return "bad signature";
    case Error::name_mismatch: return "name mismatch";
    case Error::path_too_long: return "path too long";
    case Error::pathlen_exceeded: return "pathLenConstraint exceeded";
    case Error::not_a_ca: return "issuer is not a CA";
    case Error::bad_key_usage: return "key usage does not allow this use";
    case Error::bad_ext_key_usage: return "extended key usage does not allow this purpose";
    case Error::unsupported_critical_extension: return "unsupported critical extension";
    case Error::unsupported_algorithm: return "unsupported algorithm";
    case Error::name_constraints: return "name constraints violated";
    case Error::no_trust_anchors: return "no trust anchors";
  }
  return "unknown";
}

std::string Failure::message() const {
  std::string out;
  if (depth >= 0) {
    out = "certificate " + std::to_string(depth);
    if (!subject.empty()) out += " (" + subject + ")";
    out += ": ";
  }
  out += to_string(error);
  if (!detail.empty()) out += ": " + detail;
  return out;
}

namespace {

// Failure details. Validation itself reports a Fault (the Error, the depth
// and, for name constraints, the depth of the constraining CA); the
// Failure's subject and detail are formatted from it afterwards, so the
// checks carry no string code. A TERN_SMALL build (-Dprofile=minimal)
// reports only the Error and the depth: Failure::subject and
// Failure::detail stay empty (message() then reads "certificate 1:
// certificate has expired"), and the code that formats times, names, SAN
// lists, OIDs and numbers is not linked. Full builds fill both.
struct Fault {
  Error error = Error::ok;
  int depth = 0;
  int from = 0;  // name_constraints: the CA whose constraints were violated
};

bool same_bytes(Bytes a, Bytes b) { return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin()); }

#ifndef TERN_SMALL
std::string oid_hex(Bytes oid) {
  static const char* h = "0123456789abcdef";
  std::string s = "OID ";
  for (auto b : oid) {
    s += h[b >> 4];
    s += h[b & 15];
  }
  return s;
}
#endif

// The intermediates path building may use: a span of Certificates (the
// public verify()) or of parsed views (the TLS verifier, no copies).
struct Pool {
  const Certificate* certs = nullptr;
  const CertView* views = nullptr;
  std::size_t n = 0;
  const CertView& operator[](std::size_t i) const { return certs ? certs[i].view() : views[i]; }
};

// Certificates in a path at most (leaf and anchor included), whatever
// VerifyOptions::max_depth says: the path lives in fixed arrays.
constexpr int kMaxPath = 32;

class PathBuilder {
 public:
  PathBuilder(Pool inter, const TrustStore& store, Time now, Purpose purpose, int max_depth,
              const SignatureVerifier& verifier, std::string_view host)
      : inter_(inter), store_(store), now_(now), purpose_(purpose),
        max_depth_(max_depth < kMaxPath ? max_depth : kMaxPath), verifier_(verifier), host_(host) {}

  // Searches a path from `leaf` to an anchor: true (and path() holds it)
  // on success, else false and the failure in `out` (only its error and
  // depth in TERN_SMALL builds).
  bool run(const CertView& leaf, Failure& out) {
    path_[len_++] = &leaf;
    if (store_.size() == 0) {
      record({Error::no_trust_anchors, 0}, 100);
    } else {
      // A leaf that is itself a trust anchor.
      for (const auto& a : store_.anchors())
        if (same_bytes(a.der(), leaf.raw)) {
          const Fault f = validate();
          if (f.error == Error::ok) return true;
          record(f, 3);
        }
      extend();
      if (found_) return true;
    }
#ifdef TERN_SMALL
    out.error = best_.error;
    out.depth = best_.depth;
#else
    out = std::move(described_);
#endif
    return false;
  }

  // The path found (leaf first, anchor last).
  std::span<const CertView* const> path() const { return {path_, static_cast<std::size_t>(len_)}; }

 private:
  // Keeps the most useful failure: a fully built path's error (rank 3)
  // beats "path too long" (2), which beats "unknown issuer" (1); among
  // equals, the first found wins.
  void record(const Fault& f, int rank) {
    best_rank_ = rank;
    best_ = f;
#ifndef TERN_SMALL
    described_ = describe(f);  // now, while path_ is the path the fault was found on
#endif
  }
  void consider(const Fault& f, int rank) {
    if (rank > best_rank_) record(f, rank);
  }

#ifndef TERN_SMALL
  Failure describe(const Fault& f) const {
    const CertView& c = *path_[f.depth];
    Failure out{f.error, f.depth, to_string(c.subject), {}};
    std::string& d = out.detail;
    switch (f.error) {
      case Error::expired: d = "expired on " + format_time(c.not_after); break;
      case Error::not_yet_valid: d = "not valid until " + format_time(c.not_before); break;
      case Error::unsupported_critical_extension: d = oid_hex(c.ext.unknown_critical); break;
      case Error::unsupported_algorithm:
        d = std::string(to_string(c.sig_alg.alg)) + " with a " + to_string(path_[f.depth + 1]->spki.type) + " key";
        break;
      case Error::bad_signature: d = std::string("signed with ") + to_string(c.sig_alg.alg); break;
      case Error::not_a_ca: d = c.ext.has_basic_constraints ? "basicConstraints cA is FALSE" : "no basicConstraints"; break;
      case Error::pathlen_exceeded: d = "an issuer allows no more intermediate CAs"; break;
      case Error::bad_key_usage: d = f.depth == 0 ? "keyUsage lacks digitalSignature" : "keyUsage lacks keyCertSign"; break;
      case Error::bad_ext_key_usage:
        d = purpose_ == Purpose::server_auth ? "extKeyUsage lacks serverAuth" : "extKeyUsage lacks clientAuth";
        break;
      case Error::name_constraints:
        satisfies_name_constraints(*path_[f.from], c, f.depth == 0, &d);
        d += " (constraint from certificate " + std::to_string(f.from) + ")";
        break;
      case Error::name_mismatch:
        d = "\"" + std::string(host_) + "\" is not among the certificate's names: " + san_list(c);
        break;
      case Error::unknown_issuer: d = "no certificate for issuer " + to_string(c.issuer); break;
      case Error::path_too_long: d = "more than " + std::to_string(max_depth_) + " certificates"; break;
      default: break;
    }
    return out;
  }
#endif

  __attribute__((noinline)) bool in_path(const CertView& c) const {
    for (int i = 0; i < len_; ++i)
      if (same_bytes(path_[i]->raw, c.raw) || (names_equal(path_[i]->subject, c.subject) && same_bytes(path_[i]->spki.raw, c.spki.raw)))
        return true;
    return false;
  }

  // Candidates whose keyIdentifier matches come first, mismatches last.
  static int key_id_rank(const CertView& child, const CertView& issuer) {
    if (child.ext.authority_key_id.empty() || issuer.ext.subject_key_id.empty()) return 1;
    return same_bytes(child.ext.authority_key_id, issuer.ext.subject_key_id) ? 0 : 2;
  }

  // Tries the issuers of the top certificate: by keyIdentifier rank, and
  // within a rank the anchors first, each in its list's order (no
  // container: one pass per rank over anchors then intermediates).
  void extend() {
    if (found_ || ++steps_ > 2000) return;
    const CertView& top = *path_[len_ - 1];
    const auto& anchors = store_.anchors();
    bool any = false;
    for (int rank = 0; rank < 3; ++rank)
      for (std::size_t k = 0; k < anchors.size() + inter_.n; ++k) {
        const bool anchor = k < anchors.size();
        const CertView& c = anchor ? anchors[k].view() : inter_[k - anchors.size()];
        if (key_id_rank(top, c) == rank && names_equal(c.subject, top.issuer) && (anchor || !in_path(c))) {
          any = true;
          if (!step(c, anchor)) return;
        }
      }
    // Report the deepest certificate whose issuer is nowhere to be found.
    if (!any && (best_rank_ < 1 || (best_rank_ == 1 && len_ - 1 > best_.depth))) record({Error::unknown_issuer, len_ - 1}, 1);
  }

  // Puts `cand` on the path and validates (an anchor) or extends it; false
  // when the search stops (a path was found, or this one is too long).
  __attribute__((noinline)) bool step(const CertView& cand, bool anchor) {
    if (len_ + 1 > max_depth_) {
      consider({Error::path_too_long, len_ - 1}, 2);
      return false;
    }
    path_[len_++] = &cand;
    if (anchor) {
      if (++attempts_ <= 64) {
        const Fault f = validate();
        if (f.error == Error::ok) return !(found_ = true);  // path_ keeps the path
        consider(f, 3);
      }
    } else {
      extend();
      if (found_) return false;
    }
    --len_;
    return true;
  }

  Status check_sig(const CertView& child, const CertView& issuer) const {
    if (child.signature_unused_bits != 0) return Status::bad_signature;
    if (verifier_.fn) return verifier_.fn(verifier_.ctx, child.sig_alg, issuer.spki.raw, child.tbs, child.signature);
    return verify_signature(child.sig_alg, issuer.spki.raw, child.tbs, child.signature);
  }

  // Validates path_ (leaf first, anchor last), RFC 5280 §6.1 order: from
  // the anchor down to the leaf.
  Fault validate() const {
    const int n = len_;
    int max_path = INT_MAX;
    const std::uint8_t eku = purpose_ == Purpose::server_auth ? eku_server_auth : eku_client_auth;
    for (int i = n - 1; i >= 0; --i) {
      const CertView& c = *path_[i];
      const bool anchor = i == n - 1, leaf = i == 0;
      if (now_ > c.not_after) return {Error::expired, i};
      if (now_ < c.not_before) return {Error::not_yet_valid, i};
      if (!c.ext.unknown_critical.empty()) return {Error::unsupported_critical_extension, i};
      if (!anchor) {
        const Status s = check_sig(c, *path_[i + 1]);
        if (s == Status::unsupported) return {Error::unsupported_algorithm, i};
        if (s != Status::ok) return {Error::bad_signature, i};
      }
      const bool self_issued = c.self_issued();
      if (!leaf) {
        // Issuer role (RFC 5280 §6.1.4 (k), (l), (m), (n)).
        const bool v1_anchor = anchor && c.version < 3 && !c.ext.has_basic_constraints;
        if (!v1_anchor && !(c.ext.has_basic_constraints && c.ext.is_ca)) return {Error::not_a_ca, i};
        if (!anchor && !self_issued) {
          if (max_path <= 0) return {Error::pathlen_exceeded, i};
          --max_path;
        }
        if (c.ext.path_len >= 0 && c.ext.path_len < max_path) max_path = c.ext.path_len;
        if (c.ext.has_key_usage && !(c.ext.key_usage & ku_key_cert_sign)) return {Error::bad_key_usage, i};
        if (!anchor && purpose_ != Purpose::any && c.ext.has_ext_key_usage && !(c.ext.ext_key_usage & (eku | eku_any)))
          return {Error::bad_ext_key_usage, i};
      }
      // Name constraints of every CA above (self-issued intermediates exempt).
      if (leaf || !self_issued)
        for (int j = i + 1; j < n; ++j)
          if (!satisfies_name_constraints(*path_[j], c, leaf, nullptr)) return {Error::name_constraints, i, j};
      if (leaf) {
        if (purpose_ != Purpose::any) {
          if (c.ext.has_key_usage && !(c.ext.key_usage & ku_digital_signature)) return {Error::bad_key_usage, i};
          if (c.ext.has_ext_key_usage && !(c.ext.ext_key_usage & (eku | eku_any))) return {Error::bad_ext_key_usage, i};
        }
        if (!host_.empty() && !matches_hostname(c, host_)) return {Error::name_mismatch, i};
      }
    }
    return {};
  }

  Pool inter_;
  const TrustStore& store_;
  Time now_;
  Purpose purpose_;
  int max_depth_;
  const SignatureVerifier& verifier_;
  std::string_view host_;
  const CertView* path_[kMaxPath];
  int len_ = 0;
  Fault best_{Error::unknown_issuer, 0};
#ifndef TERN_SMALL
  Failure described_{Error::unknown_issuer, 0, "", ""};
#endif
  int best_rank_ = -100, steps_ = 0, attempts_ = 0;
  bool found_ = false;
};

}  // namespace

VerifyResult verify(const Certificate& leaf, std::span<const Certificate> intermediates, const TrustStore& store,
                    const VerifyOptions& opts) {
  VerifyResult r;
  if (leaf.empty()) {
    r.failure = {Error::malformed, 0, "", "empty certificate"};
    return r;
  }
  PathBuilder b({intermediates.data(), nullptr, intermediates.size()}, store, opts.now, opts.purpose, opts.max_depth,
                opts.verifier, opts.hostname);
  if (!b.run(leaf.view(), r.failure)) return r;
  // The Certificates behind the path's views.
  for (const CertView* v : b.path()) {
    const Certificate* c = &leaf;
    for (const auto& x : intermediates)
      if (&x.view() == v) c = &x;
    for (const auto& x : store.anchors())
      if (&x.view() == v) c = &x;
    r.chain.push_back(*c);
  }
  return r;
}

bool verify_parsed(std::span<const CertView> chain, const TrustStore& store, Time now, Purpose purpose,
                   std::string_view hostname, Failure& failure) {
  if (chain.empty()) {
    failure.error = Error::malformed;
    failure.depth = 0;
    return false;
  }
  const SignatureVerifier builtin;
  PathBuilder b({nullptr, chain.data() + 1, chain.size() - 1}, store, now, purpose, kDefaultMaxDepth, builtin, hostname);
  return b.run(chain[0], failure);
}

ExpiryReport expiry(std::span<const Certificate> chain, Time now) {
  ExpiryReport r;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (r.depth < 0 || chain[i]->not_after < r.earliest_not_after) {
      r.depth = static_cast<int>(i);
      r.earliest_not_after = chain[i]->not_after;
      r.subject = chain[i].subject_string();
    }
  }
  if (r.depth >= 0) {
    const std::int64_t diff = r.earliest_not_after - now;
    r.days_left = diff >= 0 ? diff / 86400 : -((-diff + 86399) / 86400);
    r.expired = diff < 0;
  }
  return r;
}

}  // namespace tern::x509
