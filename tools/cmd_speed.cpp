// tern speed [ALGORITHM...] [--seconds N] [--json] [--vs-openssl] [--all-kernels]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "bench/cases.hpp"
#include "tools/commands.hpp"

namespace tern::tool {
namespace {

const char* kHelp =
    "usage: tern speed [ALGORITHM...] [--seconds N] [--json] [--vs-openssl] [--list]\n"
    "\n"
    "Measures every primitive with every kernel this CPU can run (the kernel\n"
    "is named in each row), like 'openssl speed'. Throughput rows are MB/s\n"
    "(10^6 bytes) at 16..16384-byte messages; public-key rows are operations/s.\n"
    "\n"
    "  ALGORITHM      only these algorithms (prefix match: 'sha' = sha256, sha512, ...)\n"
    "  --seconds N    total time budget (default 30)\n"
    "  --vs-openssl   add OpenSSL 3's row and the ratio best-tern / OpenSSL\n"
    "  --json         machine-readable output\n"
    "  --list         list the rows and exit\n"
    "\n"
    "Kernels can be masked with TERN_CPU_DISABLE (e.g. avx512f,vaes or all).\n";

struct Result {
  const bench::Case* c;
  double ops_per_sec;
};

double measure(const bench::Case& c, double budget) {
  using clock = std::chrono::steady_clock;
  c.setup();
  c.run(1);  // warm up
  std::uint64_t n = 1, total = 0;
  double elapsed = 0;
  const auto start = clock::now();
  while (elapsed < budget) {
    c.run(n);
    total += n;
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
    if (elapsed < budget / 8) n *= 2;
  }
  return static_cast<double>(total) / elapsed;
}

}  // namespace

int cmd_speed(const Args& args) {
  double seconds = 30;
  bool json = false, vs_openssl = false, list = false;
  std::vector<std::string> filters;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") { std::fputs(kHelp, stdout); return 0; }
    if (a == "--json") json = true;
    else if (a == "--vs-openssl") vs_openssl = true;
    else if (a == "--list") list = true;
    else if (a == "--seconds") {
      if (i + 1 >= args.size()) return fail(2, "--seconds needs a number");
      char* end = nullptr;
      seconds = std::strtod(args[++i].c_str(), &end);
      if (!end || *end || !(seconds > 0)) return fail(2, "--seconds needs a positive number, got '" + args[i] + "'");
    } else if (!a.empty() && a[0] == '-') return fail(2, "unknown option '" + a + "' (see tern speed --help)");
    else filters.push_back(a);
  }
  std::vector<const bench::Case*> cases;
  for (const auto& c : bench::registry()) {
    if (c.impl == "openssl" && !vs_openssl) continue;
    bool keep = filters.empty();
    for (const auto& f : filters) keep = keep || c.algo.rfind(f, 0) == 0;
    if (keep) cases.push_back(&c);
  }
  if (vs_openssl && std::none_of(cases.begin(), cases.end(), [](auto* c) { return c->impl == "openssl"; }))
    std::fprintf(stderr, "tern speed: this build has no OpenSSL rows (built without libcrypto)\n");
  if (cases.empty()) return fail(2, "no benchmark matches; try 'tern speed --list'");
  if (list) {
    for (auto* c : cases) std::printf("%s\n", c->name().c_str());
    return 0;
  }
  const double per = seconds / static_cast<double>(cases.size());
  std::vector<Result> results;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (!json) std::fprintf(stderr, "\r[%zu/%zu] %-40s", i + 1, cases.size(), cases[i]->name().c_str());
    results.push_back({cases[i], measure(*cases[i], per)});
  }
  if (!json) std::fprintf(stderr, "\r%*s\r", 60, "");

  if (json) {
    std::printf("[\n");
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      std::printf("  {\"name\": \"%s\", \"algo\": \"%s\", \"impl\": \"%s\", \"bytes\": %zu, \"ops_per_sec\": %.1f, "
                  "\"bytes_per_sec\": %.1f}%s\n",
                  r.c->name().c_str(), r.c->algo.c_str(), r.c->impl.c_str(), r.c->bytes, r.ops_per_sec,
                  r.ops_per_sec * static_cast<double>(r.c->bytes), i + 1 < results.size() ? "," : "");
    }
    std::printf("]\n");
    return 0;
  }

  // Group rows by algorithm, keeping registration order.
  std::vector<std::string> algos;
  std::map<std::string, std::map<std::string, std::map<std::size_t, double>>> table;  // algo -> impl -> bytes -> ops/s
  std::map<std::string, std::vector<std::string>> impl_order;
  for (const auto& r : results) {
    if (!table.count(r.c->algo)) algos.push_back(r.c->algo);
    auto& impls = table[r.c->algo];
    if (!impls.count(r.c->impl)) impl_order[r.c->algo].push_back(r.c->impl);
    impls[r.c->impl][r.c->bytes] = r.ops_per_sec;
  }
  bool printed_tp_header = false, printed_op_header = false;
  for (const auto& algo : algos) {
    const auto& impls = table[algo];
    const bool throughput = impls.begin()->second.begin()->first != 0;
    if (throughput && !printed_tp_header) {
      std::printf("%-24s %-12s", "throughput (MB/s)", "kernel");
      for (auto s : bench::kSizes) std::printf(" %10zuB", s);
      std::printf("\n");
      printed_tp_header = true;
    }
    if (!throughput && !printed_op_header) {
      std::printf("\n%-24s %-12s %12s %12s\n", "operations", "kernel", "ops/s", "us/op");
      printed_op_header = true;
    }
    std::map<std::size_t, double> best;
    for (const auto& impl : impl_order[algo]) {
      const auto& row = impls.at(impl);
      std::printf("%-24s %-12s", algo.c_str(), impl.c_str());
      for (const auto& [bytes, ops] : row) {
        if (impl != "openssl") best[bytes] = std::max(best[bytes], ops);
        if (throughput) std::printf(" %11.1f", ops * static_cast<double>(bytes) / 1e6);
        else std::printf(" %12.1f %12.2f", ops, 1e6 / ops);
      }
      std::printf("\n");
    }
    if (impls.count("openssl") && !best.empty()) {
      std::printf("%-24s %-12s", algo.c_str(), "ratio");
      for (const auto& [bytes, ops] : impls.at("openssl"))
        std::printf(throughput ? " %10.2fx" : " %11.2fx", best[bytes] / ops);
      std::printf("\n");
    }
  }
  return 0;
}

}  // namespace tern::tool
