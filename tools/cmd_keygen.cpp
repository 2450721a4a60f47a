// tern keygen: a fresh private key as PEM PKCS#8.
#include <cstdio>
#include <cstring>

#include "tools/commands.hpp"
#include "tools/util.hpp"

namespace tern::tool {

namespace {
const char kHelp[] =
    "usage: tern keygen --type ed25519|p256|p384|rsa2048|rsa3072|rsa4096 [--pkcs1] [--out FILE]\n"
    "\n"
    "Generates a private key from the system random source and writes it as\n"
    "PEM PKCS#8 (\"PRIVATE KEY\") to FILE (mode 0600) or standard output.\n"
    "RSA keys have e = 65537 (FIPS 186-5 probable primes).\n"
    "\n"
    "  --type T    ed25519 (default), p256, p384 (ECDSA), rsa2048, rsa3072, rsa4096\n"
    "              (rsa = rsa2048)\n"
    "  --pkcs1     RSA only: write PKCS#1 (\"RSA PRIVATE KEY\") instead of PKCS#8\n"
    "  --out FILE  write the key to FILE instead of standard output\n";
}  // namespace

int cmd_keygen(const Args& args) {
  Options o = parse_options(args, {"type", "out"}, {"help", "pkcs1"});
  if (o.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!o.error.empty()) return fail(kUsage, o.error);
  if (!o.positional.empty()) return fail(kUsage, "unexpected argument '" + o.positional[0] + "' (see tern keygen --help)");
  std::string type = o.get("type", "ed25519");
  x509::gen::KeyAlg alg;
  if (type == "ed25519") alg = x509::gen::KeyAlg::ed25519;
  else if (type == "p256" || type == "ecdsa-p256") alg = x509::gen::KeyAlg::p256;
  else if (type == "p384" || type == "ecdsa-p384") alg = x509::gen::KeyAlg::p384;
  else if (type == "rsa2048" || type == "rsa") alg = x509::gen::KeyAlg::rsa2048;
  else if (type == "rsa3072") alg = x509::gen::KeyAlg::rsa3072;
  else if (type == "rsa4096") alg = x509::gen::KeyAlg::rsa4096;
  else
    return fail(kUsage, "unknown key type '" + type + "' (expected ed25519, p256, p384, rsa2048, rsa3072 or rsa4096)");
  if (o.has("pkcs1") && !x509::gen::is_rsa(alg)) return fail(kUsage, "--pkcs1 applies to RSA keys only");
  if (!x509::gen::supported(alg)) return fail(1, "key type " + type + " is not available in this build");
  x509::gen::PrivateKey key;
  Status s = x509::gen::generate_key(alg, key);
  if (s != Status::ok) return fail(1, std::string("key generation failed: ") + to_string(s));
  std::string pem = o.has("pkcs1") ? key.pkcs1_pem() : key.pkcs8_pem();
  std::string out = o.get("out");
  if (out.empty() || out == "-") {
    std::fputs(pem.c_str(), stdout);
  } else if (!write_file(out, pem, true)) {
    return fail(1, "cannot write " + out + ": " + std::strerror(errno));
  }
  return 0;
}

}  // namespace tern::tool
