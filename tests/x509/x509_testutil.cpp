#include "x509_testutil.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#if TERN_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/x509.h>
#endif

namespace tern::x509test {

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::vector<std::uint8_t> out;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return out;
  std::uint8_t buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  std::fclose(f);
  return out;
}

bool file_exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (const dirent* e = readdir(d))
    if (e->d_name[0] != '.') out.push_back(e->d_name);
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

#if TERN_HAVE_OPENSSL
Status openssl_verify(void*, const x509::AlgorithmId& alg, x509::Bytes spki, x509::Bytes tbs, x509::Bytes sig) {
  using x509::SigAlg;
  const EVP_MD* md = nullptr;
  switch (alg.alg) {
    case SigAlg::rsa_pkcs1_sha1:
    case SigAlg::ecdsa_sha1:
    case SigAlg::dsa_sha1: md = EVP_sha1(); break;
    case SigAlg::rsa_pkcs1_sha224: md = EVP_sha224(); break;
    case SigAlg::rsa_pkcs1_sha256:
    case SigAlg::ecdsa_sha256:
    case SigAlg::dsa_sha256: md = EVP_sha256(); break;
    case SigAlg::rsa_pkcs1_sha384:
    case SigAlg::ecdsa_sha384: md = EVP_sha384(); break;
    case SigAlg::rsa_pkcs1_sha512:
    case SigAlg::ecdsa_sha512: md = EVP_sha512(); break;
    case SigAlg::ed25519: break;
    default: return Status::unsupported;
  }
  const unsigned char* p = spki.data();
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size()));
  if (!key) return Status::unsupported;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  int ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1 &&
           EVP_DigestVerify(ctx, sig.data(), sig.size(), tbs.data(), tbs.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok ? Status::ok : Status::bad_signature;
}
#endif

}  // namespace tern::x509test
