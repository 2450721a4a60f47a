// RFC 8448 trace files (../shared/vectors/rfc8448, NAME HEX per line).
#pragma once

#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "tests/support/testutil.hpp"

namespace tern::test {

struct Trace {
  std::map<std::string, std::string> values;  // name -> hex ("" for "-")
  bool has(const std::string& k) const { return values.count(k) != 0; }
  Bytes operator[](const std::string& k) const {
    auto it = values.find(k);
    if (it == values.end()) throw std::runtime_error("trace: no value " + k);
    return hex(it->second);
  }
};

inline std::optional<Trace> load_trace(const std::string& file) {
  auto path = locate(Source::rfc8448, file);
  if (!path) return std::nullopt;
  Trace t;
  std::istringstream in(read_file(*path));
  std::string name, value;
  while (in >> name >> value) t.values[name] = value == "-" ? "" : value;
  return t;
}

}  // namespace tern::test
