#!/usr/bin/env bash
# The benchmark report: runs tern-bench (tern's kernels and OpenSSL in the
# same binary and run) several times, then writes
#   OUT/ratios.md   markdown ratio table (best tern kernel / OpenSSL, medians)
#   OUT/*.png       charts: throughput vs message size per AEAD and hash,
#                   operations/s bars for public-key operations and handshakes
#   OUT/run-N.json  the raw Google Benchmark output
#
# usage: scripts/bench-report.sh [--out DIR] [--runs N] [--min-time SECONDS] [--filter REGEX]
set -euo pipefail
cd "$(dirname "$0")/.."
out=report runs=3 min_time=0.3 filter=.
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --min-time) min_time=$2; shift 2 ;;
    --filter) filter=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-report: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
bench=${TERN_BENCH:-build/bench/tern-bench}
if [ ! -x "$bench" ]; then
  echo "bench-report: $bench not found; run scripts/setup.sh first" >&2
  exit 2
fi
# matplotlib comes from Debian's python3-matplotlib: prefer the system python.
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
mkdir -p "$out"
files=()
for i in $(seq 1 "$runs"); do
  echo "bench-report: run $i/$runs (filter '$filter', min time ${min_time}s per row)" >&2
  "$bench" --benchmark_filter="$filter" --benchmark_min_time="$min_time" \
           --benchmark_out="$out/run-$i.json" --benchmark_out_format=json >&2
  files+=("$out/run-$i.json")
done
"$py" bench/ratio.py "${files[@]}" > "$out/ratios.md"
"$py" bench/charts.py "$out" "${files[@]}" > "$out/charts.txt"
if [ ! -s "$out/ratios.md" ] || [ ! -s "$out/charts.txt" ]; then
  echo "bench-report: no table or no charts were produced" >&2
  exit 1
fi
echo "bench-report: wrote $out/ratios.md and $(wc -l < "$out/charts.txt") chart(s):" >&2
cat "$out/charts.txt" >&2
