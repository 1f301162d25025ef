#!/usr/bin/python3
"""Plots bench-results/compare.json (written by bench/compare/fk_compare_bench).

    /usr/bin/python3 tools/bench/plot_compare.py COMPARE.json OUTDIR

Writes OUTDIR/compare_cdf.png (latency CDF per op and value size, every system, 1 and 16
clients; log-scale latency), OUTDIR/compare_throughput.png (throughput vs clients per op and
value size, every system; log-scale throughput) and, when the run had them,
OUTDIR/compare_workloads.png (p50 per op of each workload file, every system).
Systems: FaaSKeeper native client, FaaSKeeper through its ZooKeeper gateway (the ZooKeeper C
client), ZooKeeper 3.8; a system absent from the JSON is skipped.
"""
import json
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SYSTEMS = [("faaskeeper", "FaaSKeeper native", "tab:blue"),
           ("gateway", "FaaSKeeper via ZK gateway", "tab:green"),
           ("zookeeper", "ZooKeeper 3.8", "tab:red")]


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
    pngs = []
    if cells:
        pngs = plot_matrix(cells, out)
    wls = data.get("workloads", [])
    if wls:
        pngs.append(plot_workloads(wls, out))
    print("plots: " + " ".join(pngs))
    return 0


def plot_matrix(cells, out):
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
                    if key not in c:
                        continue
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
    fig.suptitle("Latency CDF: FaaSKeeper local (native client; ZK gateway) vs ZooKeeper 3.8 (C client), same run")
    fig.tight_layout()
    cdf_png = os.path.join(out, "compare_cdf.png")
    fig.savefig(cdf_png, dpi=110)

    fig, axes = plt.subplots(1, len(ops), figsize=(5 * len(ops), 3.8), squeeze=False)
    for col, op in enumerate(ops):
        ax = axes[0][col]
        for size in sizes:
            for key, label, color in SYSTEMS:
                pts = sorted((c["clients"], c[key]["ops_per_s"]) for c in cells
                             if c["op"] == op and c["value_size"] == size and key in c)
                if not pts:
                    continue
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
    return [cdf_png, tp_png]


def plot_workloads(wls, out):
    fig, axes = plt.subplots(1, len(wls), figsize=(4.2 * len(wls), 3.8), squeeze=False)
    for col, wl in enumerate(wls):
        ax = axes[0][col]
        present = [(k, lab, colr) for k, lab, colr in SYSTEMS if k in wl]
        ops = [op for op in wl[present[0][0]] if op != "all"] if present else []
        width = 0.8 / max(1, len(present))
        for j, (key, label, color) in enumerate(present):
            xs = [i + j * width for i in range(len(ops))]
            ax.bar(xs, [max(wl[key].get(op, {}).get("p50_ms", 0), 1e-4) for op in ops], width,
                   color=color, label=label)
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(ops))])
        ax.set_xticklabels(ops, rotation=30, fontsize=7)
        ax.set_yscale("log")
        ax.set_title(wl["name"], fontsize=9)
        ax.set_ylabel("p50 latency (ms, log)")
        ax.grid(True, axis="y", which="both", alpha=0.3)
        ax.legend(fontsize=6)
    fig.suptitle("Workload files: p50 per op")
    fig.tight_layout()
    wl_png = os.path.join(out, "compare_workloads.png")
    fig.savefig(wl_png, dpi=110)
    return wl_png


if __name__ == "__main__":
    sys.exit(main(sys.argv))
