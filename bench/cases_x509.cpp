// X.509 benchmark rows (operation counts):
//   x509-parse/tern, x509-parse/openssl: parse one DER certificate (the
//     first certificate of the Debian bundle, else a generated one).
//     tern: parse_certificate (views, no copy). OpenSSL: d2i_X509 + X509_free
//     (OpenSSL decodes into owned structures, so the comparison favours tern).
//   x509-verify-p256/tern, x509-verify-p256/openssl: validate a generated
//     P-256 root -> intermediate -> leaf chain with hostname check.
//     OpenSSL: X509_STORE built once; a fresh X509_STORE_CTX per operation.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench/cases.hpp"
#include "x509/x509.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#endif

namespace {

using namespace tern::x509;

struct Fixture {
  std::vector<std::uint8_t> sample;  // one certificate to parse
  bool have_chain = false;
  Certificate root, inter, leaf;
  TrustStore store;
  Time now = make_time(2026, 6, 1);
  Fixture() {
    gen::PrivateKey rk, ik, lk;
    if (gen::supported(gen::KeyAlg::p256) && gen::generate_key(gen::KeyAlg::p256, rk) == tern::Status::ok &&
        gen::generate_key(gen::KeyAlg::p256, ik) == tern::Status::ok &&
        gen::generate_key(gen::KeyAlg::p256, lk) == tern::Status::ok) {
      gen::CertSpec r;
      r.common_name = "bench root";
      r.is_ca = true;
      r.not_before = make_time(2025, 1, 1);
      r.not_after = make_time(2035, 1, 1);
      gen::CertSpec i = r;
      i.common_name = "bench intermediate";
      gen::CertSpec l;
      l.common_name = "bench.example";
      l.dns_names = {"bench.example"};
      l.ext_key_usage = eku_server_auth;
      l.not_before = r.not_before;
      l.not_after = r.not_after;
      std::vector<std::uint8_t> d;
      if (gen::self_signed(r, rk, d) == tern::Status::ok && Certificate::from_der(Bytes(d), root) == tern::Status::ok &&
          gen::issue(i, ik.spki_der(), root, rk, d) == tern::Status::ok &&
          Certificate::from_der(Bytes(d), inter) == tern::Status::ok &&
          gen::issue(l, lk.spki_der(), inter, ik, d) == tern::Status::ok &&
          Certificate::from_der(Bytes(d), leaf) == tern::Status::ok && store.add(root) == tern::Status::ok)
        have_chain = true;
    }
    TrustStore system;
    if (system.load_system() == tern::Status::ok && system.size() > 0) {
      const Bytes b = system.anchors()[0].der();
      sample.assign(b.begin(), b.end());
    } else if (have_chain) {
      sample.assign(leaf.der().begin(), leaf.der().end());
    }
  }
};

std::shared_ptr<Fixture> fixture() {
  static std::shared_ptr<Fixture> f = std::make_shared<Fixture>();
  return f;
}

// The fixture (keys, certificates, the system trust store) is built on
// first use by a row's setup, not at registration: every `tern` command
// links these cases, and none but `speed` should pay for them.
void need_fixture() {
  const auto f = fixture();
  if (f->sample.empty() || !f->have_chain) {
    std::fprintf(stderr, "x509 benchmarks: could not build the test PKI\n");
    std::abort();
  }
}

#if TERN_HAVE_OPENSSL
struct Ossl {
  X509_STORE* store = nullptr;
  X509 *leaf = nullptr, *inter = nullptr;
  STACK_OF(X509)* untrusted = nullptr;
};
Ossl& ossl() {
  static Ossl* o = [] {
    const auto f = fixture();
    auto* r = new Ossl;
    auto load = [](const Certificate& c) {
      const unsigned char* p = c.der().data();
      return d2i_X509(nullptr, &p, static_cast<long>(c.der().size()));
    };
    r->store = X509_STORE_new();
    X509* root = load(f->root);
    X509_STORE_add_cert(r->store, root);
    X509_free(root);
    r->leaf = load(f->leaf);
    r->inter = load(f->inter);
    r->untrusted = sk_X509_new_null();
    sk_X509_push(r->untrusted, r->inter);
    return r;
  }();
  return *o;
}
#endif

tern::bench::Registrar reg([] {
  {
    tern::bench::add({"x509-parse", "tern", 0, need_fixture, [](std::uint64_t n) {
                        const auto f = fixture();
                        for (std::uint64_t i = 0; i < n; ++i) {
                          CertView v;
                          if (parse_certificate(Bytes(f->sample), v) != tern::Status::ok) __builtin_trap();
                          tern::bench::keep(v);
                        }
                      }});
#if TERN_HAVE_OPENSSL
    tern::bench::add({"x509-parse", "openssl", 0, need_fixture, [](std::uint64_t n) {
                        const auto f = fixture();
                        for (std::uint64_t i = 0; i < n; ++i) {
                          const unsigned char* p = f->sample.data();
                          X509* x = d2i_X509(nullptr, &p, static_cast<long>(f->sample.size()));
                          if (!x) __builtin_trap();
                          X509_free(x);
                        }
                      }});
#endif
  }
  {
    tern::bench::add({"x509-verify-p256", "tern", 0, need_fixture, [](std::uint64_t n) {
                        const auto f = fixture();
                        VerifyOptions o;
                        o.now = f->now;
                        o.hostname = "bench.example";
                        const std::vector<Certificate> untrusted = {f->inter};
                        for (std::uint64_t i = 0; i < n; ++i)
                          if (!verify(f->leaf, untrusted, f->store, o).ok()) __builtin_trap();
                      }});
#if TERN_HAVE_OPENSSL
    tern::bench::add({"x509-verify-p256", "openssl", 0, [] { need_fixture(); ossl(); }, [](std::uint64_t n) {
                        const auto f = fixture();
                        Ossl* o = &ossl();
                        for (std::uint64_t i = 0; i < n; ++i) {
                          X509_STORE_CTX* ctx = X509_STORE_CTX_new();
                          X509_STORE_CTX_init(ctx, o->store, o->leaf, o->untrusted);
                          X509_VERIFY_PARAM* p = X509_STORE_CTX_get0_param(ctx);
                          X509_VERIFY_PARAM_set_time(p, static_cast<time_t>(f->now));
                          X509_VERIFY_PARAM_set1_host(p, "bench.example", 0);
                          X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
                          if (X509_verify_cert(ctx) != 1) __builtin_trap();
                          X509_STORE_CTX_free(ctx);
                        }
                      }});
#endif
  }
});

}  // namespace
