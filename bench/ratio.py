#!/usr/bin/env python3
"""Ratio table: best tern kernel vs OpenSSL, from Google Benchmark JSON.

Usage: ratio.py RUN.json [RUN2.json ...] [--filter REGEX] [--all]

Rows are named ALGO/IMPL/BYTES (throughput, bytes_per_second) or ALGO/IMPL
(operations, items_per_second); IMPL is a tern kernel name or "openssl".
Each file is one run of the benchmark binary; with
--benchmark_repetitions=N a file holds N samples of every row (and
aggregate rows, used only when the individual samples are absent).

For every ALGO and size the table shows the best tern kernel (highest
median throughput), the median throughput of it and of OpenSSL, and the
ratio tern/openssl: the median over all samples of the ratio taken within
the same run and repetition (so both sides share machine conditions).
"""
import argparse
import json
import re
import statistics
import sys
from collections import defaultdict

GB_SUFFIX = re.compile(r"^(min_time|min_warmup_time|repeats|iterations|threads|real_time|process_time|manual_time)")


def split_name(name):
    parts = [p for p in name.split("/") if not GB_SUFFIX.match(p)]
    if len(parts) == 3 and parts[2].isdigit():
        return parts[0], parts[1], int(parts[2])
    if len(parts) == 2:
        return parts[0], parts[1], 0
    return None


def rate(b, bytes_row):
    key = "bytes_per_second" if bytes_row else "items_per_second"
    if key in b:
        return float(b[key])
    return None


def load(paths):
    """samples[(algo, size)][impl][(file, rep)] = rate"""
    samples = defaultdict(lambda: defaultdict(dict))
    for fi, path in enumerate(paths):
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"warning: skipping {path}: {e}", file=sys.stderr)
            continue
        benches = doc.get("benchmarks", [])
        have_iter = set()
        for b in benches:
            if b.get("run_type", "iteration") == "iteration" and "error_occurred" not in b:
                have_iter.add(b.get("run_name", b["name"]))
        for b in benches:
            rt = b.get("run_type", "iteration")
            run_name = b.get("run_name", b["name"])
            if rt == "aggregate":
                # Only when individual samples are missing (--benchmark_report_aggregates_only).
                if run_name in have_iter or b.get("aggregate_name") != "median":
                    continue
                rep = "median"
            else:
                if b.get("error_occurred"):
                    continue
                rep = b.get("repetition_index", 0)
            parsed = split_name(run_name)
            if parsed is None:
                continue
            algo, impl, size = parsed
            r = rate(b, size > 0)
            if r is None:
                continue
            samples[(algo, size)][impl][(fi, rep)] = r
    return samples


def fmt_rate(r, bytes_row):
    if not bytes_row:
        return f"{r:,.0f} op/s" if r >= 100 else f"{r:.2f} op/s"
    for unit, div in (("GB/s", 1e9), ("MB/s", 1e6), ("kB/s", 1e3)):
        if r >= div:
            return f"{r / div:.2f} {unit}"
    return f"{r:.0f} B/s"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--filter", default="", help="regex on ALGO")
    ap.add_argument("--all", action="store_true", help="also list every tern kernel's median")
    args = ap.parse_args()
    samples = load(args.files)
    if not samples:
        print("no benchmark rows found", file=sys.stderr)
        return 1
    flt = re.compile(args.filter) if args.filter else None
    algos = sorted({a for a, _ in samples if not flt or flt.search(a)})
    for algo in algos:
        sizes = sorted(s for a, s in samples if a == algo)
        print(f"### {algo}\n")
        head = "| size | best tern kernel | tern | openssl | ratio |"
        sep = "|---:|---|---:|---:|---:|"
        if args.all:
            head += " all kernels (median) |"
            sep += "---|"
        print(head)
        print(sep)
        for size in sizes:
            impls = samples[(algo, size)]
            bytes_row = size > 0
            tern = {k: v for k, v in impls.items() if k != "openssl"}
            if not tern:
                continue
            med = {k: statistics.median(v.values()) for k, v in tern.items()}
            best = max(med, key=med.get)
            ossl = impls.get("openssl")
            ratios = []
            if ossl:
                for key, r in tern[best].items():
                    if key in ossl and ossl[key] > 0:
                        ratios.append(r / ossl[key])
            o_med = statistics.median(ossl.values()) if ossl else None
            ratio = f"{statistics.median(ratios):.3f}x" if ratios else "n/a"
            label = str(size) if bytes_row else "op"
            row = (f"| {label} | {best} | {fmt_rate(med[best], bytes_row)} | "
                   f"{fmt_rate(o_med, bytes_row) if o_med else 'n/a'} | {ratio} |")
            if args.all:
                row += " " + ", ".join(f"{k} {fmt_rate(v, bytes_row)}" for k, v in
                                       sorted(med.items(), key=lambda kv: -kv[1])) + " |"
            print(row)
        print()
        n = max((len(v) for impls in (samples[(algo, s)] for s in sizes) for v in impls.values()), default=0)
        print(f"({n} sample(s) per row; ratio = median of per-run tern/openssl)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
