// Shared helpers for tern's Catch2 suites: hex, vector-file readers
// (NIST .rsp and tern's own vectors/*.txt, which share one format), a small
// JSON reader for Wycheproof, locating vector sources, and running a block
// of checks once per kernel of a family.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/internal/dispatch.hpp"

namespace tern::test {

using Bytes = std::vector<std::uint8_t>;

Bytes hex(std::string_view h);  // throws on malformed hex
std::string to_hex(const std::uint8_t* p, std::size_t n);
inline std::string to_hex(const Bytes& b) { return to_hex(b.data(), b.size()); }

// ---- locating vector sources ------------------------------------------------
// Directories come from the environment that `meson test` sets:
//   TERN_WYCHEPROOF_DIR, TERN_CAVP_DIR, TERN_RFC8448_DIR, TERN_VECTORS_DIR.
enum class Source { wycheproof, cavp, rfc8448, vectors };
// Full path of `rel` inside the source, or nullopt when it is missing. A
// missing source FAILS the test when CI is set in the environment and
// prints a loud warning otherwise.
std::optional<std::string> locate(Source src, const std::string& rel);
std::string read_file(const std::string& path);

// ---- NIST .rsp / vectors/*.txt ----------------------------------------------
// Lines "Key = Value"; "[Section]" or "[K = V]" headers; '#' comments; a
// blank line ends a record. Keys keep their case.
struct Record {
  std::map<std::string, std::string> fields;  // record's own "K = V"
  std::map<std::string, std::string> section; // enclosing "[K = V]" values
  std::string section_name;                   // raw text of the last "[...]"
  int line = 0;                               // first line of the record
  bool has(const std::string& k) const { return fields.count(k) != 0; }
  const std::string& get(const std::string& k) const;  // throws if absent
  Bytes bytes(const std::string& k) const { return hex(get(k)); }
};
std::vector<Record> parse_records(const std::string& text);

// ---- JSON (enough for Wycheproof) --------------------------------------------
struct Json {
  enum Kind { null, boolean, number, string, array, object } kind = null;
  bool b = false;
  std::string s;  // string value, or the number's text
  std::vector<Json> items;
  std::vector<std::string> keys;  // object member names, parallel to values
  std::vector<Json> values;

  const Json& operator[](const std::string& key) const;  // throws if absent
  const Json* find(const std::string& key) const;
  const Json& operator[](std::size_t i) const { return items.at(i); }
  long long as_int() const;
  Bytes as_hex() const { return hex(s); }
  bool has_flag(const std::string& flag) const;  // "flags" array contains flag
};
Json parse_json(const std::string& text);

// Loads and parses a Wycheproof file; nullopt when the source is missing
// (see locate()).
std::optional<Json> load_wycheproof(const std::string& file);

// ---- kernels ------------------------------------------------------------------
// Runs `body(kernel_name)` once for every kernel of `set` this machine can
// run, with that kernel selected, and restores the default afterwards.
// Returns the names run. Prints "family: kernel" lines so logs show them.
std::vector<std::string> for_each_kernel(const char* family, KernelSet& set,
                                         const std::function<void(const std::string&)>& body);

// Deterministic pseudo-random bytes for differential tests.
struct Rng {
  std::uint64_t s;
  explicit Rng(std::uint64_t seed) : s(seed ^ 0x243f6a8885a308d3ull) {}
  std::uint64_t next();
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  Bytes bytes(std::size_t n);
};

}  // namespace tern::test

namespace tern::test {
// Prints "what [kernel]: N passed" to stdout (shown in the meson test log)
// so every run names the kernel and the count of vectors it passed.
void report(const std::string& what, const std::string& kernel, std::size_t passed);
// The [dispatch] check every suite carries: with TERN_CPU_DISABLE=all the
// active kernel must be "portable"; otherwise it must be the best kernel
// this machine supports.
void check_dispatch(const char* family, KernelSet& set);
}  // namespace tern::test
