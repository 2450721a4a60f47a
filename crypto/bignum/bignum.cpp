// Bignum front end: kernel dispatch, conversions, modular helpers and the
// exponentiations. Everything here except the *_vartime helpers and the
// exponent scan of pow_public is constant time in the values.
#include "crypto/bignum/bignum.hpp"

#include "crypto/bignum/bignum_internal.hpp"
#include "crypto/internal/bytes.hpp"
#include "crypto/internal/cpu.hpp"
#include "crypto/internal/wipe.hpp"

namespace tern::bignum {

namespace detail {
namespace {
const Kernel kKernels[] = {
#if TERN_SIMD && defined(__x86_64__)
    {"ifma", cpu::adx | cpu::bmi2 | cpu::avx512f | cpu::avx512vl | cpu::avx512ifma, mont_mul_adx, mont_sqr_adx, redc_adx,
     pow2_ifma, pow_public_ifma, pow2x2_ifma},
    {"adx", cpu::adx | cpu::bmi2, mont_mul_adx, mont_sqr_adx, redc_adx, nullptr, nullptr, nullptr},
#endif
    {"portable", 0, mont_mul_portable, mont_sqr_portable, redc_portable, nullptr, nullptr, nullptr},
};
tern::internal::Dispatch<Kernel> g_dispatch{kKernels};
}  // namespace

const Kernel& active_kernel() noexcept { return g_dispatch.get(); }
}  // namespace detail

KernelSet& bignum_kernels() noexcept {
  static tern::internal::KernelSetOf<detail::Kernel> s{detail::g_dispatch};
  return s;
}

namespace {

using detail::final_sub;

inline void copy(Limb* r, const Limb* a, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) r[i] = a[i];
}
inline void zero(Limb* r, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) r[i] = 0;
}
inline void mm(const detail::Kernel& k, Limb* r, const Limb* a, const Limb* b, const Modulus& m) noexcept {
  k.mont_mul(r, a, b, m.m, m.m0inv, m.n);
}
inline void ms(const detail::Kernel& k, Limb* r, const Limb* a, const Modulus& m) noexcept {
  k.mont_sqr(r, a, a, m.m, m.m0inv, m.n);
}

// Bits [pos, pos+w) of e (little-endian limbs, nlimbs), w <= 8; bits past
// the end read as zero. pos is public; the value is not used for branches.
inline unsigned window(const Limb* e, std::size_t nlimbs, std::size_t pos, unsigned w) noexcept {
  const std::size_t li = pos / 64, sh = pos % 64;
  Limb v = li < nlimbs ? e[li] >> sh : 0;
  if (sh + w > 64 && li + 1 < nlimbs) v |= e[li + 1] << (64 - sh);
  return static_cast<unsigned>(v & ((Limb{1} << w) - 1));
}

// r = table[idx] reading every entry (masked), entries of n limbs.
inline void gather(Limb* r, const Limb* table, std::size_t entries, std::size_t n, unsigned idx) noexcept {
  zero(r, n);
  for (std::size_t i = 0; i < entries; ++i) {
    const Limb mask = ct::mask_eq(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(idx));
    const Limb* t = table + i * n;
    for (std::size_t j = 0; j < n; ++j) r[j] |= t[j] & mask;
  }
}

}  // namespace

Modulus::~Modulus() { wipe(this, sizeof(*this)); }

Status Modulus::init(const Limb* mod, std::size_t limbs) noexcept {
  n = 0;
  bits = 0;
  if (limbs == 0 || limbs > kMaxLimbs || mod[limbs - 1] == 0 || (mod[0] & 1) == 0) return Status::bad_key;
  if (limbs == 1 && mod[0] < 3) return Status::bad_key;
  copy(m, mod, limbs);
  n = limbs;
  // The top limb's bit length (treated as public: it is the key size).
  std::size_t top = 0;
  for (Limb t = mod[limbs - 1]; t != 0; t >>= 1) ++top;
  bits = 64 * (limbs - 1) + top;
  has_conv52 = false;
  // -m^-1 mod 2^64 by Newton's iteration (x = m0 is right mod 2^3).
  Limb x = mod[0];
  for (int i = 0; i < 5; ++i) x *= 2 - mod[0] * x;
  m0inv = 0 - x;
  // 2R mod m by doubling 2^(bits-1) up to 2^(64n+1), then
  // R^2 = (2R)^(64n) in Montgomery form.
  const detail::Kernel& k = detail::active_kernel();
  Limb acc[kMaxLimbs], two[kMaxLimbs];
  zero(two, n);
  two[(bits - 1) / 64] = Limb{1} << ((bits - 1) % 64);
  for (std::size_t i = bits - 1; i < 64 * n + 1; ++i) {
    Limb carry = two[n - 1] >> 63;
    for (std::size_t j = n - 1; j > 0; --j) two[j] = (two[j] << 1) | (two[j - 1] >> 63);
    two[0] <<= 1;
    final_sub(two, two, carry, m, n);
  }
  copy(acc, two, n);
  const std::size_t e = 64 * n;  // public; acc = two^(e) by left-to-right
  int hb = 63;
  while (((e >> hb) & 1) == 0) --hb;
  for (int b = hb - 1; b >= 0; --b) {
    ms(k, acc, acc, *this);
    if ((e >> b) & 1) mm(k, acc, acc, two, *this);
  }
  copy(rr, acc, n);
  wipe(acc, sizeof(acc));
  wipe(two, sizeof(two));
  return Status::ok;
}

void Modulus::prepare_radix52() noexcept {
  if (n == 0) return;
  const std::size_t K = (bits + 2 + 51) / 52;
  // Mont(2) = 2R mod m, raised to the public power 104K: Mont(2^(104K));
  // leaving Montgomery form twice gives 2^(104K) / R.
  Limb one[kMaxLimbs], two[kMaxLimbs], acc[kMaxLimbs];
  zero(one, n);
  one[0] = 1;
  to_mont(two, one, *this);
  mod_add(two, two, two, *this);
  const std::uint64_t t = 104 * static_cast<std::uint64_t>(K);
  std::uint8_t eb[8];
  for (int i = 0; i < 8; ++i) eb[i] = static_cast<std::uint8_t>(t >> (56 - 8 * i));
  pow_public(acc, two, eb, *this);
  from_mont(acc, acc, *this);
  from_mont(conv52, acc, *this);
  has_conv52 = true;
  wipe(acc, sizeof(acc));
  wipe(two, sizeof(two));
}

void Modulus::prepare_radix52_if_used() noexcept {
  if (detail::active_kernel().pow_public_plain != nullptr) prepare_radix52();
}

bool from_be(Limb* out, std::size_t n, std::span<const std::uint8_t> in) noexcept {
  const std::size_t len = in.size();
  const std::uint8_t* p = in.data();
  Limb extra = 0;
  const std::size_t fit = len < 8 * n ? len : 8 * n;  // low-order bytes that fit
  for (std::size_t i = 0; i < len - fit; ++i) extra |= p[i];
  for (std::size_t i = 0; i < n; ++i) {
    // limb i covers bytes [len - 8i - 8, len - 8i)
    if (8 * i + 8 <= fit) {
      out[i] = load_be64(p + len - 8 * i - 8);
    } else {
      Limb v = 0;
      for (std::size_t b = 0; b < 8; ++b)
        if (8 * i + b < fit) v |= Limb{p[len - 1 - 8 * i - b]} << (8 * b);
      out[i] = v;
    }
  }
  if (extra != 0) {
    zero(out, n);
    return false;
  }
  return true;
}

void to_be(std::span<std::uint8_t> out, const Limb* a, std::size_t n) noexcept {
  const std::size_t len = out.size();
  std::uint8_t* p = out.data();
  for (std::size_t i = 0; 8 * i < len; ++i) {
    const Limb v = i < n ? a[i] : 0;
    if (8 * i + 8 <= len) {
      store_be64(p + len - 8 * i - 8, v);
    } else {
      for (std::size_t b = 0; 8 * i + b < len; ++b) p[len - 1 - 8 * i - b] = static_cast<std::uint8_t>(v >> (8 * b));
    }
  }
}

std::size_t bit_length_vartime(const Limb* a, std::size_t n) noexcept {
  for (std::size_t i = n; i > 0; --i)
    if (a[i - 1] != 0) {
      std::size_t b = 0;
      for (Limb t = a[i - 1]; t != 0; t >>= 1) ++b;
      return 64 * (i - 1) + b;
    }
  return 0;
}

Limb sub(Limb* r, const Limb* a, const Limb* b, std::size_t n) noexcept {
  Limb borrow = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Limb x = a[i], y = b[i];
    Limb s = x - y;
    Limb b1 = s > x;
    Limb s2 = s - borrow;
    Limb b2 = s2 > s;
    r[i] = s2;
    borrow = b1 | b2;
  }
  return borrow;
}

Limb add(Limb* r, const Limb* a, const Limb* b, std::size_t n) noexcept {
  Limb carry = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Limb s = a[i] + carry;
    Limb c1 = s < carry;
    Limb s2 = s + b[i];
    Limb c2 = s2 < s;
    r[i] = s2;
    carry = c1 | c2;
  }
  return carry;
}

Limb lt_mask(const Limb* a, const Limb* b, std::size_t n) noexcept {
  Limb borrow = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Limb x = a[i], y = b[i];
    Limb s = x - y;
    Limb b1 = s > x;
    Limb b2 = (s - borrow) > s;
    borrow = b1 | b2;
  }
  return ct::value_barrier(Limb{0} - borrow);
}

Limb zero_mask(const Limb* a, std::size_t n) noexcept {
  Limb acc = 0;
  for (std::size_t i = 0; i < n; ++i) acc |= a[i];
  return ct::mask_zero(acc);
}

void mul(Limb* r, const Limb* a, std::size_t an, const Limb* b, std::size_t bn) noexcept {
  zero(r, an + bn);
  for (std::size_t i = 0; i < bn; ++i) {
    Limb c = 0;
    for (std::size_t j = 0; j < an; ++j) detail::mac(c, r[i + j], a[j], b[i], r[i + j], c);
    r[i + an] = c;
  }
}

void mont_mul(Limb* r, const Limb* a, const Limb* b, const Modulus& m) noexcept {
  mm(detail::active_kernel(), r, a, b, m);
}

void to_mont(Limb* r, const Limb* a, const Modulus& m) noexcept {
  mm(detail::active_kernel(), r, a, m.rr, m);
}

void from_mont(Limb* r, const Limb* a, const Modulus& m) noexcept {
  Limb T[2 * kMaxLimbs];
  copy(T, a, m.n);
  zero(T + m.n, m.n);
  detail::active_kernel().redc(r, T, m.m, m.m0inv, m.n);
  wipe(T, 2 * m.n * sizeof(Limb));
}

void mod_add(Limb* r, const Limb* a, const Limb* b, const Modulus& m) noexcept {
  Limb s[kMaxLimbs];
  Limb carry = add(s, a, b, m.n);
  final_sub(r, s, carry, m.m, m.n);
}

void mod_sub(Limb* r, const Limb* a, const Limb* b, const Modulus& m) noexcept {
  Limb d[kMaxLimbs], t[kMaxLimbs];
  const Limb mask = Limb{0} - sub(d, a, b, m.n);
  for (std::size_t i = 0; i < m.n; ++i) t[i] = m.m[i] & ct::value_barrier(mask);
  add(r, d, t, m.n);
}

void reduce_to_mont(Limb* r, const Limb* x, std::size_t xn, const Modulus& m) noexcept {
  const detail::Kernel& k = detail::active_kernel();
  const std::size_t n = m.n;
  Limb chunk[kMaxLimbs], t[kMaxLimbs], acc[kMaxLimbs];
  const std::size_t chunks = (xn + n - 1) / n;
  zero(acc, n);
  for (std::size_t c = chunks; c > 0; --c) {
    const std::size_t lo = (c - 1) * n;
    for (std::size_t i = 0; i < n; ++i) chunk[i] = lo + i < xn ? x[lo + i] : 0;
    if (c != chunks) mm(k, acc, acc, m.rr, m);  // acc *= R
    mm(k, t, chunk, m.rr, m);                    // chunk in Montgomery form
    mod_add(acc, acc, t, m);
  }
  copy(r, acc, n);
  wipe(chunk, sizeof(chunk));
  wipe(t, sizeof(t));
  wipe(acc, sizeof(acc));
}

void pow_public(Limb* r, const Limb* base_mont, std::span<const std::uint8_t> e,
                const Modulus& m) noexcept {
  const detail::Kernel& k = detail::active_kernel();
  Limb acc[kMaxLimbs], base[kMaxLimbs];
  copy(base, base_mont, m.n);
  bool started = false;
  for (std::uint8_t byte : e)
    for (int b = 7; b >= 0; --b) {
      if (started) ms(k, acc, acc, m);
      if ((byte >> b) & 1) {
        if (started) {
          mm(k, acc, acc, base, m);
        } else {
          copy(acc, base, m.n);
          started = true;
        }
      }
    }
  if (!started) {  // e == 0: the result is 1
    Limb one[kMaxLimbs];
    zero(one, m.n);
    one[0] = 1;
    to_mont(acc, one, m);
  }
  copy(r, acc, m.n);
  wipe(acc, sizeof(acc));
  wipe(base, sizeof(base));
}

void modexp_public(Limb* out, const Limb* x, std::span<const std::uint8_t> e, const Modulus& m) noexcept {
  const detail::Kernel& k = detail::active_kernel();
  if (k.pow_public_plain != nullptr && k.pow_public_plain(out, x, e, m)) return;
  Limb t[kMaxLimbs];
  to_mont(t, x, m);
  pow_public(t, t, e, m);
  from_mont(out, t, m);
  wipe(t, sizeof(t));
}

void pow_secret(Limb* r, const Limb* base_mont, const Limb* e, const Modulus& m) noexcept {
  constexpr unsigned w = 5;
  constexpr std::size_t entries = std::size_t{1} << w;
  const detail::Kernel& k = detail::active_kernel();
  if (k.pow2 != nullptr && k.pow2(r, base_mont, e, nullptr, nullptr, m)) return;
  const std::size_t n = m.n;
  Limb table[entries * kMaxLimbs];
  Limb acc[kMaxLimbs], t[kMaxLimbs];
  // table[i] = base^i (Montgomery form).
  zero(t, n);
  t[0] = 1;
  to_mont(table, t, m);
  copy(table + n, base_mont, n);
  for (std::size_t i = 2; i < entries; ++i) {
    if (i % 2 == 0)
      ms(k, table + i * n, table + (i / 2) * n, m);
    else
      mm(k, table + i * n, table + (i - 1) * n, base_mont, m);
  }
  const std::size_t nwin = (m.bits + w - 1) / w;
  gather(acc, table, entries, n, window(e, n, (nwin - 1) * w, w));
  for (std::size_t i = nwin - 1; i > 0; --i) {
    for (unsigned s = 0; s < w; ++s) ms(k, acc, acc, m);
    gather(t, table, entries, n, window(e, n, (i - 1) * w, w));
    mm(k, acc, acc, t, m);
  }
  copy(r, acc, n);
  wipe(table, entries * n * sizeof(Limb));
  wipe(acc, sizeof(acc));
  wipe(t, sizeof(t));
}

void pow2_secret(Limb* r, const Limb* b1_mont, const Limb* e1, const Limb* b2_mont, const Limb* e2,
                 const Modulus& m) noexcept {
  constexpr unsigned w = 4;
  constexpr std::size_t entries = std::size_t{1} << w;
  const detail::Kernel& k = detail::active_kernel();
  if (k.pow2 != nullptr && k.pow2(r, b1_mont, e1, b2_mont, e2, m)) return;
  const std::size_t n = m.n;
  Limb table1[entries * kMaxLimbs], table2[entries * kMaxLimbs];
  Limb acc[kMaxLimbs], t[kMaxLimbs];
  zero(t, n);
  t[0] = 1;
  to_mont(table1, t, m);
  copy(table2, table1, n);
  copy(table1 + n, b1_mont, n);
  copy(table2 + n, b2_mont, n);
  for (std::size_t i = 2; i < entries; ++i) {
    if (i % 2 == 0) {
      ms(k, table1 + i * n, table1 + (i / 2) * n, m);
      ms(k, table2 + i * n, table2 + (i / 2) * n, m);
    } else {
      mm(k, table1 + i * n, table1 + (i - 1) * n, b1_mont, m);
      mm(k, table2 + i * n, table2 + (i - 1) * n, b2_mont, m);
    }
  }
  const std::size_t nwin = (m.bits + w - 1) / w;
  gather(acc, table1, entries, n, window(e1, n, (nwin - 1) * w, w));
  gather(t, table2, entries, n, window(e2, n, (nwin - 1) * w, w));
  mm(k, acc, acc, t, m);
  for (std::size_t i = nwin - 1; i > 0; --i) {
    for (unsigned s = 0; s < w; ++s) ms(k, acc, acc, m);
    gather(t, table1, entries, n, window(e1, n, (i - 1) * w, w));
    mm(k, acc, acc, t, m);
    gather(t, table2, entries, n, window(e2, n, (i - 1) * w, w));
    mm(k, acc, acc, t, m);
  }
  copy(r, acc, n);
  wipe(table1, entries * n * sizeof(Limb));
  wipe(table2, entries * n * sizeof(Limb));
  wipe(acc, sizeof(acc));
  wipe(t, sizeof(t));
}

void pow2_secret_pair(Limb* ra, const Limb* b1a, const Limb* e1a, const Limb* b2a, const Limb* e2a,
                      const Modulus& ma, Limb* rb, const Limb* b1b, const Limb* e1b, const Limb* b2b,
                      const Limb* e2b, const Modulus& mb) noexcept {
  const detail::Kernel& k = detail::active_kernel();
  if (k.pow2x2 != nullptr && k.pow2x2(ra, b1a, e1a, b2a, e2a, ma, rb, b1b, e1b, b2b, e2b, mb)) return;
  if (e2a == nullptr)
    pow_secret(ra, b1a, e1a, ma);
  else
    pow2_secret(ra, b1a, e1a, b2a, e2a, ma);
  if (e2b == nullptr)
    pow_secret(rb, b1b, e1b, mb);
  else
    pow2_secret(rb, b1b, e1b, b2b, e2b, mb);
}

}  // namespace tern::bignum
