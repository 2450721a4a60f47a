// Constant-time check for the TLS 1.3 layer: the key schedule from a
// secret (EC)DHE output to traffic keys, the Finished check (HMAC over the
// transcript with the secret finished key, compared with ct::equal exactly
// as Connection::verify_finished does; only the verdict is public), and
// record protection (tls/record.hpp) with secret traffic keys, IVs and
// plaintext: sealing, and opening, where only the AEAD verdict and the
// content type/length (which the receiver acts on by design) are public.
// Those two public values are branched on inside RecordProtection::open
// itself; tls_record.supp suppresses exactly those reports (frames directly
// in RecordProtection::open called from this file), so the AEAD, the
// padding scan's callees and everything else stay checked.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "crypto/aes/gcm.hpp"
#include "crypto/chacha/chacha.hpp"
#include "crypto/internal/ct.hpp"
#include "tests/ct/ct.hpp"
#include "tls/key_schedule.hpp"
#include "tls/record.hpp"

namespace {

using namespace tern::tls;
using tern::ctcheck::declassify;
using tern::ctcheck::secret;

void fill(std::uint8_t* p, std::size_t n, unsigned seed) {
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(seed + i * 29);
}

// Early -> handshake -> master secrets, Derive-Secret, traffic keys and
// KeyUpdate from a secret DHE output and a public transcript hash.
void key_schedule() {
  for (std::uint16_t id : {std::uint16_t{0x1301}, std::uint16_t{0x1302}, std::uint16_t{0x1303}}) {
    const SuiteInfo* s = find_suite(id);
    if (!s) continue;
    std::uint8_t dhe[32], th[48];
    fill(dhe, sizeof dhe, 3);
    fill(th, sizeof th, 5);
    secret(dhe, sizeof dhe);
    KeySchedule ks(s->hash);
    tern::Status st = ks.early();
    st = ks.handshake(Bytes(dhe, sizeof dhe));
    Secret c_hs, s_hs, c_ap, next;
    st = ks.derive(c_hs, "c hs traffic", Bytes(th, tern::sha2::digest_size(s->hash)));
    st = ks.derive(s_hs, "s hs traffic", Bytes(th, tern::sha2::digest_size(s->hash)));
    st = ks.master();
    st = ks.derive(c_ap, "c ap traffic", Bytes(th, tern::sha2::digest_size(s->hash)));
    st = next_traffic_secret(s->hash, c_ap.view(), next);
    TrafficKeys k;
    st = derive_traffic_keys(*s, next.view(), k);
    declassify(&st, sizeof st);
    if (st != tern::Status::ok) __builtin_trap();
    declassify(dhe, sizeof dhe);
  }
}

// The Finished check: verify_data = HMAC(finished_key(base_key), th), then
// a constant-time comparison with the received value. The base key and the
// expected value are secret; the received value is public (it came off the
// wire); only the verdict is declassified.
void finished() {
  for (auto h : {tern::sha2::HashId::sha256, tern::sha2::HashId::sha384}) {
    const std::size_t n = tern::sha2::digest_size(h);
    std::uint8_t base[48], th[48], received[48];
    fill(base, sizeof base, 11);
    fill(th, sizeof th, 13);
    secret(base, sizeof base);
    for (int good = 0; good < 2; ++good) {
      Secret expected;
      tern::Status st = finished_verify_data(h, Bytes(base, n), Bytes(th, n), expected);
      declassify(&st, sizeof st);
      if (st != tern::Status::ok) __builtin_trap();
      // The peer's value: the right one (computed, then made public as it
      // would arrive) or a wrong one.
      std::memcpy(received, expected.b, n);
      declassify(received, sizeof received);
      if (!good) received[n / 2] ^= 1;
      bool ok = tern::ct::equal(received, expected.b, n);
      declassify(&ok, sizeof ok);
      if (ok != (good == 1)) __builtin_trap();
    }
    declassify(base, sizeof base);
  }
}

void record_one(AeadKind kind, std::size_t key_len) {
  std::uint8_t key[32], iv[12];
  fill(key, sizeof key, 17);
  fill(iv, sizeof iv, 19);
  secret(key, sizeof key);
  secret(iv, sizeof iv);
  RecordProtection w, r, r2;
  tern::Status st = w.install_raw(kind, Bytes(key, key_len), Bytes(iv, 12));
  tern::Status st2 = r.install_raw(kind, Bytes(key, key_len), Bytes(iv, 12));
  tern::Status st3 = r2.install_raw(kind, Bytes(key, key_len), Bytes(iv, 12));
  declassify(&st, sizeof st);
  declassify(&st2, sizeof st2);
  declassify(&st3, sizeof st3);
  if (st != tern::Status::ok || st2 != tern::Status::ok || st3 != tern::Status::ok) __builtin_trap();
  static std::uint8_t plain[1600];
  static std::uint8_t pt[1500];
  for (std::size_t len : {0u, 1u, 100u, 1500u}) {
    for (std::size_t pad : {0u, 7u, 64u}) {
      fill(pt, sizeof pt, static_cast<unsigned>(len + pad));
      secret(pt, sizeof pt);
      std::vector<std::uint8_t> rec;
      const ContentType type = len ? ContentType::application_data : ContentType::handshake;
      Err e = w.seal(rec, type, Bytes(pt, len), pad);
      declassify(&e, sizeof e);
      if (e) __builtin_trap();
      // The record goes on the wire: public.
      declassify(rec.data(), rec.size());
      ContentType got = ContentType::invalid;
      std::span<std::uint8_t> content;
      // Out of place (as Connection opens whole records from the fed bytes).
      {
        ContentType got2 = ContentType::invalid;
        std::span<std::uint8_t> content2;
        Err oe2 = r2.open(Bytes(rec.data(), kRecordHeader), Bytes(rec.data() + kRecordHeader, rec.size() - kRecordHeader),
                          std::span<std::uint8_t>(plain, rec.size() - kRecordHeader - 16), got2, content2);
        declassify(&oe2, sizeof oe2);
        declassify(&got2, sizeof got2);
        declassify(&content2, sizeof content2);
        if (oe2 || got2 != type || content2.size() != len) __builtin_trap();
        declassify(plain, sizeof plain);
      }
      Err oe = r.open(rec, got, content);
      declassify(&oe, sizeof oe);
      declassify(&got, sizeof got);
      declassify(&content, sizeof content);
      if (oe || got != type || content.size() != len) __builtin_trap();
      declassify(content.data(), content.size());
      declassify(pt, sizeof pt);
    }
  }
  // A tampered record: rejected (the verdict is public).
  std::vector<std::uint8_t> rec;
  Err e = w.seal(rec, ContentType::application_data, Bytes(pt, 50), 0);
  declassify(&e, sizeof e);
  declassify(rec.data(), rec.size());
  rec[10] ^= 4;
  ContentType got;
  std::span<std::uint8_t> content;
  Err oe = r.open(rec, got, content);
  declassify(&oe, sizeof oe);
  if (!oe) __builtin_trap();
  declassify(key, sizeof key);
  declassify(iv, sizeof iv);
}

template <class F>
void each_kernel(tern::KernelSet& set, F body) {
  for (std::size_t i = 0; i < set.count(); ++i) {
    if (!set.supported(i) || !set.select(set.name(i))) continue;
    std::printf("  kernel: %s\n", set.active());
    body();
  }
  set.reset();
}

void record_aes() {
  each_kernel(tern::aes::aes_gcm_kernels(), [] {
    record_one(AeadKind::aes128gcm, 16);
    record_one(AeadKind::aes256gcm, 32);
  });
}

void record_chacha() {
  each_kernel(tern::chacha::chacha20_kernels(), [] { record_one(AeadKind::chacha20poly1305, 32); });
}

}  // namespace

TERN_CT_CASE("tls-key-schedule (secret dhe -> traffic keys, KeyUpdate)", key_schedule);
TERN_CT_CASE("tls-finished-verify (secret finished key, ct::equal)", finished);
TERN_CT_CASE("tls-record-seal-open-aes-gcm (secret keys, iv, plaintext)", record_aes);
TERN_CT_CASE("tls-record-seal-open-chacha20poly1305 (secret keys, iv, plaintext)", record_chacha);
