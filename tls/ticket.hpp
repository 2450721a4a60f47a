// Stateless session tickets (internal): the server's resumption state,
// sealed under a TicketKeyRing key.
//   ticket = key name (16) || nonce (12) || AEAD(state) || tag (16)
// with the key name as additional data. AES-256-GCM keyed with the
// ticket key's secret (ChaCha20-Poly1305 in builds without AES).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tls/config.hpp"

namespace tern::tls {

struct TicketState {
  std::uint16_t cipher_suite = 0;
  std::uint8_t psk[48]{};
  std::uint8_t psk_len = 0;
  std::uint64_t issued_ms = 0;
  std::uint32_t age_add = 0;
  std::uint32_t lifetime = 0;
  std::uint32_t max_early_data = 0;
  std::string alpn;
  ~TicketState();
};

Status seal_ticket(const TicketKey& key, const TicketState& st, RandomSource& rng, ByteVector& out);
// False when no key of the ring opens the ticket or its contents are malformed.
bool open_ticket(const TicketKeyRing& ring, Bytes ticket, TicketState& out);

}  // namespace tern::tls
