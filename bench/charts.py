#!/usr/bin/python3
"""Draws PNG charts from Google Benchmark JSON output of tern-bench.

    bench/charts.py OUT_DIR bench1.json [bench2.json ...]

Throughput rows (ALGO/IMPL/BYTES) become one chart per ALGO: GB/s against
message size, one line per implementation (tern kernels and OpenSSL).
Operation rows (ALGO/IMPL) become one bar chart of operations per second.
With several files or --benchmark_repetitions, each point is the median.
Needs matplotlib (Debian: python3-matplotlib).
"""
import json
import os
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(paths):
    """Returns {(algo, impl, bytes or 0): [value, ...]} with bytes/s or items/s."""
    samples = defaultdict(list)
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        for b in data.get("benchmarks", []):
            if b.get("run_type") == "aggregate":
                continue
            parts = b["name"].split("/")
            if len(parts) == 3 and parts[2].isdigit():
                key, value = (parts[0], parts[1], int(parts[2])), b.get("bytes_per_second")
            elif len(parts) == 2:
                key, value = (parts[0], parts[1], 0), b.get("items_per_second")
            else:
                continue
            if value:
                samples[key].append(float(value))
    return {k: statistics.median(v) for k, v in samples.items()}


def throughput_charts(medians, out_dir):
    by_algo = defaultdict(lambda: defaultdict(dict))
    for (algo, impl, size), v in medians.items():
        if size:
            by_algo[algo][impl][size] = v
    written = []
    for algo, impls in sorted(by_algo.items()):
        fig, ax = plt.subplots(figsize=(7, 4.2))
        for impl, points in sorted(impls.items(), key=lambda kv: (kv[0] == "openssl", kv[0])):
            sizes = sorted(points)
            style = dict(linestyle="--", color="black", marker="s") if impl == "openssl" else dict(marker="o")
            ax.plot(sizes, [points[s] / 1e9 for s in sizes], label=impl, **style)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("message size (bytes)")
        ax.set_ylabel("GB/s")
        ax.set_title(f"{algo}: tern kernels vs OpenSSL")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = os.path.join(out_dir, f"{algo}.png")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def ops_chart(medians, out_dir):
    rows = sorted(((a, i, v) for (a, i, s), v in medians.items() if not s), key=lambda r: (r[0], r[1] == "openssl", r[1]))
    if not rows:
        return []
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.5))
    labels = [f"{a} / {i}" for a, i, _ in rows]
    colors = ["#444444" if i == "openssl" else "#2a7ab9" for _, i, _ in rows]
    ax.barh(range(len(rows)), [v for _, _, v in rows], color=colors)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("operations per second (log scale; grey = OpenSSL)")
    ax.set_title("public-key operations and handshakes")
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    path = os.path.join(out_dir, "operations.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return [path]


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir, paths = argv[1], argv[2:]
    os.makedirs(out_dir, exist_ok=True)
    medians = load(paths)
    if not medians:
        print("charts.py: no benchmark rows found", file=sys.stderr)
        return 1
    for p in throughput_charts(medians, out_dir) + ops_chart(medians, out_dir):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
