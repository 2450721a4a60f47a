// Path building and RFC 5280 §6.1 validation (web subset).
#include "x509/path/verify.hpp"

#include <algorithm>
#include <climits>

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

// Failure details. A TERN_SMALL build (-Dprofile=minimal) reports only the
// Error and the depth of a failed validation: Failure::subject and
// Failure::detail stay empty (message() then reads "certificate 1:
// certificate has expired"), so the code that formats times, names, SAN
// lists, OIDs and numbers (~5 KB) is not linked. Full builds fill both.
#ifdef TERN_SMALL
#define TERN_X509_DETAIL(text) std::string()
#define TERN_X509_SUBJECT(cert) std::string()
#else
#define TERN_X509_DETAIL(text) (text)
#define TERN_X509_SUBJECT(cert) (cert).subject_string()
#endif

bool same_bytes(Bytes a, Bytes b) { return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin()); }

[[maybe_unused]] std::string oid_hex(Bytes oid) {
  static const char* h = "0123456789abcdef";
  std::string s = "OID ";
  for (auto b : oid) {
    s += h[b >> 4];
    s += h[b & 15];
  }
  return s;
}

class PathBuilder {
 public:
  PathBuilder(std::span<const Certificate> inter, const TrustStore& store, const VerifyOptions& o)
      : inter_(inter), store_(store), o_(o) {}

  VerifyResult run(const Certificate& leaf) {
    VerifyResult res;
    if (store_.size() == 0) {
      res.failure = {Error::no_trust_anchors, 0, TERN_X509_SUBJECT(leaf), ""};
      return res;
    }
    path_.push_back(&leaf);
    // A leaf that is itself a trust anchor.
    for (const auto& a : store_.anchors())
      if (same_bytes(a.der(), leaf.der())) {
        Failure f = validate();
        if (f.error == Error::ok) {
          good_ = path_;
          return finish(res);
        }
        consider(f, 3);
      }
    extend();
    if (found_) return finish(res);
    res.failure = best_;
    return res;
  }

 private:
  VerifyResult& finish(VerifyResult& res) {
    res.failure = Failure{};
    res.chain.clear();
    for (const auto* c : good_) res.chain.push_back(*c);
    return res;
  }

  // Ranks failures so the report is the most useful one: a fully built
  // path's error beats "path too long", which beats "unknown issuer"; among
  // equals, the first found wins.
  void consider(const Failure& f, int rank) {
    if (rank > best_rank_) {
      best_ = f;
      best_rank_ = rank;
    }
  }

  bool in_path(const Certificate& c) const {
    for (const auto* p : path_)
      if (same_bytes(p->der(), c.der()) ||
          (names_equal(p->view().subject, c->subject) && same_bytes(p->view().spki.raw, c->spki.raw)))
        return true;
    return false;
  }

  // Candidates whose keyIdentifier matches come first, mismatches last.
  static int key_id_rank(const CertView& child, const CertView& issuer) {
    if (child.ext.authority_key_id.empty() || issuer.ext.subject_key_id.empty()) return 1;
    return same_bytes(child.ext.authority_key_id, issuer.ext.subject_key_id) ? 0 : 2;
  }

  void extend() {
    if (found_ || ++steps_ > 2000) return;
    const Certificate& top = *path_.back();
    const int depth = static_cast<int>(path_.size()) - 1;
    tls::ArenaVector<std::pair<int, const Certificate*>> cands;
    for (const auto& a : store_.anchors())
      if (names_equal(a->subject, top->issuer)) cands.push_back({key_id_rank(top.view(), a.view()) * 2, &a});
    const std::size_t n_anchors = cands.size();
    for (const auto& c : inter_)
      if (names_equal(c->subject, top->issuer) && !in_path(c)) cands.push_back({key_id_rank(top.view(), c.view()) * 2 + 1, &c});
    // Stable insertion sort (std::stable_sort takes a heap buffer; the
    // candidates are few).
    for (std::size_t i = 1; i < cands.size(); ++i)
      for (std::size_t j = i; j > 0 && cands[j].first < cands[j - 1].first; --j) std::swap(cands[j], cands[j - 1]);
    if (cands.empty()) {
      // Report the deepest certificate whose issuer is nowhere to be found.
      if (best_rank_ < 1 || (best_rank_ == 1 && depth > best_.depth)) {
        best_ = {Error::unknown_issuer, depth, TERN_X509_SUBJECT(top),
                 TERN_X509_DETAIL("no certificate for issuer " + to_string(top->issuer))};
        best_rank_ = 1;
      }
      return;
    }
    (void)n_anchors;
    for (const auto& [rank, cand] : cands) {
      if (found_) return;
      const bool is_anchor = (rank % 2) == 0;
      if (static_cast<int>(path_.size()) + 1 > o_.max_depth) {
        consider({Error::path_too_long, depth, TERN_X509_SUBJECT(top),
                  TERN_X509_DETAIL("more than " + std::to_string(o_.max_depth) + " certificates")},
                 2);
        return;
      }
      path_.push_back(cand);
      if (is_anchor) {
        if (++attempts_ <= 64) {
          Failure f = validate();
          if (f.error == Error::ok) {
            found_ = true;
            good_ = path_;
          } else {
            consider(f, 3);
          }
        }
      } else {
        extend();
      }
      path_.pop_back();
    }
  }

  Status check_sig(const CertView& child, const CertView& issuer) const {
    if (child.signature_unused_bits != 0) return Status::bad_signature;
    if (o_.verifier.fn) return o_.verifier.fn(o_.verifier.ctx, child.sig_alg, issuer.spki.raw, child.tbs, child.signature);
    return verify_signature(child.sig_alg, issuer.spki.raw, child.tbs, child.signature);
  }

  // Validates path_ (leaf first, anchor last), RFC 5280 §6.1 order: from
  // the anchor down to the leaf.
  Failure validate() const {
    const int n = static_cast<int>(path_.size());
    auto fail = [&](Error e, int i, std::string detail) {
      return Failure{e, i, TERN_X509_SUBJECT(*path_[static_cast<std::size_t>(i)]), std::move(detail)};
    };
    int max_path = INT_MAX;
    for (int i = n - 1; i >= 0; --i) {
      const CertView& c = path_[static_cast<std::size_t>(i)]->view();
      const bool anchor = i == n - 1, leaf = i == 0;
      if (o_.now > c.not_after) return fail(Error::expired, i, TERN_X509_DETAIL("expired on " + format_time(c.not_after)));
      if (o_.now < c.not_before)
        return fail(Error::not_yet_valid, i, TERN_X509_DETAIL("not valid until " + format_time(c.not_before)));
      if (!c.ext.unknown_critical.empty())
        return fail(Error::unsupported_critical_extension, i, TERN_X509_DETAIL(oid_hex(c.ext.unknown_critical)));
      if (!anchor) {
        const CertView& issuer = path_[static_cast<std::size_t>(i) + 1]->view();
        const Status s = check_sig(c, issuer);
        if (s == Status::unsupported)
          return fail(Error::unsupported_algorithm, i,
                      TERN_X509_DETAIL(std::string(to_string(c.sig_alg.alg)) + " with a " + to_string(issuer.spki.type) + " key"));
        if (s != Status::ok)
          return fail(Error::bad_signature, i, TERN_X509_DETAIL(std::string("signed with ") + to_string(c.sig_alg.alg)));
      }
      if (!leaf) {
        // Issuer role (RFC 5280 §6.1.4 (k), (l), (m), (n)).
        const bool v1_anchor = anchor && c.version < 3 && !c.ext.has_basic_constraints;
        if (!v1_anchor && !(c.ext.has_basic_constraints && c.ext.is_ca))
          return fail(Error::not_a_ca, i,
                      TERN_X509_DETAIL(c.ext.has_basic_constraints ? "basicConstraints cA is FALSE" : "no basicConstraints"));
        if (!anchor && !c.self_issued()) {
          if (max_path <= 0)
            return fail(Error::pathlen_exceeded, i, TERN_X509_DETAIL("an issuer allows no more intermediate CAs"));
          --max_path;
        }
        if (c.ext.path_len >= 0 && c.ext.path_len < max_path) max_path = c.ext.path_len;
        if (c.ext.has_key_usage && !(c.ext.key_usage & ku_key_cert_sign))
          return fail(Error::bad_key_usage, i, TERN_X509_DETAIL("keyUsage lacks keyCertSign"));
        if (!anchor && o_.purpose != Purpose::any && c.ext.has_ext_key_usage) {
          const std::uint8_t need = o_.purpose == Purpose::server_auth ? eku_server_auth : eku_client_auth;
          if (!(c.ext.ext_key_usage & (need | eku_any)))
            return fail(Error::bad_ext_key_usage, i,
                        TERN_X509_DETAIL(o_.purpose == Purpose::server_auth ? "extKeyUsage lacks serverAuth"
                                                                            : "extKeyUsage lacks clientAuth"));
        }
      }
      // Name constraints of every CA above (self-issued intermediates exempt).
      if (!(i > 0 && c.self_issued()) || leaf) {
        for (int j = i + 1; j < n; ++j) {
#ifdef TERN_SMALL
          if (!satisfies_name_constraints(path_[static_cast<std::size_t>(j)]->view(), c, leaf, nullptr))
            return fail(Error::name_constraints, i, std::string());
#else
          std::string why;
          if (!satisfies_name_constraints(path_[static_cast<std::size_t>(j)]->view(), c, leaf, &why))
            return fail(Error::name_constraints, i, why + " (constraint from certificate " + std::to_string(j) + ")");
#endif
        }
      }
      if (leaf) {
        if (o_.purpose != Purpose::any) {
          if (c.ext.has_key_usage && !(c.ext.key_usage & ku_digital_signature))
            return fail(Error::bad_key_usage, i, TERN_X509_DETAIL("keyUsage lacks digitalSignature"));
          const std::uint8_t need = o_.purpose == Purpose::server_auth ? eku_server_auth : eku_client_auth;
          if (c.ext.has_ext_key_usage && !(c.ext.ext_key_usage & (need | eku_any)))
            return fail(Error::bad_ext_key_usage, i,
                        TERN_X509_DETAIL(o_.purpose == Purpose::server_auth ? "extKeyUsage lacks serverAuth"
                                                                            : "extKeyUsage lacks clientAuth"));
        }
        if (!o_.hostname.empty() && !matches_hostname(c, o_.hostname))
          return fail(Error::name_mismatch, i,
                      TERN_X509_DETAIL("\"" + o_.hostname + "\" is not among the certificate's names: " + san_list(c)));
      }
    }
    return {};
  }

  std::span<const Certificate> inter_;
  const TrustStore& store_;
  const VerifyOptions& o_;
  tls::ArenaVector<const Certificate*> path_, good_;
  Failure best_{Error::unknown_issuer, 0, "", ""};
  int best_rank_ = -100, steps_ = 0, attempts_ = 0;
  bool found_ = false;
};

}  // namespace

VerifyResult verify(const Certificate& leaf, std::span<const Certificate> intermediates, const TrustStore& store,
                    const VerifyOptions& opts) {
  if (leaf.empty()) {
    VerifyResult r;
    r.failure = {Error::malformed, 0, "", "empty certificate"};
    return r;
  }
  PathBuilder b(intermediates, store, opts);
  return b.run(leaf);
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
