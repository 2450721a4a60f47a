// tern::Status: the result of every operation in tern that can fail.
//
// No exception crosses the public API. Functions that can fail return a
// [[nodiscard]] Status; Status::ok is the only success value.
#pragma once

#include <cstdint>

namespace tern {

enum class [[nodiscard]] Status : std::uint8_t {
  ok = 0,
  bad_length,          // an input or output length is outside what the function accepts
  bad_key,             // a key is malformed or of the wrong size/kind
  bad_nonce,           // a nonce is malformed or of the wrong size
  auth_failed,         // an AEAD tag or MAC did not verify
  bad_signature,       // a signature did not verify or is malformed
  bad_point,           // a public key / curve point is invalid
  bad_encoding,        // a DER/PEM/wire encoding is malformed
  zero_shared_secret,  // X25519 produced the all-zero output
  output_too_long,     // a KDF was asked for more than it may produce
  buffer_too_small,    // an output buffer cannot hold the result
  rng_failure,         // the randomness source failed
  unsupported,         // an algorithm, parameter or feature is not supported
  weak_key,            // a key is below the configured minimum strength
  internal_error,      // an invariant failed (never expected)
};

// A short, stable, lowercase name ("auth_failed") for logs and errors.
const char* to_string(Status s) noexcept;

constexpr bool is_ok(Status s) noexcept { return s == Status::ok; }

}  // namespace tern
