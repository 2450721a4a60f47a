#include "crypto/status.hpp"

namespace tern {

const char* to_string(Status s) noexcept {
  switch (s) {
    case Status::ok: return "ok";
    case Status::bad_length: return "bad_length";
    case Status::bad_key: return "bad_key";
    case Status::bad_nonce: return "bad_nonce";
    case Status::auth_failed: return "auth_failed";
    case Status::bad_signature: return "bad_signature";
    case Status::bad_point: return "bad_point";
    case Status::bad_encoding: return "bad_encoding";
    case Status::zero_shared_secret: return "zero_shared_secret";
    case Status::output_too_long: return "output_too_long";
    case Status::buffer_too_small: return "buffer_too_small";
    case Status::rng_failure: return "rng_failure";
    case Status::unsupported: return "unsupported";
    case Status::weak_key: return "weak_key";
    case Status::internal_error: return "internal_error";
  }
  return "unknown";
}

}  // namespace tern
