#!/usr/bin/python3
"""Plots bench-results/compare.json (written by bench/compare/fk_compare_bench).

    /usr/bin/python3 tools/bench/plot_compare.py COMPARE.json OUTDIR

Writes OUTDIR/compare_cdf.png (latency CDF per op and value size, both systems, 1 and 16
clients; log-scale latency) and OUTDIR/compare_throughput.png (throughput vs clients per op
and value size, both systems; log-scale throughput).
"""
import json
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SYSTEMS = [("faaskeeper", "FaaSKeeper", "tab:blue"), ("zookeeper", "ZooKeeper 3.8", "tab:red")]


def size_label(b):
    return f"{b // 1024} KiB" if b >= 1024 else f"{b} B"


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        data = json.load(f)
    out = argv[2]
    os.makedirs(out, exist_ok=True)
    cells = data["matrix"]
    ops = sorted({c["op"] for c in cells}, key=["get", "set", "create"].index)
    sizes = sorted({c["value_size"] for c in cells})

    fig, axes = plt.subplots(len(ops), len(sizes), figsize=(5 * len(sizes), 3.4 * len(ops)), squeeze=False)
    quantiles = [i / 100 for i in range(101)]
    for r, op in enumerate(ops):
        for col, size in enumerate(sizes):
            ax = axes[r][col]
            for c in cells:
                if c["op"] != op or c["value_size"] != size:
                    continue
                for key, label, color in SYSTEMS:
                    cdf = c[key]["cdf_ms"]
                    if not cdf:
                        continue
                    style = "-" if c["clients"] == 1 else "--"
                    ax.plot([max(v, 1e-4) for v in cdf], quantiles, style, color=color,
                            label=f"{label}, {c['clients']} cl")
            ax.set_xscale("log")
            ax.set_title(f"{op}, {size_label(size)}")
            ax.set_xlabel("latency (ms, log)")
            ax.set_ylabel("fraction of ops")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)
    fig.suptitle("Latency CDF: FaaSKeeper local (native client) vs ZooKeeper 3.8 (C client), same run")
    fig.tight_layout()
    cdf_png = os.path.join(out, "compare_cdf.png")
    fig.savefig(cdf_png, dpi=110)

    fig, axes = plt.subplots(1, len(ops), figsize=(5 * len(ops), 3.8), squeeze=False)
    for col, op in enumerate(ops):
        ax = axes[0][col]
        for size in sizes:
            for key, label, color in SYSTEMS:
                pts = sorted((c["clients"], c[key]["ops_per_s"]) for c in cells
                             if c["op"] == op and c["value_size"] == size)
                style = "o-" if size == sizes[0] else "s--"
                ax.plot([p[0] for p in pts], [max(p[1], 1e-3) for p in pts], style, color=color,
                        label=f"{label}, {size_label(size)}")
        ax.set_yscale("log")
        ax.set_title(op)
        ax.set_xlabel("clients (one session + thread each)")
        ax.set_ylabel("ops/s (log)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("Throughput vs clients")
    fig.tight_layout()
    tp_png = os.path.join(out, "compare_throughput.png")
    fig.savefig(tp_png, dpi=110)
    print(f"plots: {cdf_png} {tp_png}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
