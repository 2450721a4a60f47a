// PEM (RFC 7468) and base64 (RFC 4648) for tern's X.509 layer.
//
// A PEM file holds any number of "-----BEGIN LABEL-----" ...
// "-----END LABEL-----" blocks; text outside blocks is ignored. Inside a
// block, header lines ("Proc-Type: ...") are skipped, whitespace is
// ignored, and the base64 must be canonical (padding, no stray bytes).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/status.hpp"

namespace tern::pem {

// Why a PEM text was rejected (Status is bad_encoding in every case).
enum class PemError : std::uint8_t {
  none = 0,
  bad_base64,        // a character outside the alphabet, bad padding or length
  missing_end,       // BEGIN without a matching END
  unmatched_end,     // END without BEGIN
  label_mismatch,    // BEGIN X ... END Y
  no_blocks,         // the text held no block at all
};
const char* to_string(PemError e) noexcept;

struct Block {
  std::string label;               // "CERTIFICATE", "PRIVATE KEY", ...
  std::vector<std::uint8_t> der;   // decoded contents
};

// Every block of `text`, in order. On failure `*error` (if given) names the
// reason and `*line` the 1-based line where it was found.
Status parse(std::string_view text, std::vector<Block>& out, PemError* error = nullptr,
             std::size_t* line = nullptr);

// One PEM block, 64 base64 characters per line, '\n' line ends.
std::string encode(std::string_view label, std::span<const std::uint8_t> der);

// Plain base64 (no line breaks) and its strict decoder (whitespace ignored).
std::string base64_encode(std::span<const std::uint8_t> data);
Status base64_decode(std::string_view text, std::vector<std::uint8_t>& out);

}  // namespace tern::pem
