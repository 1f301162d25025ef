#!/usr/bin/python3
"""Heatmap of the FaaSKeeper cost ratio (ZooKeeper cost / FaaSKeeper cost), like the paper's.

One panel per ZooKeeper cluster; in each, rows are read shares and columns requests/day, and each
cell is annotated with its ratio (> 1: FaaSKeeper is cheaper). The data comes from the cost CLI's
`--table --json` output, either by running it (--cli) or from saved files (--input).

  /usr/bin/python3 tools/cost/heatmap.py --cli build/release/tools/cost/fk_cost_cli \
      --profile paper --storage hybrid --cluster 3xt3.small --cluster 9xt3.large -o cost.png
  fk_cost_cli --table --json ... > a.json; /usr/bin/python3 tools/cost/heatmap.py --input a.json -o cost.png

Needs Debian's python3-matplotlib (and numpy); no other packages.
"""
import argparse
import json
import math
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

DEFAULT_CLUSTERS = ["3xt3.small", "3xt3.medium", "3xt3.large", "9xt3.small", "9xt3.medium", "9xt3.large"]


def parse_cluster(text):
    nodes, sep, vm = text.partition("x")
    if not sep or not nodes.isdigit() or not vm:
        raise argparse.ArgumentTypeError(f"cluster must look like 9xt3.large, got {text!r}")
    return int(nodes), vm


def run_cli(args, nodes, vm):
    cmd = [args.cli, "--table", "--json", "--zk-nodes", str(nodes), "--zk-vm", vm, "--storage", args.storage,
           "--profile", args.profile, "--value-bytes", str(args.value_bytes)]
    if args.prices:
        cmd += ["--prices", args.prices]
    if args.heartbeat_period is not None:
        cmd += ["--heartbeat-period", str(args.heartbeat_period)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"heatmap: {' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def requests_label(r):
    if r >= 1e6:
        return f"{r / 1e6:g}M"
    if r >= 1e3:
        return f"{r / 1e3:g}K"
    return f"{r:g}"


def ratio_label(x):
    if x is None:
        return "inf"
    return f"{x:.2f}" if x >= 1 else f"{x:.2g}"


def plot(docs, output, title=None):
    ratios = [x for d in docs for row in d["grid"]["ratio"] for x in row if x is not None]
    if not ratios:
        sys.exit("heatmap: no finite ratios to plot")
    # Colour by log10(ratio) with break-even (ratio 1) at the colour map's centre: red where
    # ZooKeeper is cheaper, green where FaaSKeeper is, each side scaled to its own extreme.
    lo = min(math.log10(min(ratios)), -0.5)
    hi = max(math.log10(max(ratios)), 0.5)
    norm = TwoSlopeNorm(vmin=lo, vcenter=0.0, vmax=hi)

    cols = min(3, len(docs))
    rows = math.ceil(len(docs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.2 * rows + 0.8), squeeze=False,
                             constrained_layout=True)
    image = None
    for ax, doc in zip(axes.flat, docs):
        grid = doc["grid"]
        shares = grid["read_shares"]
        requests = grid["requests_per_day"]
        # Highest read share on top, as a person reads "more reads = cheaper" upwards.
        order = list(reversed(range(len(shares))))
        values = [[math.log10(grid["ratio"][r][c]) if grid["ratio"][r][c] is not None else hi
                   for c in range(len(requests))] for r in order]
        image = ax.imshow(values, cmap="RdYlGn", norm=norm, aspect="auto")
        for i, r in enumerate(order):
            for c in range(len(requests)):
                x = grid["ratio"][r][c]
                shade = float(norm(values[i][c]))
                ax.text(c, i, ratio_label(x), ha="center", va="center", fontsize=8,
                        color="white" if shade < 0.12 or shade > 0.88 else "black",
                        fontweight="bold" if x is not None and x < 1 else "normal")
        ax.set_xticks(range(len(requests)), [requests_label(r) for r in requests])
        ax.set_yticks(range(len(order)), [f"{shares[r] * 100:g}%" for r in order])
        ax.set_xlabel("requests per day")
        ax.set_ylabel("reads")
        zk = doc["zookeeper"]
        ax.set_title(f"{zk['nodes']} x {zk['vm_type']} (${grid['zookeeper_usd_per_day']:.2f}/day)", fontsize=10)
    for ax in list(axes.flat)[len(docs):]:
        ax.axis("off")

    first = docs[0]
    profile = first["profile"]
    heading = title or (f"ZooKeeper cost / FaaSKeeper cost: storage {first['storage']}, "
                        f"{first['value_bytes']}-byte values, profile {profile['name']}")
    if profile.get("provisional"):
        heading += " (PROVISIONAL profile)"
    fig.suptitle(heading, fontsize=11)
    bar = fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.9,
                       format=FuncFormatter(lambda v, _: f"{10 ** v:.3g}"))
    bar.set_label("ratio (> 1: FaaSKeeper cheaper)")
    fig.savefig(output, dpi=150)
    print(f"heatmap: wrote {output} ({len(docs)} panel{'s' if len(docs) != 1 else ''})")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--cli", help="path of fk_cost_cli (or a `faaskeeper cost` wrapper) to run")
    src.add_argument("--input", nargs="+", help="saved `--table --json` outputs, one panel each")
    p.add_argument("--cluster", action="append", type=parse_cluster,
                   help="NxTYPE, repeatable (default: 3 and 9 nodes of t3.small/medium/large)")
    p.add_argument("--storage", default="hybrid", choices=["s3", "hybrid"])
    p.add_argument("--profile", default="paper")
    p.add_argument("--value-bytes", type=int, default=1024)
    p.add_argument("--prices")
    p.add_argument("--heartbeat-period", type=float)
    p.add_argument("--title")
    p.add_argument("-o", "--output", required=True, help="PNG file to write")
    args = p.parse_args()

    if args.input:
        docs = []
        for path in args.input:
            with open(path) as f:
                docs.append(json.load(f))
    else:
        clusters = args.cluster or [parse_cluster(c) for c in DEFAULT_CLUSTERS]
        docs = [run_cli(args, n, vm) for n, vm in clusters]
    for d in docs:
        if "grid" not in d:
            sys.exit("heatmap: input has no 'grid'; produce it with --table --json")
    plot(docs, args.output, args.title)


if __name__ == "__main__":
    main()
