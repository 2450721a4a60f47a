// tern-bench: every registered case as a Google Benchmark row, tern's kernels
// and OpenSSL in the same binary and run. Throughput rows report bytes/s.
#include <benchmark/benchmark.h>

#include "bench/cases.hpp"

int main(int argc, char** argv) {
  for (auto& c : tern::bench::registry()) {
    auto* bm = benchmark::RegisterBenchmark(c.name().c_str(), [&c](benchmark::State& st) {
      c.setup();
      for (auto _ : st) c.run(1);
      if (c.bytes) st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * static_cast<int64_t>(c.bytes));
      else st.SetItemsProcessed(static_cast<int64_t>(st.iterations()));
      if (c.counter) st.counters[c.counter_name] = c.counter();
    });
    bm->Unit(c.bytes ? benchmark::kNanosecond : benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
