// Trust stores: PEM bundles, directories of PEM files, the system bundle.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "x509/path/verify.hpp"
#include "x509/pem/pem.hpp"

namespace tern::x509 {
namespace {

bool read_whole_file(const std::string& path, std::string& out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  out.clear();
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

bool ends_with(const std::string& s, const char* suffix) {
  const std::string_view x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

}  // namespace

Status TrustStore::add(const Certificate& c) {
  if (c.empty()) return Status::bad_encoding;
  for (const auto& a : anchors_)
    if (a.der().size() == c.der().size() && std::equal(a.der().begin(), a.der().end(), c.der().begin()))
      return Status::ok;  // already present
  anchors_.push_back(c);
  return Status::ok;
}

Status TrustStore::add_der(Bytes der) {
  // A certificate that parses is exactly its DER (no trailing bytes), so
  // the duplicate check can come first; parsed in place (no copy).
  for (const auto& a : anchors_)
    if (a.der().size() == der.size() && std::equal(der.begin(), der.end(), a.der().begin())) return Status::ok;
  anchors_.emplace_back();
  const Status s = Certificate::from_der(der, anchors_.back());
  if (s != Status::ok) anchors_.pop_back();
  return s;
}

Status TrustStore::add_pem_file(const std::string& path, std::size_t* added, std::size_t* rejected) {
  std::string text;
  if (!read_whole_file(path, text)) return Status::bad_encoding;
  std::vector<pem::Block> blocks;
  if (pem::parse(text, blocks) != Status::ok) return Status::bad_encoding;
  for (auto& b : blocks) {
    if (b.label != "CERTIFICATE") continue;
    Certificate c;
    if (Certificate::from_der(std::move(b.der), c) != Status::ok) {
      if (rejected) ++*rejected;
      continue;
    }
    const std::size_t before = anchors_.size();
    (void)add(c);
    if (added && anchors_.size() > before) ++*added;
  }
  return Status::ok;
}

Status TrustStore::add_directory(const std::string& dir, std::size_t* added, std::size_t* rejected) {
  DIR* d = opendir(dir.c_str());
  if (!d) return Status::bad_encoding;
  std::vector<std::string> files;
  while (const dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    if (!ends_with(name, ".pem") && !ends_with(name, ".crt")) continue;
    const std::string full = dir + "/" + name;
    struct stat st;
    if (stat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode)) files.push_back(full);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  for (const auto& f : files) (void)add_pem_file(f, added, rejected);
  return Status::ok;
}

Status TrustStore::load_system(std::size_t* added, std::size_t* rejected) {
  static const char* const kBundles[] = {
      "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Alpine
      "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL
      "/etc/ssl/ca-bundle.pem",                             // openSUSE
      "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 7+
      "/etc/ssl/cert.pem",                                  // Alpine, BSDs
  };
  for (const char* b : kBundles)
    if (add_pem_file(b, added, rejected) == Status::ok) return Status::ok;
  return add_directory("/etc/ssl/certs", added, rejected);
}

}  // namespace tern::x509
