#!/usr/bin/python3
"""tools/cost/heatmap.py end to end: from the CLI (--cli) and from saved JSON (--input) it writes a
real PNG whose size grows with the number of panels; bad input fails with a message.

usage: heatmap_test.py FK_COST_CLI HEATMAP_PY
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

cli, heatmap = sys.argv[1], sys.argv[2]


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def run(*args):
    return subprocess.run(["/usr/bin/python3", heatmap, *args], capture_output=True, text=True)


with tempfile.TemporaryDirectory() as tmp:
    two = os.path.join(tmp, "two.png")
    r = run("--cli", cli, "--profile", "paper", "--storage", "hybrid", "--cluster", "3xt3.small",
            "--cluster", "9xt3.large", "-o", two)
    assert r.returncode == 0, r.stderr
    assert "2 panels" in r.stdout, r.stdout
    w2, h2 = png_size(two)
    assert w2 > 600 and h2 > 300, (w2, h2)

    saved = []
    for nodes, vm in [(3, "t3.small"), (3, "t3.large"), (9, "t3.small"), (9, "t3.large")]:
        out = subprocess.run([cli, "--profile", "paper", "--table", "--json", "--zk-nodes", str(nodes), "--zk-vm", vm,
                              "--storage", "s3"], capture_output=True, text=True, check=True).stdout
        assert json.loads(out)["grid"]["ratio"], out
        path = os.path.join(tmp, f"{nodes}{vm}.json")
        with open(path, "w") as f:
            f.write(out)
        saved.append(path)
    four = os.path.join(tmp, "four.png")
    r = run("--input", *saved, "-o", four)
    assert r.returncode == 0, r.stderr
    w4, h4 = png_size(four)
    assert h4 > h2, ("four panels use two rows", h2, h4)

    r = run("--cli", cli, "--cluster", "3xm9.huge", "-o", os.path.join(tmp, "bad.png"))
    assert r.returncode != 0 and "unknown VM type" in r.stderr, (r.returncode, r.stderr)
    assert not os.path.exists(os.path.join(tmp, "bad.png"))

print("heatmap_test: ok")
