// libFuzzer target: PEM and base64 (x509/pem). Every parsed block must
// re-encode and parse back to the same label and contents; base64 decode
// of an encoding must give back the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_common.hpp"
#include "x509/pem/pem.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tern;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<pem::Block> blocks;
  pem::PemError why = pem::PemError::none;
  std::size_t line = 0;
  if (pem::parse(text, blocks, &why, &line) == Status::ok) {
    TERN_FUZZ_CHECK(!blocks.empty());
    for (const auto& b : blocks) {
      const std::string enc = pem::encode(b.label, b.der);
      std::vector<pem::Block> back;
      TERN_FUZZ_CHECK(pem::parse(enc, back) == Status::ok);
      TERN_FUZZ_CHECK(back.size() == 1 && back[0].label == b.label && back[0].der == b.der);
    }
  } else {
    TERN_FUZZ_CHECK(why != pem::PemError::none);
  }
  std::vector<std::uint8_t> raw;
  (void)pem::base64_decode(text, raw);
  // Encoding arbitrary bytes round-trips.
  const std::string b64 = pem::base64_encode(std::span<const std::uint8_t>(data, size));
  std::vector<std::uint8_t> back;
  TERN_FUZZ_CHECK(pem::base64_decode(b64, back) == Status::ok);
  TERN_FUZZ_CHECK(fuzz::same(back, std::span<const std::uint8_t>(data, size)));
  return 0;
}
