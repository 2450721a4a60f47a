// ECDSA and ECDH on the NIST curves P-256 and P-384 (FIPS 186-4, SEC 1).
//
// Encodings: scalars and coordinates are big-endian, exactly scalar_size()
// bytes. Public keys are SEC 1 points: uncompressed 04||x||y, or
// compressed 02/03||x (accepted on input, decoded with a square root).
// Signatures are raw r||s (IEEE P1363) or DER X9.62 ECDSA-Sig-Value.
//
// Digests of any length are accepted (SEC 1 4.1.3 step 5: the leftmost
// bits of the digest, as many as the order has). Signing uses RFC 6979
// deterministic nonces; HMAC-DRBG runs with SHA-256, SHA-384 or SHA-512
// when the digest is 32, 48 or 64 bytes long (so a SHA-384 digest with a
// P-256 key gives RFC 6979's SHA-384 nonce), otherwise with the curve's
// hash (SHA-256 for P-256, SHA-384 for P-384). When `extra_entropy` is
// given, fresh random bytes are mixed in as RFC 6979 3.6 additional data.
//
// Secret scalars are handled in constant time (fixed-window scalar
// multiplication with masked table scans, Fermat inversion) and wiped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/internal/dispatch.hpp"
#include "crypto/internal/random.hpp"
#include "crypto/status.hpp"

namespace tern::ec {

enum class Curve : std::uint8_t { p256, p384 };

// Bytes in a scalar (private key, r, s) and in a field element.
constexpr std::size_t scalar_size(Curve c) noexcept { return c == Curve::p256 ? 32 : 48; }
constexpr std::size_t field_size(Curve c) noexcept { return scalar_size(c); }
constexpr std::size_t uncompressed_point_size(Curve c) noexcept { return 1 + 2 * field_size(c); }
constexpr std::size_t compressed_point_size(Curve c) noexcept { return 1 + field_size(c); }
constexpr std::size_t raw_signature_size(Curve c) noexcept { return 2 * scalar_size(c); }
// SEQUENCE { INTEGER r, INTEGER s } at most: 2 + 2 * (2 + size + 1), with a
// two-byte length for P-384.
constexpr std::size_t max_der_signature_size(Curve c) noexcept { return c == Curve::p256 ? 72 : 104; }
inline constexpr std::size_t max_scalar_size = 48;
inline constexpr std::size_t max_uncompressed_point_size = 97;
inline constexpr std::size_t max_raw_signature_size = 96;
inline constexpr std::size_t max_der_signature_size_any = 104;

// Kernel control ("adx", "portable").
KernelSet& p256_kernels() noexcept;
KernelSet& p384_kernels() noexcept;

// ---- ECDSA ----------------------------------------------------------------------
// Status::ok when the signature is valid; bad_point for a malformed or
// invalid public key; bad_signature for a wrong-size, out-of-range or
// non-verifying signature; bad_encoding for malformed DER.
Status ecdsa_verify(Curve curve, std::span<const std::uint8_t> public_key, std::span<const std::uint8_t> digest,
                    std::span<const std::uint8_t> sig_raw) noexcept;
Status ecdsa_verify_der(Curve curve, std::span<const std::uint8_t> public_key,
                        std::span<const std::uint8_t> digest, std::span<const std::uint8_t> sig_der) noexcept;

// sig_raw_out must be exactly raw_signature_size(curve) bytes; the private
// key exactly scalar_size(curve) bytes with 1 <= d < n (else bad_key).
Status ecdsa_sign(Curve curve, std::span<std::uint8_t> sig_raw_out, std::span<const std::uint8_t> private_key,
                  std::span<const std::uint8_t> digest, RandomSource* extra_entropy = nullptr) noexcept;
// DER signature into `out` (max_der_signature_size(curve) bytes always
// suffice); its length in `out_len`.
Status ecdsa_sign_der(Curve curve, std::span<std::uint8_t> out, std::size_t& out_len,
                      std::span<const std::uint8_t> private_key, std::span<const std::uint8_t> digest,
                      RandomSource* extra_entropy = nullptr) noexcept;

// r||s <-> DER. sig_der_to_raw is strict (X.690 DER, minimal positive
// INTEGERs, no trailing bytes) and requires 1 <= r, s < n.
Status sig_raw_to_der(Curve curve, std::span<std::uint8_t> out, std::size_t& out_len,
                      std::span<const std::uint8_t> sig_raw) noexcept;
Status sig_der_to_raw(Curve curve, std::span<std::uint8_t> raw_out, std::span<const std::uint8_t> sig_der) noexcept;

// ---- ECDH and keys -----------------------------------------------------------------
// shared_x_out (field_size bytes) = x(d * Q). The peer key is fully
// validated (encoding, coordinates < p, on the curve, not infinity):
// bad_point otherwise. bad_key for an out-of-range private key.
Status ecdh(Curve curve, std::span<std::uint8_t> shared_x_out, std::span<const std::uint8_t> private_key,
            std::span<const std::uint8_t> peer_public) noexcept;

// A fresh key pair: priv_out scalar_size bytes, pub_out
// uncompressed_point_size bytes.
Status generate_key(Curve curve, std::span<std::uint8_t> priv_out, std::span<std::uint8_t> pub_out_uncompressed,
                    RandomSource& rng) noexcept;
Status public_key_from_private(Curve curve, std::span<std::uint8_t> pub_out_uncompressed,
                               std::span<const std::uint8_t> private_key) noexcept;
// ok when `pub` is a valid point (uncompressed or compressed); else bad_point.
Status validate_public_key(Curve curve, std::span<const std::uint8_t> pub) noexcept;
// Decodes and validates `pub` (either form) into the uncompressed form.
Status decode_public_key(Curve curve, std::span<std::uint8_t> pub_out_uncompressed,
                         std::span<const std::uint8_t> pub) noexcept;

}  // namespace tern::ec
