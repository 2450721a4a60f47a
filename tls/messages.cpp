#include "tls/messages.hpp"

#include <cstring>

namespace tern::tls {

// SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3.
const std::uint8_t kHrrRandom[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
// "DOWNGRD" followed by 01 (TLS 1.2) or 00 (TLS 1.1 and below).
const std::uint8_t kDowngradeTls12[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
const std::uint8_t kDowngradeTls11[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00};

namespace {
constexpr Err decode(const char* why) { return fail(Alert::decode_error, why); }
constexpr Err illegal(const char* why) { return fail(Alert::illegal_parameter, why); }
}  // namespace

void write_handshake(ByteVector& out, HandshakeType t, Bytes body) {
  Writer w(out);
  w.u8(static_cast<std::uint8_t>(t));
  w.vec(3, body);
}

// ---- extensions --------------------------------------------------------------

namespace {
std::size_t be16(const std::uint8_t* p) noexcept { return (std::size_t{p[0]} << 8) | p[1]; }
}  // namespace

// The iterator walks a list parse_extensions() validated: every entry is
// a type, a 2-byte length and that many bytes, up to the list's end.
Extension Extensions::iterator::operator*() const noexcept {
  return {static_cast<std::uint16_t>(be16(p_)), Bytes(p_ + 4, be16(p_ + 2))};
}

Extensions::iterator& Extensions::iterator::operator++() noexcept {
  p_ += 4 + be16(p_ + 2);
  return *this;
}

std::size_t Extensions::size() const noexcept {
  std::size_t n = 0;
  for (auto it = begin(); it != end(); ++it) ++n;
  return n;
}

ExtRef find_ext(const Extensions& e, std::uint16_t type) noexcept {
  for (const Extension x : e)
    if (x.type == type) return {x, true};
  return {};
}

bool ext_known(std::uint16_t t) noexcept { return ext_index(t) >= 0; }

bool ext_allowed(std::uint16_t t, ExtContext c) noexcept {
  const int i = ext_index(t);
  return i < 0 || ((detail::kExtRules[i].contexts >> static_cast<int>(c)) & 1) != 0;
}

Err parse_extensions(Reader& r, ExtContext ctx, Extensions& out) {
  out = Extensions{};
  const Bytes raw = r.vec16();
  if (!r.ok()) return decode("extensions: bad length");
  Reader list(raw);
  // Types this library does not recognize, for the duplicate check. A block
  // of 64 KiB holds up to 16,383 empty extensions: comparing each with all
  // before it costs ~0.6 s per message, so at most kMaxUnknownExtensions
  // unrecognized types are accepted (real hellos carry a handful).
  std::uint16_t unknown[kMaxUnknownExtensions];
  std::size_t n_unknown = 0;
  while (list.remaining() > 0) {
    const std::uint16_t type = list.u16();
    (void)list.vec16();
    if (!list.ok()) return decode("extension: truncated");
    const int i = ext_index(type);
    if (i >= 0) {
      const std::uint32_t bit = std::uint32_t{1} << i;
      if (out.known_ & bit) return illegal("duplicate extension");
      if (((detail::kExtRules[i].contexts >> static_cast<int>(ctx)) & 1) == 0)
        return illegal("extension not allowed in this message");
      out.known_ |= bit;
    } else {
      // An unrecognized type: compared with the unrecognized ones before it.
      for (std::size_t q = 0; q < n_unknown; ++q)
        if (unknown[q] == type) return illegal("duplicate extension");
      if (n_unknown == kMaxUnknownExtensions) return decode("extensions: too many of unrecognized types");
      unknown[n_unknown++] = type;
      out.unknown_ = true;
    }
  }
  out.raw_ = raw;
  return kOk;
}

void write_extensions(Writer& w, const OutExtensions& exts) {
  auto m = w.begin(2);
  for (const auto& e : exts) {
    w.u16(e.type);
    w.vec(2, e.data);
  }
  w.end(m);
}

ByteVector encode_u16_list(int len_width, std::span<const std::uint16_t> v) {
  ByteVector out;
  Writer w(out);
  auto m = w.begin(len_width);
  for (auto x : v) w.u16(x);
  w.end(m);
  return out;
}

ByteVector encode_key_share_client(std::span<const KeyShareEntry> shares) {
  ByteVector out;
  Writer w(out);
  auto m = w.begin(2);
  for (const auto& s : shares) {
    w.u16(s.group);
    w.vec(2, s.key);
  }
  w.end(m);
  return out;
}

ByteVector encode_key_share_server(const KeyShareEntry& s) {
  ByteVector out;
  Writer w(out);
  w.u16(s.group);
  w.vec(2, s.key);
  return out;
}

ByteVector encode_key_share_hrr(std::uint16_t group) {
  ByteVector out;
  Writer(out).u16(group);
  return out;
}

ByteVector encode_server_name(std::string_view host) {
  ByteVector out;
  Writer w(out);
  auto m = w.begin(2);
  w.u8(0);  // host_name
  w.vec(2, Bytes(reinterpret_cast<const std::uint8_t*>(host.data()), host.size()));
  w.end(m);
  return out;
}

ByteVector encode_alpn(std::span<const std::string_view> protos) {
  ByteVector out;
  Writer w(out);
  auto m = w.begin(2);
  for (auto p : protos) w.vec(1, Bytes(reinterpret_cast<const std::uint8_t*>(p.data()), p.size()));
  w.end(m);
  return out;
}

ByteVector encode_cookie(Bytes cookie) {
  ByteVector out;
  Writer(out).vec(2, cookie);
  return out;
}

ByteVector encode_supported_versions_client(std::span<const std::uint16_t> v) {
  return encode_u16_list(1, v);
}

ByteVector encode_supported_versions_server(std::uint16_t version) {
  ByteVector out;
  Writer(out).u16(version);
  return out;
}

bool U16List::contains(std::uint16_t v) const noexcept {
  for (std::size_t i = 0; i < size(); ++i)
    if ((*this)[i] == v) return true;
  return false;
}

Err decode_u16_list(Bytes data, int len_width, std::size_t min_items, U16List& out) {
  Reader r(data);
  const Bytes list = r.vec(len_width, 2 * min_items, len_width == 1 ? 0xfe : 0xfffe);
  if (!r.done() || list.size() % 2 != 0) return decode("bad u16 list");
  out.raw = list;
  return kOk;
}

Err decode_u16_list(Bytes data, int len_width, std::size_t min_items, ArenaVector<std::uint16_t>& out) {
  out.clear();
  U16List l;
  TERN_TLS_TRY(decode_u16_list(data, len_width, min_items, l));
  for (std::size_t i = 0; i < l.size(); ++i) out.push_back(l[i]);
  return kOk;
}

Err decode_key_share_client(Bytes data, ArenaVector<KeyShareEntry>& out) {
  out.clear();
  Reader r(data);
  Reader list = r.sub(2, 0, 0xffff);
  if (!r.done()) return decode("key_share: bad length");
  while (list.remaining() > 0) {
    KeyShareEntry e;
    e.group = list.u16();
    e.key = list.vec16(1, 0xffff);
    if (!list.ok()) return decode("key_share: bad entry");
    // Bounded like the extensions (at most one share per group is allowed,
    // and clients send two or three): no quadratic duplicate check over
    // thousands of entries.
    if (out.size() == kMaxKeyShareEntries) return decode("key_share: too many entries");
    for (const auto& o : out)
      if (o.group == e.group) return illegal("key_share: duplicate group");
    out.push_back(e);
  }
  return kOk;
}

Err decode_server_name(Bytes data, Bytes& host) {
  Reader r(data);
  Reader list = r.sub(2, 1, 0xffff);
  if (!r.done()) return decode("server_name: bad length");
  bool seen = false;
  while (list.remaining() > 0) {
    std::uint8_t type = list.u8();
    Bytes name = list.vec16(1, 0xffff);
    if (!list.ok()) return decode("server_name: bad entry");
    if (type != 0) continue;  // unknown name types are skipped
    if (seen) return illegal("server_name: two host names");
    seen = true;
    host = name;
  }
  if (!seen) return illegal("server_name: no host name");
  return kOk;
}

namespace {
// An ALPN protocol_name_list: each name into `out` when given, the count
// into n, the first name into `first`.
Err walk_alpn(Bytes data, ArenaVector<Bytes>* out, std::size_t& n, Bytes& first) {
  Reader r(data);
  Reader list = r.sub(2, 2, 0xffff);
  if (!r.done()) return decode("alpn: bad length");
  while (list.remaining() > 0) {
    Bytes p = list.vec8(1, 0xff);
    if (!list.ok()) return decode("alpn: empty or truncated protocol name");
    if (n++ == 0) first = p;
    if (out) out->push_back(p);
  }
  return kOk;
}
}  // namespace

Err decode_alpn(Bytes data, ArenaVector<Bytes>& out) {
  out.clear();
  std::size_t n = 0;
  Bytes first;
  return walk_alpn(data, &out, n, first);
}

// ---- ClientHello -------------------------------------------------------------

Err parse_client_hello(Bytes body, ClientHello& ch) {
  ch = ClientHello{};
  Reader r(body);
  ch.legacy_version = r.u16();
  ch.random = r.bytes(32);
  ch.session_id = r.vec8(0, 32);
  Bytes suites = r.vec16(2, 0xfffe);
  Bytes comp = r.vec8(1, 0xff);
  if (!r.ok() || suites.size() % 2 != 0) return decode("client_hello: malformed");
  for (std::size_t i = 0; i < suites.size(); i += 2)
    ch.cipher_suites.push_back(static_cast<std::uint16_t>((suites[i] << 8) | suites[i + 1]));
  if (r.remaining() > 0) TERN_TLS_TRY(parse_extensions(r, ExtContext::client_hello, ch.exts));
  if (!r.done()) return decode("client_hello: trailing bytes");
  // A TLS 1.3 ClientHello carries exactly one compression method, null.
  if (comp.size() != 1 || comp[0] != 0) {
    if (ch.exts.has(ext::supported_versions)) return illegal("client_hello: compression methods must be {null}");
  }
  for (auto it = ch.exts.begin(); it != ch.exts.end();) {
    const Extension e = *it;
    ++it;
    switch (e.type) {
      case ext::supported_versions:
        ch.has_supported_versions = true;
        TERN_TLS_TRY(decode_u16_list(e.data, 1, 1, ch.supported_versions));
        break;
      case ext::supported_groups:
        ch.has_supported_groups = true;
        TERN_TLS_TRY(decode_u16_list(e.data, 2, 1, ch.supported_groups));
        break;
      case ext::signature_algorithms:
        ch.has_signature_algorithms = true;
        TERN_TLS_TRY(decode_u16_list(e.data, 2, 1, ch.signature_algorithms));
        break;
      case ext::signature_algorithms_cert:
        ch.has_signature_algorithms_cert = true;
        TERN_TLS_TRY(decode_u16_list(e.data, 2, 1, ch.signature_algorithms_cert));
        break;
      case ext::key_share:
        ch.has_key_share = true;
        TERN_TLS_TRY(decode_key_share_client(e.data, ch.key_shares));
        break;
      case ext::server_name:
        ch.has_server_name = true;
        TERN_TLS_TRY(decode_server_name(e.data, ch.server_name));
        break;
      case ext::alpn:
        ch.has_alpn = true;
        TERN_TLS_TRY(decode_alpn(e.data, ch.alpn));
        break;
      case ext::cookie: {
        Reader c(e.data);
        ch.cookie = c.vec16(1, 0xffff);
        if (!c.done()) return decode("cookie: malformed");
        ch.has_cookie = true;
        break;
      }
      case ext::psk_key_exchange_modes: {
        Reader c(e.data);
        ch.psk_modes = c.vec8(1, 0xff);
        if (!c.done()) return decode("psk_key_exchange_modes: malformed");
        ch.has_psk_modes = true;
        break;
      }
      case ext::early_data:
        if (!e.data.empty()) return decode("early_data: not empty");
        ch.has_early_data = true;
        break;
      case ext::pre_shared_key: {
        if (it != ch.exts.end()) return illegal("pre_shared_key: not the last extension");
        Reader x(e.data);
        Reader ids = x.sub(2, 7, 0xffff);
        Reader bl = x.sub(2, 33, 0xffff);
        if (!x.done()) return decode("pre_shared_key: malformed");
        while (ids.remaining() > 0) {
          Bytes id = ids.vec16(1, 0xffff);
          std::uint32_t age = ids.u32();
          if (!ids.ok()) return decode("pre_shared_key: bad identity");
          ch.psk_identities.push_back({id, age});
        }
        while (bl.remaining() > 0) {
          Bytes b = bl.vec8(32, 255);
          if (!bl.ok()) return decode("pre_shared_key: bad binder");
          ch.psk_binders.push_back(b);
        }
        if (ch.psk_identities.empty() || ch.psk_identities.size() != ch.psk_binders.size())
          return illegal("pre_shared_key: identities and binders do not match");
        std::size_t blen = 2;
        for (auto b : ch.psk_binders) blen += 1 + b.size();
        ch.binders_len = blen;
        ch.has_pre_shared_key = true;
        break;
      }
      case ext::record_size_limit:
        TERN_TLS_TRY(decode_record_size_limit(e.data, ch.record_size_limit));
        ch.has_record_size_limit = true;
        break;
      default:
        break;
    }
  }
  return kOk;
}

void write_client_hello(ByteVector& out, const ClientHelloOut& ch) {
  ByteVector body;
  Writer w(body);
  w.u16(kTls12);
  w.bytes(Bytes(ch.random, 32));
  w.vec(1, ch.session_id);
  auto m = w.begin(2);
  for (auto s : ch.cipher_suites) w.u16(s);
  w.end(m);
  w.u8(1);
  w.u8(0);
  write_extensions(w, ch.exts);
  write_handshake(out, HandshakeType::client_hello, body);
}

// ---- ServerHello -------------------------------------------------------------

Err parse_server_hello(Bytes body, ServerHello& sh) {
  sh = ServerHello{};
  Reader r(body);
  sh.legacy_version = r.u16();
  sh.random = r.bytes(32);
  sh.session_id = r.vec8(0, 32);
  sh.cipher_suite = r.u16();
  sh.compression = r.u8();
  if (!r.ok()) return decode("server_hello: malformed");
  sh.is_hrr = std::memcmp(sh.random.data(), kHrrRandom, 32) == 0;
  if (r.remaining() == 0) return kOk;  // no extensions: not TLS 1.3 (caller rejects)
  TERN_TLS_TRY(parse_extensions(r, sh.is_hrr ? ExtContext::hello_retry_request : ExtContext::server_hello,
                                sh.exts));
  if (!r.done()) return decode("server_hello: trailing bytes");
  for (const Extension e : sh.exts) {
    // Each recognized body is read whole; one length check for all.
    Reader x(e.data);
    const char* why;
    switch (e.type) {
      case ext::supported_versions:
        sh.selected_version = x.u16();
        sh.has_supported_versions = true;
        why = "supported_versions: malformed";
        break;
      case ext::key_share:
        sh.key_share.group = x.u16();
        if (!sh.is_hrr) sh.key_share.key = x.vec16(1, 0xffff);
        sh.has_key_share = true;
        why = "key_share: malformed";
        break;
      case ext::cookie:
        sh.cookie = x.vec16(1, 0xffff);
        sh.has_cookie = true;
        why = "cookie: malformed";
        break;
      case ext::pre_shared_key:
        sh.selected_identity = x.u16();
        sh.has_pre_shared_key = true;
        why = "pre_shared_key: malformed";
        break;
      default:
        continue;
    }
    if (!x.done()) return decode(why);
  }
  return kOk;
}

void write_server_hello(ByteVector& out, const ServerHelloOut& sh) {
  ByteVector body;
  Writer w(body);
  w.u16(kTls12);
  w.bytes(Bytes(sh.random, 32));
  w.vec(1, sh.session_id);
  w.u16(sh.cipher_suite);
  w.u8(0);
  write_extensions(w, sh.exts);
  write_handshake(out, HandshakeType::server_hello, body);
}

// ---- EncryptedExtensions -----------------------------------------------------

Err parse_encrypted_extensions(Bytes body, EncryptedExtensions& ee) {
  ee = EncryptedExtensions{};
  Reader r(body);
  TERN_TLS_TRY(parse_extensions(r, ExtContext::encrypted_extensions, ee.exts));
  if (!r.done()) return decode("encrypted_extensions: trailing bytes");
  for (const Extension e : ee.exts) {
    switch (e.type) {
      case ext::alpn: {
        std::size_t n = 0;
        TERN_TLS_TRY(walk_alpn(e.data, nullptr, n, ee.alpn));
        if (n != 1) return illegal("alpn: server must select exactly one protocol");
        ee.has_alpn = true;
        break;
      }
      case ext::server_name:
        if (!e.data.empty()) return decode("server_name: acknowledgement must be empty");
        ee.has_server_name = true;
        break;
      case ext::early_data:
        if (!e.data.empty()) return decode("early_data: not empty");
        ee.has_early_data = true;
        break;
      case ext::record_size_limit:
        TERN_TLS_TRY(decode_record_size_limit(e.data, ee.record_size_limit));
        ee.has_record_size_limit = true;
        break;
      default:
        break;
    }
  }
  return kOk;
}

void write_encrypted_extensions(ByteVector& out, const OutExtensions& exts) {
  ByteVector body;
  Writer w(body);
  write_extensions(w, exts);
  write_handshake(out, HandshakeType::encrypted_extensions, body);
}

// ---- Certificate -------------------------------------------------------------

Err parse_certificate(Bytes body, Certificate& c) {
  c = Certificate{};
  Reader r(body);
  c.request_context = r.vec8();
  Reader list = r.sub(3, 0, 0xffffff);
  if (!r.done()) return decode("certificate: malformed");
  while (list.remaining() > 0) {
    CertificateEntry e;
    e.cert_data = list.vec24(1, 0xffffff);
    if (!list.ok()) return decode("certificate: bad entry");
    TERN_TLS_TRY(parse_extensions(list, ExtContext::certificate, e.exts));
    c.entries.push_back(e);
  }
  return kOk;
}

Err parse_certificate_chain(Bytes body, CertificateChain& c) {
  c.request_context = {};
  c.certs.clear();  // (no vector move assignment)
  c.exts_known = 0;
  c.exts_unknown = false;
  Reader r(body);
  c.request_context = r.vec8();
  Reader list = r.sub(3, 0, 0xffffff);
  if (!r.done()) return decode("certificate: malformed");
  while (list.remaining() > 0) {
    const Bytes der = list.vec24(1, 0xffffff);
    if (!list.ok()) return decode("certificate: bad entry");
    Extensions exts;
    TERN_TLS_TRY(parse_extensions(list, ExtContext::certificate, exts));
    c.exts_known |= exts.known();
    c.exts_unknown = c.exts_unknown || exts.has_unknown();
    c.certs.push_back(der);
  }
  return kOk;
}

void write_certificate(ByteVector& out, Bytes ctx, std::span<const Bytes> chain) {
  ByteVector body;
  Writer w(body);
  w.vec(1, ctx);
  auto m = w.begin(3);
  for (auto c : chain) {
    w.vec(3, c);
    w.u16(0);  // no per-certificate extensions
  }
  w.end(m);
  write_handshake(out, HandshakeType::certificate, body);
}

// ---- CertificateVerify -------------------------------------------------------

Err parse_certificate_verify(Bytes body, CertificateVerify& cv) {
  Reader r(body);
  cv.scheme = r.u16();
  cv.signature = r.vec16(1, 0xffff);
  if (!r.done()) return decode("certificate_verify: malformed");
  return kOk;
}

void write_certificate_verify(ByteVector& out, std::uint16_t scheme, Bytes sig) {
  ByteVector body;
  Writer w(body);
  w.u16(scheme);
  w.vec(2, sig);
  write_handshake(out, HandshakeType::certificate_verify, body);
}

// ---- Finished ----------------------------------------------------------------

Err parse_finished(Bytes body, std::size_t hash_len, Bytes& verify_data) {
  if (body.size() != hash_len) return decode("finished: wrong length");
  verify_data = body;
  return kOk;
}

void write_finished(ByteVector& out, Bytes verify_data) {
  write_handshake(out, HandshakeType::finished, verify_data);
}

// ---- CertificateRequest ------------------------------------------------------

Err parse_certificate_request(Bytes body, CertificateRequest& cr) {
  cr = CertificateRequest{};
  Reader r(body);
  cr.request_context = r.vec8();
  if (!r.ok()) return decode("certificate_request: malformed");
  TERN_TLS_TRY(parse_extensions(r, ExtContext::certificate_request, cr.exts));
  if (!r.done()) return decode("certificate_request: trailing bytes");
  if (!cr.exts.has(ext::signature_algorithms))
    return fail(Alert::missing_extension, "certificate_request: no signature_algorithms");
  // One walk over the validated block, in wire order.
  for (const Extension e : cr.exts) {
    switch (e.type) {
      case ext::signature_algorithms:
        TERN_TLS_TRY(decode_u16_list(e.data, 2, 1, cr.signature_algorithms));
        break;
      case ext::signature_algorithms_cert:
        cr.has_signature_algorithms_cert = true;
        TERN_TLS_TRY(decode_u16_list(e.data, 2, 1, cr.signature_algorithms_cert));
        break;
      case ext::certificate_authorities: {
        Reader x(e.data);
        Reader list = x.sub(2, 3, 0xffff);
        if (!x.done()) return decode("certificate_authorities: malformed");
        while (list.remaining() > 0) {
          (void)list.vec16(1, 0xffff);
          if (!list.ok()) return decode("certificate_authorities: bad name");
        }
        cr.certificate_authorities = e.data.subspan(2);
        break;
      }
      default:
        break;
    }
  }
  return kOk;
}

void write_certificate_request(ByteVector& out, Bytes ctx, const OutExtensions& exts) {
  ByteVector body;
  Writer w(body);
  w.vec(1, ctx);
  write_extensions(w, exts);
  write_handshake(out, HandshakeType::certificate_request, body);
}

// ---- NewSessionTicket --------------------------------------------------------

Err parse_new_session_ticket(Bytes body, NewSessionTicket& t) {
  t = NewSessionTicket{};
  Reader r(body);
  t.lifetime = r.u32();
  t.age_add = r.u32();
  t.nonce = r.vec8(0, 255);
  t.ticket = r.vec16(1, 0xffff);
  if (!r.ok()) return decode("new_session_ticket: malformed");
  TERN_TLS_TRY(parse_extensions(r, ExtContext::new_session_ticket, t.exts));
  if (!r.done()) return decode("new_session_ticket: trailing bytes");
  // RFC 8446 §4.6.1: lifetime at most seven days.
  if (t.lifetime > 604800) return illegal("new_session_ticket: lifetime over 7 days");
  if (const ExtRef ed = find_ext(t.exts, ext::early_data)) {
    Reader x(ed->data);
    t.max_early_data = x.u32();
    if (!x.done()) return decode("early_data: malformed");
    t.has_early_data = true;
  }
  return kOk;
}

void write_new_session_ticket(ByteVector& out, std::uint32_t lifetime, std::uint32_t age_add,
                              Bytes nonce, Bytes ticket, const OutExtensions& exts) {
  ByteVector body;
  Writer w(body);
  w.u32(lifetime);
  w.u32(age_add);
  w.vec(1, nonce);
  w.vec(2, ticket);
  write_extensions(w, exts);
  write_handshake(out, HandshakeType::new_session_ticket, body);
}

// ---- KeyUpdate / EndOfEarlyData ---------------------------------------------

Err parse_key_update(Bytes body, bool& update_requested) {
  if (body.size() != 1) return decode("key_update: wrong length");
  if (body[0] > 1) return illegal("key_update: bad request_update");
  update_requested = body[0] == 1;
  return kOk;
}

void write_key_update(ByteVector& out, bool update_requested) {
  std::uint8_t b = update_requested ? 1 : 0;
  write_handshake(out, HandshakeType::key_update, Bytes(&b, 1));
}

Err parse_end_of_early_data(Bytes body) {
  if (!body.empty()) return decode("end_of_early_data: not empty");
  return kOk;
}

const char* to_string(Alert a) noexcept {
  switch (a) {
    case Alert::close_notify: return "close_notify";
    case Alert::unexpected_message: return "unexpected_message";
    case Alert::bad_record_mac: return "bad_record_mac";
    case Alert::record_overflow: return "record_overflow";
    case Alert::handshake_failure: return "handshake_failure";
    case Alert::bad_certificate: return "bad_certificate";
    case Alert::unsupported_certificate: return "unsupported_certificate";
    case Alert::certificate_revoked: return "certificate_revoked";
    case Alert::certificate_expired: return "certificate_expired";
    case Alert::certificate_unknown: return "certificate_unknown";
    case Alert::illegal_parameter: return "illegal_parameter";
    case Alert::unknown_ca: return "unknown_ca";
    case Alert::access_denied: return "access_denied";
    case Alert::decode_error: return "decode_error";
    case Alert::decrypt_error: return "decrypt_error";
    case Alert::protocol_version: return "protocol_version";
    case Alert::insufficient_security: return "insufficient_security";
    case Alert::internal_error: return "internal_error";
    case Alert::inappropriate_fallback: return "inappropriate_fallback";
    case Alert::user_canceled: return "user_canceled";
    case Alert::missing_extension: return "missing_extension";
    case Alert::unsupported_extension: return "unsupported_extension";
    case Alert::unrecognized_name: return "unrecognized_name";
    case Alert::bad_certificate_status_response: return "bad_certificate_status_response";
    case Alert::unknown_psk_identity: return "unknown_psk_identity";
    case Alert::certificate_required: return "certificate_required";
    case Alert::no_application_protocol: return "no_application_protocol";
    case Alert::none: return "none";
  }
  return "unknown_alert";
}

}  // namespace tern::tls

namespace tern::tls {

ByteVector encode_u16(std::uint16_t v) {
  return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

ByteVector encode_u32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v)};
}

ByteVector encode_psk_modes(bool psk_ke, bool psk_dhe_ke) {
  ByteVector v(1, 0);
  if (psk_dhe_ke) v.push_back(1);
  if (psk_ke) v.push_back(0);
  v[0] = static_cast<std::uint8_t>(v.size() - 1);
  return v;
}

ByteVector encode_certificate_authorities(std::span<const std::vector<std::uint8_t>> names) {
  ByteVector v;
  Writer w(v);
  auto m = w.begin(2);
  for (const auto& n : names) w.vec(2, n);
  w.end(m);
  return v;
}

ByteVector encode_pre_shared_key_client(Bytes identity, std::uint32_t age, std::size_t binder_len) {
  ByteVector v;
  Writer w(v);
  auto ids = w.begin(2);
  w.vec(2, identity);
  w.u32(age);
  w.end(ids);
  auto bs = w.begin(2);
  ByteVector zero(binder_len, 0);
  w.vec(1, zero);
  w.end(bs);
  return v;
}

Err decode_record_size_limit(Bytes data, std::uint16_t& out) {
  Reader r(data);
  out = r.u16();
  if (!r.done()) return decode("record_size_limit: malformed");
  if (out < 64) return illegal("record_size_limit: under 64");
  return kOk;
}

}  // namespace tern::tls
