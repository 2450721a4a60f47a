// libFuzzer target: the DER reader (crypto/internal/der.hpp). Walks the
// input as a tree of elements, calls every typed accessor on every
// element, and checks that each accepted element re-encodes to exactly the
// bytes it was read from (DER is canonical) with der::Writer.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "crypto/internal/der.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {

using tern::der::Element;
using tern::der::Reader;

void walk(Reader& r, int depth) {
  while (!r.empty() && r.ok()) {
    const std::uint32_t peek = r.peek_tag();
    Element e;
    if (!r.read(e)) break;
    TERN_FUZZ_CHECK(peek == e.tag);
    TERN_FUZZ_CHECK(e.raw.size() >= e.value.size() + 2);
    TERN_FUZZ_CHECK(e.raw.data() + e.raw.size() == e.value.data() + e.value.size());
    // Re-encode: identifier + minimal length + contents == raw.
    std::vector<std::uint8_t> buf(e.raw.size());
    tern::der::Writer w(buf);
    w.element(e.tag, e.value);
    TERN_FUZZ_CHECK(w.ok());
    TERN_FUZZ_CHECK(tern::fuzz::same(w.written(), e.raw));

    // Typed readers over the element on its own.
    {
      Reader t(e.raw);
      std::span<const std::uint8_t> mag;
      if (t.read_unsigned(mag)) {
        TERN_FUZZ_CHECK(e.tag == tern::der::kInteger);
        TERN_FUZZ_CHECK(mag.empty() || mag.size() == 1 || mag[0] != 0);
        // Re-encoding the magnitude gives the same INTEGER back.
        std::vector<std::uint8_t> ib(e.raw.size() + 2);
        tern::der::Writer iw(ib);
        iw.unsigned_integer(mag);
        TERN_FUZZ_CHECK(iw.ok() && tern::fuzz::same(iw.written(), e.raw));
      }
    }
    {
      Reader t(e.raw);
      std::uint64_t v = 0;
      if (t.read_uint64(v)) {
        std::vector<std::uint8_t> ib(16);
        tern::der::Writer iw(ib);
        iw.uint64(v);
        TERN_FUZZ_CHECK(iw.ok() && tern::fuzz::same(iw.written(), e.raw));
      }
    }
    {
      Reader t(e.raw);
      bool b = false;
      (void)t.read_bool(b);
    }
    {
      Reader t(e.raw);
      std::span<const std::uint8_t> bits;
      if (t.read_bit_string_bytes(bits)) TERN_FUZZ_CHECK(bits.size() + 1 == e.value.size());
    }
    {
      Reader t(e.raw);
      if (t.read_null()) TERN_FUZZ_CHECK(e.value.empty());
    }
    {
      Reader t(e.raw);
      Element o;
      // Optional read of the wrong tag leaves the reader usable.
      if (!t.read_optional(e.tag ^ 1u, o)) {
        TERN_FUZZ_CHECK(t.ok());
        TERN_FUZZ_CHECK(t.read(e.tag, o));
      }
    }
    if (e.constructed() && depth < 32) {
      Reader inner(e.value);
      walk(inner, depth + 1);
      Reader again(e.raw);
      Reader via{std::span<const std::uint8_t>()};
      TERN_FUZZ_CHECK(again.enter(e.tag, via));
      TERN_FUZZ_CHECK(via.remaining() == e.value.size());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader r(std::span<const std::uint8_t>(data, size));
  walk(r, 0);
  (void)r.finish();
  return 0;
}
